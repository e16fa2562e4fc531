"""Golden cases (data in cases.jsonl): built from the patient article's symptom groups and the
fact sheet (§2.9, red flags §3, treatment by subtype §5). Expectations are ranks, sets and
probability ranges, never exact floats; a workup urgency of null means the test is not ordered.
``after_confirmation`` lists options that must wait for the spread to be confirmed (knowledge
1.1.0: withheld by a treatment gate, never offered).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mbcnav import assess
from mbcnav.knowledge import Knowledge

CASES_FILE = Path(__file__).with_name("cases.jsonl")
CASES = [json.loads(line) for line in CASES_FILE.read_text(encoding="utf-8").splitlines()]


def test_there_are_enough_golden_cases() -> None:
    assert len(CASES) >= 30
    assert len({c["id"] for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_golden_case(case: dict[str, Any], knowledge: Knowledge) -> None:
    result = assess(case["patient"], knowledge=knowledge)
    checks = case["checks"]
    ranked = [s.id for s in result.sites]
    for site in case["expected"]["sites"]:
        assert site in ranked[: checks["top"]], f"{site} not in top {checks['top']}: {ranked[:5]}"
    probability = {s.id: s.probability for s in result.sites}
    for site, (low, high) in checks.get("probability", {}).items():
        assert low <= probability[site] <= high, f"{site}={probability[site]:.3f}"
    for higher, lower in checks.get("above", []):
        assert ranked.index(higher) < ranked.index(lower), f"{higher} not above {lower}"
    raised = {f.id: f.urgency for f in result.red_flags}
    assert set(case["expected"]["red_flags"]) <= set(raised)
    for flag, urgency in checks.get("flag_urgency", {}).items():
        assert raised.get(flag) == urgency, f"{flag}: {raised.get(flag)}"
    if "red_flags_exclude" in checks:
        excluded = set(checks["red_flags_exclude"]) or set(knowledge.red_flags)
        assert not (set(raised) - set(case["expected"]["red_flags"])) & excluded
    options = {o.id for o in result.treatment_options}
    assert set(checks.get("options", [])) <= options
    assert not set(checks.get("options_exclude", [])) & options
    assert set(checks.get("modalities", [])) <= {o.modality for o in result.treatment_options}
    waiting = {o.id for o in result.after_confirmation}
    assert set(checks.get("after_confirmation", [])) <= waiting, f"waiting: {sorted(waiting)}"
    workup = {w.id: w.urgency for w in result.workup}
    for ident, urgency in checks.get("workup", {}).items():
        assert workup.get(ident) == urgency, f"{ident}: {workup.get(ident)}"
