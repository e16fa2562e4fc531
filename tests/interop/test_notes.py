"""Note text from FHIR attachments: charsets, HTML, RTF, and one rendition per document."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from mbcnav.interop.fhir import bundle_to_patient, summarise
from mbcnav.interop.notes import (
    NoteError,
    attachment_text,
    best_attachment,
    html_text,
    media_type,
    rtf_text,
)
from mbcnav.knowledge import Knowledge


def _data(text: str, encoding: str = "utf-8") -> str:
    return base64.b64encode(text.encode(encoding)).decode()


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        ("text/plain", ("text/plain", None)),
        ('text/html; charset="ISO-8859-1"', ("text/html", "iso-8859-1")),
        ("TEXT/PLAIN;Charset=UTF-8", ("text/plain", "utf-8")),
        ("application/rtf", ("text/rtf", None)),
        (None, ("", None)),
    ],
)
def test_media_type(content_type: Any, expected: tuple[str, str | None]) -> None:
    assert media_type(content_type) == expected


def test_charset_from_the_content_type_and_line_wrapped_base64() -> None:
    text = "Schmerzen im Rücken, Übelkeit."
    wrapped = "\n".join(_data(text, "latin-1")[i : i + 8] for i in range(0, 40, 8))
    attachment = {"contentType": "text/plain; charset=ISO-8859-1", "data": wrapped}
    assert attachment_text(attachment) == text
    bom = {"contentType": "text/plain", "data": base64.b64encode(b"\xef\xbb\xbfok").decode()}
    assert attachment_text(bom) == "ok"


@pytest.mark.parametrize(
    "attachment",
    [
        {"contentType": "text/plain", "data": "%%%"},
        {"contentType": "text/plain", "data": _data("Rücken", "latin-1")},
        {"contentType": "text/plain; charset=klingon", "data": _data("x")},
    ],
    ids=["not-base64", "wrong-charset", "unknown-charset"],
)
def test_unreadable_attachments_raise_note_error(attachment: dict[str, str]) -> None:
    with pytest.raises(NoteError):
        attachment_text(attachment)


def test_html_keeps_visible_text_only() -> None:
    html = (
        "<html><head><title>T</title><style>p{}</style></head><body>"
        "<p>Back pain &amp; weak&nbsp;legs</p><script>alert(1)</script>"
        "<div>No urine<br/>since morning</div></body></html>"
    )
    assert html_text(html) == "Back pain & weak legs\n\nNo urine\nsince morning"


def test_rtf_skips_destinations_and_decodes_escapes() -> None:
    rtf = (
        r"{\rtf1\ansi\ansicpg1252{\fonttbl{\f0 Arial;}}{\colortbl;\red0\green0\blue0;}"
        r"{\*\generator Riched20;}\pard\f0\fs20 Back pain \u8212? weak legs, caf\'e9.\par"
        r" No urine\line since morning\par}"
    )
    assert rtf_text(rtf) == "Back pain — weak legs, café.\nNo urine\nsince morning"


def test_best_attachment_prefers_plain_text_then_html_then_rtf() -> None:
    rtf = {"contentType": "text/rtf", "url": "Binary/1"}
    html = {"contentType": "text/html", "url": "Binary/2"}
    pdf = {"contentType": "application/pdf", "url": "Binary/3"}
    document = {"content": [{"attachment": a} for a in (pdf, rtf, html)]}
    assert best_attachment(document) == html
    assert best_attachment({"content": [{"attachment": pdf}]}) is None
    untyped = {"data": _data("x")}
    assert best_attachment({"content": [{"attachment": rtf}, {"attachment": untyped}]}) == untyped


def _document(ident: str, *attachments: dict[str, str]) -> dict[str, Any]:
    return {
        "resourceType": "DocumentReference",
        "id": ident,
        "status": "current",
        "content": [{"attachment": attachment} for attachment in attachments],
    }


def test_one_note_per_document_however_many_renditions(knowledge: Knowledge) -> None:
    text = "New severe back pain and weak legs since yesterday."
    document = _document(
        "d1",
        {"contentType": "text/rtf", "data": _data(r"{\rtf1 " + text + r"\par}")},
        {"contentType": "text/html", "data": _data(f"<p>{text}</p>")},
    )
    assert summarise([document], knowledge=knowledge).notes == [text]


def test_unreadable_and_url_only_notes_are_reported(knowledge: Knowledge) -> None:
    broken = _document("bad", {"contentType": "text/plain", "data": "%%%"})
    by_url = _document("far", {"contentType": "text/html", "url": "Binary/9"})
    summary = summarise([broken, by_url], knowledge=knowledge)
    assert summary.notes == []
    assert summary.unmapped == [
        "DocumentReference bad (the attachment is not valid base64)",
        "DocumentReference far (note text by URL, not fetched)",
    ]
    assert summary.note_errors == ["DocumentReference bad: the attachment is not valid base64"]
    with pytest.raises(Exception, match="MBC-E300"):
        bundle_to_patient(broken, knowledge=knowledge)
