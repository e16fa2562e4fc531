"""From a validated Patient (and what was read from its text) to the evidence inference uses.

Merging rules (CONTRACTS.md and the engine issue):

* a coded finding wins over text; text findings count as present only when not negated,
  historical (unless the finding is ``lasting``, like histology), hypothetical or family; as
  absent when negated (not hypothetical or family); uncertain present findings count as
  present; if text says both, present wins (safer);
* findings the knowledge derives from labs (``symptom.derive_from``) count as present;
* sites named as known in text join the known sites; named as suspected they become soft
  evidence (a virtual finding, when the knowledge parameterises it) and "suspected" facts;
  named as free of disease they become soft evidence against the site (a virtual "a report
  shows disease here" finding observed absent), unless the site is known or the same text also
  names it as known or suspected: the positive statement wins (safer).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from mbcnav.errors import InputError
from mbcnav.knowledge.model import Knowledge
from mbcnav.reason.network import mention_column, negated_column
from mbcnav.rules import Candidates, Facts, Test, candidates, compiled_test, per_knowledge
from mbcnav.types import Finding, FindingInput, Labs, Patient, SiteMention

# Unit conversions (physics, not clinical judgement): mg/dL → mmol/L and µmol/L.
CALCIUM_MG_DL_PER_MMOL_L = 4.008
BILIRUBIN_UMOL_L_PER_MG_DL = 17.104


class TextReadingLike(Protocol):
    """What the text reader returns (mbcnav.extract.TextReading)."""

    @property
    def findings(self) -> tuple[Finding, ...]: ...

    @property
    def site_mentions(self) -> tuple[SiteMention, ...]: ...

    @property
    def labs(self) -> Mapping[str, float]: ...


@dataclass(frozen=True)
class Evidence:
    """The merged, checked evidence of one patient."""

    present: tuple[str, ...]
    absent: tuple[str, ...]
    known_sites: tuple[str, ...]
    mentioned_suspected: tuple[str, ...]
    findings: tuple[Finding, ...]
    site_mentions: tuple[SiteMention, ...]
    labs: Mapping[str, float] = field(default_factory=dict)
    mentioned_negated: tuple[str, ...] = ()

    @property
    def observed(self) -> tuple[tuple[str, bool], ...]:
        """Observed network columns (finding id, present) in a stable order."""
        return tuple((i, True) for i in self.present) + tuple((i, False) for i in self.absent)


def lab_values(labs: Labs, from_text: Mapping[str, float] | None = None) -> dict[str, float]:
    """Lab values under the knowledge's names; SI wins over other units, coded over text."""
    given = {k: v for k, v in labs.model_dump().items() if v is not None}
    for key, value in (from_text or {}).items():
        given.setdefault(key, value)
    out = {k: v for k, v in given.items() if k not in _CONVERTED}
    if "calcium_corrected_mmol_l" not in out and "calcium_mg_dl" in given:
        out["calcium_corrected_mmol_l"] = given["calcium_mg_dl"] / CALCIUM_MG_DL_PER_MMOL_L
    if "bilirubin_umol_l" not in out and "bilirubin_mg_dl" in given:
        out["bilirubin_umol_l"] = given["bilirubin_mg_dl"] * BILIRUBIN_UMOL_L_PER_MG_DL
    if "bilirubin_umol_l" in out and "bilirubin_uln_umol_l" in given:
        out["bilirubin_x_uln"] = out["bilirubin_umol_l"] / given["bilirubin_uln_umol_l"]
    return out


_CONVERTED = {"calcium_mg_dl", "bilirubin_mg_dl", "bilirubin_uln_umol_l"}


def _coded(findings: Sequence[FindingInput]) -> dict[str, bool]:
    coded: dict[str, bool] = {}
    for item in findings:
        if coded.get(item.id, item.present) != item.present:
            raise InputError(
                f"The finding '{item.id}' is given both present and absent",
                code="MBC-E104",
                allowed="given once, present or absent",
                got=item.id,
                field="findings",
            )
        coded[item.id] = item.present
    return coded


def _text_polarity(finding: Finding, lasting: bool) -> bool | None:
    q = finding.qualifiers
    if q.hypothetical or q.family:
        return None
    if q.negated or not finding.present:
        return False
    return None if q.historical and not lasting else True


