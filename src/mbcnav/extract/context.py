"""ConText-style assertion: which triggers reach a target, and what they make of it.

The algorithm of NegEx (Chapman 2001) and ConText (Harkema 2009), with the rules as data:

1. Pseudo-triggers ("no increase", "not only") remove every trigger of their category they
   overlap; the rest are resolved leftmost-longest within each category, so "no evidence of"
   beats "no". A target that starts inside a pseudo-trigger ("no change in vision") is the
   exception: the triggers of the phrase before it reach it (``ContextEngine._opened``).
2. A forward trigger reaches a later target in the same sentence when no terminator of its
   category lies between them and the gap is within the group's ``max_tokens``; a backward
   trigger likewise reaches an earlier target; bidirectional ones both ways.
3. Triggers inside or overlapping the target itself are ignored (a target is not its own cue).
4. The section sets a qualifier for everything inside it (family history -> family, past
   history -> historical), with the heading as its trigger.

For speed the rules of each phrase are compiled once (``TriggerRules``) into what they reach
(``Reach``), and a sentence's cues are resolved once for all the targets in it. A sentence whose
trigger phrases do not overlap one another, the usual case, needs no resolution beyond dropping
the categories a phrase is itself a pseudo-trigger of; only overlapping phrases go through
``resolve_cues``, which remains the definition.

A target's cost does not grow with its sentence: a sentence of more than ``SCAN_LIMIT`` cues (a
long list, text built to be slow) is indexed (``CueIndex``), and each target then looks, for
each category, at the nearest terminator, the nearest unlimited trigger and the few triggers
within word reach, instead of at every cue; the answer is the scan's.

There is deliberately no ``": no"`` rule: in "Extremities: No clubbing, cyanosis, or edema." the
heading ends a sentence and "No" reaches forward over the whole list.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import compress, product
from operator import attrgetter, itemgetter, sub
from typing import Literal

from mbcnav.extract.normalize import fold
from mbcnav.extract.rules import CATEGORIES, Category, Rule, attribution_phrases, default_rules
from mbcnav.extract.sections import Section
from mbcnav.extract.sentences import sentence_of, sentence_starts
from mbcnav.extract.words import WordIndex
from mbcnav.types import Qualifiers, Trigger

_QUALIFIERS = {
    flags: Qualifiers(**dict(zip(CATEGORIES, flags, strict=True)))
    for flags in product((False, True), repeat=len(CATEGORIES))
}
"""The 32 possible Qualifiers, built once: they are immutable values."""


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
        return _QUALIFIERS[
            (self.negated, self.historical, self.hypothetical, self.family, self.uncertain)
        ]

    def to_dict(self) -> dict[str, object]:
        return {
            "negated": self.negated,
            "historical": self.historical,
            "hypothetical": self.hypothetical,
            "family": self.family,
            "uncertain": self.uncertain,
            "triggers": [t.model_dump() for t in self.triggers],
        }


_EMPTY = QualifierResult()
_START, _END, _RULES = itemgetter(0), itemgetter(1), itemgetter(2)
_PSEUDO = attrgetter("pseudo")
_SETS = attrgetter("sets")
_SECTION_START = attrgetter("start")
_NEW_TRIGGER = Trigger.__pydantic_validator__.validate_python
"""``Trigger(**fields)`` without the Python frame of ``BaseModel.__init__`` (same validation)."""
_NOTHING: frozenset[Category] = frozenset()

TriggerCategory = Literal["negated", "historical", "hypothetical", "family", "uncertain", "section"]

Limits = tuple[tuple[Category, int | None], ...]
"""(category, max_tokens) pairs a trigger sets in one direction."""


@dataclass(frozen=True, slots=True)
class Reach:
    """What a resolved trigger does to targets: the categories it sets after it (``forward``)
    and before it (``backward``), each with its word limit, and the categories it ends."""

    forward: Limits
    backward: Limits
    terminates: frozenset[Category]
    negates: bool = False
    """True when it sets negated either way (worked out once: ``asides_and_causes`` asks)."""


def _reach(forward: Limits, backward: Limits, terminates: frozenset[Category]) -> Reach:
    negates = any(category == "negated" for category, _ in (*forward, *backward))
    return Reach(forward, backward, terminates, negates)


def _word_limit(limits: Limits, category: Category) -> int | None:
    """The farthest, in words, a cue's word-limited rules of ``category`` reach on one side;
    None when it has none (rules without a limit are indexed apart)."""
    found = [words for each, words in limits if each == category and words is not None]
    return max(found) if found else None


@lru_cache(maxsize=4096)
def reach_of(rules: tuple[Rule, ...]) -> Reach:
    """The compiled effect of a cue's rules (the order of rules in a cue does not matter)."""
    return _reach(
        forward=tuple(
            (r.category, r.max_tokens)
            for r in rules
            if r.category is not None and r.direction in ("forward", "bidirectional")
        ),
        backward=tuple(
            (r.category, r.max_tokens)
            for r in rules
            if r.category is not None and r.direction in ("backward", "bidirectional")
        ),
        terminates=frozenset().union(*(r.terminates for r in rules if r.direction == "terminate")),
    )


