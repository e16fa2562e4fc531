"""Cross-reference and content checks: every problem in the knowledge base, reported at once.

The schema (``schema.py``) checks each record alone; these checks look across records and files:
identifiers that resolve, sources that exist, the ids the public contract promises, a complete
network, estimates that say why. A reviewer fixing the data wants the whole list, not the
first error, so every check returns problems instead of raising. One module per concern; this
package runs them in a stable order.
"""

from __future__ import annotations

from mbcnav.knowledge.checks.concepts import check_concepts
from mbcnav.knowledge.checks.duplicates import check_duplicates
from mbcnav.knowledge.checks.estimates import check_estimates
from mbcnav.knowledge.checks.network import check_network, check_probabilities
from mbcnav.knowledge.checks.problem import Problem, Records
from mbcnav.knowledge.checks.provenance import check_provenance
from mbcnav.knowledge.checks.references import (
    check_flag_cycles,
    check_references,
    check_route_consistency,
)
from mbcnav.knowledge.checks.required import REQUIRED_FLAGS, REQUIRED_SITES, check_required
from mbcnav.knowledge.checks.sources import check_sources
from mbcnav.knowledge.checks.terms import check_terms, normalise_term
from mbcnav.knowledge.checks.version import check_version
from mbcnav.knowledge.checks.walk import condition_refs


def run_checks(records: Records) -> list[Problem]:
    """Every cross-file and content problem, in a stable order."""
    problems: list[Problem] = []
    for check in (
        check_duplicates,
        check_sources,
        check_provenance,
        check_references,
        check_route_consistency,
        check_flag_cycles,
        check_required,
        check_network,
        check_probabilities,
        check_estimates,
        check_terms,
        check_concepts,
    ):
        problems.extend(check(records))
    return problems


__all__ = [
    "REQUIRED_FLAGS",
    "REQUIRED_SITES",
    "Problem",
    "Records",
    "check_version",
    "condition_refs",
    "normalise_term",
    "run_checks",
]
