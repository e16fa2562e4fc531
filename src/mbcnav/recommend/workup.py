"""Diagnostic workup: for each site the findings point to (posterior above the knowledge's
workup threshold *and* odds raised by at least ``workup_odds_ratio`` over the prior) or
suspected (e.g. named as suspected in text), each red flag's named tests, and each conditional
row; de-duplicated, most urgent first. Known sites need no diagnostic workup of their own, and
a high prior alone (spread known elsewhere) orders no symptom-directed test. On a site-directed
item ``when`` is a gate (as in the treatment table), not a second way in."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from mbcnav.knowledge.model import Knowledge
from mbcnav.knowledge.schema import Workup
from mbcnav.recommend.tables import Table, conditional, most_urgent, select
from mbcnav.rules import Facts, Test, compiled_test, per_knowledge
from mbcnav.types import URGENCY_ORDER, RedFlag, Urgency, WorkupItem


class _Plan:
    def __init__(self) -> None:
        self.urgency: dict[str, Urgency] = {}
        self.reasons: dict[str, list[str]] = {}

    def add(self, ident: str, urgency: Urgency, reason: str) -> None:
        self.urgency[ident] = most_urgent(self.urgency.get(ident, urgency), urgency)
        reasons = self.reasons.setdefault(ident, [])
        if reason not in reasons:
            reasons.append(reason)


def _odds(p: float) -> float:
    return float("inf") if p >= 1.0 else p / (1.0 - p)


def _pointed_to(
    knowledge: Knowledge, site: str, probabilities: Mapping[str, float], priors: Mapping[str, float]
) -> bool:
    """Posterior above the workup threshold and (when the prior is given) raised by evidence."""
    thresholds = knowledge.network.thresholds
    posterior = probabilities.get(site, 0.0)
    if posterior < thresholds.workup_site:
        return False
    if site not in priors:
        return True
    return _odds(posterior) >= thresholds.workup_odds_ratio * _odds(priors[site])


@dataclass(frozen=True)
class _Tables:
    site_directed: list[tuple[Workup, Test | None]]
    selected_by_condition: Table[Workup]
    order: dict[str, int]


@per_knowledge
def _tables(knowledge: Knowledge) -> _Tables:
    """Site-directed items with their gate, and the items a condition selects."""
    items = knowledge.workup.values()
    return _Tables(
        site_directed=[
            (item, compiled_test(item.when) if item.when is not None else None)
            for item in items
            if item.for_sites
        ],
        selected_by_condition=conditional(
            items, lambda item: None if item.for_sites else item.when
        ),
        order={ident: i for i, ident in enumerate(knowledge.workup)},
    )


def workup_items(
    knowledge: Knowledge,
    facts: Facts,
    probabilities: Mapping[str, float],
    flags: tuple[RedFlag, ...],
    priors: Mapping[str, float] | None = None,
) -> tuple[WorkupItem, ...]:
    """Workup for suspected sites and raised flags, de-duplicated, ordered by urgency.

    ``priors`` (site → prior probability) enables the evidence test; without it a posterior
    above the threshold is enough."""
    priors = priors or {}
    suspected = facts.suspected_sites
    plan = _Plan()
    for flag in flags:
        rule = knowledge.red_flags[flag.id]
        for ident in rule.workup:
            if ident in knowledge.workup:
                plan.add(ident, flag.urgency, flag.id)
    tables = _tables(knowledge)
    pointed: dict[str, bool] = {}
    for item, gate in tables.site_directed:
        if gate is not None and not gate(facts):
            continue  # a site-directed item's ``when`` is a gate, e.g. first metastasis only
        for target in item.for_sites:
            site = target.site
            if site in facts.known_sites:
                continue
            if site not in pointed:
                pointed[site] = _pointed_to(knowledge, site, probabilities, priors)
            if pointed[site] or site in suspected:
                plan.add(item.id, target.urgency, site)
    for chosen in select(tables.selected_by_condition, facts):
        plan.add(chosen.row.id, chosen.row.urgency, chosen.because[0] if chosen.because else "")
    order = tables.order
    ranked = sorted(plan.urgency, key=lambda i: (URGENCY_ORDER.index(plan.urgency[i]), order[i]))
    return tuple([_item(knowledge.workup[ident], plan, ident) for ident in ranked])


def _item(item: Workup, plan: _Plan, ident: str) -> WorkupItem:
    made: WorkupItem = _WORKUP_ITEM(
        {
            "id": ident,
            "urgency": plan.urgency[ident],
            "for": tuple([r for r in plan.reasons[ident] if r]),
            "sources": item.sources,
            "label": item.label,
            "plain_label": item.plain_label,
        }
    )
    return made


# Validating a dict directly skips BaseModel.__init__'s Python layer.
_WORKUP_ITEM = WorkupItem.__pydantic_validator__.validate_python


__all__ = ["workup_items"]
