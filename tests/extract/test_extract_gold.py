"""The hand-labelled MTSamples gold set: the reader must stay above these floors.

Floors sit a little below the figures measured when the set was labelled (see
``benchmarks/bench_extract_gold.py``), so a knowledge-base edit may move them a little, but a
broken context rule or matcher cannot pass.
"""

from __future__ import annotations

import extract_gold
import pytest

from mbcnav.knowledge import Knowledge


@pytest.fixture(scope="module")
def result(knowledge: Knowledge) -> extract_gold.Score:
    return extract_gold.score(knowledge)


def test_gold_set_is_big_enough(result: extract_gold.Score) -> None:
    assert result.notes >= 40
    assert result.gold_symptoms + result.gold_sites >= 250


def test_symptom_detection_floor(result: extract_gold.Score) -> None:
    assert result.symptoms.precision >= 0.90
    assert result.symptoms.recall >= 0.70


def test_negation_floor(result: extract_gold.Score) -> None:
    negated = result.qualifiers["negated"]
    assert negated.precision >= 0.90
    assert negated.recall >= 0.88


def test_other_qualifier_floors(result: extract_gold.Score) -> None:
    assert result.qualifiers["hypothetical"].recall >= 0.5
    assert result.qualifiers["historical"].precision >= 0.6


def test_site_floors(result: extract_gold.Score) -> None:
    assert result.sites.precision >= 0.75
    assert result.sites.recall >= 0.60
    assert result.statuses["negated"].recall >= 0.75


def test_labels_resolve_to_their_surface() -> None:
    notes = extract_gold.load_notes()
    for gold in extract_gold.load_gold(notes):
        assert notes[gold.note_id][gold.start : gold.end].strip()
        assert gold.kind in {"sym", "site"}
