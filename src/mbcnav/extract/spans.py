"""Does a span overlap any of a set of spans: in logarithmic time, not by a walk of the set.

The reader asks this for every hit (is a spread cue inside a blocked phrase, is a site word
covered by a term, has this site a mention in this sentence already); walking the whole set for
each made a note of many such hits cost time quadratic in its length. Spans are half-open
``[start, end)``; two overlap when they share a character.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from itertools import accumulate
from operator import itemgetter
from typing import Any, TypeVar

Hit = TypeVar("Hit", bound=tuple[int, int, Any])
_START, _END = itemgetter(0), itemgetter(1)


class SpanSet:
    """A fixed set of spans: sorted by start, with the largest end of every prefix."""

    __slots__ = ("_reach", "_starts")

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self._starts = [start for start, _ in ordered]
        self._reach = list(accumulate((end for _, end in ordered), max))

    def overlaps(self, start: int, end: int) -> bool:
        """True when some span shares a character with ``[start, end)``."""
        before = bisect_left(self._starts, end)  # the spans starting before ``end``
        return before > 0 and self._reach[before - 1] > start


class Taken:
    """Non-empty spans (site mentions) added one by one under a key, kept as the sorted union
    of each key's (spans that only touch stay apart); asked about non-empty spans only."""

    __slots__ = ("_ends", "_starts")

    def __init__(self) -> None:
        self._starts: dict[str, list[int]] = {}
        self._ends: dict[str, list[int]] = {}

    def add(self, key: str, start: int, end: int) -> None:
        if start >= end:
            return
        starts = self._starts.setdefault(key, [])
        ends = self._ends.setdefault(key, [])
        low = bisect_right(ends, start)  # the first piece ending after ``start``
        high = bisect_left(starts, end)  # and the pieces starting before ``end``: overlapping
        if low < high:
            start, end = min(start, starts[low]), max(end, ends[high - 1])
        starts[low:high] = [start]
        ends[low:high] = [end]

    def overlaps(self, key: str, start: int, end: int) -> bool:
        """True when a span added under ``key`` shares a character with ``[start, end)``."""
        ends = self._ends.get(key)
        if not ends or start >= end:
            return False
        at = bisect_right(ends, start)  # the first piece ending after ``start``
        return at < len(ends) and self._starts[key][at] < end


def leftmost_longest(hits: Iterable[Hit]) -> list[Hit]:
    """Leftmost-longest non-overlapping hits ("back pain" over "pain", "lower limb" over
    "limb"): what a reader keeps of overlapping phrase matches."""
    ordered = list(hits)
    if len(ordered) < 2:  # nothing to choose between (most calls on a short note)
        return ordered
    if len(ordered) > 2:  # two C-keyed stable sorts beat one Python key on all but tiny lists
        ordered.sort(key=_END, reverse=True)  # (reverse keeps equal spans in input order)
        ordered.sort(key=_START)
    else:
        ordered.sort(key=lambda h: (h[0], h[0] - h[1]))
    kept: list[Hit] = []
    last_end = -1
    for hit in ordered:
        if hit[0] >= last_end:
            kept.append(hit)
            last_end = hit[1]
    return kept


__all__ = ["SpanSet", "Taken", "leftmost_longest"]
