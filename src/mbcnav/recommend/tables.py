"""A small decision-table interpreter: rows with a ``when`` condition, matched against facts.

The tables (workup, treatments) live in the knowledge; this module only selects the rows
whose condition holds and keeps the reasons, in table order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from mbcnav.knowledge.schema import Condition
from mbcnav.rules import Facts, evaluate
from mbcnav.types import URGENCY_ORDER, Urgency


class Row(Protocol):
    @property
    def id(self) -> str: ...


R = TypeVar("R", bound=Row)


@dataclass(frozen=True)
class Selected(Generic[R]):
    """A table row whose condition held, and why."""

    row: R
    because: tuple[str, ...]


def select(
    rows: Iterable[R], condition_of: Mapping[str, Condition | None], facts: Facts
) -> list[Selected[R]]:
    """Rows whose condition holds (a row without a condition is not selected by this)."""
    out: list[Selected[R]] = []
    for row in rows:
        condition = condition_of.get(row.id)
        if condition is None:
            continue
        match = evaluate(condition, facts)
        if match.matched:
            out.append(Selected(row, match.because))
    return out


def most_urgent(a: Urgency, b: Urgency) -> Urgency:
    return a if URGENCY_ORDER.index(a) <= URGENCY_ORDER.index(b) else b


__all__ = ["Selected", "most_urgent", "select"]
