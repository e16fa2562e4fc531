"""The lexicon compiled from the knowledge base, joined with the context rules in one automaton.

Every Symptom's and Site's ``terms`` (clinical words, patients' words, abbreviations,
misspellings) and its ``label`` become phrases; so do the context triggers, lab names and
vital-sign names and units.
One automaton then finds targets, triggers and labs together in a single pass over the text.
Compiling takes about a tenth of a second for ten thousand phrases and is cached per knowledge
hash (a small bounded cache, no other state): a Knowledge is immutable and its hash names it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from mbcnav.extract.concepts import Anchor, concept_phrases, word_forms
from mbcnav.extract.context import TriggerRules
from mbcnav.extract.hpo import hpo_terms
from mbcnav.extract.labs import lab_phrases
from mbcnav.extract.matcher import PhraseMatcher
from mbcnav.extract.normalize import fold_phrase
from mbcnav.extract.rules import ContextRules, Rule, default_rules, rule_phrases
from mbcnav.extract.sites import SiteCue, derived_phrases, spread_phrases
from mbcnav.extract.vitals import vital_phrases
from mbcnav.knowledge import Knowledge
from mbcnav.knowledge.loader import yaml_text

TargetKind = Literal["symptom", "site"]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Term:
    """A lexicon entry's payload: which symptom or site a phrase names.

    ``exact`` is set for short capitalised abbreviations, which match only as written.
    """

    kind: TargetKind
    id: str
    exact: str | None = None


class _CaseRule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    min_capitals: int = Field(ge=1)
    max_length: int = Field(ge=1)
    reason: str


class _NotForm(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    word: str
    reason: str


class _LexiconRules(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    case_sensitive_abbreviations: _CaseRule
    not_forms: tuple[_NotForm, ...] = ()
    """Read by scripts/build_word_forms.py; validated here with the rest of the file."""


@lru_cache(maxsize=1)
def _case_rule() -> _CaseRule:
    raw = (resources.files("mbcnav.extract") / "data" / "lexicon_rules.yaml").read_text("utf-8")
    return _LexiconRules.model_validate(yaml_text(raw)).case_sensitive_abbreviations


def _abbreviation(kind: TargetKind, ident: str, phrase: str) -> tuple[str, Term]:
    rule = _case_rule()
    capitals = sum(char.isupper() for char in phrase)
    short = len(phrase) <= rule.max_length and " " not in phrase
    exact = phrase if short and capitals >= rule.min_capitals else None
    return phrase, Term(kind, ident, exact)


ONLY_TRIGGER, ONLY_ANCHOR, GENERAL, ONLY_TERMS, ONLY_SPREAD, ONE_HEAD, ONE_PART = range(7)
"""``Entry.code``: the reader's per-hit paths."""

SPREAD_SLOTS = ("anatomy", "test", "cue", "result", "positive", "confirm", "block")
"""``SiteCue.kind`` in the order of the reader's per-note lists of spread phrases."""
_WITH_SITE = frozenset({"anatomy", "test"})
"""Spread kinds whose hits carry their site."""


