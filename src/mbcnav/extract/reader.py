"""``read_text`` and ``qualify``: the two entry points of the text reader.

One pass of the automaton finds lexicon terms, context triggers and lab names together.
Sections (a scan of the colons) and sentences (a window around each target) are computed only
for notes holding a term; Python then runs once per hit. Texts are checked first (size,
binary data) and never crash the reader.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

from mbcnav.errors import InputError
from mbcnav.extract.concepts import AnchorHit, Composer, Concept, concept_rules
from mbcnav.extract.context import ContextEngine, CueHit, QualifierResult, TriggerRules
from mbcnav.extract.dates import past_year_cues
from mbcnav.extract.labs import WORDS, WordReading, value_after, words_around
from mbcnav.extract.lexicon import (
    ONE_HEAD,
    ONE_PART,
    ONLY_ANCHOR,
    ONLY_SPREAD,
    ONLY_TERMS,
    ONLY_TRIGGER,
    Entry,
    Term,
    matcher_for,
    trigger_matcher,
)
from mbcnav.extract.matcher import PhraseMatcher
from mbcnav.extract.normalize import (
    MAX_CHARS,
    MAX_QUALIFY_CHARS,
    Folded,
    check_text,
    fold_text,
)
from mbcnav.extract.rules import SectionKind, default_rules, mark_rules, section_headings
from mbcnav.extract.sections import Label, Section, find_sections
from mbcnav.extract.sites import (
    Status,
    is_suggestive,
    names_complication,
    names_primary,
    positive_test_status,
    refinable_findings,
    refine_finding,
    refine_site,
    result_gap,
    site_status,
    spread_pairs,
    states_purpose,
    states_result,
)
from mbcnav.extract.spans import SpanSet, Taken, leftmost_longest
from mbcnav.extract.vitals import PREFIX as VITAL
from mbcnav.extract.vitals import keep_worst, read_vital
from mbcnav.knowledge import Knowledge
from mbcnav.types import Finding, SiteMention, Trigger

ALGORITHM = "extract.context_ac.v1"
"""Stamped into provenance so a changed reader is visible in every assessment."""

_NEW_FINDING = Finding.__pydantic_validator__.validate_python
"""``Finding(**fields)`` without the Python frame of ``BaseModel.__init__``: the same validation
by the model's own validator, a third faster (one call per finding of every note)."""
_NEW_TRIGGER = Trigger.__pydantic_validator__.validate_python
_NEW_SITE = SiteMention.__pydantic_validator__.validate_python


def _site_mention(site: str, status: str, text: str, start: int, end: int) -> SiteMention:
    """A site mention of ``text[start:end]`` through the model's own validator."""
    mention: SiteMention = _NEW_SITE(
        {"site": site, "status": status, "text": text[start:end], "start": start, "end": end}
    )
    return mention


@dataclass(frozen=True, slots=True)
class TextReading:
    """What one text says: findings with spans and context, site mentions, labs, sections."""

    findings: tuple[Finding, ...] = ()
    site_mentions: tuple[SiteMention, ...] = ()
    labs: dict[str, float] = field(default_factory=dict)
    sections: tuple[Section, ...] = ()
    algorithm: str = ALGORITHM


_TermHit = tuple[int, int, tuple[Term, ...]]
"""A lexicon hit: ``start``, ``end`` and the terms it names (a plain tuple: one per hit)."""


@dataclass(slots=True)
class _Hits:
    cues: list[CueHit] = field(default_factory=list)
    symptoms: list[_TermHit] = field(default_factory=list)
    sites: list[_TermHit] = field(default_factory=list)
    labs: dict[str, float] = field(default_factory=dict)
    lab_words: list[WordReading] = field(default_factory=list)
    vitals: list[tuple[int, int, dict[str, float]]] = field(default_factory=list)
    anatomy: list[tuple[int, int, str]] = field(default_factory=list)
    spread: list[tuple[int, int]] = field(default_factory=list)
    blocks: list[tuple[int, int]] = field(default_factory=list)
    confirms: list[tuple[int, int]] = field(default_factory=list)
    tests: list[tuple[int, int, str]] = field(default_factory=list)
    results: list[tuple[int, int]] = field(default_factory=list)
    positives: list[tuple[int, int]] = field(default_factory=list)
    heads: list[AnchorHit] = field(default_factory=list)
    parts: list[AnchorHit] = field(default_factory=list)


