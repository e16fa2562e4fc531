"""The network's site-mention parameters (suspected and negated): present, sourced, checked."""

from __future__ import annotations

from typing import Any

import pytest
from kb_fixtures import broken_in_memory

from mbcnav.knowledge import Knowledge

MENTIONS = ("suspected_mention", "negated_mention")


def _edit(block: str, field: str, value: Any) -> list[dict[str, Any]]:
    return [{"file": "network.yaml", "set": {"path": [block, field], "value": value}}]


def test_the_negated_mention_is_a_sourced_estimate(knowledge: Knowledge) -> None:
    negation = knowledge.network.negated_mention
    assert negation is not None
    assert 0.0 < negation.p < 1.0
    assert negation.estimate is not None
    assert negation.estimate.nearest_source in negation.sources
    assert set(negation.sources) <= set(knowledge.sources)


@pytest.mark.parametrize("block", MENTIONS)
@pytest.mark.parametrize("p", [0.0, 1.0])
def test_a_mention_may_not_be_certain_or_empty(block: str, p: float) -> None:
    problems = broken_in_memory(_edit(block, "p", p)).problems
    assert [(q.code, q.record, q.field) for q in problems] == [("MBC-E206", block, "p")]


@pytest.mark.parametrize("block", MENTIONS)
def test_a_mention_cites_listed_sources(block: str) -> None:
    problems = broken_in_memory(_edit(block, "sources", ["src:not_a_source"])).problems
    assert ("MBC-E205", block) in {(q.code, q.record) for q in problems}


@pytest.mark.parametrize("block", MENTIONS)
def test_a_mention_says_why_its_number_was_chosen(block: str) -> None:
    problems = broken_in_memory(_edit(block, "estimate", None)).problems
    assert [(q.code, q.record, q.field) for q in problems] == [("MBC-E208", block, "estimate")]


def test_a_negated_mention_has_no_leak() -> None:
    """Observed absent, a leak would cancel out: the schema refuses one rather than ignore it."""
    problems = broken_in_memory(_edit("negated_mention", "leak", 0.05)).problems
    assert problems and all(q.file == "network.yaml" for q in problems)