def _sets_forward(rules: TriggerRules, category: Category) -> bool:
    """True when the phrase sets ``category`` on a target after it (and is no pseudo of it)."""
    return category not in rules.pseudo and any(
        r.category == category and r.direction in ("forward", "bidirectional") for r in rules.rules
    )


def _key(rule: Rule) -> str:
    """The group a rule competes in when overlaps are resolved: its category, or terminate."""
    return (rule.category if rule.direction != "terminate" else None) or "terminate"


@dataclass(frozen=True, slots=True)
class TriggerRules:
    """The rules of one trigger phrase, and its ``Reach`` when no other trigger overlaps it.

    Alone in its sentence a phrase keeps every rule except those of the categories it is a
    pseudo-trigger of (``resolve_cues`` with a single hit); ``alone`` is None when nothing is left.
    """

    rules: tuple[Rule, ...]
    alone: Reach | None
    pseudo: frozenset[Category] = frozenset()
    """The categories this phrase is a pseudo-trigger of."""

    @classmethod
    def of(cls, rules: tuple[Rule, ...]) -> TriggerRules:
        pseudo = {_key(rule) for rule in rules if rule.direction == "pseudo"}
        kept = tuple(rule for rule in rules if _key(rule) not in pseudo)
        categories = frozenset(r.category for r in rules if r.direction == "pseudo" and r.category)
        return cls(rules, reach_of(kept) if kept else None, categories)


CueHit = tuple[int, int, TriggerRules]
"""A trigger phrase found in the text: original ``start``, ``end`` and its rules."""

