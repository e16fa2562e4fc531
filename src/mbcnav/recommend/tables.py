"""A small decision-table interpreter: rows with a ``when`` condition, matched against facts.

The tables (workup, treatments) live in the knowledge; this module only selects the rows
whose condition holds and keeps the reasons, in table order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from mbcnav.knowledge.schema import Condition
from mbcnav.rules import Compiled, Facts, compiled
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


def select(rows: Iterable[tuple[R, Compiled]], facts: Facts) -> list[Selected[R]]:
    """The rows whose compiled condition holds, in table order, with why."""
    out: list[Selected[R]] = []
    for row, holds in rows:
        match = holds(facts)
        if match.matched:
            out.append(Selected(row, match.because))
    return out


def conditional(
    rows: Iterable[R], condition_of: Callable[[R], Condition | None]
) -> list[tuple[R, Compiled]]:
    """The rows that have a condition, each with it compiled (rows without one are never
    selected by :func:`select`)."""
    pairs = ((row, condition_of(row)) for row in rows)
    return [(row, compiled(condition)) for row, condition in pairs if condition is not None]


def most_urgent(a: Urgency, b: Urgency) -> Urgency:
    return a if URGENCY_ORDER.index(a) <= URGENCY_ORDER.index(b) else b


__all__ = ["Selected", "conditional", "most_urgent", "select"]
