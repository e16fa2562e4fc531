"""The Bayesian network (MBC-E207, MBC-E206): complete coverage and usable probabilities."""

from __future__ import annotations

from typing import get_args

from mbcnav.knowledge.checks.problem import Problem, Records
from mbcnav.knowledge.checks.walk import mention_blocks
from mbcnav.knowledge.schema import Network
from mbcnav.types import Subtype

SUBTYPES: tuple[str, ...] = get_args(Subtype)
SETTINGS = ("surveillance", "suspected", "metastatic")


def check_network(records: Records) -> list[Problem]:
    """The network must cover every site, subtype, setting and symptom it is asked about."""
    network = records.network
    if network is None:
        return []
    problems: list[Problem] = []
    prior_sites = {prior.site for prior in network.priors}
    problems += [
        Problem(
            "MBC-E207",
            "network.yaml",
            f"prior {site.id}",
            "priors",
            f"{site.id} has no prior; every site needs one",
        )
        for site in records.sites
        if site.id not in prior_sites
    ]
    for prior in network.priors:
        problems += [
            Problem(
                "MBC-E207",
                "network.yaml",
                f"prior {prior.site}",
                f"metastatic.{subtype}",
                f"The prior for {prior.site} has no value for the subtype {subtype}",
            )
            for subtype in SUBTYPES
            if subtype not in prior.metastatic
        ]
    problems += _missing_parts(network)
    problems += _symptom_coverage(records, network)
    return problems


def _missing_parts(network: Network) -> list[Problem]:
    settings = {scale.setting for scale in network.settings}
    rules = {rule.subtype for rule in network.subtypes}
    return [
        Problem(
            "MBC-E207", "network.yaml", setting, "settings", f"The setting {setting} has no scale"
        )
        for setting in SETTINGS
        if setting not in settings
    ] + [
        Problem(
            "MBC-E207", "network.yaml", subtype, "subtypes", f"No subtype rule yields {subtype}"
        )
        for subtype in SUBTYPES
        if subtype not in rules
    ]


def _symptom_coverage(records: Records, network: Network) -> list[Problem]:
    """Every network symptom needs a leak and at least one link, or the network cannot weigh
    it; a ``context`` finding (treatment or course, not a site's effect) must have neither."""
    leaked = {leak.symptom for leak in network.leaks}
    linked = {link.symptom for link in network.links}
    weighed = [symptom for symptom in records.symptoms if symptom.in_network]
    problems = [
        Problem(
            "MBC-E207",
            "network.yaml",
            f"leak {symptom.id}",
            "leaks",
            f"{symptom.id} has no leak (background probability)",
        )
        for symptom in weighed
        if symptom.id not in leaked
    ]
    problems += [
        Problem(
            "MBC-E207",
            "network.yaml",
            symptom.id,
            "links",
            f"{symptom.id} is linked to no site, so the network cannot use it",
        )
        for symptom in weighed
        if symptom.id not in linked
    ]
    problems += [
        Problem(
            "MBC-E207",
            "network.yaml",
            symptom.id,
            "links",
            f"{symptom.id} is a context finding (kind: context): it says nothing about a "
            "site, so it takes no link or leak",
        )
        for symptom in records.symptoms
        if not symptom.in_network and (symptom.id in leaked or symptom.id in linked)
    ]
    return problems


def check_probabilities(records: Records) -> list[Problem]:
    """Exact inference works in log space: 0 and 1 would make evidence impossible or certain."""
    network = records.network
    if network is None:
        return []
    problems = [
        Problem(
            "MBC-E206",
            "network.yaml",
            f"{link.site} -> {link.symptom}",
            "p",
            f"A link probability must lie strictly between 0 and 1; got {link.p}",
        )
        for link in network.links
        if not 0.0 < link.p < 1.0
    ]
    for prior in network.priors:
        problems += [
            Problem(
                "MBC-E206",
                "network.yaml",
                f"prior {prior.site}",
                f"metastatic.{subtype}",
                f"A prior must lie strictly between 0 and 1; got {value}",
            )
            for subtype, value in prior.metastatic.items()
            if not 0.0 < value < 1.0
        ]
    problems += [
        Problem(
            "MBC-E206",
            "network.yaml",
            name,
            "p",
            f"A mention's probability must lie strictly between 0 and 1; got {block.p}",
        )
        for name, block in mention_blocks(network)
        if not 0.0 < block.p < 1.0
    ]
    limits = network.thresholds
    if not limits.workup_site <= limits.suspected_site <= limits.treat_suspected_site:
        problems.append(
            Problem(
                "MBC-E206",
                "network.yaml",
                "thresholds",
                "thresholds",
                "Thresholds must satisfy workup_site <= suspected_site <= treat_suspected_site",
            )
        )
    return problems
