"""The patient handout as PDF bytes (fpdf2, imported lazily: it ships with the service extra).

Core PDF fonts only cover latin-1, and no pip package we depend on ships a Unicode font, so
the text is transliterated (``–`` → ``-``, ``≥`` → ``>=``) rather than embedding a font.
"""

from __future__ import annotations

from typing import Any

from mbcnav.errors import MbcnavError
from mbcnav.render.handout import Handout, Section
from mbcnav.render.text import latin1

MARGIN = 18.0
INK, ACCENT, ALERT = (33, 37, 41), (29, 78, 137), (153, 27, 27)


def _fpdf() -> Any:
    try:
        from fpdf import FPDF
    except ImportError as exc:  # pragma: no cover - only without the service extra
        raise MbcnavError(
            "PDF output needs fpdf2: install mbcnav[service]", code="MBC-E100"
        ) from exc
    return FPDF


def _heading(pdf: Any, text: str, size: float, colour: tuple[int, int, int]) -> None:
    pdf.set_text_color(*colour)
    pdf.set_font("Helvetica", "B", size)
    pdf.multi_cell(0, size * 0.55, latin1(text), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1.5)


def _body(pdf: Any, text: str, indent: float = 0.0) -> None:
    pdf.set_text_color(*INK)
    pdf.set_font("Helvetica", "", 11.5)
    pdf.set_x(MARGIN + indent)
    pdf.multi_cell(0, 6, latin1(text), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)


def _section(pdf: Any, part: Section) -> None:
    _heading(pdf, part.heading, 14, ALERT if part.urgent else ACCENT)
    for paragraph in part.paragraphs:
        _body(pdf, paragraph)
    for item in part.items:
        _body(pdf, "-  " + item, indent=4)
    pdf.ln(3)


def handout_pdf(handout: Handout) -> bytes:
    """Render the handout to an A4 PDF and return its bytes."""
    pdf = _fpdf()(format="A4")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(auto=True, margin=MARGIN)
    pdf.set_title(latin1(handout.title))
    pdf.set_creator("mbcnav")
    pdf.add_page()
    _heading(pdf, handout.title, 20, INK)
    pdf.ln(2)
    for part in handout.sections:
        _section(pdf, part)
    pdf.set_font("Helvetica", "I", 10.5)
    pdf.set_text_color(*INK)
    pdf.multi_cell(
        0, 5.5, latin1(handout.notice), border=1, padding=3, new_x="LMARGIN", new_y="NEXT"
    )
    pdf.ln(2)
    pdf.set_font("Helvetica", "", 9)
    pdf.cell(0, 5, latin1(f"Knowledge version {handout.version}."))
    return bytes(pdf.output())