ReachCue = tuple[int, int, Reach]
"""A resolved cue of a sentence: ``start``, ``end`` and what it reaches."""


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
        hits: list[CueHit],
        boundaries: Sequence[int] = (),
        sections: Sequence[Section] = (),
    ) -> None:
        self._text = text
        self._length = len(text)
        self._hits = sorted(hits, key=_START)
        self._hit_starts = list(map(_START, self._hits))
        self._starts = sentence_starts(text, list(boundaries))
        self._sections = sections if any(map(_SETS, sections)) else ()
        self._section_starts = list(map(_SECTION_START, self._sections))
        self._headings = sorted((s.heading_start, s.heading_end) for s in sections)
        self._cues: dict[tuple[int, int], list[ReachCue]] = {}
        self._indexes: dict[tuple[int, int], CueIndex] = {}
        self._words = WordIndex(text)
        self._results: dict[tuple[int, int], QualifierResult] = {}
        self._crossing: dict[int, bool] = {}
        self._pseudo = list(compress(self._hits, map(_PSEUDO, map(_RULES, self._hits))))
        self._pseudo_starts = list(map(_START, self._pseudo))
        self._pseudo_longest = max(
            map(sub, map(_END, self._pseudo), self._pseudo_starts), default=0
        )

    @property
    def words(self) -> WordIndex:
        """The text's words, for counting the words of a gap (shared, indexed on first need)."""
        return self._words

    def sentence(self, start: int, end: int) -> tuple[int, int]:
        """The sentence around ``[start, end)``, cut at headings too."""
        return sentence_of(self._starts, start, end, len(self._text))

    def _resolve(self, first: int, last: int) -> list[ReachCue]:
        """The cues of the sentence [first, last): its trigger hits, resolved."""
        low = bisect_left(self._hit_starts, first)
        high = bisect_left(self._hit_starts, last)
        cues = sentence_cues([hit for hit in self._hits[low:high] if hit[1] <= last])
        if cues:
            cues = asides_and_causes(self._text, first, last, cues, self._words)
            if self._headings:
                cues = heading_cues(cues, self._headings, first, last)
        self._cues[(first, last)] = cues
        if len(cues) > SCAN_LIMIT:
            self._indexes[(first, last)] = CueIndex(cues)
        return cues

    def qualify(self, start: int, end: int) -> QualifierResult:
        """The context of the target ``[start, end)``, worked out once per span (a test or a
        cue is asked about once for each word it pairs with)."""
        known = self._results.get((start, end))
        if known is None:
            known = self._results[(start, end)] = self._qualify(start, end)
        return known

    def _qualify(self, start: int, end: int) -> QualifierResult:
        found: dict[Category, Trigger] = {}
        starts = self._starts  # sentence_of, inlined: it runs for every target
        following = bisect_right(starts, start)
        last = starts[following] if following < len(starts) else self._length
        if last < end and not self._crossed(starts[following - 1], last):
            sentence = (starts[following - 1], last)  # see _crossed
        else:
            sentence = (starts[following - 1], last if last > end else end)
        cues = self._cues.get(sentence)
        if cues is None:
            cues = self._resolve(*sentence)
        if len(cues) > SCAN_LIMIT:
            self._indexed(self._indexes[sentence], start, end, found)
        elif cues:
            blocked = _NOTHING  # nearest cue first; a terminator hides everything beyond it
            for cue_start, cue_end, reach in reversed(cues):
                if cue_end <= start:
                    if reach.terminates:
                        blocked = blocked | reach.terminates
                    if reach.forward:
                        self._set(reach.forward, cue_start, cue_end, cue_end, start, blocked, found)
            blocked = _NOTHING
            for cue_start, cue_end, reach in cues:
                if cue_start >= end:
                    if reach.terminates:
                        blocked = blocked | reach.terminates
                    if reach.backward:
                        self._set(
                            reach.backward, cue_start, cue_end, end, cue_start, blocked, found
                        )
        if self._pseudo:
            self._opened(sentence[0], start, found)
        if self._sections:
            self._section(start, found)
        if not found:
            return _EMPTY
        return QualifierResult(  # positional: keywords cost a frozen dataclass twice as much
            "negated" in found,
            "historical" in found,
            "hypothetical" in found,
            "family" in found,
            "uncertain" in found,
            tuple([found[c] for c in CATEGORIES if c in found]),
        )

    def _opened(self, first_char: int, start: int, found: dict[Category, Trigger]) -> None:
        """A pseudo-trigger the target starts inside is no pseudo-trigger for it: "no change"
        keeps "no change in the mass" from reading a negated mass, but in "no change in vision"
        the finding is the change itself and the "no" inside the phrase negates it (likewise
        "without difficulty breathing"). The triggers of the pseudo's categories that lie in
        the phrase before the target then reach it forward. A phrase must start in the target's
        sentence (starting at ``first_char``). Only texts holding a pseudo-trigger pay for this,
        a bisection per target."""
        index = bisect_left(self._pseudo_starts, start) - 1
        while index >= 0 and start - self._pseudo_starts[index] < self._pseudo_longest:
            first, last, rules = self._pseudo[index]
            index -= 1
            if last <= start or first < first_char:
                continue
            for category in [c for c in rules.pseudo if c not in found]:
                inner = bisect_left(self._hit_starts, first)
                while inner < len(self._hits) and self._hits[inner][0] < start:
                    cue_start, cue_end, cue = self._hits[inner]
                    inner += 1
                    if cue_end <= start and _sets_forward(cue, category):
                        found[category] = self._trigger(category, cue_start, cue_end)
                        break

    def _crossed(self, first: int, last: int) -> bool:
        """True when a trigger phrase starting in the sentence ``[first, last)`` ends after it.

        A target running past its sentence's end is read in the sentence extended to cover it,
        yet only cues ending before the target can reach it (none can start after it inside
        that span). Unless a phrase crosses ``last`` and so joins the cues beyond it in one
        overlap cluster, or a bracket opened in the sentence closes beyond it (the extended
        range would pair it), those cues are exactly the sentence's own: reading them keeps one cue
        list per sentence instead of one per target end (many targets reaching far past their
        sentence each resolved the whole stretch again, time quadratic in the text).
        """
        crossed = self._crossing.get(first)
        if crossed is None:
            low = bisect_left(self._hit_starts, first)
            high = bisect_left(self._hit_starts, last)
            crossed = any(hit[1] > last for hit in self._hits[low:high]) or _unclosed_bracket(
                self._text, first, last
            )
            self._crossing[first] = crossed
        return crossed

    def _indexed(
        self, index: CueIndex, start: int, end: int, found: dict[Category, Trigger]
    ) -> None:
        """What the scan below finds, from the index of a long sentence's cues."""
        cues, words = index.cues, self._words
        for category in index.forward:
            at = index.before(category, start, words)
            if at is not None:
                found[category] = self._trigger(category, cues[at][0], cues[at][1])
        for category in index.backward:
            if category not in found:
                at = index.after(category, end, words)
                if at is not None:
                    found[category] = self._trigger(category, cues[at][0], cues[at][1])

    def _set(
        self,
        limits: Limits,
        start: int,
        end: int,
        gap_start: int,
        gap_end: int,
        blocked: frozenset[Category],
        found: dict[Category, Trigger],
    ) -> None:
        """Set each category the cue reaches, unless already set, blocked or too many words away."""
        gap = -1
        for category, max_tokens in limits:
            if category in found or category in blocked:
                continue
            if max_tokens is not None:
                if gap < 0:
                    gap = self._words.count(gap_start, gap_end)
                if gap > max_tokens:
                    continue
            found[category] = self._trigger(category, start, end)

    def _trigger(self, category: TriggerCategory, start: int, end: int) -> Trigger:
        text = self._text[start:end]
        trigger: Trigger = _NEW_TRIGGER(
            {"category": category, "text": text, "start": start, "end": end}
        )
        return trigger

    def _section(self, pos: int, found: dict[Category, Trigger]) -> None:
        index = bisect_right(self._section_starts, pos) - 1
        if index < 0:
            return
        section = self._sections[index]
        if section.sets is not None and section.sets not in found and pos >= section.heading_end:
            start = section.heading_start
            found[section.sets] = self._trigger("section", start, start + len(section.heading))


