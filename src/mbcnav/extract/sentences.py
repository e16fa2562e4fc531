"""Sentence boundaries from one regular expression, so splitting costs C time, not Python time.

Context scope never crosses a sentence. Boundaries: sentence-final punctuation followed by a
space or comma and a capital, digit or bullet (MTSamples joins sections as ``"...text.,NEXT:"``);
blank lines; a line break before a bullet, a number or a capital; a list number "2) ". Titles such as "Dr." do not
end a sentence. Section headings add their own boundaries (``sections.py``).
"""

from __future__ import annotations

import re
from bisect import bisect_right

_BOUNDARY = re.compile(
    r"(?<!\bDr)(?<!\bMr)(?<!\bMs)(?<!\bMrs)(?<!\bvs)(?<!\bSt)(?<!\bNo)(?<!\be\.g)(?<!\bi\.e)"
    r"[.!?]+[\"')\]]*(?:\s+,?\s*|,\s*)(?=[\"'(\[]?[A-Z0-9\u2022*-])"
    r"|\n[ \t]*\n\s*"
    r"|\n(?=[ \t]*(?:[-\u2022*]|\d{1,2}[.)]\s|[A-Z]))"
    r"|(?<=\s)(?=\d{1,2}\)\s)"
)


def sentence_starts(text: str, extra: list[int] | None = None) -> list[int]:
    """Sorted start offsets of every sentence (always including 0)."""
    starts = [0]
    starts.extend(match.end() for match in _BOUNDARY.finditer(text))
    if extra:
        starts.extend(extra)
        starts = sorted(set(starts))
    return starts


def sentence_of(starts: list[int], pos: int, length: int) -> tuple[int, int]:
    """The [start, end) of the sentence holding offset ``pos``."""
    index = bisect_right(starts, pos) - 1
    end = starts[index + 1] if index + 1 < len(starts) else length
    return starts[index], end


__all__ = ["sentence_of", "sentence_starts"]
