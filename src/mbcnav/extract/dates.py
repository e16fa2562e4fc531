"""Past years as history triggers: "pericardiocentesis in 2019" in a note that goes on to 2023.

A year set after a preposition dates what stands beside it. It is history only when the note
itself names a later year at least ``min_years_before`` after it: without a date for the note,
its latest year is the nearest thing to "now", and a year with none after it may be the
presentation's own. The rules (``context_rules.yaml``: ``past_years``) say which prepositions,
month names and modifiers may come between, and how far the year reaches each way.

Years are found with two literal-prefix patterns ("19", "20"), which the regex engine scans for
in C, so a note without such digits costs two fast scans.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from mbcnav.extract.context import CueHit, TriggerRules
from mbcnav.extract.normalize import fold
from mbcnav.extract.rules import PastYears, Rule, default_rules

_YEARS = (re.compile(r"19\d\d"), re.compile(r"20\d\d"))
_WORD = re.compile(r"\S+")
_LOOK_BACK = 40
"""Characters before a year searched for its preposition (months and modifiers between)."""


_OPENS = frozenset(".;:!?\n")
"""What may stand before a year's preposition for the year to head its clause."""


@dataclass(frozen=True, slots=True)
class _Compiled:
    spec: PastYears
    between: frozenset[str]
    """Words that may stand between a year and its preposition (months, modifiers)."""
    dating: frozenset[str]
    """Words after which a year is a date of the note's story."""
    prepositions: frozenset[str]
    trailing: TriggerRules
    fronted: TriggerRules


@lru_cache(maxsize=1)
def _rules() -> _Compiled | None:
    """The rules, and the triggers of a trailing year (backward) and a fronted one (both)."""
    spec = default_rules().past_years
    if spec is None:
        return None
    backward = Rule("past_years", "backward", "historical", frozenset(), spec.backward_tokens)
    forward = Rule("past_years", "forward", "historical", frozenset(), spec.forward_tokens)
    between = frozenset((*spec.months, *spec.modifiers))
    return _Compiled(
        spec,
        between,
        between | frozenset((*spec.prepositions, *spec.also_dates)),
        frozenset(spec.prepositions),
        TriggerRules.of((backward,)),
        TriggerRules.of((backward, forward)),
    )


def _fronted(text: str, first: int) -> bool:
    """True when the preposition at ``first`` opens its sentence or clause ("In 2019, she ..."):
    only such a year dates what follows; a trailing one ("X in 2017 and Y") dates what precedes."""
    at = first - 1
    while at >= 0 and text[at] in " \t":
        at -= 1
    return at < 0 or text[at] in _OPENS


def _years(text: str) -> list[tuple[int, int, int]]:
    """(start, end, year) of every four-digit year standing alone (not part of a number)."""
    found = []
    for pattern in _YEARS:
        for match in pattern.finditer(text):
            start, end = match.span()
            before = text[start - 1] if start else " "
            after = text[end] if end < len(text) else " "
            if before.isalnum() or after.isalnum() or before in ".,/:-" or after == "%":
                continue
            found.append((start, end, int(match.group())))
    return found


def _preposition(text: str, start: int, rules: _Compiled) -> tuple[bool, int | None]:
    """Whether a year at ``start`` is a date (a date word before it), and where the
    preposition governing it begins, if one does."""
    window = max(0, start - _LOOK_BACK)
    words = [(m.start(), m.group()) for m in _WORD.finditer(fold(text[window:start]))]
    dated = bool(words) and words[-1][1] in rules.dating
    for at, word in reversed(words):
        if word in rules.prepositions:
            return True, window + at
        if word not in rules.between:
            break
    return dated, None


def past_year_cues(text: str) -> list[CueHit]:
    """History cues of the years in ``text`` that lie clearly before its latest year."""
    rules = _rules()
    if rules is None:
        return []
    years = _years(text)
    if len(years) < 2:
        return []
    dated = [(start, end, year, _preposition(text, start, rules)) for start, end, year in years]
    latest = max((year for _, _, year, (is_date, _) in dated if is_date), default=0)
    return [
        (first, end, rules.fronted if _fronted(text, first) else rules.trailing)
        for _, end, year, (_, first) in dated
        if first is not None and latest - year >= rules.spec.min_years_before
    ]


__all__ = ["past_year_cues"]