def _scan(text: str, folded: Folded, matcher: PhraseMatcher[Entry]) -> _Hits:
    """Sort the automaton's hits into trigger cues, symptom and site term hits, lab values and
    spread phrases, in original offsets. It runs for every hit, so the offset map is inlined
    and what each phrase is was worked out when the lexicon was compiled (``Entry``): one
    read of its ``code`` picks the path, the common shapes each with a path of their own."""
    out = _Hits()
    cues, symptoms, sites = out.cues, out.symptoms, out.sites
    heads, parts = out.heads, out.parts
    add_cue = cues.append
    spread = _spread_lists(out)
    breaks, shifts = folded.breaks, folded.shifts
    collapsed = len(breaks) > 1
    nexts = (*breaks[1:], 1 << 62)  # the break after each, then a sentinel that ends the walk
    index = 0  # hits come in order of their end: walk, don't search
    following, shift, low = nexts[0], shifts[0], breaks[0]  # the current break's, kept local
    for last, (length, (entry,)) in matcher.raw(folded):
        end = last - 1  # collapsed [start, end); see PhraseMatcher.find
        start = end - length
        if collapsed:
            if following < end:  # past the next break: walk to the last at or before end - 1
                index += 1
                while nexts[index] < end:
                    index += 1
                following, shift, low = nexts[index], shifts[index], breaks[index]
            end += shift
            if low <= start:
                start += shift
            else:
                back = index - 1  # a phrase spans few space runs
                while breaks[back] > start:
                    back -= 1
                start += shifts[back]
        code = entry.code
        if code == ONLY_TRIGGER:  # most hits
            add_cue((start, end, entry.trigger))  # type: ignore[arg-type]
            continue
        if code == ONE_PART:
            parts.append((start, end, entry.parts[0]))
            continue
        if code == ONE_HEAD:
            heads.append((start, end, entry.heads[0]))
            continue
        if code == ONLY_ANCHOR:
            for anchor in entry.heads:
                heads.append((start, end, anchor))
            for anchor in entry.parts:
                parts.append((start, end, anchor))
            continue
        if code == ONLY_TERMS:
            hit = (start, end, entry.terms)
            if entry.symptom:
                symptoms.append(hit)
            if entry.site:
                sites.append(hit)
            continue
        if code != ONLY_SPREAD:
            if entry.trigger is not None:
                add_cue((start, end, entry.trigger))
            if entry.exact:
                written = entry.written  # most such hits: the common word ("has", not "HAS")
                if not written or text[start:end] in written:
                    _add_exact(out, entry, text, start, end)
            elif entry.terms:
                hit = (start, end, entry.terms)
                if entry.symptom:
                    symptoms.append(hit)
                if entry.site:
                    sites.append(hit)
            if entry.labs:
                _add_labs(out, entry, text, start, end)
        for slot, with_site, site in entry.slots:
            spread[slot].append((start, end, site) if with_site else (start, end))  # type: ignore[arg-type]
        for anchor in entry.heads:
            heads.append((start, end, anchor))
        for anchor in entry.parts:
            parts.append((start, end, anchor))
    return out


def _spread_lists(out: _Hits) -> tuple[list[tuple[int, int]] | list[tuple[int, int, str]], ...]:
    """The hit lists of ``out`` in the order of ``SPREAD_SLOTS``."""
    return (
        out.anatomy,
        out.tests,
        out.spread,
        out.results,
        out.positives,
        out.confirms,
        out.blocks,
    )


