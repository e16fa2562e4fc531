"""Sentence boundaries from two regular expressions, so splitting costs C time, not Python.

Context scope never crosses a sentence. Boundaries: sentence-final punctuation followed by a
space or comma and a capital, digit, bullet or query mark ("no headache. ?liver mets";
MTSamples joins sections as ``"...text.,NEXT:"``), except after titles such as "Dr." and
except a "?" that opens a query ("? PE"); blank lines; a line break before a bullet, a number or a
capital; a list number ("2) "). Section headings add their own boundaries (``sections.py``).
The boundary pattern starts with a character class, so the regex engine skips ahead in C to the
next candidate instead of trying every position, and its fifteen title exceptions are two
lookbehinds (one per title length); list numbers are found from their rare ")".

Its cost is linear in the text: a run of ``.?!`` is tried once, from its first character (a
later one can only succeed where the first does, or where the first is a title's or a query's
mark, which is why a run of two or more passes those tests), and the quantifiers are possessive
(giving back a space or a stop could never let the lookahead match), so no run is rescanned.
"""

from __future__ import annotations

import re
from bisect import bisect_right

_TITLES = ("Dr", "DR", "Mr", "MR", "Ms", "MS", "Mrs", "MRS", "vs", "St", "No", "NO", "Fig")
_LATIN = ("e.g", "i.e")


def _not_after(titles: tuple[str, ...]) -> str:
    """One negative lookbehind per title length (a lookbehind needs a fixed width): the same
    test as one lookbehind per title, in two steps instead of fifteen."""
    by_length: dict[int, list[str]] = {}
    for title in titles:
        by_length.setdefault(len(title), []).append(re.escape(title))
    return "".join(rf"(?<!\b(?:{'|'.join(group)})\.)" for _, group in sorted(by_length.items()))


_AFTER = (  # what follows a boundary candidate, a sentence-final mark or a line break
    r"(?:"
    rf"(?<=[.!?])(?<![.!?][.!?])(?:(?<!\s\?)(?<!^\?){_not_after(_TITLES + _LATIN)}|(?=[.!?]))"
    r"[.!?]*+[\"')\]]*+(?:\s++,?+\s*+|,\s*+)"
    r"(?=[\"'(\[]?[A-Z0-9\u2022*-]|\?[ \t]*[^\W\d_])"
    r"|(?<=\n)[ \t]*+\n\s*"
    r"|(?<=\n)(?=[ \t]*+(?:[-\u2022*]|\d{1,2}[.)]\s|[A-Z]))"
    r")"
)
_BOUNDARY = re.compile(rf"[.!?\n]{_AFTER}")
_STOP_BOUNDARY = re.compile(rf"\.{_AFTER}")
"""``_BOUNDARY`` for a text whose only candidates are full stops (no "!", "?" or line break:
most notes as exported). The same matches, but the regex engine finds a literal first
character with a fast scan, where a character class is tested at every position: the pass
takes about half the time."""
_END = re.Match.end
_LIST_CLOSE = re.compile(r"\)\s")
_LIST_OPEN = re.compile(r"\s\d{1,2}")


def _list_numbers(text: str) -> list[int]:
    """Starts of list numbers ("2) "): after a space, one or two digits, ")" and a space.

    Found from the ")" (rare, a fast literal search) rather than from every space.
    """
    if ")" not in text:
        return []
    out: list[int] = []
    for close in _LIST_CLOSE.finditer(text):
        at = close.start()
        for space in (at - 3, at - 2):
            if space >= 0 and _LIST_OPEN.fullmatch(text, space, at):
                out.append(space + 1)
    return out


def sentence_starts(text: str, extra: list[int] | None = None) -> list[int]:
    """Sorted start offsets of every sentence (always including 0)."""
    only_stops = "\n" not in text and "?" not in text and "!" not in text
    boundary = _STOP_BOUNDARY if only_stops else _BOUNDARY
    starts = [0, *map(_END, boundary.finditer(text))]  # rising: matches do not overlap
    more = _list_numbers(text)
    if extra:
        more.extend(extra)
    if more:  # the few starts not already there, merged in (a sort of two sorted runs)
        added = set(more)
        added.difference_update(starts)
        if added:
            starts.extend(added)
            starts.sort()
    return starts


def sentence_of(starts: list[int], start: int, end: int, length: int) -> tuple[int, int]:
    """The [first, last) of the sentence holding ``[start, end)`` (extended to cover it)."""
    following = bisect_right(starts, start)
    first = starts[following - 1] if following else 0
    last = starts[following] if following < len(starts) else length
    return first, max(last, end)


__all__ = ["sentence_of", "sentence_starts"]
