"""FHIR Bulk Data NDJSON resources to note rows: DocumentReference and QuestionnaireResponse.

Mapping only: a resource becomes ``id``, ``patient``, ``date`` and note ``text`` (bytes). A
resource we cannot read as a note still yields a row, with a coded read error.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

NoteRecord = dict[str, Any]


class _NoInlineText(Exception):
    """The DocumentReference points at its text (URL) instead of carrying it."""


def _reference_id(resource: dict[str, Any]) -> str | None:
    subject = resource.get("subject")
    reference = subject.get("reference") if isinstance(subject, dict) else None
    if not isinstance(reference, str):
        return None
    return reference.rsplit("/", 1)[-1]


def _charset(content_type: str) -> str:
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            return value.strip('"').lower()
    return "utf-8"


def _attachment_text(resource: dict[str, Any]) -> bytes:
    """The first inline text attachment, re-encoded to UTF-8 when it declares another charset."""
    for content in resource.get("content") or ():
        attachment = content.get("attachment") if isinstance(content, dict) else None
        if not isinstance(attachment, dict) or "data" not in attachment:
            continue
        content_type = str(attachment.get("contentType") or "text/plain")
        if not content_type.startswith("text/"):
            continue
        raw = base64.b64decode(str(attachment["data"]), validate=True)
        charset = _charset(content_type)
        if charset in ("utf-8", "utf8"):
            return raw
        return raw.decode(charset).encode("utf-8")
    raise _NoInlineText("no inline text/* attachment (content.attachment.data)")


def _document_date(resource: dict[str, Any]) -> Any:
    if resource.get("date") is not None:
        return resource["date"]
    context = resource.get("context")
    period = context.get("period") if isinstance(context, dict) else None
    return period.get("start") if isinstance(period, dict) else None


def _answer_text(answer: dict[str, Any]) -> str:
    for key, value in answer.items():
        if not key.startswith("value"):
            continue
        if isinstance(value, dict):
            return str(value.get("display") or value.get("code") or value)
        return str(value)
    return ""


def _questionnaire_lines(items: list[Any], out: list[str]) -> None:
    for item in items:
        if not isinstance(item, dict):
            continue
        label = str(item.get("text") or item.get("linkId") or "")
        answers = [_answer_text(a) for a in item.get("answer") or () if isinstance(a, dict)]
        if answers:
            out.append(f"{label}: {', '.join(answers)}.")
        _questionnaire_lines(list(item.get("item") or ()), out)
        for answer in item.get("answer") or ():
            if isinstance(answer, dict):
                _questionnaire_lines(list(answer.get("item") or ()), out)


def questionnaire_text(resource: dict[str, Any]) -> str:
    """One line per answered item, ``question: answer.``; nested groups flattened in order."""
    lines: list[str] = []
    _questionnaire_lines(list(resource.get("item") or ()), lines)
    return "\n".join(lines)


def fhir_record(resource: Any) -> NoteRecord:
    """Map one parsed NDJSON line to a note record (``read_error`` set when it is not a note)."""
    if not isinstance(resource, dict):
        return {"read_error": "MBC-E300", "read_message": "The line is not a FHIR resource."}
    kind = resource.get("resourceType")
    record: NoteRecord = {"id": resource.get("id"), "patient": _reference_id(resource)}
    if kind == "DocumentReference":
        record["date"] = _document_date(resource)
        try:
            record["text"] = _attachment_text(resource)
        except (_NoInlineText, LookupError, binascii.Error, ValueError) as exc:
            record["read_error"] = "MBC-E301" if isinstance(exc, _NoInlineText) else "MBC-E403"
            record["read_message"] = f"The DocumentReference text cannot be read: {exc}."
    elif kind == "QuestionnaireResponse":
        record["date"] = resource.get("authored")
        record["text"] = questionnaire_text(resource).encode("utf-8")
    else:
        record["read_error"] = "MBC-E301"
        record["read_message"] = (
            "The resource type must be DocumentReference or QuestionnaireResponse. "
            f"Got {kind!r} instead."
        )
    return record
