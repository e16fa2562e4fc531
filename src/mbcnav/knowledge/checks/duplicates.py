"""Duplicate ids and duplicate network entries (MBC-E203): one id, one record."""

from __future__ import annotations

from collections import Counter

from mbcnav.knowledge.checks.problem import Problem, Records
from mbcnav.knowledge.checks.walk import LIST_NAMES
from mbcnav.knowledge.schema import Network


def check_duplicates(records: Records) -> list[Problem]:
    problems = _shared_therapy_ids(records)
    for name in LIST_NAMES:
        counts = Counter(record.id for record in getattr(records, name))
        problems += [
            Problem(
                "MBC-E203",
                f"{name}.yaml",
                ident,
                "id",
                f"The id {ident} is used by {n} records; each id must be unique",
            )
            for ident, n in counts.items()
            if n > 1
        ]
    if records.network is not None:
        problems += _network_duplicates(records.network)
    return problems


def _network_duplicates(network: Network) -> list[Problem]:
    """A link, leak, prior, setting or subtype rule listed twice would be counted twice."""
    keyed: dict[str, list[str]] = {
        "links": [f"{link.site} -> {link.symptom}" for link in network.links],
        "leaks": [leak.symptom for leak in network.leaks],
        "priors": [prior.site for prior in network.priors],
        "settings": [scale.setting for scale in network.settings],
        "subtypes": [rule.subtype for rule in network.subtypes],
    }
    return [
        Problem(
            "MBC-E203",
            "network.yaml",
            key,
            part,
            f"{key} appears {n} times in {part}; keep one entry",
        )
        for part, keys in keyed.items()
        for key, n in Counter(keys).items()
        if n > 1
    ]


def _shared_therapy_ids(records: Records) -> list[Problem]:
    rows = {tx.id for tx in records.treatments}
    return [
        Problem(
            "MBC-E203",
            "prior_therapies.yaml",
            term.id,
            "id",
            f"The id {term.id} is also a row of treatments.yaml; a therapy id must name one record",
        )
        for term in records.prior_therapies
        if term.id in rows
    ]