def _add_exact(out: _Hits, entry: Entry, text: str, start: int, end: int) -> None:
    """Terms of a phrase holding abbreviations that match only as written ("ALP", "MS")."""
    written = text[start:end]
    terms = tuple([t for t in entry.terms if t.exact is None or t.exact == written])
    if not terms:  # most such hits: the common word, not the abbreviation ("has", "HAS")
        return
    hit = (start, end, terms)
    if any(term.kind == "symptom" for term in terms):
        out.symptoms.append(hit)
    if any(term.kind == "site" for term in terms):
        out.sites.append(hit)


def _add_labs(out: _Hits, entry: Entry, text: str, start: int, end: int) -> None:
    """Lab values, vital signs (the most abnormal kept) and labs named in words."""
    for lab in entry.labs:
        if lab.startswith(VITAL):
            values = read_vital(lab, text, start, end)
            if values:
                out.vitals.append((start, end, values))
        elif lab.startswith(WORDS):
            out.lab_words.extend(words_around(lab, text, start, end))
        else:
            read = value_after(lab, text, end)
            if read is not None:
                out.labs[read[0]] = read[1]


def _word_findings(hits: _Hits, knowledge: Knowledge) -> set[tuple[int, int]]:
    """Labs named in words join the symptom hits (findings the knowledge has); the spans
    stated normal or not abnormal ("LFTs normal", "calcium was not high") are returned."""
    absent: set[tuple[int, int]] = set()
    for word in hits.lab_words:
        if word.finding in knowledge.symptoms:
            hits.symptoms.append((word.start, word.end, (Term("symptom", word.finding),)))
            if not word.present:
                absent.add((word.start, word.end))
    return absent


@lru_cache(maxsize=1)
def _headings() -> dict[str, SectionKind]:
    return section_headings(default_rules())


_LABELS: dict[str, Label] = {}
"""What each heading label read so far is (``find_sections``' memo for ``_headings()``)."""


@lru_cache(maxsize=1)
def _marks() -> tuple[tuple[re.Pattern[str], TriggerRules], ...]:
    marks = mark_rules(default_rules())
    return tuple((pattern, TriggerRules.of(rules)) for pattern, rules in marks)


def _engine(text: str, cues: list[CueHit]) -> tuple[ContextEngine, tuple[Section, ...]]:
    sections = find_sections(text, _headings(), _LABELS)
    for pattern, rules in _marks():  # punctuation triggers ("?liver mets") the automaton skips
        cues.extend((m.start(), m.end(), rules) for m in pattern.finditer(text))
    cues.extend(past_year_cues(text))
    return ContextEngine(text, cues, sections.boundaries, sections.sections), sections.sections


