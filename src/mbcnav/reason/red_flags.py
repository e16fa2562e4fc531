"""Red flags: deterministic rules over findings, labs and profile, never averaged away.

A rule may name another flag (``{flag: …}``), so rules are re-evaluated until no new flag
fires; the result is ordered most urgent first, then in knowledge order.
"""

from __future__ import annotations

from dataclasses import replace

from mbcnav.knowledge.model import Knowledge
from mbcnav.rules import Facts, evaluate
from mbcnav.types import URGENCY_ORDER, RedFlag


def raised_flags(knowledge: Knowledge, facts: Facts) -> tuple[RedFlag, ...]:
    """Every red flag whose condition holds, most urgent first."""
    raised: dict[str, tuple[str, ...]] = {}
    for _ in range(len(knowledge.red_flags) + 1):
        current = replace(facts, flags=frozenset(raised))
        before = len(raised)
        for rule in knowledge.red_flags.values():
            if rule.id not in raised:
                match = evaluate(rule.when, current)
                if match.matched:
                    raised[rule.id] = match.because
        if len(raised) == before:
            break
    order = {ident: i for i, ident in enumerate(knowledge.red_flags)}
    rules = sorted(
        (knowledge.red_flags[ident] for ident in raised),
        key=lambda rule: (URGENCY_ORDER.index(rule.urgency), order[rule.id]),
    )
    return tuple(
        RedFlag(
            id=rule.id,
            urgency=rule.urgency,
            because=raised[rule.id],
            actions=rule.actions,
            sources=rule.sources,
            label=rule.label,
            plain_label=rule.plain_label,
            plain_actions=rule.plain_actions,
        )
        for rule in rules
    )


__all__ = ["raised_flags"]