def _merge_text(
    coded: dict[str, bool], text: Sequence[Finding], lasting: frozenset[str]
) -> dict[str, bool]:
    merged = dict(coded)
    from_text: dict[str, bool] = {}
    for finding in text:
        polarity = _text_polarity(finding, finding.id in lasting)
        if polarity is not None and finding.id not in coded:
            from_text[finding.id] = from_text.get(finding.id, False) or polarity
    merged.update(from_text)
    return merged


def _derived(knowledge: Knowledge, merged: dict[str, bool], labs: Mapping[str, float]) -> list[str]:
    """Findings the knowledge derives, to a fixed point: a derived finding may derive another
    (an SpO2 of 88 % is hypoxia, and hypoxia is breathlessness at rest)."""
    absent = frozenset(k for k, v in merged.items() if not v)
    present = {k for k, v in merged.items() if v}
    derived: list[str] = []
    rules, may_hold = _derivable(knowledge), _derivable_index(knowledge)
    while True:
        facts = Facts(present=frozenset(present), absent=absent, labs=labs)
        # only the rules these facts can satisfy, in knowledge order (the others are false)
        new = [
            ident
            for ident, holds in (rules[i] for i in may_hold(facts))
            if ident not in merged and ident not in present and holds(facts)
        ]
        if not new:
            break
        derived += new
        present.update(new)
    return derived


@per_knowledge
def _lasting(knowledge: Knowledge) -> frozenset[str]:
    """Findings a historical statement still asserts (``symptom.lasting``: histology)."""
    return frozenset(ident for ident, symptom in knowledge.symptoms.items() if symptom.lasting)


@per_knowledge
def _derivable(knowledge: Knowledge) -> list[tuple[str, Test]]:
    """The symptoms the knowledge derives from other facts, with their compiled condition."""
    return [
        (symptom.id, compiled_test(symptom.derive_from))
        for symptom in knowledge.symptoms.values()
        if symptom.derive_from is not None
    ]


@per_knowledge
def _derivable_index(knowledge: Knowledge) -> Candidates:
    """:func:`_derivable`'s rules indexed by the findings and labs they need."""
    return candidates(
        [s.derive_from for s in knowledge.symptoms.values() if s.derive_from is not None]
    )


def gather(knowledge: Knowledge, patient: Patient, reading: TextReadingLike | None) -> Evidence:
    """Merge coded, text and lab evidence of one (already id-checked) patient."""
    coded = _coded(patient.findings)
    text_findings = reading.findings if reading is not None else ()
    mentions = reading.site_mentions if reading is not None else ()
    labs = lab_values(patient.labs, reading.labs if reading is not None else None)
    merged = _merge_text(coded, text_findings, _lasting(knowledge))
    derived = _derived(knowledge, merged, labs)
    merged.update(dict.fromkeys(derived, True))
    known = list(dict.fromkeys(patient.known_sites))
    known += [m.site for m in mentions if m.status == "known" and m.site not in known]
    suspected = [m.site for m in mentions if m.status == "suspected" and m.site not in known]
    negated = [
        m.site
        for m in mentions
        if m.status == "negated" and m.site not in known and m.site not in suspected
    ]
    shown = [Finding(id=i, present=p, source="coded") for i, p in coded.items()]
    shown += list(text_findings)
    shown += [Finding(id=i, present=True, source="lab") for i in derived]
    return Evidence(
        present=tuple(sorted(k for k, v in merged.items() if v)),
        absent=tuple(sorted(k for k, v in merged.items() if not v)),
        known_sites=tuple(s for s in known if s in knowledge.sites),
        mentioned_suspected=tuple(dict.fromkeys(s for s in suspected if s in knowledge.sites)),
        findings=tuple(shown),
        site_mentions=tuple(mentions),
        labs=labs,
        mentioned_negated=tuple(dict.fromkeys(s for s in negated if s in knowledge.sites)),
    )


def observed_columns(
    evidence: Evidence, column_index: Mapping[str, int]
) -> list[tuple[str, bool, int]]:
    """Observed findings that are network columns, plus the virtual mention columns: present
    for a suspected site, absent ("no report shows disease here") for a negated one."""
    out = [(i, p, column_index[i]) for i, p in evidence.observed if i in column_index]
    virtual = [(mention_column(s), True) for s in evidence.mentioned_suspected]
    virtual += [(negated_column(s), False) for s in evidence.mentioned_negated]
    out += [(c, p, column_index[c]) for c, p in virtual if c in column_index]
    return out


__all__ = ["Evidence", "TextReadingLike", "gather", "lab_values", "observed_columns"]
