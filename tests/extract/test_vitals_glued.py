"""Vital signs written glued to their name ("HR83", "RR28", "BP90/60", "SpO288%")."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mbcnav import assess
from mbcnav.extract.vitals import read_vitals
from mbcnav.knowledge import Knowledge


def test_a_run_of_glued_vitals_reads_every_value() -> None:
    assert read_vitals("On arrival HR128, RR32, BP82/50, SpO286% on room air.") == {
        "heart_rate_per_min": 128.0,
        "respiratory_rate_per_min": 32.0,
        "systolic_bp_mmhg": 82.0,
        "diastolic_bp_mmhg": 50.0,
        "spo2_percent": 86.0,
    }


@pytest.mark.parametrize(
    "text",
    [
        "HR0.58 (95% CI 0.4-0.8)",  # a hazard ratio
        "HR830",  # no heart rate
        "RR2",  # below any breathing rate
        "BP190/200",  # diastolic above systolic
        "SpO2101%",  # above 100 %
        "ER90% PR80% HER2 negative",  # receptor percentages
        "T3 N0 M0",  # a tumour stage
        "hr83",  # the name counts only as written
    ],
)
def test_impossible_or_other_glued_values_are_not_vitals(text: str) -> None:
    assert read_vitals(text) == {}


@given(st.integers(min_value=20, max_value=300))
def test_any_plausible_glued_heart_rate_is_read(rate: int) -> None:
    assert read_vitals(f"HR{rate}, settled") == {"heart_rate_per_min": float(rate)}


@given(st.integers(min_value=301, max_value=999) | st.integers(min_value=0, max_value=19))
def test_an_implausible_glued_heart_rate_is_dropped(rate: int) -> None:
    assert read_vitals(f"HR{rate}, settled") == {}


def test_glued_vitals_make_their_findings(knowledge: Knowledge) -> None:

    result = assess(
        {"id": "p", "text": "Breathless. RR32, SpO284% on air, HR126, BP84/50."},
        knowledge=knowledge,
    )
    found = {f.id for f in result.findings if f.present}
    assert {"sym:tachypnoea", "sym:hypoxia", "sym:tachycardia", "sym:hypotension"} <= found


def test_a_glued_temperature_is_read_but_a_vertebra_is_not() -> None:
    assert read_vitals("BP216/108 HR72 RR14 T38.9C") == {
        "systolic_bp_mmhg": 216.0,
        "diastolic_bp_mmhg": 108.0,
        "heart_rate_per_min": 72.0,
        "respiratory_rate_per_min": 14.0,
        "temperature_c": 38.9,
    }
    assert read_vitals("Collapse of T12 and T4N0 disease") == {}