def read_text(text: str, knowledge: Knowledge, *, max_chars: int = MAX_CHARS) -> TextReading:
    """Read symptoms, site mentions and labs from a note or a patient's own words.

    Raises InputError MBC-E600 (too large) or MBC-E601 (not text); never anything else.
    """
    text = check_text(text, max_chars=max_chars)
    hits = _scan(text, fold_text(text), matcher_for(knowledge))
    if hits.blocks:  # "metastatic workup" names a test's purpose, not spread
        blocked = SpanSet(hits.blocks)
        hits.spread = [cue for cue in hits.spread if not blocked.overlaps(*cue)]
    absent = _word_findings(hits, knowledge) if hits.lab_words else set()
    symptoms = leftmost_longest(hits.symptoms)
    concepts = _concepts(text, hits, symptoms, knowledge) if hits.heads and hits.parts else []
    if not (hits.symptoms or hits.sites or hits.tests or concepts) and not (
        hits.anatomy and hits.spread
    ):
        if not hits.vitals:
            return TextReading((), (), hits.labs)
        return TextReading((), (), _with_vitals(hits, _engine(text, hits.cues)[0]))
    engine, sections = _engine(text, hits.cues)
    findings: list[Finding] = []
    mentions: list[SiteMention] = []
    refinable = refinable_findings()
    refined = _Refined(text)
    for start, end, terms in symptoms:
        result = engine.qualify(start, end)
        surface, qualifiers = text[start:end], result.qualifiers()
        present = not result.negated and (start, end) not in absent
        for term in terms:  # a loop, not a generator per hit
            if term.kind == "symptom":
                ident = term.id
                if ident in refinable:
                    ident = refined.finding(ident, engine.sentence(start, end), knowledge)
                finding = {
                    "id": ident,
                    "present": present,
                    "source": "text",
                    "text": surface,
                    "start": start,
                    "end": end,
                    "qualifiers": qualifiers,
                    "triggers": result.triggers,
                }
                findings.append(_NEW_FINDING(finding))
    for concept in concepts:
        sentence = engine.sentence(concept[0], concept[0] + 1)
        if sentence[1] < concept[1]:  # a concept lies within one sentence
            continue
        if concept[2] in refinable:  # "a drooping eyelid and a small pupil": Horner's
            ident = refined.finding(concept[2], sentence, knowledge)
            concept = (concept[0], concept[1], ident, concept[3], concept[4])
        findings.append(_concept_finding(text, concept, engine.qualify(concept[0], concept[1])))
    kept_sites = leftmost_longest(hits.sites)
    if kept_sites:  # most notes name no site: nothing to index for them
        confirms = _Confirms(hits.confirms, kept_sites)
        for hit in kept_sites:
            mentions.extend(_mentions(text, hit, engine, confirms, refined))
    mentions.extend(_constructed(text, hits, kept_sites, mentions, engine, refined))
    if hits.tests:
        mentions.extend(_tested(text, hits, kept_sites, mentions, _TestSentences(engine, sections)))
    labs = _with_vitals(hits, engine) if hits.vitals else hits.labs
    return TextReading(tuple(findings), tuple(mentions), labs, sections)


def _with_vitals(hits: _Hits, engine: ContextEngine) -> dict[str, float]:
    """The labs plus the vital signs actually measured, the most abnormal of each kept: a
    value in a hypothetical ("call if your temperature is 38 or more") or in someone else's
    account is no measurement of the patient."""
    labs = dict(hits.labs)
    for start, end, values in hits.vitals:
        result = engine.qualify(start, end)
        if not (result.hypothetical or result.family):
            keep_worst(labs, values)
    return labs


@dataclass(slots=True)
class _Refined:
    """``refine_site`` and ``refine_finding`` once per id and sentence: their patterns search the
    whole sentence, and a long sentence may hold thousands of mentions of one site."""

    text: str
    sites: dict[tuple[str, tuple[int, int]], str] = field(default_factory=dict)
    findings: dict[tuple[str, tuple[int, int]], str] = field(default_factory=dict)

    def site(self, site: str, sentence: tuple[int, int]) -> str:
        refined = self.sites.get((site, sentence))
        if refined is None:
            refined = self.sites[(site, sentence)] = refine_site(site, self.text, sentence)
        return refined

    def finding(self, finding: str, sentence: tuple[int, int], knowledge: Knowledge) -> str:
        """The finding its sentence's wording makes more specific, if the knowledge has it."""
        refined = self.findings.get((finding, sentence))
        if refined is None:
            target = refine_finding(finding, self.text, sentence)
            refined = target if target in knowledge.symptoms else finding
            self.findings[(finding, sentence)] = refined
        return refined


