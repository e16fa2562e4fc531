"""The handout PDF: the words of the handout, in embedded Unicode fonts, whatever the script."""

from __future__ import annotations

import io
from typing import Any

import pytest
from render_samples import cord_compression

from mbcnav.knowledge import Knowledge
from mbcnav.render.handout import Handout, Section, build_handout
from mbcnav.render.pdf import PdfFonts, handout_pdf, system_fonts
from mbcnav.render.text import latin1
from mbcnav.types import Finding

pypdf = pytest.importorskip("pypdf")
LINE = "≥ 3.4 mmol/L — Zoë, Ł, 乳腺癌"


def _unicode_fonts() -> PdfFonts:
    fonts = system_fonts()
    if fonts.regular is None or fonts.fallback is None:
        pytest.skip("fonts-dejavu-core / fonts-droid-fallback missing: make system-deps")
    return fonts


def _read(pdf: bytes) -> tuple[str, list[dict[str, Any]]]:
    """The text a reader extracts, and each font: its name, type, and whether it is embedded."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font.get("/DescendantFonts")
            descriptor = (
                descendant[0].get_object()["/FontDescriptor"].get_object() if descendant else {}
            )
            fonts[str(font["/BaseFont"])] = {
                "subtype": str(font["/Subtype"]),
                "embedded": "/FontFile2" in descriptor,
            }
    return text, [{"name": name, **info} for name, info in fonts.items()]


def _sample(line: str) -> Handout:
    return Handout(
        title="Your results in plain words",
        sections=(Section(id="said", heading="What you told us", paragraphs=(line,)),),
        notice="It supports, and does not replace, your care team's judgement.",
        version="9.9.9",
    )


def test_pdf_holds_the_handout_words(mini_knowledge: Knowledge) -> None:
    pdf = handout_pdf(build_handout(cord_compression(), mini_knowledge))
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    text, _ = _read(pdf)
    assert "Your results in plain words" in text
    assert "Pressure on the spinal cord" in text
    assert "Knowledge version 9.9.9" in text


def test_unicode_prints_as_written_in_embedded_fonts() -> None:
    """Field test: built-in Helvetica, not embedded, latin-1 only. Now every character of a
    measurement, a name and another script comes back out of the PDF as it went in."""
    text, fonts = _read(handout_pdf(_sample(LINE), _unicode_fonts()))
    assert LINE in text.splitlines()
    assert fonts and all(f["embedded"] and f["subtype"] == "/Type0" for f in fonts)
    names = " ".join(f["name"] for f in fonts)
    assert "DejaVuSans" in names and "DroidSansFallback" in names
    assert "Helvetica" not in names


def test_the_cjk_font_is_embedded_only_when_the_text_needs_it() -> None:
    _, fonts = _read(handout_pdf(_sample("≥ 3.4 mmol/L — Zoë, Ł"), _unicode_fonts()))
    assert not [f for f in fonts if "Droid" in f["name"]]


def test_without_a_cjk_font_the_rest_still_prints() -> None:
    fonts = _unicode_fonts()
    text, _ = _read(handout_pdf(_sample(LINE), PdfFonts(fonts.regular, fonts.bold, None)))
    assert "≥ 3.4 mmol/L — Zoë, Ł, ???" in text.splitlines()


def test_without_any_font_file_the_core_font_transliterates() -> None:
    text, fonts = _read(handout_pdf(_sample(LINE), PdfFonts()))
    assert ">= 3.4 mmol/L - Zoë, ?, ???" in text.splitlines()
    assert fonts and all("Helvetica" in f["name"] for f in fonts)


def test_latin1_transliterates_instead_of_failing() -> None:
    assert latin1("1–2 weeks ≥ 3 “ok” → é µ ✓") == '1-2 weeks >= 3 "ok" -> é µ ?'


def test_the_patients_own_words_print_in_the_pdf(mini_knowledge: Knowledge) -> None:
    said = Finding(id="sym:back_pain", present=True, source="text", text="Zoë: 乳腺癌, Ł ≥ 3")
    assessment = cord_compression().model_copy(update={"findings": (said,)})
    pdf = handout_pdf(build_handout(assessment, mini_knowledge), _unicode_fonts())
    text, _ = _read(pdf)
    assert "“Zoë: 乳腺癌, Ł ≥ 3”" in text
