"""The patient handout as PDF bytes (fpdf2, imported lazily: it ships with the service extra).

Text is drawn in an embedded Unicode TrueType font, so "≥ 3.4 mmol/L", accented names and
other scripts print as written: DejaVu Sans (Debian ``fonts-dejavu-core``; Bitstream Vera
licence) for Latin, Greek, Cyrillic and symbols, and Droid Sans Fallback (Debian
``fonts-droid-fallback``; Apache 2.0; 4 MB, a TrueType font, unlike the 16 MB CFF Noto CJK) for
Chinese, Japanese and Korean. fpdf2 embeds only the glyphs used. ``scripts/ensure-system-deps.sh``
installs both. Where a font is missing the handout still prints: without DejaVu in the core
Helvetica (text transliterated to latin-1), without the fallback with "?" for the characters
no font has; a word is never dropped silently.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from mbcnav.errors import MbcnavError
from mbcnav.render.handout import Handout, Section
from mbcnav.render.text import latin1

MARGIN = 18.0
INK, ACCENT, ALERT = (33, 37, 41), (29, 78, 137), (153, 27, 27)
FONT_DIRS = (
    Path("/usr/share/fonts/truetype"),  # Debian, Ubuntu
    Path("/usr/share/fonts"),  # Fedora, Arch
    Path("/usr/local/share/fonts"),
)
REGULAR, BOLD, FALLBACK = "DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DroidSansFallbackFull.ttf"
FAMILY, FALLBACK_FAMILY, CORE_FAMILY = "DejaVu", "DroidFallback", "Helvetica"


@dataclass(frozen=True)
class PdfFonts:
    """The TrueType files the PDF embeds; None where the machine has no such file."""

    regular: Path | None = None
    bold: Path | None = None
    fallback: Path | None = None


def _find(name: str, dirs: Iterable[Path]) -> Path | None:
    for base in dirs:
        if not base.is_dir():
            continue
        found = next(iter(sorted(base.rglob(name))), None)
        if found is not None:
            return found
    return None


@lru_cache(maxsize=1)
def system_fonts(dirs: tuple[Path, ...] = FONT_DIRS) -> PdfFonts:
    """The packaged fonts where the system keeps them (looked up once per process)."""
    return PdfFonts(_find(REGULAR, dirs), _find(BOLD, dirs), _find(FALLBACK, dirs))


def _fpdf() -> Any:
    try:
        from fpdf import FPDF
    except ImportError as exc:  # pragma: no cover - only without the service extra
        raise MbcnavError(
            "PDF output needs fpdf2: install mbcnav[service]", code="MBC-E100"
        ) from exc
    return FPDF


@lru_cache(maxsize=8)
def _cmap(path: Path) -> frozenset[int]:
    """The code points a font file draws (read once per process: parsing the 4 MB CJK font
    for every handout would cost a second, so it is embedded only when the text needs it)."""
    from fontTools.ttLib import TTFont

    with TTFont(str(path), lazy=True) as font:
        return frozenset(font.getBestCmap() or ())


class _Writer:
    """The document and how its text is made drawable in the fonts it has."""

    def __init__(self, fonts: PdfFonts, text: str) -> None:
        self.pdf = _fpdf()(format="A4")
        self.unicode = fonts.regular is not None
        self.family = FAMILY if self.unicode else CORE_FAMILY
        self.bold = "B"
        self.covered: frozenset[int] = frozenset()
        if fonts.regular is not None:
            self.pdf.add_font(FAMILY, "", str(fonts.regular))
            self.covered = _cmap(fonts.regular)
            self.bold = "B" if fonts.bold is not None else ""
            if fonts.bold is not None:
                self.pdf.add_font(FAMILY, "B", str(fonts.bold))
            needed = {ord(char) for char in text} - self.covered
            if fonts.fallback is not None and needed & _cmap(fonts.fallback):
                self.pdf.add_font(FALLBACK_FAMILY, "", str(fonts.fallback))
                self.pdf.set_fallback_fonts([FALLBACK_FAMILY], exact_match=False)
                self.covered |= _cmap(fonts.fallback)
        self.clean: Callable[[str], str] = self._covered if self.unicode else latin1

    def _covered(self, text: str) -> str:
        """Characters some embedded font can draw; others by their base letter, else "?"."""
        out = []
        for char in text:
            if ord(char) in self.covered or char in "\n\t ":
                out.append(char)
                continue
            base = unicodedata.normalize("NFKD", char)
            kept = "".join(c for c in base if ord(c) in self.covered)
            out.append(kept or "?")
        return "".join(out)

    def font(self, bold: bool, size: float) -> None:
        self.pdf.set_font(self.family, self.bold if bold else "", size)


def _heading(w: _Writer, text: str, size: float, colour: tuple[int, int, int]) -> None:
    w.pdf.set_text_color(*colour)
    w.font(True, size)
    w.pdf.multi_cell(0, size * 0.55, w.clean(text), new_x="LMARGIN", new_y="NEXT")
    w.pdf.ln(1.5)


def _body(w: _Writer, text: str, indent: float = 0.0) -> None:
    w.pdf.set_text_color(*INK)
    w.font(False, 11.5)
    w.pdf.set_x(MARGIN + indent)
    w.pdf.multi_cell(0, 6, w.clean(text), new_x="LMARGIN", new_y="NEXT")
    w.pdf.ln(1)


def _section(w: _Writer, part: Section) -> None:
    _heading(w, part.heading, 14, ALERT if part.urgent else ACCENT)
    for paragraph in part.paragraphs:
        _body(w, paragraph)
    bullet = "•  " if w.unicode else "-  "
    for item in part.items:
        _body(w, bullet + item, indent=4)
    w.pdf.ln(3)


def handout_pdf(handout: Handout, fonts: PdfFonts | None = None) -> bytes:
    """Render the handout to an A4 PDF and return its bytes (``fonts``: the system's)."""
    w = _Writer(system_fonts() if fonts is None else fonts, handout.plain_text())
    pdf = w.pdf
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(auto=True, margin=MARGIN)
    pdf.set_title(w.clean(handout.title))
    pdf.set_lang("en")
    pdf.set_creator("mbcnav")
    pdf.add_page()
    _heading(w, handout.title, 20, INK)
    pdf.ln(2)
    for part in handout.sections:
        _section(w, part)
    w.font(False, 10.5)
    pdf.set_text_color(*INK)
    pdf.multi_cell(
        0, 5.5, w.clean(handout.notice), border=1, padding=3, new_x="LMARGIN", new_y="NEXT"
    )
    pdf.ln(2)
    w.font(False, 9)
    pdf.cell(0, 5, w.clean(f"Knowledge version {handout.version}."))
    return bytes(pdf.output())
