"""Lookup tables precomputed once per knowledge version, so hot paths do no searching.

Plain tuples and read-only mappings only: the numpy arrays of the network belong to the
engine (``mbcnav.reason.network``), which builds them from these tables.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from mbcnav.knowledge.checks import normalise_term
from mbcnav.knowledge.model import Knowledge
from mbcnav.knowledge.schema import Lexicon


@dataclass(frozen=True)
class Tables:
    """Ordered ids and id-keyed lookups derived from one ``Knowledge``."""

    hash: str
    site_ids: tuple[str, ...]
    symptom_ids: tuple[str, ...]
    flag_ids: tuple[str, ...]
    site_index: Mapping[str, int]
    symptom_index: Mapping[str, int]
    links: Mapping[tuple[str, str], float]
    leaks: Mapping[str, float]
    priors: Mapping[str, Mapping[str, float]]
    setting_scales: Mapping[str, float]
    terms: Mapping[str, str]
    sites_by_route: Mapping[str, tuple[str, ...]]
    links_by_symptom: Mapping[str, tuple[tuple[str, float], ...]]


_CACHE: dict[str, Tables] = {}


def tables(knowledge: Knowledge) -> Tables:
    """The tables of ``knowledge``, built once per content hash."""
    cached = _CACHE.get(knowledge.hash)
    if cached is None:
        cached = _CACHE[knowledge.hash] = compile_tables(knowledge)
    return cached


def compile_tables(knowledge: Knowledge) -> Tables:
    network = knowledge.network
    links = {(link.site, link.symptom): link.p for link in network.links}
    by_symptom: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for (site, symptom), p in links.items():
        by_symptom[symptom].append((site, p))
    priors: dict[str, dict[str, float]] = defaultdict(dict)
    for prior in network.priors:
        for subtype, value in prior.metastatic.items():
            priors[subtype][prior.site] = value
    return Tables(
        hash=knowledge.hash,
        site_ids=knowledge.site_ids,
        symptom_ids=knowledge.symptom_ids,
        flag_ids=tuple(knowledge.red_flags),
        site_index=_index(knowledge.site_ids),
        symptom_index=_index(knowledge.symptom_ids),
        links=MappingProxyType(links),
        leaks=MappingProxyType({leak.symptom: leak.leak for leak in network.leaks}),
        priors=MappingProxyType({k: MappingProxyType(v) for k, v in priors.items()}),
        setting_scales=MappingProxyType({s.setting: s.scale for s in network.settings}),
        terms=MappingProxyType(term_table(knowledge)),
        sites_by_route=MappingProxyType(
            {route.id: route.reaches for route in knowledge.routes.values()}
        ),
        links_by_symptom=MappingProxyType({k: tuple(v) for k, v in by_symptom.items()}),
    )


def term_table(knowledge: Knowledge) -> dict[str, str]:
    """Normalised term -> the one site or symptom id it names (the checks keep it unique)."""
    lexicons: list[tuple[str, Lexicon]] = [(s.id, s.terms) for s in knowledge.sites.values()]
    lexicons += [(s.id, s.terms) for s in knowledge.symptoms.values()]
    return {
        normalise_term(term): ident for ident, lexicon in lexicons for term in lexicon.all_terms()
    }


def _index(ids: tuple[str, ...]) -> Mapping[str, int]:
    return MappingProxyType({ident: position for position, ident in enumerate(ids)})


__all__ = ["Tables", "compile_tables", "tables", "term_table"]
