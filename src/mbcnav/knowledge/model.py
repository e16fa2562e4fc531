"""The compiled, immutable knowledge object every part of the engine reads."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from mbcnav.knowledge.schema import (
    Concepts,
    Meta,
    Network,
    PriorTherapyTerm,
    RedFlagRule,
    Route,
    Site,
    Source,
    Symptom,
    Treatment,
    TreatmentGate,
    Workup,
)


@dataclass(frozen=True)
class Knowledge:
    """Validated knowledge, keyed by id, in file order; ``hash`` is the content hash."""

    meta: Meta
    hash: str
    sources: Mapping[str, Source]
    routes: Mapping[str, Route]
    sites: Mapping[str, Site]
    symptoms: Mapping[str, Symptom]
    network: Network
    red_flags: Mapping[str, RedFlagRule]
    workup: Mapping[str, Workup]
    treatments: Mapping[str, Treatment]
    prior_therapies: Mapping[str, PriorTherapyTerm] = field(
        default_factory=lambda: MappingProxyType({})
    )
    concepts: Concepts = field(default_factory=Concepts)
    treatment_gates: Mapping[str, TreatmentGate] = field(
        default_factory=lambda: MappingProxyType({})
    )

    def is_therapy(self, ident: str) -> bool:
        """Whether ``ident`` may appear in Patient.prior_therapies (a row or a prior term)."""
        return ident in self.treatments or ident in self.prior_therapies

    def prior_modalities(self, idents: Iterable[str]) -> frozenset[str]:
        """The modalities ``{prior_modality: …}`` sees: treatment rows (all for metastatic
        disease) and prior-therapy terms of the ``metastatic`` or ``any`` setting; adjuvant
        terms count only by id. Unknown ids are ignored (callers validate ids first)."""
        found: set[str] = set()
        for ident in idents:
            if ident in self.treatments:
                found.add(self.treatments[ident].modality)
            elif ident in self.prior_therapies:
                term = self.prior_therapies[ident]
                if term.setting != "adjuvant":
                    found.add(term.modality)
        return frozenset(found)

    @property
    def version(self) -> str:
        return self.meta.version

    @property
    def site_ids(self) -> tuple[str, ...]:
        return tuple(self.sites)

    @property
    def symptom_ids(self) -> tuple[str, ...]:
        return tuple(self.symptoms)