def _concepts(
    text: str, hits: _Hits, symptoms: list[_TermHit], knowledge: Knowledge
) -> list[Concept]:
    """Concepts composed from a head and a body part (``extract.concepts``), unless a term
    already read that head or part, or the same finding over an overlapping span ("numbness in
    her toes" where the term "numbness" was read). They are composed before the sentences are
    found (the gap checks catch sentence punctuation), so a note whose only anchors pair with
    nothing costs no sentence and section pass; the caller drops any crossing a sentence."""
    taken = [(start, end) for start, end, _ in symptoms]
    composer = Composer(text, concept_rules(knowledge), list(hits.cues), taken)
    composed = composer.compose(hits.heads, hits.parts)
    if not composed:  # most notes: no pair, and no need to index what the terms read
        return []
    read = Taken()
    for start, end, terms in symptoms:
        for term in terms:
            read.add(term.id, start, end)
    out: list[Concept] = []
    seen: set[tuple[int, int, str]] = set()
    for concept in composed:
        start, end, ident = concept[:3]
        if (start, end, ident) in seen or read.overlaps(ident, start, end):
            continue
        seen.add((start, end, ident))
        out.append(concept)
    return out


def _concept_finding(text: str, concept: Concept, result: QualifierResult) -> Finding:
    start, end, ident, negated_between, negation = concept
    triggers = result.triggers
    negated = result.negated
    if negated_between and negation is not None and not negated:
        negated = True
        trigger = {"category": "negated", "text": text[negation[0] : negation[1]]}
        triggers = (*triggers, _NEW_TRIGGER({**trigger, "start": negation[0], "end": negation[1]}))
    qualifiers = replace(result, negated=negated).qualifiers()
    finding: Finding = _NEW_FINDING(
        {
            "id": ident,
            "present": not negated,
            "source": "text",
            "text": text[start:end],
            "start": start,
            "end": end,
            "qualifiers": qualifiers,
            "triggers": triggers,
        }
    )
    return finding


def _taken(found: list[SiteMention]) -> Taken:
    taken = Taken()
    for mention in found:
        taken.add(mention.site, mention.start, mention.end)
    return taken


def _constructed(
    text: str,
    hits: _Hits,
    terms: list[_TermHit],
    found: list[SiteMention],
    engine: ContextEngine,
    refined: _Refined,
) -> list[SiteMention]:
    """Site mentions from "spread cue … anatomical word" constructions the terms missed."""
    if not (hits.anatomy and hits.spread):
        return []
    covered = SpanSet([*((start, end) for start, end, _ in terms), *hits.blocks])
    anatomy = [
        (start, end, site)
        for start, end, site in leftmost_longest(hits.anatomy)
        if not covered.overlaps(start, end)
    ]
    out: list[SiteMention] = []
    taken = _taken(found)
    for word_start, word_end, site, cue in spread_pairs(
        text, anatomy, hits.spread, engine.sentence, words=engine.words
    ):
        if names_primary(text, word_end):  # after pairing: few words have a spread cue near
            continue
        start, end = min(word_start, cue[0]), max(word_end, cue[1])
        sentence = engine.sentence(start, end)
        site = refined.site(site, sentence)
        status = site_status(_either(engine.qualify(start, end), engine.qualify(*cue)))
        if status == "drop" or taken.overlaps(site, *sentence):
            continue
        out.append(_site_mention(site, status, text, start, end))
        taken.add(site, start, end)
    return out


def _tested(
    text: str,
    hits: _Hits,
    terms: list[_TermHit],
    found: list[SiteMention],
    sentences: _TestSentences,
) -> list[SiteMention]:
    """Site mentions from one-site imaging tests stated negative ("Bone scan negative.", "MRI
    brain: no metastases.": negated) or positive ("Bone scan showed metastatic disease": at most
    suspected). A test done or planned names no site."""
    covered = SpanSet((start, end) for start, end, _ in terms)
    tests = [t for t in leftmost_longest(hits.tests) if not covered.overlaps(t[0], t[1])]
    if not tests:
        return []
    out: list[SiteMention] = []
    taken = _taken(found)
    for (test_start, test_end, site, cue), status in _test_results(text, hits, tests, sentences):
        start, end = min(test_start, cue[0]), max(test_end, cue[1])
        sentence = sentences.sentence(start, end)
        if taken.overlaps(site, *sentence):
            continue
        out.append(_site_mention(site, status, text, start, end))
        taken.add(site, start, end)
    return out


