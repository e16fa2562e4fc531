"""``read_text`` and ``qualify``: the two entry points of the text reader.

One pass of the automaton finds lexicon terms and context triggers together; sentences and
sections (two regex passes) are computed only when a note holds a term or a target; Python
then runs once per hit. Texts are checked first (size, binary data) and never crash the reader.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from mbcnav.errors import InputError
from mbcnav.extract.context import ContextEngine, Cue, QualifierResult, resolve_cues
from mbcnav.extract.labs import read_labs
from mbcnav.extract.lexicon import Payload, Term, matcher_for, trigger_matcher
from mbcnav.extract.matcher import PhraseMatcher
from mbcnav.extract.normalize import MAX_CHARS, Folded, check_text, fold_text
from mbcnav.extract.rules import Rule, SectionKind, default_rules, section_headings
from mbcnav.extract.sections import Section, SectionMap, find_sections
from mbcnav.extract.sentences import sentence_starts
from mbcnav.extract.sites import refine_site, site_status
from mbcnav.knowledge import Knowledge
from mbcnav.types import Finding, SiteMention

ALGORITHM = "extract.context_ac.v1"
"""Stamped into provenance so a changed reader is visible in every assessment."""


@dataclass(frozen=True, slots=True)
class TextReading:
    """What one text says: findings with spans and context, site mentions, labs, sections."""

    findings: tuple[Finding, ...] = ()
    site_mentions: tuple[SiteMention, ...] = ()
    labs: dict[str, float] = field(default_factory=dict)
    sections: tuple[Section, ...] = ()
    algorithm: str = ALGORITHM


@dataclass(frozen=True, slots=True)
class _TermHit:
    start: int
    end: int
    terms: tuple[Term, ...]


def _split_hits(
    text: str, folded: Folded, matcher: PhraseMatcher[Payload]
) -> tuple[list[tuple[int, int, tuple[Rule, ...]]], list[_TermHit]]:
    cues: list[tuple[int, int, tuple[Rule, ...]]] = []
    terms: list[_TermHit] = []

    for hit in matcher.find(folded):
        start, end = folded.span(hit.start, hit.end)
        rules = tuple(p for p in hit.payloads if isinstance(p, Rule))
        if rules:
            cues.append((start, end, rules))
        found = tuple(
            p
            for p in hit.payloads
            if isinstance(p, Term) and (p.exact is None or p.exact == text[start:end])
        )
        if found:
            terms.append(_TermHit(start, end, found))
    return cues, terms


def _longest(hits: list[_TermHit]) -> list[_TermHit]:
    """Leftmost-longest non-overlapping hits ("back pain" over "pain")."""
    kept: list[_TermHit] = []
    last_end = -1
    for hit in sorted(hits, key=lambda h: (h.start, h.start - h.end)):
        if hit.start >= last_end:
            kept.append(hit)
            last_end = hit.end
    return kept


def _engine(
    text: str, cues: list[tuple[int, int, tuple[Rule, ...]]]
) -> tuple[ContextEngine, SectionMap]:
    sections = find_sections(text, _headings())
    starts = sentence_starts(text, sections.boundaries)
    resolved: list[Cue] = resolve_cues(cues)
    return ContextEngine(text, resolved, starts, sections.sections), sections


@lru_cache(maxsize=1)
def _headings() -> dict[str, SectionKind]:
    return section_headings(default_rules())


def read_text(text: str, knowledge: Knowledge, *, max_chars: int = MAX_CHARS) -> TextReading:
    """Read symptoms, site mentions and labs from a note or a patient's own words.

    Raises InputError MBC-E600 (too large) or MBC-E601 (not text); never anything else.
    """
    text = check_text(text, max_chars=max_chars)
    labs = read_labs(text)
    folded = fold_text(text)
    cues, term_hits = _split_hits(text, folded, matcher_for(knowledge))
    if not term_hits:
        return TextReading(labs=labs)
    engine, sections = _engine(text, cues)
    findings: list[Finding] = []
    mentions: list[SiteMention] = []
    symptoms = [h for h in term_hits if any(t.kind == "symptom" for t in h.terms)]
    sites = [h for h in term_hits if any(t.kind == "site" for t in h.terms)]
    for hit in _longest(symptoms):
        result = engine.qualify(hit.start, hit.end)
        findings.extend(_finding(text, hit, term, result) for term in hit.terms if term.kind == "symptom")
    for hit in _longest(sites):
        result = engine.qualify(hit.start, hit.end)
        status = site_status(result)
        if status == "drop":
            continue
        sentence = engine.sentence(hit.start)
        for term in hit.terms:
            if term.kind == "site":
                mentions.append(
                    SiteMention(
                        site=refine_site(term.id, text, sentence),
                        status=status,
                        text=text[hit.start : hit.end],
                        start=hit.start,
                        end=hit.end,
                    )
                )
    return TextReading(tuple(findings), tuple(mentions), labs, sections.sections)


def _finding(text: str, hit: _TermHit, term: Term, result: QualifierResult) -> Finding:
    return Finding(
        id=term.id,
        present=not result.negated,
        source="text",
        text=text[hit.start : hit.end],
        start=hit.start,
        end=hit.end,
        qualifiers=result.qualifiers(),
        triggers=result.triggers,
    )


def qualify(
    text: str, spans: Sequence[tuple[int, int]], *, max_chars: int = MAX_CHARS
) -> list[QualifierResult]:
    """Context (negated, historical, hypothetical, family, uncertain) of targets found elsewhere.

    Each span is ``(start, end)`` into ``text``; spans outside the text raise MBC-E103.
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
    cues, _ = _split_hits(text, fold_text(text), trigger_matcher())
    engine, _sections = _engine(text, cues)
    return [engine.qualify(start, end) for start, end in spans]


__all__ = ["ALGORITHM", "TextReading", "qualify", "read_text"]
