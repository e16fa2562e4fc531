"""Compile the knowledge's noisy-OR network into numpy tables, once per knowledge object.

Layout: sites ``S`` (knowledge order), observable columns ``M`` = the symptoms, then one
virtual "site named as suspected in text" column per site when the knowledge gives
``network.suspected_mention``, then one virtual "a report shows disease at the site" column per
site (observed absent when the text names the site free of disease) when it gives
``network.negated_mention``: soft evidence that stays inside the same exact model.

* ``log1m_link[s, m] = log(1 - p(site s → column m))`` (0 where no arc)
* ``log1m_leak[m]   = log(1 - leak(m))``
* ``priors[(subtype, setting)]`` = P(site) = metastatic prior(subtype) × setting scale
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from types import MappingProxyType
from typing import get_args

import numpy as np
import numpy.typing as npt

from mbcnav.knowledge.model import Knowledge
from mbcnav.knowledge.schema import Prior
from mbcnav.rules import per_knowledge
from mbcnav.types import Setting, Subtype

FloatArray = npt.NDArray[np.float64]

# Numerical guards, not clinical numbers: keep logs finite when a knowledge value is 0 or 1.
P_CEILING = 1.0 - 1e-9
MISSING_LEAK = 1e-6

SUBTYPES: tuple[str, ...] = get_args(Subtype)
SETTINGS: tuple[str, ...] = get_args(Setting)


MENTION_PREFIX = "mention"
NEGATION_PREFIX = "negated"


def mention_column(site: str) -> str:
    """Name of the virtual column for 'site named as suspected in text'."""
    return f"{MENTION_PREFIX}:{site}"


def negated_column(site: str) -> str:
    """Name of the virtual column 'a report shows disease at the site', observed absent when
    the text names the site free of disease."""
    return f"{NEGATION_PREFIX}:{site}"


@dataclass(frozen=True, eq=False)
class NetworkTables:
    """The compiled noisy-OR network: everything inference needs, as arrays."""

    sites: tuple[str, ...]
    columns: tuple[str, ...]
    site_index: MappingProxyType[str, int]
    column_index: MappingProxyType[str, int]
    log1m_link: FloatArray
    log1m_leak: FloatArray
    priors: MappingProxyType[tuple[str, str], FloatArray]

    def prior(self, subtype: str, setting: str) -> FloatArray:
        return self.priors[(subtype, setting)]

    @property
    def n_sites(self) -> int:
        return len(self.sites)

    @cached_property
    def linked(self) -> FloatArray:
        """1 where a site has an arc to a column, else 0 (sites × columns)."""
        table = (self.log1m_link < 0.0).astype(np.float64)
        table.setflags(write=False)
        return table


def _metastatic_prior(prior: Prior, subtype: str) -> float:
    """A subtype the knowledge gives no figure for falls back to 'unknown', then the mean."""
    table = prior.metastatic
    if subtype in table:
        return float(table[subtype])
    if "unknown" in table:
        return float(table["unknown"])
    return float(np.mean(list(table.values()))) if table else 0.0


def _priors(knowledge: Knowledge, sites: tuple[str, ...]) -> dict[tuple[str, str], FloatArray]:
    by_site = {prior.site: prior for prior in knowledge.network.priors}
    scales: dict[str, float] = {s.setting: s.scale for s in knowledge.network.settings}
    out: dict[tuple[str, str], FloatArray] = {}
    for subtype in SUBTYPES:
        base = np.array(
            [_metastatic_prior(by_site[s], subtype) if s in by_site else 0.0 for s in sites]
        )
        for setting in SETTINGS:
            vector = np.clip(base * scales.get(setting, 1.0), 0.0, P_CEILING)
            vector.setflags(write=False)
            out[(subtype, setting)] = vector
    return out


def _columns(knowledge: Knowledge, sites: tuple[str, ...]) -> tuple[str, ...]:
    columns = tuple(s.id for s in knowledge.symptoms.values() if s.in_network)
    if knowledge.network.suspected_mention is not None:
        columns += tuple(mention_column(site) for site in sites)
    if knowledge.network.negated_mention is not None:
        columns += tuple(negated_column(site) for site in sites)
    return columns


def _link_virtual(
    knowledge: Knowledge,
    sites: tuple[str, ...],
    column_index: dict[str, int],
    link: FloatArray,
    leak: FloatArray,
) -> None:
    """Each site's virtual columns link to that site only. The negation column keeps the
    default leak: observed absent, its leak cancels out of every posterior."""
    mention = knowledge.network.suspected_mention
    negation = knowledge.network.negated_mention
    for row, site in enumerate(sites):
        if mention is not None:
            column = column_index[mention_column(site)]
            link[row, column] = mention.p
            leak[column] = mention.leak
        if negation is not None:
            link[row, column_index[negated_column(site)]] = negation.p


def compile_network(knowledge: Knowledge) -> NetworkTables:
    """Build the tables; unknown ids in links are skipped (the knowledge checks report them)."""
    sites = tuple(knowledge.site_ids)
    columns = _columns(knowledge, sites)
    site_index = {site: i for i, site in enumerate(sites)}
    column_index = {column: i for i, column in enumerate(columns)}
    link = np.zeros((len(sites), len(columns)))
    for arc in knowledge.network.links:
        if arc.site in site_index and arc.symptom in column_index:
            link[site_index[arc.site], column_index[arc.symptom]] = arc.p
    leak = np.full(len(columns), MISSING_LEAK)
    for entry in knowledge.network.leaks:
        if entry.symptom in column_index:
            leak[column_index[entry.symptom]] = entry.leak
    _link_virtual(knowledge, sites, column_index, link, leak)
    log1m_link = np.log1p(-np.clip(link, 0.0, P_CEILING))
    log1m_leak = np.log1p(-np.clip(leak, MISSING_LEAK, P_CEILING))
    for array in (log1m_link, log1m_leak):
        array.setflags(write=False)
    return NetworkTables(
        sites=sites,
        columns=columns,
        site_index=MappingProxyType(site_index),
        column_index=MappingProxyType(column_index),
        log1m_link=log1m_link,
        log1m_leak=log1m_leak,
        priors=MappingProxyType(_priors(knowledge, sites)),
    )


tables_for = per_knowledge(compile_network)
"""Compiled tables, once per knowledge object."""


__all__ = [
    "MENTION_PREFIX",
    "NEGATION_PREFIX",
    "NetworkTables",
    "compile_network",
    "mention_column",
    "negated_column",
    "tables_for",
]
