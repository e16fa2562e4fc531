"""ConText-style assertion: which triggers reach a target, and what they make of it.

The algorithm of NegEx (Chapman 2001) and ConText (Harkema 2009), with the rules as data:

1. Pseudo-triggers ("no increase", "not only") remove every trigger of their category they
   overlap; the rest are resolved leftmost-longest within each category, so "no evidence of"
   beats "no".
2. A forward trigger reaches a later target in the same sentence when no terminator of its
   category lies between them and the gap is within the group's ``max_tokens``; a backward
   trigger likewise reaches an earlier target; bidirectional ones both ways.
3. Triggers inside or overlapping the target itself are ignored (a target is not its own cue).
4. The section sets a qualifier for everything inside it (family history -> family, past
   history -> historical), with the heading as its trigger.

There is deliberately no ``": no"`` rule: in "Extremities: No clubbing, cyanosis, or edema." the
heading ends a sentence and "No" reaches forward over the whole list.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from mbcnav.extract.rules import CATEGORIES, Category, Rule
from mbcnav.extract.sections import Section
from mbcnav.extract.sentences import sentence_of, sentence_starts
from mbcnav.types import Qualifiers, Trigger

_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class Cue:
    """A resolved trigger occurrence in original-text offsets."""

    start: int
    end: int
    rules: tuple[Rule, ...]


@dataclass(frozen=True, slots=True)
class QualifierResult:
    """The context of one target span: five qualifiers and the trigger spans that set them."""

    negated: bool = False
    historical: bool = False
    hypothetical: bool = False
    family: bool = False
    uncertain: bool = False
    triggers: tuple[Trigger, ...] = ()

    def qualifiers(self) -> Qualifiers:
        return Qualifiers(
            negated=self.negated,
            historical=self.historical,
            hypothetical=self.hypothetical,
            family=self.family,
            uncertain=self.uncertain,
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "negated": self.negated,
            "historical": self.historical,
            "hypothetical": self.hypothetical,
            "family": self.family,
            "uncertain": self.uncertain,
            "triggers": [t.model_dump() for t in self.triggers],
        }


def resolve_cues(hits: Sequence[tuple[int, int, tuple[Rule, ...]]]) -> list[Cue]:
    """Leftmost-longest cues per category, pseudo-triggers removed; sorted by start.

    Overlaps are resolved within a category only: the historical pseudo-trigger "had no"
    must not hide the negation trigger "no" inside it.
    """
    by_key: dict[str, list[tuple[int, int, Rule]]] = {}
    for start, end, rules in hits:
        for rule in rules:
            key = rule.category if rule.direction != "terminate" else "terminate"
            by_key.setdefault(key or "terminate", []).append((start, end, rule))
    merged: dict[tuple[int, int], list[Rule]] = {}
    for items in by_key.values():
        pseudo = [(start, end) for start, end, rule in items if rule.direction == "pseudo"]
        if pseudo:  # "not only" wins over "is not" as well as over "not"
            items = [
                item
                for item in items
                if item[2].direction != "pseudo"
                and not any(s < item[1] and item[0] < e for s, e in pseudo)
            ]
        items.sort(key=lambda item: (item[0], item[0] - item[1]))
        last_end = span_start = span_end = -1
        for start, end, rule in items:
            if start < last_end and (start, end) != (span_start, span_end):
                continue
            last_end, span_start, span_end = end, start, end
            merged.setdefault((start, end), []).append(rule)
    triggers = sorted(
        span for span, found in merged.items() if any(r.direction != "terminate" for r in found)
    )
    cues: list[Cue] = []
    for (start, end), found in sorted(merged.items()):
        kept = found
        if _inside_trigger(triggers, start, end):
            kept = [r for r in found if r.direction != "terminate"]
        if kept:
            cues.append(Cue(start, end, tuple(kept)))
    return cues


def _inside_trigger(triggers: list[tuple[int, int]], start: int, end: int) -> bool:
    """A terminator that is part of a longer trigger ("have" in "did not have") is no terminator."""
    index = bisect_right(triggers, (start, end))
    for other_start, other_end in triggers[max(index - 4, 0) : index + 4]:
        covers = other_start <= start and end <= other_end
        if covers and (other_start, other_end) != (start, end):
            return True
    return False


class ContextEngine:
    """Applies trigger hits and sections to target spans of one text.

    Sentence starts are found once per text (two C-speed regex passes); the cues of a sentence
    are resolved when a target first needs them and cached.
    """

    def __init__(
        self,
        text: str,
        hits: list[tuple[int, int, tuple[Rule, ...]]],
        boundaries: Sequence[int] = (),
        sections: Sequence[Section] = (),
    ) -> None:
        self._text = text
        self._hits = sorted(hits, key=lambda hit: hit[0])
        self._hit_starts = [hit[0] for hit in self._hits]
        self._starts = sentence_starts(text, list(boundaries))
        self._sections = sections
        self._section_starts = [section.start for section in sections]
        self._cues: dict[tuple[int, int], list[Cue]] = {}

    def sentence(self, start: int, end: int) -> tuple[int, int]:
        """The sentence around ``[start, end)``, cut at headings too."""
        return sentence_of(self._starts, start, end, len(self._text))

    def _cues_in(self, first: int, last: int) -> list[Cue]:
        cues = self._cues.get((first, last))
        if cues is None:
            low = bisect_left(self._hit_starts, first)
            high = bisect_left(self._hit_starts, last)
            cues = resolve_cues([hit for hit in self._hits[low:high] if hit[1] <= last])
            self._cues[(first, last)] = cues
        return cues

    def qualify(self, start: int, end: int) -> QualifierResult:
        cues = self._cues_in(*self.sentence(start, end))
        found: dict[Category, Trigger] = {}
        if cues:
            self._forward([c for c in cues if c.end <= start], start, found)
            self._backward([c for c in cues if c.start >= end], end, found)
        self._section(start, found)
        return QualifierResult(
            negated="negated" in found,
            historical="historical" in found,
            hypothetical="hypothetical" in found,
            family="family" in found,
            uncertain="uncertain" in found,
            triggers=tuple(found[c] for c in CATEGORIES if c in found),
        )

    def _gap_words(self, a: int, b: int) -> int:
        return len(_WORD.findall(self._text, a, b))

    def _forward(self, before: list[Cue], target: int, found: dict[Category, Trigger]) -> None:
        blocked: set[Category] = set()
        for cue in reversed(before):  # nearest first; a terminator hides everything before it
            for rule in cue.rules:
                if rule.direction == "terminate":
                    blocked |= rule.terminates
            for rule in cue.rules:
                self._try(cue, rule, ("forward", "bidirectional"), blocked, cue.end, target, found)

    def _backward(self, after: list[Cue], target: int, found: dict[Category, Trigger]) -> None:
        blocked: set[Category] = set()
        for cue in after:
            for rule in cue.rules:
                if rule.direction == "terminate":
                    blocked |= rule.terminates
            for rule in cue.rules:
                self._try(
                    cue, rule, ("backward", "bidirectional"), blocked, target, cue.start, found
                )

    def _try(
        self,
        cue: Cue,
        rule: Rule,
        directions: tuple[str, ...],
        blocked: set[Category],
        gap_start: int,
        gap_end: int,
        found: dict[Category, Trigger],
    ) -> None:
        category = rule.category
        if category is None or rule.direction not in directions:
            return
        if category in found or category in blocked:
            return
        if rule.max_tokens is not None and self._gap_words(gap_start, gap_end) > rule.max_tokens:
            return
        found[category] = Trigger(
            category=category, text=self._text[cue.start : cue.end], start=cue.start, end=cue.end
        )

    def _section(self, pos: int, found: dict[Category, Trigger]) -> None:
        if not self._sections:
            return
        index = bisect_right(self._section_starts, pos) - 1
        if index < 0:
            return
        section = self._sections[index]
        if section.sets is not None and section.sets not in found and pos >= section.heading_end:
            found[section.sets] = Trigger(
                category="section",
                text=section.heading,
                start=section.heading_start,
                end=section.heading_start + len(section.heading),
            )


__all__ = ["ContextEngine", "Cue", "QualifierResult", "resolve_cues"]
