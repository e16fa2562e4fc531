"""Concepts: a complaint word (a head) and a body part in one clause read as one finding.

"my ribs hurt", "pain in her right hip", "weakness of both lower limbs", "her legs have become
weak": the knowledge names heads, body parts and (head x region) -> finding rules
(``concepts.yaml``); this module compiles them into phrases for the one automaton and joins the
hits it reports. Words are matched through their forms: every inflection, American spelling
and misspelling of a vocabulary word comes from a generated table (``data/word_forms.json``,
``scripts/build_word_forms.py``), so the note is never lemmatised word by word and the
automaton's single pass stays the only per-character work.

A term the knowledge writes out ("bone pain", "pain in my hip") wins over a concept using its
words; a term that is the head word alone ("numbness") still lets the head pair ("numbness in
the saddle area" reads both). Joining (``compose``) is linear in the hits: each head looks at
the body parts within ``max_gap_chars`` on either side (a bounded number), nearest first, and
pairs with the nearest one its rules accept, then with parts coordinated with it ("hip and
back"). A pair never crosses a break character (sentence punctuation) or word, or a context
trigger other than a negation; a negation between the two negates the pair ("legs are not
weak"). The reader drops a pair that spans two sentences.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from operator import itemgetter
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from mbcnav.extract.context import TriggerRules
from mbcnav.extract.normalize import fold, fold_phrase
from mbcnav.extract.spans import leftmost_longest
from mbcnav.knowledge import Knowledge
from mbcnav.knowledge.loader import yaml_text


@dataclass(frozen=True, slots=True)
class Anchor:
    """What a concept phrase is: a head (``region`` empty) or a body part of ``region``.

    ``ambiguous`` parts ("back", "side") count only after a determiner or position word, or
    right next to their head.
    """

    kind: Literal["head", "part"]
    id: str
    region: str = ""
    ambiguous: bool = False


AnchorHit = tuple[int, int, Anchor]
"""An anchor found in the text: original ``start``, ``end`` and what it is."""

Concept = tuple[int, int, str, bool, tuple[int, int] | None]
"""A composed finding: ``start``, ``end`` (union of head and part), finding id, whether a
negation lies between the two, and that negation's span."""