_NEGATED: Category = "negated"
_OPENERS = {"(": ")", "[": "]"}
_ATTRIBUTION_CHARS = 48
"""How far past a negation trigger (after an aside) an attribution phrase is looked for."""
_GAP = frozenset(" \t\n,-\u2013\u2014")
_PARTICLES = frozenset(
    {"not", "never", "t", "isnt", "wasnt", "arent", "werent", "doesnt", "dont", "didnt"}
)
"""A negation's last word that makes it a particle: "t" is what folding leaves of "n't"."""
_FOLDED_WORD = re.compile(r"\S+")


@lru_cache(maxsize=1)
def _attributions() -> tuple[frozenset[tuple[str, ...]], int]:
    """The packaged attribution phrases as word tuples, and the longest phrase's length."""
    phrases = attribution_phrases(default_rules())
    return phrases, max(map(len, phrases), default=0)


def asides_and_causes(
    text: str, first: int, last: int, cues: list[ReachCue], words: WordIndex
) -> list[ReachCue]:
    """A sentence's resolved cues adjusted for brackets and for negated causes, once per
    sentence (the per-target loops are untouched; the list is returned as is when neither
    applies).

    Brackets: a scope that starts inside ``( )`` or ``[ ]`` ends at the closing bracket, so
    "(14 nodes negative, margins clear) and bone pain" leaves the pain alone; a trigger
    outside still reaches in and beyond ("no fever (38.0) or chills"). A backward trigger
    inside brackets stays inside too, unless it is the first thing in them ("stool guaiac
    (negative)" comments on what precedes). The bound is a word limit: a target inside is
    nearer than the closing bracket, one outside is at least as far.

    Causes: a negation trigger followed by an attribution phrase denies the cause, not the
    finding before it (``Attributions``): its backward negation is dropped, and the cause
    phrase no longer ends its forward scope.
    """
    if text.find("(", first, last) >= 0 or text.find("[", first, last) >= 0:
        cues = _bracketed(text, first, last, cues, words)
    return _attributed(text, last, cues)