@dataclass(frozen=True, slots=True)
class Entry:
    """Everything one folded phrase means: context rules, lexicon terms, lab names.

    ``exact`` is True when some term matches only as written (checked per hit); ``symptom``
    and ``site`` say whether some term names a symptom or a site; ``only_trigger`` that the
    phrase is a context trigger and nothing else (most hits in a note), ``only_anchor`` that it
    is a concept's head or body part and nothing else. ``heads`` and ``parts`` are the
    anchors split by kind, ``slots`` the spread cues as (index in ``SPREAD_SLOTS``, whether the
    hit carries the site, site), ``written`` the only ways the phrase counts as written when
    every term matches only so (a hit written otherwise names nothing), and ``code`` says
    which path the reader's per-hit loop takes
    (``ONLY_TRIGGER``; ``ONE_HEAD``, ``ONE_PART`` or ``ONLY_ANCHOR`` for anchors;
    ``ONLY_TERMS`` for plain terms; ``ONLY_SPREAD`` for spread cues, possibly with anchors; or
    ``GENERAL``): one attribute read per hit.
    """

    trigger: TriggerRules | None = None
    terms: tuple[Term, ...] = ()
    labs: tuple[str, ...] = ()
    spread: tuple[SiteCue, ...] = ()
    anchors: tuple[Anchor, ...] = ()
    exact: bool = False
    only_anchor: bool = False
    symptom: bool = False
    site: bool = False
    only_trigger: bool = False
    heads: tuple[Anchor, ...] = field(init=False)
    parts: tuple[Anchor, ...] = field(init=False)
    slots: tuple[tuple[int, bool, str], ...] = field(init=False)
    written: frozenset[str] = field(init=False)
    code: int = field(init=False)

    def __post_init__(self) -> None:
        set_field = object.__setattr__  # frozen: the derived fields are set once, here
        set_field(self, "heads", tuple(a for a in self.anchors if a.kind == "head"))
        set_field(self, "parts", tuple(a for a in self.anchors if a.kind != "head"))
        set_field(
            self,
            "slots",
            tuple((SPREAD_SLOTS.index(c.kind), c.kind in _WITH_SITE, c.site) for c in self.spread),
        )
        written = [term.exact for term in self.terms if term.exact is not None]
        every = len(written) == len(self.terms)
        set_field(self, "written", frozenset(written) if every else frozenset[str]())
        set_field(self, "code", self._code())

    def _code(self) -> int:
        if self.only_trigger:
            return ONLY_TRIGGER
        if self.only_anchor:
            if len(self.anchors) == 1:
                return ONE_HEAD if self.heads else ONE_PART
            return ONLY_ANCHOR
        if self.trigger is not None or self.labs:
            return GENERAL
        if self.terms and not (self.exact or self.spread or self.anchors):
            return ONLY_TERMS
        if self.spread and not self.terms:
            return ONLY_SPREAD
        return GENERAL

    @classmethod
    def of(
        cls,
        rules: Iterable[Rule],
        terms: Iterable[Term],
        labs: Iterable[str],
        spread: Iterable[SiteCue],
        anchors: Iterable[Anchor] = (),
    ) -> Entry:
        """An entry from its parts, duplicates dropped, the trigger rules compiled."""
        if not (rules or labs or spread):  # most phrases: one term, or anchors only
            if isinstance(terms, list) and len(terms) == 1 and not anchors:
                return _term_entry(terms[0])
            if not terms and isinstance(anchors, list) and anchors:
                return _anchor_entry(_unique(anchors))
        unique_rules = _unique(rules)
        unique_terms = _unique(terms)
        unique_labs = _unique(labs)
        unique_spread = _unique(spread)
        unique_anchors = _unique(anchors)
        return cls(
            trigger=TriggerRules.of(unique_rules) if unique_rules else None,
            terms=unique_terms,
            labs=unique_labs,
            spread=unique_spread,
            anchors=unique_anchors,
            exact=any(term.exact is not None for term in unique_terms),
            symptom=any(term.kind == "symptom" for term in unique_terms),
            site=any(term.kind == "site" for term in unique_terms),
            only_trigger=bool(unique_rules)
            and not (unique_terms or unique_labs or unique_spread or unique_anchors),
            only_anchor=bool(unique_anchors)
            and not (unique_rules or unique_terms or unique_labs or unique_spread),
        )


@lru_cache(maxsize=4096)
def _term_entry(term: Term) -> Entry:
    """The entry of a phrase that is one term and nothing else, shared by every such phrase of
    that term (tens of thousands of phrases name a few hundred terms)."""
    return Entry(
        terms=(term,),
        exact=term.exact is not None,
        symptom=term.kind == "symptom",
        site=term.kind == "site",
    )


@lru_cache(maxsize=4096)
def _anchor_entry(anchors: tuple[Anchor, ...]) -> Entry:
    return Entry(anchors=anchors, only_anchor=True)


def _unique(items: Iterable[T]) -> tuple[T, ...]:
    """Items in order, duplicates dropped; most phrases have at most one of each kind, which
    needs no hashing (the lexicon has tens of thousands of phrases)."""
    found = tuple(items)
    return found if len(found) < 2 else tuple(dict.fromkeys(found))


def knowledge_terms(knowledge: Knowledge) -> list[tuple[str, Term]]:
    """(phrase, Term) for every symptom and site term and label in the knowledge base, and the
    other forms of each symptom term (``inflected_terms``)."""
    out: list[tuple[str, Term]] = []
    hpo = hpo_terms(knowledge)
    for symptom in knowledge.symptoms.values():
        term = Term("symptom", symptom.id)
        lexicon = symptom.terms
        words = (symptom.label, *lexicon.clinical, *lexicon.lay, *lexicon.misspellings)
        out.extend((phrase, term) for phrase in words)
        out.extend(_abbreviation("symptom", symptom.id, p) for p in lexicon.abbreviations)
        # The finding's HPO names and synonyms that hpo_filter.yaml keeps (never one of our
        # own terms for another finding or a site: ours win every clash).
        for phrase in hpo.get(symptom.id, ()):
            abbreviation = _abbreviation("symptom", symptom.id, phrase.text)
            out.append(abbreviation if phrase.abbreviation else (phrase.text, term))
    for site in knowledge.sites.values():
        term = Term("site", site.id)
        lexicon = site.terms
        own = (*lexicon.clinical, *lexicon.lay, *lexicon.misspellings)
        out.extend((phrase, term) for phrase in (*own, *derived_phrases(lexicon.all_terms())))
        out.extend(_abbreviation("site", site.id, p) for p in lexicon.abbreviations)
    return out + inflected_terms(knowledge, {fold_phrase(phrase) for phrase, _ in out})