class _Grammar(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    sources: tuple[str, ...] = Field(min_length=1)
    max_content_words: int = Field(ge=0)
    max_gap_chars: int = Field(ge=1)
    break_chars: str
    break_words: frozenset[str]
    fillers: frozenset[str]
    ambiguous_parts: frozenset[str]
    ambiguous_after: frozenset[str]
    ambiguous_not_before: frozenset[str]
    follow_pronouns: frozenset[str]
    follow_openers: frozenset[str]
    follow_gap_chars: int = Field(ge=1)
    follow_content_words: int = Field(ge=0)
    follow_between: frozenset[str]
    coordinators: frozenset[str]


@lru_cache(maxsize=1)
def grammar() -> _Grammar:
    raw = (resources.files("mbcnav.extract") / "data" / "concept_grammar.yaml").read_text("utf-8")
    return _Grammar.model_validate(yaml_text(raw))


@dataclass(frozen=True, slots=True)
class WordForms:
    """The generated table: other forms of each vocabulary word, and its misspellings."""

    forms: dict[str, tuple[str, ...]]
    misspellings: dict[str, tuple[str, ...]]

    def variants(self, phrase: str, *, misspelt: bool = False) -> set[str]:
        """``phrase`` (folded) with one word at a time replaced by another of its forms, or
        (``misspelt``, one-word phrases) by a misspelling of it or of one of its forms."""
        words = fold_phrase(phrase).split()
        out: set[str] = set()
        for index, word in enumerate(words):
            options = list(self.forms.get(word, ()))
            if misspelt and len(words) == 1:
                for form in (word, *options):
                    options.extend(self.misspellings.get(form, ()))
            for option in options:
                out.add(" ".join((*words[:index], option, *words[index + 1 :])))
        out.discard(" ".join(words))
        return out


@lru_cache(maxsize=1)
def word_forms() -> WordForms:
    raw = (resources.files("mbcnav.extract") / "data" / "word_forms.json").read_text("utf-8")
    table = json.loads(raw)
    misspelt: dict[str, list[str]] = {}
    for variant, word in table["misspellings"].items():
        misspelt.setdefault(word, []).append(variant)
    return WordForms(
        {word: tuple(forms) for word, forms in table["forms"].items()},
        {word: tuple(variants) for word, variants in misspelt.items()},
    )


def concept_phrases(knowledge: Knowledge) -> Iterator[tuple[str, Anchor]]:
    """(phrase, anchor) for every head and body-part word and its generated forms."""
    forms, ambiguous = word_forms(), grammar().ambiguous_parts
    concepts = knowledge.concepts
    for head in concepts.heads:
        anchor = Anchor("head", head.id)
        for word in head.words:
            for phrase in (fold_phrase(word), *forms.variants(word, misspelt=True)):
                yield phrase, anchor
    for part in concepts.anatomy:
        for word in part.words():
            base = fold_phrase(word)
            anchor = Anchor("part", part.id, part.region, base in ambiguous)
            for phrase in (base, *forms.variants(word, misspelt=True)):
                yield phrase, anchor


@dataclass(frozen=True, slots=True)
class ConceptRules:
    """(head id, region) -> finding ids, compiled from the knowledge's rules."""

    findings: dict[tuple[str, str], tuple[str, ...]]
    regions: dict[str, frozenset[str]] = field(init=False)
    """Head id -> the regions some rule joins it with (a head pairing with none of a text's
    parts is skipped by ``Composer.compose`` with one set test)."""

    def __post_init__(self) -> None:
        regions: dict[str, set[str]] = {}
        for head, region in self.findings:
            regions.setdefault(head, set()).add(region)
        joined = {head: frozenset(found) for head, found in regions.items()}
        object.__setattr__(self, "regions", joined)

    @classmethod
    def of(cls, knowledge: Knowledge) -> ConceptRules:
        found: dict[tuple[str, str], list[str]] = {}
        for rule in knowledge.concepts.rules:
            for region in rule.regions:
                bucket = found.setdefault((rule.head, region), [])
                if rule.finding not in bucket:
                    bucket.append(rule.finding)
        return cls({key: tuple(ids) for key, ids in found.items()})


def concept_rules(knowledge: Knowledge) -> ConceptRules:
    """The compiled rules of ``knowledge``, built once per knowledge hash."""
    rules = _BY_HASH.get(knowledge.hash)
    if rules is None:
        if len(_BY_HASH) >= _MAX_CACHED:
            _BY_HASH.pop(next(iter(_BY_HASH)))
        rules = _BY_HASH[knowledge.hash] = ConceptRules.of(knowledge)
    return rules


_BY_HASH: dict[str, ConceptRules] = {}
_MAX_CACHED = 8

_GapEffect = Literal["negate", "break"] | None


@lru_cache(maxsize=4096)
def gap_effect(rules: TriggerRules) -> _GapEffect:
    """What a context cue between a head and its part does: a negation negates the pair, any
    other trigger (history, family, a conjunction ending scope) breaks it."""
    directions = ("forward", "backward", "bidirectional")
    categories = {r.category for r in rules.rules if r.direction in directions}
    ends_all = any(r.direction == "terminate" and len(r.terminates) >= 5 for r in rules.rules)
    if ends_all or categories - {"negated"}:
        return "break"
    return "negate" if categories else None


@lru_cache(maxsize=4096)
def reaches(rules: TriggerRules, forward: bool) -> bool:
    """True when the cue negates a target after it (``forward``) or before it."""
    wanted = ("forward" if forward else "backward", "bidirectional")
    return any(r.category == "negated" and r.direction in wanted for r in rules.rules)


_FIRST = itemgetter(0)
_LONGEST_PART = 40
"""Characters a body-part phrase may span (how far before a head its start may lie)."""
_FOLLOW_WINDOW = 48
"""Characters before a head searched for the pronoun that stands for its body part."""
_LAST_WORD = re.compile(r"([^\W_]+)[^\w]*$")
_NEXT_WORD = re.compile(r"[^\w]*([^\W_]+)")
_WORD = re.compile(r"[^\W_]+")


@lru_cache(maxsize=8)
def _any_of(words: frozenset[str]) -> re.Pattern[str]:
    """A quick test for any of ``words`` as a whole word, before the word-by-word walk."""
    return re.compile(rf"\b(?:{'|'.join(sorted(map(re.escape, words)))})\b", re.IGNORECASE)


@dataclass(slots=True)
class Composer:
    """Joins the heads and body parts of one text (see the module docstring)."""

    text: str
    rules: ConceptRules
    cues: list[tuple[int, int, TriggerRules]]
    taken: list[tuple[int, int]]
    spec: _Grammar = field(default_factory=grammar)
    _cue_starts: list[int] | None = None

    def compose(self, heads: list[AnchorHit], parts: list[AnchorHit]) -> list[Concept]:
        parts = leftmost_longest(parts)
        part_starts = [part[0] for part in parts]
        limit = self.spec.max_gap_chars
        out: list[Concept] = []
        # A head no rule joins with a region among the parts composes nothing, either side
        # nor by pronoun (every path needs a rule for the head and a part's region).
        present = {part[2].region for part in parts}
        joined = self.rules.regions
        for head in leftmost_longest(heads):
            regions = joined.get(head[2].id)
            if regions is None or regions.isdisjoint(present):
                continue
            if _inside(self.taken, head[0], head[1], strictly=True):
                continue
            low = bisect_left(part_starts, head[0] - limit - _LONGEST_PART)
            high = bisect_right(part_starts, head[1] + limit)
            near = parts[low:high]
            paired: list[Concept] = []
            if any(part[2].region in regions for part in near):  # else neither side pairs
                before = self._nearest(head, [p for p in reversed(near) if p[1] <= head[0]])
                after = self._nearest(head, [p for p in near if p[0] >= head[1]])
                paired = after[1] if after[0] < before[0] else before[1]
                if after[1] and after[0] == before[0] and self._coordinated(before[1][0][0], head):
                    paired = after[1]
            out.extend(paired or self._follow(head, parts, part_starts))
        return out

    def _follow(
        self, head: AnchorHit, parts: list[AnchorHit], part_starts: list[int]
    ) -> list[Concept]:
        """The head paired with the body part its clause's subject pronoun refers back to
        ("my hip ... it hurts"), or nothing. The concept spans the pronoun and the head (one
        clause, so context applies there); the part only decides the finding."""
        spec = self.spec
        last = bisect_left(part_starts, head[0]) - 1  # parts do not overlap: ends rise too
        if last < 0 or parts[last][1] < head[0] - _FOLLOW_WINDOW - spec.follow_gap_chars:
            return []  # no part near enough before the head for any pronoun to refer to
        window = self.text[max(0, head[0] - _FOLLOW_WINDOW) : head[0]]
        if not _any_of(spec.follow_pronouns).search(window):
            return []
        words = list(_WORD.finditer(window))
        pronoun_at = -1
        for index in range(len(words) - 1, max(-1, len(words) - 5), -1):
            word = fold(words[index].group())
            if word in spec.follow_pronouns:
                pronoun_at = index
                break
            if word not in spec.follow_between:
                return []
        if pronoun_at < 0:
            return []
        offset = head[0] - len(window)
        start = offset + words[pronoun_at].start()
        if not self._opens_clause(start):
            return []
        if _breaks(spec.break_chars).search(window, words[pronoun_at].end()):
            return []
        gap = self._gap(start + len(words[pronoun_at].group()), head[0])
        if gap is None:
            return []
        index = bisect_left(part_starts, start) - 1
        if index < 0:
            return []
        part = parts[index]
        ids = self.rules.findings.get((head[2].id, part[2].region), ())
        if not ids or part[1] > start or start - part[1] > spec.follow_gap_chars:
            return []
        if not self._antecedent(part, start):
            return []
        negation = gap[1]
        return [(start, head[1], ident, negation is not None, negation) for ident in ids]

    def _coordinated(self, part_start: int, head: AnchorHit) -> bool:
        """Whether a conjunction lies between a part before the head and the head ("the face
        and a drooping eyelid"): the head then opens the next coordinated item, so on a tie the
        part after it is the one it describes."""
        words = fold(self.text[part_start : head[0]]).split()
        return not self.spec.coordinators.isdisjoint(words)

    def _opens_clause(self, pronoun: int) -> bool:
        """Whether the pronoun opens its clause: the text, a punctuation mark or an opener
        word ("and", "but", "now") right before it."""
        before = self.text[max(0, pronoun - 24) : pronoun].rstrip()
        if not before or before[-1] in ",.;:!?-(\n" or before[-1] in self.spec.break_chars:
            return True
        found = _LAST_WORD.search(before)
        return found is not None and fold(found.group(1)) in self.spec.follow_openers

    def _antecedent(self, part: AnchorHit, pronoun: int) -> bool:
        """Whether ``part`` is the last thing named before the pronoun: at most one sentence
        end and ``follow_content_words`` other words between them, no paragraph break, no
        context cue other than a negation from just before the part to the pronoun, and an
        ambiguous part ("back") after a determiner."""
        spec = self.spec
        raw = self.text[part[1] : pronoun]
        if "\n\n" in raw or len(_breaks(spec.break_chars).findall(raw)) > 1:
            return False
        content = 0
        for word in fold(raw).split():
            if word not in spec.fillers and word not in spec.break_words:
                content += 1
        if content > spec.follow_content_words:
            return False
        if part[2].ambiguous and not self._stands(part, part, (part[1], pronoun)):
            return False
        return not self._cue_breaks(max(0, part[0] - _LONGEST_PART), pronoun)

    def _cue_breaks(self, start: int, end: int) -> bool:
        """Whether a context cue other than a negation lies in [start, end): someone else's
        hip ("my mother's hip. It hurts"), a past one, or a scope that ends there."""
        cue_starts = self._sorted_cues()
        for index in range(bisect_left(cue_starts, start), bisect_left(cue_starts, end)):
            if gap_effect(self.cues[index][2]) == "break":
                return True
        return False

    def _sorted_cues(self) -> list[int]:
        if self._cue_starts is None:
            self.cues.sort(key=_FIRST)
            self._cue_starts = list(map(_FIRST, self.cues))
        return self._cue_starts

    def _nearest(self, head: AnchorHit, side: list[AnchorHit]) -> tuple[int, list[Concept]]:
        """(words between, concepts) for the nearest accepted part on one side and the parts
        coordinated with it; (large, []) when there is none."""
        found: list[Concept] = []
        words = 1 << 30
        previous: AnchorHit | None = None
        for part in side:
            ids = self.rules.findings.get((head[2].id, part[2].region), ())
            if not ids:  # a further part's gap holds this one: checked there
                if previous is None:
                    continue
                break
            gap = _between(head, part)
            check = self._gap(*gap, head_after=head[0] >= gap[1])
            if check is None:
                break
            content, negation = check
            if part[1] <= head[0] and "," in self.text[gap[0] : gap[1]]:
                break  # "breathe, unable to eat": the head opens the next item
            if previous is not None:
                link_span = _between(previous, part)
                link = self._gap(*link_span)
                commas = self.text.count(",", *link_span)
                if link is None or link[0] > commas:
                    break
            elif content > self.spec.max_content_words:
                break
            stands = previous is not None or self._stands(head, part, gap)
            if not stands or _inside(self.taken, part[0], part[1]):
                if previous is None:
                    continue
                break
            start, end = min(head[0], part[0]), max(head[1], part[1])
            found.extend((start, end, ident, negation is not None, negation) for ident in ids)
            if previous is None:
                words = content
            previous = part
        return words, found

    def _gap(
        self, start: int, end: int, *, head_after: bool | None = None
    ) -> tuple[int, tuple[int, int] | None] | None:
        """(content words, negation span) of the gap between two anchors, or None when the
        gap breaks the clause. A negation counts only if it reaches the head: one that looks
        back ("has gone", "resolved") negates a head before it ("the pain has gone from my
        hip"), not one after it ("my voice has gone croaky": became)."""
        spec = self.spec
        if end - start > spec.max_gap_chars:
            return None
        raw = self.text[start:end]
        if _breaks(spec.break_chars).search(raw) or "\n\n" in raw:
            return None
        index = bisect_left(self.taken, (start, -1))
        if index < len(self.taken) and self.taken[index][1] <= end:
            # a term between them: the head describes that finding, unless the term is a
            # complaint joined to the head ("weakness and numbness in both legs"): both then
            # describe the part, and only the words after the terms count
            rest = self._after_joined_terms(start, end, index) if head_after is False else None
            if rest is None:
                return None
            raw = rest
        content = raw.count(",")
        for word in fold(raw).split():
            if word in spec.break_words:
                return None
            if word not in spec.fillers:
                content += 1
        negation = None
        cue_starts = self._sorted_cues()
        for index in range(bisect_left(cue_starts, start), bisect_left(cue_starts, end)):
            cue_start, cue_end, rules = self.cues[index]
            if cue_end > end:
                continue
            effect = gap_effect(rules)
            if effect == "break":
                return None
            if effect == "negate" and (head_after is None or reaches(rules, head_after)):
                negation = (cue_start, cue_end)
        return content, negation

    def _after_joined_terms(self, start: int, end: int, index: int) -> str | None:
        """The gap's text after the terms joined to the head before it by commas and
        coordinators ("weakness, numbness and tingling in her legs"), or None when a term
        stands there otherwise."""
        taken, joiners = self.taken, self.spec.coordinators
        position = start
        while index < len(taken) and taken[index][1] <= end:
            term_start, term_end = taken[index]
            between = self.text[position:term_start]
            words = fold(between).split()
            if not (words or "," in between) or not joiners.issuperset(words):
                return None
            position, index = term_end, index + 1
        return self.text[position:end]

    def _stands(self, head: AnchorHit, part: AnchorHit, gap: tuple[int, int]) -> bool:
        """An ambiguous part counts right next to its head or after a determiner."""
        if not part[2].ambiguous:
            return True
        if not self.text[gap[0] : gap[1]].strip(" -/"):
            return True
        after = _NEXT_WORD.match(self.text, part[1], part[1] + 24)
        if after is not None and fold(after.group(1)) in self.spec.ambiguous_not_before:
            return False  # "the back of my head": a position, not the back
        found = _LAST_WORD.search(self.text, max(0, part[0] - 24), part[0])
        return found is not None and fold(found.group(1)) in self.spec.ambiguous_after


@lru_cache(maxsize=4)
def _breaks(chars: str) -> re.Pattern[str]:
    return re.compile(f"[{re.escape(chars)}]")


def _between(first: AnchorHit, second: AnchorHit) -> tuple[int, int]:
    return (first[1], second[0]) if first[1] <= second[0] else (second[1], first[0])


def _inside(spans: list[tuple[int, int]], start: int, end: int, *, strictly: bool = False) -> bool:
    """Whether [start, end) lies within one of the sorted, non-overlapping ``spans`` (one
    larger than it, when ``strictly``: a term that is the head word alone leaves it free)."""
    index = bisect_right(spans, (start, 1 << 62)) - 1
    if index < 0:
        return False
    span_start, span_end = spans[index]
    inside = span_start <= start and end <= span_end
    return inside and not (strictly and (span_start, span_end) == (start, end))


__all__ = [
    "Anchor",
    "AnchorHit",
    "Composer",
    "Concept",
    "ConceptRules",
    "WordForms",
    "concept_phrases",
    "concept_rules",
    "gap_effect",
    "grammar",
    "word_forms",
]
