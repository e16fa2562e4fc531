"""Red flags: deterministic rules over findings, labs and profile, never averaged away.

A rule may name another flag (``{flag: …}``), so rules are re-evaluated until no new flag
fires. A raised flag's escalations whose condition also holds raise its urgency (never lower
it) and add their actions and reasons. The result is ordered most urgent first, then in
knowledge order.
"""

from __future__ import annotations

from dataclasses import dataclass

from mbcnav.knowledge.model import Knowledge
from mbcnav.knowledge.schema import RedFlagRule
from mbcnav.rules import (
    Candidates,
    Compiled,
    Facts,
    Test,
    candidates,
    compiled,
    compiled_test,
    evaluate,
    names_a_flag,
    per_knowledge,
)
from mbcnav.types import URGENCY_ORDER, RedFlag


def raised_flags(knowledge: Knowledge, facts: Facts) -> tuple[RedFlag, ...]:
    """Every red flag whose condition holds, most urgent first."""
    raised: dict[str, tuple[str, ...]] = {}
    rules = _rules(knowledge)
    asked: frozenset[int] | None = None  # every rule the first time round
    for _ in range(len(knowledge.red_flags) + 1):
        current = _with_flags(facts, raised)
        before = len(raised)
        # only the rules these facts can satisfy (rules.may_hold), in knowledge order
        for position in rules.may_hold(current):
            if asked is not None and position not in asked:
                continue
            rule, test, holds = rules.all[position]
            if rule.id not in raised and test(current):  # the reasons only for a raised flag
                raised[rule.id] = holds(current).because
        if len(raised) == before:
            break
        # Only a rule that asks about flags can change its verdict once more flags are up.
        asked = rules.chained
    final = _with_flags(facts, raised)
    flags = [_escalated(knowledge.red_flags[i], because, final) for i, because in raised.items()]
    flags.sort(key=lambda flag: (URGENCY_ORDER.index(flag.urgency), rules.order[flag.id]))
    return tuple(flags)


@dataclass(frozen=True)
class _Rules:
    """Each rule with its verdict alone (``compiled_test``: short-circuits, builds no reasons;
    most flags do not fire) and its full evaluation (the reasons of one that does)."""

    all: list[tuple[RedFlagRule, Test, Compiled]]
    chained: frozenset[int]
    order: dict[str, int]
    may_hold: Candidates


@per_knowledge
def _rules(knowledge: Knowledge) -> _Rules:
    every = [
        (rule, compiled_test(rule.when), compiled(rule.when))
        for rule in knowledge.red_flags.values()
    ]
    return _Rules(
        all=every,
        chained=frozenset(i for i, item in enumerate(every) if names_a_flag(item[0].when)),
        order={ident: i for i, ident in enumerate(knowledge.red_flags)},
        may_hold=candidates([rule.when for rule in knowledge.red_flags.values()]),
    )


def _with_flags(facts: Facts, raised: dict[str, tuple[str, ...]]) -> Facts:
    flags = frozenset(raised)
    return facts if facts.flags == flags else facts.but(flags=flags)


def _escalated(rule: RedFlagRule, because: tuple[str, ...], facts: Facts) -> RedFlag:
    """The flag with every escalation whose condition holds applied."""
    urgency = rule.urgency
    reasons = list(because)
    actions = list(rule.actions)
    plain_actions = list(rule.plain_actions)
    for step in rule.escalations:
        match = evaluate(step.when, facts)
        if not match.matched:
            continue
        if URGENCY_ORDER.index(step.urgency) < URGENCY_ORDER.index(urgency):
            urgency = step.urgency
        reasons += [r for r in match.because if r not in reasons]
        actions += step.actions
        plain_actions += step.plain_actions
    return RedFlag(
        id=rule.id,
        urgency=urgency,
        because=tuple(reasons),
        actions=tuple(actions),
        sources=rule.sources,
        label=rule.label,
        plain_label=rule.plain_label,
        plain_actions=tuple(plain_actions),
    )


__all__ = ["raised_flags"]
