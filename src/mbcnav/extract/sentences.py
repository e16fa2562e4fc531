"""Sentence boundaries from two regular expressions, so splitting costs C time, not Python.

Context scope never crosses a sentence. Boundaries: sentence-final punctuation followed by a
space or comma and a capital, digit, bullet or query mark ("no headache. ?liver mets";
MTSamples joins sections as ``"...text.,NEXT:"``), except after titles such as "Dr." and
except a "?" that opens a query ("? PE"); blank lines; a line break before a bullet, a number or a
capital; a list number ("2) "). Section headings add their own boundaries (``sections.py``).
Each pattern starts with a character class, so the regex engine skips ahead in C to the next
candidate (about 250 M characters per second here) instead of trying every position.
"""

from __future__ import annotations

import re
from bisect import bisect_right

_TITLES = ("Dr", "DR", "Mr", "MR", "Ms", "MS", "Mrs", "MRS", "vs", "St", "No", "NO", "Fig")
_NOT_TITLE = "".join(rf"(?<!\b{title}\.)" for title in _TITLES) + r"(?<!\be\.g\.)(?<!\bi\.e\.)"
_BOUNDARY = re.compile(
    r"[.!?\n](?:"
    rf"(?<=[.!?])(?<!\s\?)(?<!^\?){_NOT_TITLE}[.!?]*[\"')\]]*(?:\s+,?\s*|,\s*)"
    r"(?=[\"'(\[]?[A-Z0-9\u2022*-]|\?[ \t]*[^\W\d_])"
    r"|(?<=\n)[ \t]*\n\s*"
    r"|(?<=\n)(?=[ \t]*(?:[-\u2022*]|\d{1,2}[.)]\s|[A-Z]))"
    r")"
)
_LIST_NUMBER = re.compile(r"\s(?=\d{1,2}\)\s)")


def sentence_starts(text: str, extra: list[int] | None = None) -> list[int]:
    """Sorted start offsets of every sentence (always including 0)."""
    starts = [0, *(m.end() for m in _BOUNDARY.finditer(text))]
    more = [m.end() for m in _LIST_NUMBER.finditer(text)]
    if extra:
        more.extend(extra)
    if more:
        starts = sorted(set(starts).union(more))
    return starts


def sentence_of(starts: list[int], start: int, end: int, length: int) -> tuple[int, int]:
    """The [first, last) of the sentence holding ``[start, end)`` (extended to cover it)."""
    index = bisect_right(starts, start) - 1
    first = starts[index] if index >= 0 else 0
    following = bisect_right(starts, start)
    last = starts[following] if following < len(starts) else length
    return first, max(last, end)


__all__ = ["sentence_of", "sentence_starts"]