def inflected_terms(knowledge: Knowledge, written: set[str]) -> list[tuple[str, Term]]:
    """Symptom terms with one word in another form ("bone pains", "my rib hurts"): a form no
    written phrase has and only one symptom yields (two symptoms' forms colliding name
    neither)."""
    forms = word_forms()
    owners: dict[str, set[str]] = {}
    for symptom in knowledge.symptoms.values():
        for phrase in (*symptom.terms.clinical, *symptom.terms.lay):
            for variant in forms.variants(phrase):
                if variant not in written:
                    owners.setdefault(variant, set()).add(symptom.id)
    return [
        (variant, Term("symptom", next(iter(ids))))
        for variant, ids in owners.items()
        if len(ids) == 1
    ]


_Parts = tuple[list[Rule], list[Term], list[str], list[SiteCue], list[Anchor]]


def build_matcher(
    terms: Iterable[tuple[str, Term]],
    rules: ContextRules | None = None,
    labs: Iterable[tuple[str, str]] = (),
    spread: Iterable[tuple[str, SiteCue]] = (),
    anchors: Iterable[tuple[str, Anchor]] = (),
) -> PhraseMatcher[Entry]:
    """One automaton over terms, context triggers, lab names, spread phrases and concept
    anchors (heads and body parts)."""
    grouped: dict[str, _Parts] = {}

    def bucket(phrase: str) -> _Parts:
        key = fold_phrase(phrase)
        parts = grouped.get(key)
        if parts is None:
            parts = grouped[key] = ([], [], [], [], [])
        return parts

    for phrase, rule in rule_phrases(rules or default_rules()):
        bucket(phrase)[0].append(rule)
    for phrase, term in terms:
        bucket(phrase)[1].append(term)
    for phrase, lab in labs:
        bucket(phrase)[2].append(lab)
    for phrase, cue in spread:
        bucket(phrase)[3].append(cue)
    for phrase, anchor in anchors:
        bucket(phrase)[4].append(anchor)
    return PhraseMatcher.folded({key: (Entry.of(*parts),) for key, parts in grouped.items()})


def matcher_for(knowledge: Knowledge) -> PhraseMatcher[Entry]:
    """The compiled matcher of ``knowledge``, built once per knowledge hash."""
    return _cached(knowledge.hash, knowledge)


_BY_HASH: dict[str, PhraseMatcher[Entry]] = {}
_MAX_CACHED = 8


def _cached(key: str, knowledge: Knowledge) -> PhraseMatcher[Entry]:
    matcher = _BY_HASH.get(key)
    if matcher is None:
        if len(_BY_HASH) >= _MAX_CACHED:
            _BY_HASH.pop(next(iter(_BY_HASH)))
        matcher = build_matcher(
            knowledge_terms(knowledge),
            labs=[*lab_phrases(), *vital_phrases()],
            spread=spread_phrases(),
            anchors=concept_phrases(knowledge),
        )
        _BY_HASH[key] = matcher
    return matcher


def adopt_matcher(knowledge: Knowledge, matcher: PhraseMatcher[Entry]) -> None:
    """Use ``matcher`` as the compiled matcher of ``knowledge`` (one a caller kept from an
    earlier ``matcher_for`` of the same knowledge and reader, e.g. on disk)."""
    if knowledge.hash not in _BY_HASH and len(_BY_HASH) >= _MAX_CACHED:
        _BY_HASH.pop(next(iter(_BY_HASH)))
    _BY_HASH[knowledge.hash] = matcher


@lru_cache(maxsize=1)
def trigger_matcher() -> PhraseMatcher[Entry]:
    """Context triggers only, for ``qualify`` (targets come from the caller)."""
    return build_matcher(())


__all__ = [
    "GENERAL",
    "ONE_HEAD",
    "ONE_PART",
    "ONLY_ANCHOR",
    "ONLY_SPREAD",
    "ONLY_TERMS",
    "ONLY_TRIGGER",
    "SPREAD_SLOTS",
    "Entry",
    "TargetKind",
    "Term",
    "adopt_matcher",
    "build_matcher",
    "matcher_for",
    "trigger_matcher",
]
