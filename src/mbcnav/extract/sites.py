"""From a qualified site-term hit to a SiteMention: which site, and known, suspected or not.

Site terms come from the knowledge base; constructions ("metastatic adenocarcinoma in 1/5
lymph nodes": a spread cue near an anatomical word) add mentions the terms cannot list. The
status table and the bone-to-spine refinement are data (``data/site_rules.yaml``): a
negated mention is ``negated``, a historical one ``historical``, an uncertain one ("concerning
for osseous metastasis", "?liver mets") ``suspected``, any other ``known``. Dropped: mentions
about a relative; hypothetical ones ("evaluate for liver metastases", "the possibility of local
recurrence was explained", "if there are no brain metastases"); negations of the past ("no
history of brain metastases", "prior CT showed no liver metastases") and of a complication ("no
cord compression"). They say nothing about the site now, and the engine reads a negated mention
as evidence against its site. A term that only suggests spread ("lytic lesion") is
``suspected`` unless its sentence confirms metastasis ("consistent with metastases",
"biopsy-proven"). An imaging test of one site stated negative ("Bone scan negative.", "MRI
brain: no metastases.") is a ``negated`` mention of that site; one stated positive ("Bone scan
showed metastatic disease") a ``suspected`` one, never ``known`` (imaging alone can mislead); a
test done or planned names none.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from mbcnav.extract.context import QualifierResult
from mbcnav.extract.normalize import fold, fold_phrase
from mbcnav.extract.words import WordIndex
from mbcnav.knowledge.loader import yaml_text

Status = Literal["known", "suspected", "negated", "historical", "drop"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Refinement(_Model):
    from_: str = Field(alias="from", pattern=r"^site:[a-z0-9_]+$")
    to: str = Field(pattern=r"^site:[a-z0-9_]+$")
    pattern: str
    sources: tuple[str, ...] = Field(min_length=1)


class FindingRefinement(_Model):
    """A finding whose sentence names where it is becomes the more specific finding ("a
    pathological fracture of the left femur" is a limb fracture, not possibly a spinal one)."""

    from_: str = Field(alias="from", pattern=r"^sym:[a-z0-9_]+$")
    to: str = Field(pattern=r"^sym:[a-z0-9_]+$")
    pattern: str
    sources: tuple[str, ...] = Field(min_length=1)


Qualifier = Literal["negated", "historical", "hypothetical", "family", "uncertain"]


class StatusRow(_Model):
    """A row of the status table: ``when`` is one qualifier, or several that must all hold."""

    when: Qualifier | tuple[Qualifier, ...]
    status: Status

    def holds(self, result: QualifierResult) -> bool:
        wanted = (self.when,) if isinstance(self.when, str) else self.when
        return all(getattr(result, qualifier) for qualifier in wanted)


class Constructions(_Model):
    nouns: tuple[str, ...] = Field(min_length=1)
    templates: tuple[str, ...] = Field(min_length=1)
    sources: tuple[str, ...] = Field(min_length=1)


class SpreadConstructions(_Model):
    max_gap_words: int = Field(ge=0)
    cues: tuple[str, ...] = Field(min_length=1)
    primary_followers: tuple[str, ...] = ()
    not_sites: tuple[str, ...] = ()
    anatomy: dict[str, tuple[str, ...]]
    sources: tuple[str, ...] = Field(min_length=1)


class Suggestive(_Model):
    """Imaging wording that only suggests spread, and the wording that confirms it."""

    words: tuple[str, ...] = Field(min_length=1)
    confirming_words: tuple[str, ...] = Field(min_length=1)
    confirm: tuple[str, ...] = Field(min_length=1)
    sources: tuple[str, ...] = Field(min_length=1)


class Complications(_Model):
    """Words of site terms that name a complication ("cord compression"), not the spread."""

    words: tuple[str, ...] = Field(min_length=1)
    sources: tuple[str, ...] = Field(min_length=1)


class NegativeTests(_Model):
    """Imaging tests of one site, and the words that state such a test negative or positive."""

    tests: dict[str, tuple[str, ...]]
    results: tuple[str, ...] = Field(min_length=1)
    positive_results: tuple[str, ...] = ()
    positive_status: Literal["suspected"] = "suspected"
    purpose_words: tuple[str, ...] = ()
    result_gap_words: int = Field(ge=0)
    result_followers: tuple[str, ...] = ()
    sources: tuple[str, ...] = Field(min_length=1)


class SiteRules(_Model):
    sources: tuple[dict[str, str], ...]
    refine: tuple[Refinement, ...] = ()
    refine_findings: tuple[FindingRefinement, ...] = ()
    status: tuple[StatusRow, ...]
    status_sources: tuple[str, ...] = Field(min_length=1)
    constructions: Constructions
    constructions_spread: SpreadConstructions
    suggestive: Suggestive
    complications: Complications
    negative_tests: NegativeTests


@dataclass(frozen=True, slots=True)
class SiteCue:
    """A site phrase: an anatomical word (with its site), a spread cue, a block, or a confirmation
    that a suggestive finding is metastatic."""

    kind: Literal["anatomy", "cue", "block", "confirm", "test", "result", "positive"]
    site: str = ""


@dataclass(frozen=True, slots=True)
class _Compiled:
    refine: tuple[tuple[str, str, re.Pattern[str]], ...]
    refine_findings: tuple[tuple[str, str, re.Pattern[str]], ...]
    status: tuple[StatusRow, ...]
    constructions: Constructions
    organ: re.Pattern[str]
    spread: SpreadConstructions
    followers: frozenset[str]
    suggestive: Suggestive
    suggestive_words: frozenset[str]
    confirming_words: frozenset[str]
    complication_words: frozenset[str]
    tests: NegativeTests
    result_followers: frozenset[str]
    purpose_words: frozenset[str]


@lru_cache(maxsize=1)
def _rules() -> _Compiled:
    raw = (resources.files("mbcnav.extract") / "data" / "site_rules.yaml").read_text("utf-8")
    rules = SiteRules.model_validate(yaml_text(raw))
    nouns = "|".join(re.escape(n) for n in sorted(rules.constructions.nouns, key=len, reverse=True))
    return _Compiled(
        tuple((r.from_, r.to, re.compile(r.pattern, re.IGNORECASE)) for r in rules.refine),
        tuple((r.from_, r.to, re.compile(r.pattern, re.IGNORECASE)) for r in rules.refine_findings),
        rules.status,
        rules.constructions,
        re.compile(rf"(?P<organ>[a-z]+(?: [a-z]+)?) (?:{nouns})"),
        rules.constructions_spread,
        frozenset(fold_phrase(word) for word in rules.constructions_spread.primary_followers),
        rules.suggestive,
        frozenset(fold_phrase(word) for word in rules.suggestive.words),
        frozenset(fold_phrase(word) for word in rules.suggestive.confirming_words),
        frozenset(fold_phrase(word) for word in rules.complications.words),
        rules.negative_tests,
        frozenset(fold_phrase(word) for word in rules.negative_tests.result_followers),
        frozenset(fold_phrase(word) for word in rules.negative_tests.purpose_words),
    )


def spread_phrases() -> list[tuple[str, SiteCue]]:
    """(phrase, SiteCue) for the shared automaton: anatomy words, spread cues, blocked phrases,
    one-site imaging tests and the words that state them negative or positive."""
    spread, tests = _rules().spread, _rules().tests
    out = [(phrase, SiteCue("cue")) for phrase in spread.cues]
    out += [(phrase, SiteCue("block")) for phrase in spread.not_sites]
    out += [(phrase, SiteCue("confirm")) for phrase in _rules().suggestive.confirm]
    out += [
        (phrase, SiteCue("anatomy", site))
        for site, phrases in spread.anatomy.items()
        for phrase in phrases
    ]
    out += [(phrase, SiteCue("result")) for phrase in tests.results]
    out += [(phrase, SiteCue("positive")) for phrase in tests.positive_results]
    out += [
        (phrase, SiteCue("test", site))
        for site, phrases in tests.tests.items()
        for phrase in phrases
    ]
    return out


_NEXT_WORD = re.compile(r"[\W_]*([^\W_]+)")


def names_primary(text: str, end: int) -> bool:
    """True when the word after an anatomical word makes it a primary tumour or a test."""
    match = _NEXT_WORD.match(text, end)
    return match is not None and fold(match.group(1)) in _rules().followers  # one word: no spaces


def states_purpose(text: str, end: int) -> bool:
    """True when the word after a test says why it is done ("bone scan to rule out …", "bone
    scan for staging"): a spread cue after it is not the test's result."""
    match = _NEXT_WORD.match(text, end)
    return match is not None and fold(match.group(1)) in _rules().purpose_words


def states_result(text: str, result: tuple[int, int], test_start: int) -> bool:
    """True when a result word states a test's result: right before it ("Normal MRI brain"), or
    after it and ending its clause ("MRI brain normal."), not "normal liver echotexture" (a
    finding, which says nothing about the test as a whole)."""
    match = _NEXT_WORD.match(text, result[1])
    if result[1] <= test_start:
        return match is not None and match.start(1) == test_start
    if match is None or text[result[1] : match.start(1)].strip():  # end, or punctuation
        return True
    return fold(match.group(1)) in _rules().result_followers


def result_gap() -> int:
    """How many words may stand between a test and the word stating its result."""
    return _rules().tests.result_gap_words


def positive_test_status(status: Status) -> Status:
    """A positive one-site test's status: the status table's, but never ``known``."""
    return _rules().tests.positive_status if status == "known" else status


def spread_pairs(
    text: str,
    anatomy: list[tuple[int, int, str]],
    cues: list[tuple[int, int]],
    sentence_of: Callable[[int, int], tuple[int, int]],
    gap: int | None = None,
    *,
    words: WordIndex | None = None,
    after_only: bool = False,
) -> list[tuple[int, int, str, tuple[int, int]]]:
    """(word start, word end, site, cue span) for each anatomical word with a spread cue close
    by; each word is paired on its own, so dropping a word before or after pairing is the same.

    The cue is the one of the word's sentence with the fewest words between them, the earlier in
    ``cues`` on a tie; ``after_only`` takes only cues after the word. Cues are swept outwards
    from the word in order of distance and the sweep stops at the first too far away, so a word
    costs the cues within reach, not all of them (every word paired with every cue was
    quadratic: 'metastatic to the liver and bone' repeated, tens of seconds for 50 KB).
    """
    gap = _rules().spread.max_gap_words if gap is None else gap
    words = words or WordIndex(text)
    by_end = sorted(range(len(cues)), key=lambda i: (cues[i][1], i))
    ends = [cues[i][1] for i in by_end]
    by_start = sorted(range(len(cues)), key=lambda i: (cues[i][0], i))
    starts = [cues[i][0] for i in by_start]
    out: list[tuple[int, int, str, tuple[int, int]]] = []
    for start, end, site in anatomy:
        first, last = sentence_of(start, end)
        best: tuple[int, int] | None = None  # (words between, index in cues)
        at = -1 if after_only else bisect_right(ends, start) - 1
        while at >= 0 and ends[at] > first:
            between = words.count(ends[at], start)
            if between > gap:
                break
            if best is None or (between, by_end[at]) < best:
                best = (between, by_end[at])
            at -= 1
        at = bisect_left(starts, end)
        while at < len(starts) and starts[at] < last:
            between = words.count(end, starts[at])
            if between > gap:
                break
            if best is None or (between, by_start[at]) < best:
                best = (between, by_start[at])
            at += 1
        if best is not None:
            cue_start, cue_end = cues[best[1]]
            out.append((start, end, site, (cue_start, cue_end)))
    return out


def derived_phrases(terms: tuple[str, ...]) -> list[str]:
    """ "metastases to the liver" and kin, from a site's own "liver metastases"-shaped terms."""
    rules = _rules()
    organs: list[str] = []
    for term in terms:
        match = rules.organ.fullmatch(fold_phrase(term))
        if match and match.group("organ") not in organs:
            organs.append(match.group("organ"))
    out: list[str] = []
    for organ in organs:
        for form in (organ, organ + "s"):
            for template in rules.constructions.templates:
                if "{noun}" in template:
                    nouns: tuple[str, ...] = rules.constructions.nouns
                else:
                    nouns = ("",)
                out.extend(template.format(noun=noun, organ=form) for noun in nouns)
    return list(dict.fromkeys(out))


def refine_site(site: str, text: str, sentence: tuple[int, int]) -> str:
    """The more specific site a sentence's wording points to, if any."""
    for source, target, pattern in _rules().refine:
        if site == source and pattern.search(text, *sentence) is not None:
            return target
    return site


@lru_cache(maxsize=1)
def refinable_findings() -> frozenset[str]:
    """The findings whose sentence may make them more specific (see :func:`refine_finding`)."""
    return frozenset(source for source, _, _ in _rules().refine_findings)


def refine_finding(finding: str, text: str, sentence: tuple[int, int]) -> str:
    """The more specific finding a sentence's wording points to, if any (first rule wins)."""
    for source, target, pattern in _rules().refine_findings:
        if finding == source and pattern.search(text, *sentence) is not None:
            return target
    return finding


@lru_cache(maxsize=1024)
def is_suggestive(surface: str) -> bool:
    """True when a site term only suggests spread ("lytic lesion"), not names it ("bone mets")."""
    rules = _rules()
    words = set(fold_phrase(surface).split())
    return bool(words & rules.suggestive_words) and not words & rules.confirming_words


@lru_cache(maxsize=1024)
def names_complication(surface: str) -> bool:
    """True when a site term names a complication ("cord compression"): negated, it does not
    say the site is free of disease."""
    return bool(set(fold_phrase(surface).split()) & _rules().complication_words)


def site_status(result: QualifierResult, *, negated: bool | None = None) -> Status:
    """known / suspected / negated / historical, or ``drop`` (someone else's disease);
    ``negated`` overrides the result's own (a test stated negative)."""
    return _status_of(
        result.negated if negated is None else negated,
        result.historical,
        result.hypothetical,
        result.family,
        result.uncertain,
    )


@lru_cache(maxsize=64)
def _status_of(
    negated: bool, historical: bool, hypothetical: bool, family: bool, uncertain: bool
) -> Status:
    """The status table's answer for one of the 32 combinations of qualifiers, worked out once
    (it runs for every site mention and construction of a note)."""
    result = QualifierResult(negated, historical, hypothetical, family, uncertain)
    for row in _rules().status:
        if row.holds(result):
            return row.status
    return "known"


__all__ = [
    "SiteCue",
    "derived_phrases",
    "is_suggestive",
    "names_complication",
    "names_primary",
    "positive_test_status",
    "refinable_findings",
    "refine_finding",
    "refine_site",
    "result_gap",
    "site_status",
    "spread_pairs",
    "spread_phrases",
    "states_purpose",
    "states_result",
]