_Pair = tuple[int, int, str, tuple[int, int]]


def _test_results(
    text: str, hits: _Hits, tests: list[tuple[int, int, str]], sentences: _TestSentences
) -> list[tuple[_Pair, Status]]:
    """Each test paired with what states its result, and the status that result gives: negative
    first (a negated cue, then a result word), then positive (an asserted cue after the test,
    then a positive result word)."""
    engine, sentence_of, words = sentences.engine, sentences.sentence, sentences.engine.words
    stated = [  # (pair, True when a spread cue, False when a result word, positive or not)
        (pair, True, False)
        for pair in spread_pairs(text, tests, hits.spread, sentence_of, words=words)
    ]
    stated += [
        (pair, False, False)
        for pair in spread_pairs(text, tests, hits.results, sentence_of, result_gap(), words=words)
        if states_result(text, pair[3], pair[0])
    ]
    # a finding after the test ("metastatic breast cancer, bone scan …"), unless the test says
    # what it is for ("bone scan to rule out metastases")
    stated += [
        (pair, True, True)
        for pair in spread_pairs(
            text,
            [test for test in tests if not states_purpose(text, test[1])],
            hits.spread,
            sentence_of,
            words=words,
            after_only=True,
        )
    ]
    stated += [
        (pair, False, True)
        for pair in spread_pairs(
            text, tests, hits.positives, sentence_of, result_gap(), words=words
        )
        if states_result(text, pair[3], pair[0])
    ]
    out: list[tuple[_Pair, Status]] = []
    for pair, by_cue, positive in stated:
        status = _test_status(
            engine.qualify(pair[0], pair[1]), engine.qualify(*pair[3]), by_cue, positive
        )
        if status is not None:
            out.append((pair, status))
    return out


def _test_status(
    test: QualifierResult, stated: QualifierResult, by_cue: bool, positive: bool
) -> Status | None:
    """A negative test's ``negated``, a positive one's status (never ``known``), or None: the
    wording does not state the result, or its context drops it (planned, someone else's)."""
    result = _either(test, stated)
    if positive:
        status = None if result.negated else positive_test_status(site_status(result))
        return None if status == "drop" else status
    if stated.negated != by_cue:  # a negated finding, or a result word not negated
        return None
    return "negated" if site_status(result, negated=True) == "negated" else None


@dataclass(frozen=True, slots=True)
class _TestSentences:
    """Sentences for pairing a test with its result: a test written as a heading ("MRI brain:
    no metastases.") reaches into the first sentence of its section."""

    engine: ContextEngine
    sections: tuple[Section, ...]
    starts: list[int] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "starts", [section.heading_start for section in self.sections])

    def sentence(self, start: int, end: int) -> tuple[int, int]:
        # headings do not overlap, so only the last one starting by ``start`` can hold the span
        index = bisect_right(self.starts, start) - 1
        if index >= 0:
            section = self.sections[index]
            if end <= section.heading_end < section.end:
                body = self.engine.sentence(section.heading_end, section.heading_end + 1)
                return section.heading_start, body[1]
        return self.engine.sentence(start, end)


def _either(first: QualifierResult, second: QualifierResult) -> QualifierResult:
    """Qualifiers set by either part of a construction (the cue's own context counts too)."""
    return QualifierResult(
        negated=first.negated or second.negated,
        historical=first.historical or second.historical,
        hypothetical=first.hypothetical or second.hypothetical,
        family=first.family or second.family,
        uncertain=first.uncertain or second.uncertain,
        triggers=first.triggers + second.triggers,
    )


