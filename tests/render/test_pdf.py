from __future__ import annotations

import zlib

from render_samples import cord_compression

from mbcnav.knowledge import Knowledge
from mbcnav.render.handout import build_handout
from mbcnav.render.pdf import handout_pdf
from mbcnav.render.text import latin1


def _page_text(pdf: bytes) -> bytes:
    """Inflate every content stream (enough to search the words we wrote)."""
    out = b""
    for chunk in pdf.split(b"stream\n")[1:]:
        body = chunk.split(b"\nendstream")[0]
        try:
            out += zlib.decompress(body)
        except zlib.error:
            out += body
    return out


def test_pdf_bytes_hold_the_handout(mini_knowledge: Knowledge) -> None:
    pdf = handout_pdf(build_handout(cord_compression(), mini_knowledge))
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    text = _page_text(pdf)
    assert b"Your results in plain words" in text
    assert b"Pressure on the spinal cord" in text
    assert b"Knowledge version 9.9.9" in text


def test_latin1_transliterates_instead_of_failing() -> None:
    assert latin1("1–2 weeks ≥ 3 “ok” → é µ ✓") == '1-2 weeks >= 3 "ok" -> é µ ?'
