"""A small decision-table interpreter: rows with a ``when`` condition, matched against facts.

The tables (workup, treatments) live in the knowledge; this module only selects the rows
whose condition holds and keeps the reasons, in table order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from mbcnav.knowledge.schema import Condition
from mbcnav.rules import Candidates, Compiled, Facts, candidates, compiled
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


@dataclass(frozen=True)
class Table(Generic[R]):
    """A table's rows that have a condition, each with it compiled, and an index of the rows
    by the ids their conditions need (most rows of a table cannot hold for a given patient)."""

    rows: list[tuple[R, Compiled]]
    may_hold: Candidates


def select(table: Table[R], facts: Facts) -> list[Selected[R]]:
    """The rows whose compiled condition holds, in table order, with why."""
    out: list[Selected[R]] = []
    rows = table.rows
    for position in table.may_hold(facts):
        row, holds = rows[position]
        match = holds(facts)
        if match.matched:
            out.append(Selected(row, match.because))
    return out


def conditional(rows: Iterable[R], condition_of: Callable[[R], Condition | None]) -> Table[R]:
    """The rows that have a condition, each with it compiled (rows without one are never
    selected by :func:`select`)."""
    pairs = [(row, condition) for row in rows if (condition := condition_of(row)) is not None]
    return Table(
        [(row, compiled(condition)) for row, condition in pairs],
        candidates([condition for _, condition in pairs]),
    )


def most_urgent(a: Urgency, b: Urgency) -> Urgency:
    return a if URGENCY_ORDER.index(a) <= URGENCY_ORDER.index(b) else b


__all__ = ["Selected", "Table", "conditional", "most_urgent", "select"]
