"""Treatment gates: whether a selected treatment row may be offered now or waits for confirmation.

The gates are knowledge (``treatment_gates.yaml``): systemic therapy needs confirmed metastatic
disease, a site-directed option needs its site known, bone-modifying agents need confirmed
bone metastases. This module only reads them: which selected rows a gate looks at (its
``scope``), and whether the patient passes it.
"""

from __future__ import annotations

from mbcnav.knowledge.model import Knowledge
from mbcnav.knowledge.schema import Treatment, TreatmentGate
from mbcnav.rules import Facts, Test, compiled_test, per_knowledge

SUSPECTED_MARK = "(suspected)"
"""How the condition interpreter marks a site that held only as suspected (rules._site)."""


def flag_measure(because: tuple[str, ...], facts: Facts) -> bool:
    """Whether the row was selected because a red flag was raised (an emergency measure)."""
    return any(reason in facts.flags for reason in because)


def site_directed(row: Treatment, because: tuple[str, ...]) -> bool:
    """Aimed at a site: it names its sites, or a site only suspected selected it."""
    return bool(row.for_sites) or any(SUSPECTED_MARK in reason for reason in because)


def on_known_site(row: Treatment, because: tuple[str, ...], facts: Facts) -> bool:
    """One of the row's sites is known; a row naming no sites must not rest on a suspected one."""
    if row.for_sites:
        return any(site in facts.known_sites for site in row.for_sites)
    return not any(SUSPECTED_MARK in reason for reason in because)


def _in_scope(gate: TreatmentGate, row: Treatment, because: tuple[str, ...], facts: Facts) -> bool:
    scope = gate.scope
    return (
        (not scope.modalities or row.modality in scope.modalities)
        and (not scope.treatments or row.id in scope.treatments)
        and (not scope.for_sites or bool(set(row.for_sites) & set(scope.for_sites)))
        and (not scope.site_directed or site_directed(row, because))
        and (scope.flag_measures or not flag_measure(because, facts))
    )


@per_knowledge
def _gates(knowledge: Knowledge) -> list[tuple[TreatmentGate, Test | None]]:
    return [
        (gate, compiled_test(gate.requires) if gate.requires is not None else None)
        for gate in knowledge.treatment_gates.values()
    ]


def failed_gates(
    knowledge: Knowledge, row: Treatment, because: tuple[str, ...], facts: Facts
) -> tuple[TreatmentGate, ...]:
    """The gates (in file order) that look at this selected row and that the patient fails."""
    failed = []
    for gate, requires in _gates(knowledge):
        if not _in_scope(gate, row, because, facts):
            continue
        holds = requires is None or requires(facts)
        if not holds or (gate.requires_known_site and not on_known_site(row, because, facts)):
            failed.append(gate)
    return tuple(failed)


__all__ = ["SUSPECTED_MARK", "failed_gates", "flag_measure", "on_known_site", "site_directed"]
