"""The compiled, immutable knowledge object every part of the engine reads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from mbcnav.knowledge.schema import (
    Meta,
    Network,
    RedFlagRule,
    Route,
    Site,
    Source,
    Symptom,
    Treatment,
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

    @property
    def version(self) -> str:
        return self.meta.version

    @property
    def site_ids(self) -> tuple[str, ...]:
        return tuple(self.sites)

    @property
    def symptom_ids(self) -> tuple[str, ...]:
        return tuple(self.symptoms)
