"""Treatment options: the knowledge's treatment table evaluated against the patient's facts.

A row applies when its ``when`` holds and, if it names ``for_sites``, one of them is known or
suspected. A row that applies is then checked against the treatment gates
(``treatment_gates.yaml``, :mod:`mbcnav.recommend.gates`): one that fails a gate is not
offered; it is listed as an option to consider once the disease is confirmed, with the gate's
reason and the tests that would confirm it (unless the gate says another row replaces it).
Offered options that still rest on a suspected site (emergency measures a red flag brought) are
marked ``suspected``. Grouped by the seven modalities (CONTRACTS.md order), then the table's
rank and line.
"""

from __future__ import annotations

from dataclasses import dataclass

from mbcnav.knowledge.model import Knowledge
from mbcnav.knowledge.schema import Treatment, TreatmentGate
from mbcnav.recommend.gates import SUSPECTED_MARK, failed_gates
from mbcnav.recommend.tables import Table, conditional, select
from mbcnav.rules import Compiled, Facts, Match, compiled_test, per_knowledge
from mbcnav.types import MODALITIES, ConfirmingTest, DeferredOption, TreatmentOption


@dataclass(frozen=True)
class TreatmentPlan:
    """What the treatment table gives one patient: options offered now, and options that wait
    for confirmation (``after_confirmation``)."""

    options: tuple[TreatmentOption, ...]
    after_confirmation: tuple[DeferredOption, ...]


def _sites(row: Treatment, facts: Facts) -> tuple[tuple[str, ...], bool] | None:
    """The row's sites that are involved, and whether they are only suspected."""
    if not row.for_sites:
        return (), False
    known = tuple(s for s in row.for_sites if s in facts.known_sites)
    suspected = tuple(s for s in row.for_sites if s in facts.suspected_sites and s not in known)
    if not known and not suspected:
        return None
    return known + suspected, not known


@per_knowledge
def _table(knowledge: Knowledge) -> Table[Treatment]:
    table = conditional(knowledge.treatments.values(), lambda row: row.when)
    return Table([(row, _on_sites(row, holds)) for row, holds in table.rows], table.may_hold)


_NOT_SELECTED = Match(False)


def _on_sites(row: Treatment, holds: Compiled) -> Compiled:
    """A row naming sites none of which is known or suspected is dropped after selection
    (:func:`_sites`), so its condition need not be asked. (The selection index that breaks
    ties in :func:`_order` keeps the other rows' relative order.)"""
    if not row.for_sites:
        return holds
    sites = frozenset(row.for_sites)

    def on_sites(facts: Facts) -> Match:
        if sites.isdisjoint(facts.known_sites) and sites.isdisjoint(facts.suspected_sites):
            return _NOT_SELECTED
        return holds(facts)

    return on_sites


def _order(row: Treatment, index: int) -> tuple[int, int, int, int]:
    return (MODALITIES.index(row.modality), row.rank, row.line or 9, index)


def treatment_plan(knowledge: Knowledge, facts: Facts) -> TreatmentPlan:
    """Every row whose conditions hold, offered or (failing a gate) deferred, by modality."""
    offered: list[tuple[tuple[int, int, int, int], TreatmentOption]] = []
    deferred: list[tuple[tuple[int, int, int, int], DeferredOption]] = []
    for index, chosen in enumerate(select(_table(knowledge), facts)):
        row = chosen.row
        sites = _sites(row, facts)
        if sites is None:
            continue
        for_sites, only_suspected = sites
        failed = failed_gates(knowledge, row, chosen.because, facts)
        if failed:
            if all(gate.after_confirmation for gate in failed):
                deferred.append(
                    (_order(row, index), _deferred(knowledge, row, for_sites, failed[0], facts))
                )
            continue
        suspected = only_suspected or any(SUSPECTED_MARK in b for b in chosen.because)
        option = _OPTION(
            {
                "id": row.id,
                "modality": row.modality,
                "intent": row.intent,
                "line": row.line,
                "because": chosen.because,
                "sources": row.sources,
                "label": row.label,
                "plain_label": row.plain_label,
                "combines_with": row.combines_with,
                "follows": row.follows,
                "for_sites": for_sites,
                "suspected": suspected,
                "approval": row.approval.status,
            }
        )
        offered.append((_order(row, index), option))
    return TreatmentPlan(
        tuple(option for _, option in sorted(offered, key=lambda item: item[0])),
        tuple(option for _, option in sorted(deferred, key=lambda item: item[0])),
    )


def treatment_options(knowledge: Knowledge, facts: Facts) -> tuple[TreatmentOption, ...]:
    """The options offered now (every gate passed), grouped by modality."""
    return treatment_plan(knowledge, facts).options


def _deferred(
    knowledge: Knowledge,
    row: Treatment,
    for_sites: tuple[str, ...],
    gate: TreatmentGate,
    facts: Facts,
) -> DeferredOption:
    """The row as an option to consider once confirmed, with the first gate it failed."""
    unconfirmed = tuple(s for s in for_sites if s not in facts.known_sites) or tuple(
        s for s in row.for_sites if s not in facts.known_sites
    )
    return DeferredOption(
        id=row.id,
        modality=row.modality,
        label=row.label,
        plain_label=row.plain_label,
        for_sites=unconfirmed,
        gate=gate.id,
        reason=gate.reason,
        plain_reason=gate.plain_reason,
        confirm_with=_confirming(knowledge, gate, unconfirmed, facts),
        sources=gate.sources,
    )


def _confirming(
    knowledge: Knowledge, gate: TreatmentGate, sites: tuple[str, ...], facts: Facts
) -> tuple[ConfirmingTest, ...]:
    """The gate's own tests, then the sites' tests of the gate's kinds that apply here."""
    chosen = list(gate.confirm_with)
    if gate.confirm_kinds:
        for item in knowledge.workup.values():
            if item.kind not in gate.confirm_kinds or item.id in chosen:
                continue
            if not any(entry.site in sites for entry in item.for_sites):
                continue
            if item.when is None or compiled_test(item.when)(facts):
                chosen.append(item.id)
    tests = (knowledge.workup[ident] for ident in chosen if ident in knowledge.workup)
    return tuple(
        ConfirmingTest(id=item.id, label=item.label, plain_label=item.plain_label) for item in tests
    )


# Validating a dict directly skips BaseModel.__init__'s Python layer.
_OPTION = TreatmentOption.__pydantic_validator__.validate_python

__all__ = ["TreatmentPlan", "treatment_options", "treatment_plan"]