def _bracket_pairs(text: str, first: int, last: int) -> list[tuple[int, int]]:
    """(opening, closing) offsets of the sentence's bracket pairs, innermost closer first."""
    pairs: list[tuple[int, int]] = []
    for opener, closer in _OPENERS.items():
        at = text.find(opener, first, last)
        while at >= 0:
            close = text.find(closer, at + 1, last)
            if close < 0:
                break
            pairs.append((at, close))
            at = text.find(opener, at + 1, last)
    return pairs


def _unclosed_bracket(text: str, first: int, last: int) -> bool:
    """True when a bracket opened in ``[first, last)`` closes only after it: extended past
    ``last``, the range pairs it (``_bracket_pairs``) and its cues' reaches change."""
    for opener, closer in _OPENERS.items():
        at = text.rfind(opener, first, last)
        if at >= 0 and text.find(closer, at + 1, last) < 0:
            return True
    return False


def _clamped(limits: Limits, words: int) -> Limits:
    """The limits with each at most ``words`` (a category that cannot reach anything, dropped)."""
    if words < 0:
        return ()
    return tuple(
        (category, words if limit is None else min(limit, words)) for category, limit in limits
    )


def _bracketed(
    text: str, first: int, last: int, cues: list[ReachCue], words: WordIndex
) -> list[ReachCue]:
    pairs = _bracket_pairs(text, first, last)
    if not pairs:
        return cues
    out: list[ReachCue] = []
    for start, end, reach in cues:
        inside = [(o, c) for o, c in pairs if o < start and end <= c]
        if inside and (reach.forward or reach.backward):
            opening, closing = min(inside, key=lambda pair: pair[1] - pair[0])
            forward = _clamped(reach.forward, words.count(end, closing) - 1)
            backward = reach.backward
            if backward and words.count(opening, start):
                backward = _clamped(backward, words.count(opening, start) - 1)
            if forward != reach.forward or backward != reach.backward:
                reach = _reach(forward, backward, reach.terminates)
                if not (forward or backward or reach.terminates):
                    continue
        out.append((start, end, reach))
    return out


def heading_cues(
    cues: list[ReachCue], headings: list[tuple[int, int]], first: int, last: int
) -> list[ReachCue]:
    """A trigger inside a section heading never reaches back onto the heading's own topic:
    "HEADACHE HISTORY:" and "PELVIC PAIN HISTORY:" head accounts of current complaints. Its
    forward reach is unchanged, and a section that sets a qualifier ("PAST MEDICAL HISTORY:")
    still sets it through ``ContextEngine._section``."""
    low = bisect_left(headings, (first, -1))
    high = bisect_left(headings, (last, -1), low)
    if low == high:
        return cues
    inside = headings[low:high]
    out: list[ReachCue] = []
    for start, end, reach in cues:
        if reach.backward and any(h0 <= start and end <= h1 for h0, h1 in inside):
            reach = _reach(reach.forward, (), reach.terminates)
            if not (reach.forward or reach.terminates):
                continue
        out.append((start, end, reach))
    return out


def _cause_after(text: str, end: int, last: int) -> tuple[int, int] | None:
    """The span of an attribution phrase starting right after ``end`` (punctuation and one
    bracketed aside may stand between), if there is one before ``last``."""
    at = _skip_gap(text, end, last)
    closer = _OPENERS.get(text[at]) if at < last else None
    if closer is not None:
        close = text.find(closer, at + 1, last)
        if close < 0:
            return None
        at = _skip_gap(text, close + 1, last)
    phrases, longest = _attributions()
    folded = fold(text[at : min(last, at + _ATTRIBUTION_CHARS)])
    stretch = [match.span() for match in _FOLDED_WORD.finditer(folded)]
    for size in range(min(longest, len(stretch)), 0, -1):
        if tuple(folded[a:b] for a, b in stretch[:size]) in phrases:
            return at, at + stretch[size - 1][1]
    return None


