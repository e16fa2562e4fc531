"""The condition interpreter: every condition kind, and the reasons it reports."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import TypeAdapter

from mbcnav.knowledge.schema import Condition
from mbcnav.rules import Facts, evaluate, referenced_ids

CONDITION: TypeAdapter[Any] = TypeAdapter(Condition)

FACTS = Facts(
    present=frozenset({"sym:back_pain", "sym:leg_weakness"}),
    absent=frozenset({"sym:headache"}),
    labs={"calcium_corrected_mmol_l": 3.1},
    receptors={"er": "positive", "pr": "negative", "her2": "low"},
    biomarkers={"esr1": "mutated", "pd_l1_cps": 12.0},
    setting="metastatic",
    subtype="hr_pos_her2_neg",
    known_sites=frozenset({"site:bone"}),
    suspected_sites=frozenset({"site:liver"}),
    flags=frozenset({"flag:hypercalcaemia"}),
    prior_therapies=frozenset({"tx:ai_cdk46i"}),
    prior_modalities=frozenset({"hormonal_therapy"}),
)


def check(raw: dict[str, Any]) -> tuple[bool, tuple[str, ...]]:
    match = evaluate(CONDITION.validate_python(raw), FACTS)
    return match.matched, match.because


@pytest.mark.parametrize(
    ("raw", "matched"),
    [
        ({"finding": "sym:back_pain"}, True),
        ({"finding": "sym:headache"}, False),
        ({"absent": "sym:headache"}, True),
        ({"absent": "sym:back_pain"}, False),
        ({"lab": "calcium_corrected_mmol_l", "gt": 2.9}, True),
        ({"lab": "calcium_corrected_mmol_l", "gt": 2.9, "le": 3.0}, False),
        ({"lab": "bilirubin_umol_l", "gt": 0}, False),
        ({"receptor": "her2", "in": ["low", "ultralow"]}, True),
        ({"biomarker": "esr1", "in": ["mutated"]}, True),
        ({"biomarker": "pd_l1_cps", "ge": 10}, True),
        ({"biomarker": "pd_l1_cps", "ge": 20}, False),
        ({"setting": ["metastatic"]}, True),
        ({"subtype": ["triple_negative"]}, False),
        ({"site": "site:bone", "status": "known"}, True),
        ({"site": "site:liver", "status": "known"}, False),
        ({"site": "site:liver"}, True),
        ({"flag": "flag:hypercalcaemia"}, True),
        ({"prior_therapy": "tx:ai_cdk46i"}, True),
        ({"prior_modality": "chemotherapy"}, False),
        ({"not": {"finding": "sym:headache"}}, True),
        ({"all": [{"finding": "sym:back_pain"}, {"finding": "sym:seizure"}]}, False),
        ({"any": [{"finding": "sym:seizure"}, {"finding": "sym:back_pain"}]}, True),
        ({"at_least": 2, "of": [{"finding": "sym:back_pain"}, {"finding": "sym:seizure"}]}, False),
    ],
)
def test_each_condition_kind(raw: dict[str, Any], matched: bool) -> None:
    assert check(raw)[0] is matched


def test_reasons_name_what_made_the_condition_hold() -> None:
    matched, because = check(
        {
            "all": [
                {"any": [{"finding": "sym:leg_weakness"}, {"finding": "sym:seizure"}]},
                {"finding": "sym:back_pain"},
                {"finding": "sym:back_pain"},
                {"site": "site:liver"},
            ]
        }
    )
    assert matched
    assert because == ("sym:leg_weakness", "sym:back_pain", "site:liver (suspected)")


def test_referenced_ids() -> None:
    raw = {"any": [{"finding": "sym:a"}, {"not": {"flag": "flag:b"}}, {"site": "site:c"}]}
    assert referenced_ids(CONDITION.validate_python(raw)) == {"sym:a", "flag:b", "site:c"}
