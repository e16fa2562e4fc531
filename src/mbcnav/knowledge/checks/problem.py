"""The shape of a check's answer (``Problem``) and of its input (``Records``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from mbcnav.knowledge.schema import (
    Concepts,
    Meta,
    Network,
    PriorTherapyTerm,
    RedFlagRule,
    Route,
    Site,
    Source,
    SourceRules,
    Symptom,
    Treatment,
    TreatmentGate,
    Workup,
)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the knowledge base: where it is and what to do about it."""

    code: str
    file: str
    record: str
    field: str
    message: str

    def __str__(self) -> str:
        where = " ".join(part for part in (self.file, self.record, self.field) if part)
        return f"[{self.code}] {where}: {self.message}"


@dataclass(frozen=True)
class Records:
    """The records that passed the schema, plus every id declared in the raw files.

    ``declared`` holds ids of records that failed validation too, so a broken record is
    reported once (as a schema problem) and not again by everything that refers to it.
    """

    sources: tuple[Source, ...] = ()
    routes: tuple[Route, ...] = ()
    sites: tuple[Site, ...] = ()
    symptoms: tuple[Symptom, ...] = ()
    red_flags: tuple[RedFlagRule, ...] = ()
    workup: tuple[Workup, ...] = ()
    treatments: tuple[Treatment, ...] = ()
    prior_therapies: tuple[PriorTherapyTerm, ...] = ()
    treatment_gates: tuple[TreatmentGate, ...] = ()
    meta: Meta | None = None
    network: Network | None = None
    concepts: Concepts | None = None
    source_rules: SourceRules | None = None
    declared: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def ids(self, name: str) -> frozenset[str]:
        valid = {record.id for record in getattr(self, name)}
        return frozenset(valid) | self.declared.get(name, frozenset())