def _skip_gap(text: str, at: int, last: int) -> int:
    while at < last and text[at] in _GAP:
        at += 1
    return at


def _denies(text: str, start: int, end: int) -> bool:
    """True when the trigger ends in a negating particle ("is not", "wasn't", "never"): only
    a particle can put the cause in focus; "the rash has cleared from her arms" still reads a
    cleared rash."""
    if text[end - 1] not in "tTrR":  # "not", "n't", "never": most negations ("no") end otherwise
        return False
    words = fold(text[max(start, end - 8) : end]).split()
    return bool(words) and words[-1] in _PARTICLES


def _attributed(text: str, last: int, cues: list[ReachCue]) -> list[ReachCue]:
    causes: dict[int, tuple[int, int]] = {}
    for start, end, reach in cues:
        if reach.negates and _denies(text, start, end):
            span = _cause_after(text, end, last)
            if span is not None:
                causes[end] = span
    if not causes:
        return cues
    spans = list(causes.values())
    out: list[ReachCue] = []
    for start, end, reach in cues:
        if end in causes and any(item[0] == _NEGATED for item in reach.backward):
            backward = tuple(item for item in reach.backward if item[0] != _NEGATED)
            reach = _reach(reach.forward, backward, reach.terminates)
        if _NEGATED in reach.terminates and any(a <= start and end <= b for a, b in spans):
            reach = _reach(reach.forward, reach.backward, reach.terminates - {_NEGATED})
        if reach.forward or reach.backward or reach.terminates:
            out.append((start, end, reach))
    return out


SCAN_LIMIT = 16
"""Sentences with up to this many cues are scanned cue by cue for each target; longer ones are
indexed. Either gives the same answer; the scan is faster for the few cues of a sentence."""


@dataclass(frozen=True, slots=True)
class _Side:
    """The triggers setting one category in one direction: those without a word limit (their
    indices in the sentence's cues) and the largest word limit of the others (-1: none)."""

    unlimited: list[int]
    limit: int


class CueIndex:
    """A long sentence's cues (sorted by start, then end), indexed by category.

    For a target and a category, the scan's answer is the nearest cue that sets the category
    within its word limit, with no terminator of the category nearer (or the cue itself). So the
    nearest terminator bounds the search, the nearest unlimited trigger answers unless a limited
    one is nearer still, and limited ones lie within their largest limit of words of the target.
    """

    __slots__ = ("backward", "cues", "ends", "forward", "longest", "starts", "terminators")

    def __init__(self, cues: list[ReachCue]) -> None:
        self.cues = cues
        self.starts = [cue[0] for cue in cues]
        self.ends = [cue[1] for cue in cues]
        self.longest = max(end - start for start, end, _ in cues)
        self.terminators: dict[Category, list[int]] = {}
        forward: dict[Category, tuple[list[int], list[int]]] = {}
        backward: dict[Category, tuple[list[int], list[int]]] = {}
        for at, (_, _, reach) in enumerate(cues):
            for category in reach.terminates:
                self.terminators.setdefault(category, []).append(at)
            for limits, sides in ((reach.forward, forward), (reach.backward, backward)):
                for category, max_tokens in limits:
                    unlimited, limited = sides.setdefault(category, ([], []))
                    if max_tokens is None:
                        if not unlimited or unlimited[-1] != at:
                            unlimited.append(at)
                    else:
                        limited.append(max_tokens)
        self.forward = {c: _Side(u, max(lim, default=-1)) for c, (u, lim) in forward.items()}
        self.backward = {c: _Side(u, max(lim, default=-1)) for c, (u, lim) in backward.items()}

    def _last_before(self, indices: list[int], below: int, start: int) -> int:
        """The largest index in ``indices`` under ``below`` whose cue ends by ``start``; -1."""
        j = bisect_left(indices, below) - 1
        while j >= 0 and self.ends[indices[j]] > start:
            j -= 1
        return indices[j] if j >= 0 else -1

    def before(self, category: Category, start: int, words: WordIndex) -> int | None:
        """The cue before ``start`` that sets ``category`` forward on a target there, if any."""
        side = self.forward[category]
        below = bisect_left(self.starts, start)
        blocked = self._last_before(self.terminators.get(category, []), below, start)
        best = self._last_before(side.unlimited, below, start)
        if best <= blocked:
            best = -1
        if side.limit >= 0:
            reach = words.back_to(start, side.limit) - self.longest
            low = max(bisect_left(self.starts, reach), best + 1, blocked + 1)
            for at in range(below - 1, low - 1, -1):
                _, cue_end, cue = self.cues[at]
                if cue_end > start:
                    continue
                limit = _word_limit(cue.forward, category)
                if limit is not None and words.count(cue_end, start) <= limit:
                    return at
        return best if best >= 0 else None

    def after(self, category: Category, end: int, words: WordIndex) -> int | None:
        """The cue after ``end`` that sets ``category`` backward on a target there, if any."""
        side = self.backward[category]
        size = len(self.cues)
        first = bisect_left(self.starts, end)
        terminators = self.terminators.get(category, [])
        j = bisect_left(terminators, first)
        blocked = terminators[j] if j < len(terminators) else size
        u = bisect_left(side.unlimited, first)
        best = side.unlimited[u] if u < len(side.unlimited) else size
        if best >= blocked:
            best = size
        if side.limit >= 0:
            reach = words.on_to(end, side.limit)
            at = first
            while at < min(best, blocked) and self.starts[at] <= reach:
                cue_start, _, cue = self.cues[at]
                limit = _word_limit(cue.backward, category)
                if limit is not None and words.count(end, cue_start) <= limit:
                    return at
                at += 1
        return best if best < size else None


