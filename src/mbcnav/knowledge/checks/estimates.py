"""Estimates (MBC-E208): a number no study gives must say why it was chosen and from what."""

from __future__ import annotations

import re

from mbcnav.knowledge.checks.problem import Problem, Records
from mbcnav.knowledge.checks.walk import cited, mention_blocks
from mbcnav.knowledge.schema import Network

PLACEHOLDER = re.compile(r"\b(todo|tbd|fixme|xxx|placeholder)\b", re.IGNORECASE)


def check_estimates(records: Records) -> list[Problem]:
    problems = _record_estimates(records)
    if records.network is not None:
        problems += _network_estimates(records.network)
    return problems


def _record_estimates(records: Records) -> list[Problem]:
    problems: list[Problem] = []
    for file, record, sources, estimate in cited(records):
        if estimate is None:
            continue
        if PLACEHOLDER.search(estimate.rationale):
            problems.append(
                Problem(
                    "MBC-E208",
                    file,
                    record,
                    "estimate.rationale",
                    "The rationale is a placeholder; say why the number was chosen",
                )
            )
        if estimate.nearest_source not in sources:
            problems.append(
                Problem(
                    "MBC-E208",
                    file,
                    record,
                    "estimate.nearest_source",
                    f"The nearest source {estimate.nearest_source} must also "
                    "be listed in the record's sources",
                )
            )
    return problems


def _network_estimates(network: Network) -> list[Problem]:
    """Leaks and mention parameters are never measured, and the thresholds are a judgement:
    all must explain."""
    problems = [
        Problem(
            "MBC-E208",
            "network.yaml",
            f"leak {leak.symptom}",
            "estimate",
            "No study gives a background rate; a leak must carry an estimate with its rationale",
        )
        for leak in network.leaks
        if leak.estimate is None
    ]
    problems += [
        Problem(
            "MBC-E208",
            "network.yaml",
            name,
            "estimate",
            "No study gives how much a site named in a note says; a mention parameter must "
            "carry an estimate with its rationale",
        )
        for name, block in mention_blocks(network)
        if block.estimate is None
    ]
    if PLACEHOLDER.search(network.thresholds.rationale):
        problems.append(
            Problem(
                "MBC-E208",
                "network.yaml",
                "thresholds",
                "rationale",
                "The rationale is a placeholder; say why the thresholds were chosen",
            )
        )
    return problems