class _Confirms:
    """Confirmation phrases ("consistent with metastases") and the site terms of the text.

    The answer depends on the sentence and the hit's site ids only, so it is worked out once
    for each; the phrases of a sentence and the terms a phrase overlaps are found by bisection
    (the terms, leftmost-longest, do not overlap one another).
    """

    __slots__ = ("_answers", "_ends", "_site_ends", "_site_starts", "_sites", "_spans", "_starts")

    def __init__(self, spans: list[tuple[int, int]], sites: list[_TermHit]) -> None:
        self._spans = sorted(spans)
        self._starts = [start for start, _ in self._spans]
        self._ends = [end for _, end in self._spans]
        self._sites = sites
        self._site_starts = [start for start, _, _ in sites]
        self._site_ends = [end for _, end, _ in sites]
        self._answers: dict[tuple[tuple[int, int], frozenset[str]], bool] = {}

    def confirm(self, hit: _TermHit, sentence: tuple[int, int], engine: ContextEngine) -> bool:
        """An asserted confirmation in the sentence, not part of another site's term."""
        ids = frozenset(term.id for term in hit[2])
        answer = self._answers.get((sentence, ids))
        if answer is None:
            answer = self._answers[(sentence, ids)] = self._confirm(ids, sentence, engine)
        return answer

    def _confirm(
        self, ids: frozenset[str], sentence: tuple[int, int], engine: ContextEngine
    ) -> bool:
        low = bisect_left(self._starts, sentence[0])
        high = bisect_left(self._starts, sentence[1] + 1)
        for start, end in self._spans[low:high]:
            if end > sentence[1]:
                continue
            if self._other_site(ids, start, end):
                continue  # "lytic lesion and liver metastases": the liver's, not the bone's
            if not _qualified(engine.qualify(start, end)):
                return True
        return False

    def _other_site(self, ids: frozenset[str], start: int, end: int) -> bool:
        at = bisect_right(self._site_ends, start)  # the first term ending after ``start``
        while at < len(self._sites) and self._site_starts[at] < end:
            if not ids & {term.id for term in self._sites[at][2]}:
                return True
            at += 1
        return False


def _qualified(result: QualifierResult) -> bool:
    """Any qualifier that keeps a phrase from asserting something now."""
    return (
        result.negated
        or result.uncertain
        or result.hypothetical
        or result.historical
        or result.family
    )


def _mentions(
    text: str, hit: _TermHit, engine: ContextEngine, confirms: _Confirms, refined: _Refined
) -> list[SiteMention]:
    start, end, terms = hit
    status = site_status(engine.qualify(start, end))
    surface = text[start:end]
    if status == "drop" or (status == "negated" and names_complication(surface)):
        return []
    sentence = engine.sentence(start, end)
    if status == "known" and is_suggestive(surface) and not confirms.confirm(hit, sentence, engine):
        status = "suspected"
    return [
        _site_mention(refined.site(term.id, sentence), status, text, start, end)
        for term in terms
        if term.kind == "site"
    ]


def qualify(
    text: str, spans: Sequence[tuple[int, int]], *, max_chars: int = MAX_QUALIFY_CHARS
) -> list[QualifierResult]:
    """Context (negated, historical, hypothetical, family, uncertain) of targets found elsewhere.

    Each span is ``(start, end)`` into ``text``; a span outside the text raises MBC-E103, a text
    over ``max_chars`` (by default one note's limit, as in ``assess``) MBC-E600.
    """
    text = check_text(text, max_chars=max_chars)
    for start, end in spans:
        if not (0 <= start <= end <= len(text)):
            raise InputError(
                "Each span must lie inside the text",
                code="MBC-E103",
                allowed=f"0 <= start <= end <= {len(text)}",
                got=[start, end],
            )
    if not spans:
        return []
    hits = _scan(text, fold_text(text), trigger_matcher())
    engine, _ = _engine(text, hits.cues)
    return [engine.qualify(start, end) for start, end in spans]


__all__ = ["ALGORITHM", "TextReading", "qualify", "read_text"]