def sentence_cues(hits: list[CueHit]) -> list[ReachCue]:
    """The resolved cues of one sentence's trigger hits (sorted by start), as ``resolve_cues``
    would give them, sorted by (start, end).

    Overlaps (pseudo-triggers, leftmost-longest, terminators inside triggers) only ever act
    between phrases that overlap, directly or through a chain, so each such cluster is resolved
    on its own. A phrase that overlaps nothing, the usual case, is its ``alone`` reach.
    """
    last_end = -1
    for start, end, _ in hits:
        if start < last_end:
            return _clustered(hits)
        last_end = end
    return [(start, end, rules.alone) for start, end, rules in hits if rules.alone is not None]


def _clustered(hits: list[CueHit]) -> list[ReachCue]:
    cues: list[ReachCue] = []
    cluster: list[CueHit] = []
    last_end = -1
    for hit in hits:
        if hit[0] >= last_end and cluster:
            _add_cluster(cluster, cues)
            cluster = []
        cluster.append(hit)
        last_end = max(last_end, hit[1])
    if cluster:
        _add_cluster(cluster, cues)
    return cues


def _add_cluster(cluster: list[CueHit], cues: list[ReachCue]) -> None:
    if len(cluster) == 1:
        start, end, rules = cluster[0]
        if rules.alone is not None:
            cues.append((start, end, rules.alone))
        return
    base = cluster[0][0]
    shape = tuple([(start - base, end - base, rules) for start, end, rules in cluster])
    cues.extend([(start + base, end + base, reach) for start, end, reach in _resolved(shape)])


@lru_cache(maxsize=4096)
def _resolved(shape: tuple[CueHit, ...]) -> tuple[ReachCue, ...]:
    """``resolve_cues`` of a cluster given relative to its first start: resolution compares
    offsets only, so it is the same wherever the cluster stands, and the same few clusters
    ("no evidence of" over "no", "history of" over "history") recur in every note."""
    resolved = resolve_cues([(start, end, rules.rules) for start, end, rules in shape])
    return tuple((cue.start, cue.end, reach_of(cue.rules)) for cue in resolved)


__all__ = [
    "SCAN_LIMIT",
    "ContextEngine",
    "Cue",
    "CueHit",
    "CueIndex",
    "QualifierResult",
    "Reach",
    "ReachCue",
    "TriggerRules",
    "asides_and_causes",
    "heading_cues",
    "reach_of",
    "resolve_cues",
    "sentence_cues",
]
