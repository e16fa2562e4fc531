"""Note sections from their headings, because a section changes what a mention means.

A mention under "FAMILY HISTORY:" is about a relative; under "PAST MEDICAL HISTORY:" it is
historical. A heading is the words before a colon at the start of a line, after punctuation or
after a run of spaces. Known headings (``context_rules.yaml``, matched after folding, or their
longest known leading or trailing words, "HIS SOCIAL HISTORY") start that kind of section;
other ALL-CAPS headings start an ``other`` section, except inside an examination or review of
systems, where they are sub-headings ("HEENT:", "EXTREMITIES:"). Short Title-case labels
("Extremities:") only end a sentence. The scan visits colons only (found in C), so its cost
grows with the number of colons, not characters.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import cast

from mbcnav.extract.normalize import fold_phrase
from mbcnav.extract.rules import Category, SectionKind

_COLON = re.compile(r":(?![0-9])")
_MATCH_START = re.Match.start
_LABEL = re.compile(
    r"(?<![A-Za-z0-9])[A-Za-z][A-Za-z0-9/&()'-]*+(?: [A-Za-z0-9/&()'-]++){0,7}+[ \t,]*+\Z"
)
"""Possessive (``*+``, ``{0,7}+``): each part stops where the next must begin, so giving back
characters could never lead to a match; without backtracking the search is several times faster."""
_LABEL_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/&()' \t,-"
"""Every character a label match can hold: stripped off the text before a colon (in C), they
bound where a label can start, so ``_LABEL`` searches a few characters instead of 80."""
_LABEL_TAIL = frozenset(_LABEL_CHARS)
"""One of them stands right before every heading's colon."""
_OPENERS = frozenset("\n.,;:)}]")
_SUBSECTION_PARENTS = frozenset({"examination", "review_of_systems"})
MAX_LABEL_WORDS = 3
LABEL_REACH = 80


@dataclass(frozen=True, slots=True)
class Section:
    """A note section: its kind, heading span and the span of its body."""

    name: str
    heading: str
    heading_start: int
    heading_end: int
    start: int
    end: int
    sets: Category | None = None


@dataclass(frozen=True, slots=True)
class SectionMap:
    """Sections in text order plus the extra sentence boundaries the headings make."""

    sections: tuple[Section, ...]
    boundaries: list[int]

    def at(self, pos: int) -> Section | None:
        """The section holding offset ``pos`` (None before the first heading)."""
        index = bisect_right([s.start for s in self.sections], pos) - 1
        return self.sections[index] if index >= 0 else None


def _kind_of(folded: str, kinds: dict[str, SectionKind]) -> SectionKind | None:
    if folded in kinds:
        return kinds[folded]
    words = folded.split()
    for size in range(len(words) - 1, 0, -1):
        kind = kinds.get(" ".join(words[:size])) or kinds.get(" ".join(words[-size:]))
        if kind is not None:
            return kind
    return None


def _opens(text: str, start: int) -> bool:
    """A heading starts the text, a line, follows punctuation, or follows two spaces."""
    j = start
    while j > 0 and text[j - 1] in " \t,":
        j -= 1
    if j == 0 or text[j - 1] in _OPENERS:
        return True
    return start - j >= 2 and text[start - 1] in " \t" and text[start - 2] in " \t"


def _headings(text: str) -> list[tuple[int, int, str]]:
    """(label start, end after the colon, label) of every heading-shaped label."""
    out: list[tuple[int, int, str]] = []
    for pos in map(_MATCH_START, _COLON.finditer(text)):  # a colon: it ends at pos + 1
        if not pos or text[pos - 1] not in _LABEL_TAIL:  # no label can end here (":::")
            continue
        low = pos - LABEL_REACH if pos > LABEL_REACH else 0
        low += len(text[low:pos].rstrip(_LABEL_CHARS))  # the run of label characters
        match = _LABEL.search(text, low, pos)
        if match is None:
            continue
        label = match.group(0).rstrip(" \t,")
        if label and _opens(text, match.start()):
            out.append((match.start(), pos + 1, label))
    return out


Label = tuple[SectionKind | None, bool] | None
"""What a heading-shaped label is: its kind and whether it is in capitals; None when it is no
heading at all (empty once folded, or a long or lower-case label of no known kind)."""

_UNSEEN = object()
MAX_MEMO = 4096
"""Labels remembered per kinds table: notes repeat a few thousand headings ("PLAN:")."""


def _label(label: str, kinds: dict[str, SectionKind]) -> Label:
    folded = fold_phrase(label)
    if not folded:
        return None
    kind = _kind_of(folded, kinds)
    shouting = label.isupper()
    label_only = len(folded.split()) > MAX_LABEL_WORDS or not label[0].isupper()
    if kind is None and not shouting and label_only:
        return None
    return kind, shouting


def find_sections(
    text: str, kinds: dict[str, SectionKind], memo: dict[str, Label] | None = None
) -> SectionMap:
    """Cut the text into sections at its headings. ``memo`` (the caller's, one per ``kinds``)
    keeps what each label is across texts: the same headings recur in every note."""
    opened: list[tuple[str, Category | None, int, int, str]] = []
    boundaries: list[int] = []
    current = ""
    if memo is None:
        memo = {}
    elif len(memo) > MAX_MEMO:
        memo.clear()
    for start, after, label in _headings(text):
        found = memo.get(label, _UNSEEN)  # get, not "in" then []: another thread may clear
        if found is _UNSEEN:
            found = memo[label] = _label(label, kinds)
        if found is None:
            continue
        kind, shouting = cast(tuple[SectionKind | None, bool], found)
        boundaries.extend((start, after))
        if kind is not None:
            current = kind.name
            opened.append((kind.name, kind.sets, start, after, label))
        elif shouting and current not in _SUBSECTION_PARENTS:
            current = "other"
            opened.append(("other", None, start, after, label))
    ends = [following[2] for following in opened[1:]]  # each section ends where the next starts
    if opened:
        ends.append(len(text))
    sections = tuple(  # positional: a frozen dataclass takes keywords at twice the cost
        [
            Section(name, label, start, body, start, end, sets)
            for (name, sets, start, body, label), end in zip(opened, ends, strict=True)
        ]
    )
    return SectionMap(sections, boundaries)


__all__ = ["Label", "Section", "SectionMap", "find_sections"]
