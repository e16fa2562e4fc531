"""Treatment options: the knowledge's treatment table evaluated against the patient's facts.

A row applies when its ``when`` holds and, if it names ``for_sites``, one of them is known or
suspected. Options that rest on a suspected (not confirmed) site are marked ``suspected``.
Grouped by the seven modalities (CONTRACTS.md order), then the table's rank and line.
"""

from __future__ import annotations

from mbcnav.knowledge.model import Knowledge
from mbcnav.knowledge.schema import Treatment
from mbcnav.recommend.tables import conditional, select
from mbcnav.rules import Compiled, Facts, per_knowledge
from mbcnav.types import MODALITIES, TreatmentOption

SUSPECTED_MARK = "(suspected)"


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
def _table(knowledge: Knowledge) -> list[tuple[Treatment, Compiled]]:
    return conditional(knowledge.treatments.values(), lambda row: row.when)


def treatment_options(knowledge: Knowledge, facts: Facts) -> tuple[TreatmentOption, ...]:
    """Every option whose conditions hold, grouped by modality."""
    options: list[tuple[tuple[int, int, int, int], TreatmentOption]] = []
    for index, chosen in enumerate(select(_table(knowledge), facts)):
        row = chosen.row
        sites = _sites(row, facts)
        if sites is None:
            continue
        for_sites, only_suspected = sites
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
        key = (MODALITIES.index(row.modality), row.rank, row.line or 9, index)
        options.append((key, option))
    return tuple(option for _, option in sorted(options, key=lambda item: item[0]))


# Validating a dict directly skips BaseModel.__init__'s Python layer.
_OPTION = TreatmentOption.__pydantic_validator__.validate_python

__all__ = ["treatment_options"]
