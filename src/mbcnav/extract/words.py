"""Words between two offsets, counted in logarithmic time once gaps get long.

Context triggers and spread cues reach a limited number of words. Counting a gap's words with
a regex costs time proportional to the gap, so in one long sentence (a list, a run of
punctuation) counting for every target grew with the square of the text. Short gaps, all of an
ordinary note's, are still counted directly; the first long gap (or the first question about
how far a number of words reaches) indexes the text's words once (maximal runs of letters and
digits, as ``WORD`` finds them), and every count after it is two bisections. Both give the
count of ``len(WORD.findall(text, start, end))``.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

WORD = re.compile(r"[^\W_]+")
DIRECT_LIMIT = 256
"""Gaps up to this many characters are counted with the regex: no index for ordinary notes."""


class WordIndex:
    """The words of one text, indexed on first need."""

    __slots__ = ("_ends", "_starts", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        self._starts: list[int] = []
        self._ends: list[int] = []

    def _index(self) -> None:
        if self._text:
            spans = [match.span() for match in WORD.finditer(self._text)]
            self._starts = [start for start, _ in spans]
            self._ends = [end for _, end in spans]

    def count(self, start: int, end: int) -> int:
        """Words (whole or cut by the bounds) in ``text[start:end]``."""
        if not self._ends:
            if end - start <= DIRECT_LIMIT:
                return len(WORD.findall(self._text, start, end))
            self._index()
        if end <= start:
            return 0
        return bisect_left(self._starts, end) - bisect_right(self._ends, start)

    def back_to(self, end: int, words: int) -> int:
        """The smallest ``start`` with ``count(start, end) <= words``."""
        if not self._ends:
            self._index()
        first = bisect_left(self._starts, end) - words
        return min(self._ends[first - 1], end) if first > 0 else 0

    def on_to(self, start: int, words: int) -> int:
        """The largest ``end`` with ``count(start, end) <= words``."""
        if not self._ends:
            self._index()
        last = bisect_right(self._ends, start) + words
        return max(self._starts[last], start) if last < len(self._starts) else len(self._text)


__all__ = ["DIRECT_LIMIT", "WORD", "WordIndex"]
