"""Vital signs read with units: values, conversions, impossible values dropped, derived findings."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mbcnav import assess
from mbcnav.extract import read_text
from mbcnav.extract.vitals import read_vitals
from mbcnav.knowledge import Knowledge


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SpO2 88% on air", {"spo2_percent": 88.0}),
        ("sats 89% on room air", {"spo2_percent": 89.0}),
        ("saturating 90% on 2L", {"spo2_percent": 90.0}),
        ("oxygen saturation was 85 % on room air", {"spo2_percent": 85.0}),
        ("RR 28", {"respiratory_rate_per_min": 28.0}),
        ("respiratory rate of 30/min", {"respiratory_rate_per_min": 30.0}),
        ("breathing at 32 breaths per minute", {"respiratory_rate_per_min": 32.0}),
        ("HR 124", {"heart_rate_per_min": 124.0}),
        ("pulse 118 bpm", {"heart_rate_per_min": 118.0}),
        ("BP 84/50", {"systolic_bp_mmhg": 84.0, "diastolic_bp_mmhg": 50.0}),
        ("90/60 mmHg", {"systolic_bp_mmhg": 90.0, "diastolic_bp_mmhg": 60.0}),
        ("systolic blood pressure of 82 mmHg", {"systolic_bp_mmhg": 82.0}),
        ("T 38.6", {"temperature_c": 38.6}),
        ("temperature 38.9 °C", {"temperature_c": 38.9}),
        ("febrile to 39.2", {"temperature_c": 39.2}),
        ("my oxygen level was 88", {"spo2_percent": 88.0}),
        ("GCS 13/15", {"gcs": 13.0}),
        ("Glasgow Coma Scale of 9", {"gcs": 9.0}),
        ("GCS was 14 out of 15", {"gcs": 14.0}),
    ],
)
def test_reads_value_and_unit(text: str, expected: dict[str, float]) -> None:
    assert read_vitals(text) == expected


def test_fahrenheit_is_converted_to_celsius() -> None:
    assert read_vitals("101.3 F") == {"temperature_c": 38.5}
    assert read_vitals("temp 101.3") == {"temperature_c": 38.5}  # the size says °F
    assert read_vitals("102 degrees Fahrenheit") == {"temperature_c": pytest.approx(38.89)}


def test_a_value_written_before_its_unit_without_a_name() -> None:
    text = "She was hypotensive (63/44 mm Hg) and tachycardic (110 beats/min)."
    assert read_vitals(text) == {
        "systolic_bp_mmhg": 63.0,
        "diastolic_bp_mmhg": 44.0,
        "heart_rate_per_min": 110.0,
    }


@pytest.mark.parametrize(
    "text",
    [
        "SpO2 101%",  # above 100 %
        "RR 0",  # no breathing is not a rate
        "temp 60 °C",  # not a body temperature
        "BP 60/90",  # systolic below diastolic
        "HR 0.58 (95% CI 0.4-0.8)",  # a hazard ratio
        "RR 1.2",  # a relative risk
        "T2 N1 M0",  # a stage
        "transferrin saturation 60%",  # not oxygen
        "pulse 38 years ago",  # a duration, not a rate
        "fever of unknown origin",  # no number
        "on 60% oxygen",  # inspired oxygen, not a saturation
        "PA systolic pressure is 46-51 mmHg",  # the pulmonary artery's
        "GCS 17",  # above the scale's 15
        "GCS 2/15",  # below its 3
    ],
)
def test_impossible_or_other_values_are_dropped(text: str) -> None:
    assert read_vitals(text) == {}


def test_a_single_letter_name_counts_only_as_written() -> None:
    assert read_vitals("T 38.6") == {"temperature_c": 38.6}
    assert read_vitals("I can't 38.6") == {}


def test_a_pair_is_not_read_as_a_single_value() -> None:
    assert read_vitals("Wt: 185 B/P: 142/70") == {
        "systolic_bp_mmhg": 142.0,
        "diastolic_bp_mmhg": 70.0,
    }


def test_the_most_abnormal_value_is_kept() -> None:
    text = "HR 124, SpO2 86%; after fluids and oxygen HR 96, SpO2 95%."
    assert read_vitals(text) == {"heart_rate_per_min": 124.0, "spo2_percent": 86.0}


_NAMES = st.sampled_from(
    ["SpO2", "sats", "RR", "HR", "pulse", "BP", "T", "temp", "", "mmHg", "bpm", "°C", "F"]
)
_PIECES = st.one_of(
    _NAMES,
    st.from_regex(r"\d{1,4}(\.\d{1,2})?", fullmatch=True),
    st.sampled_from(["/", "%", " ", "of", "was", ":", ",", "°", "x"]),
    st.text(max_size=8),
)
_RANGES = {
    "spo2_percent": (50.0, 100.0),
    "respiratory_rate_per_min": (4.0, 80.0),
    "heart_rate_per_min": (20.0, 300.0),
    "systolic_bp_mmhg": (40.0, 300.0),
    "diastolic_bp_mmhg": (10.0, 200.0),
    "temperature_c": (30.0, 45.0),
}


@given(st.lists(_PIECES, max_size=12).map(" ".join))
def test_parser_never_raises_and_values_are_in_range(text: str) -> None:
    values = read_vitals(text)
    for field, value in values.items():
        low, high = _RANGES[field]
        assert low <= value <= high
    if "systolic_bp_mmhg" in values and "diastolic_bp_mmhg" in values:
        assert values["diastolic_bp_mmhg"] < values["systolic_bp_mmhg"]


def test_the_reader_returns_vitals_with_the_labs(knowledge: Knowledge) -> None:
    reading = read_text("On arrival SpO2 88% on air, RR 28, BP 84/50, T 38.6.", knowledge)
    assert reading.labs == {
        "spo2_percent": 88.0,
        "respiratory_rate_per_min": 28.0,
        "systolic_bp_mmhg": 84.0,
        "diastolic_bp_mmhg": 50.0,
        "temperature_c": 38.6,
    }


def _derived(text: str) -> set[str]:
    result = assess({"text": text, "setting": "metastatic"})
    return {f.id for f in result.findings if f.source == "lab" and f.present}


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        ("Saturating 88% on room air.", "sym:hypoxia"),
        ("Respiratory rate 28 breaths/min.", "sym:tachypnoea"),
        ("Pulse 124 bpm.", "sym:tachycardia"),
        ("BP 84/50 mmHg.", "sym:hypotension"),
        ("Temperature 38.6 °C.", "sym:fever"),
        ("Temperature 101.3 F.", "sym:fever"),
    ],
)
def test_values_past_the_knowledge_thresholds_derive_findings(text: str, finding: str) -> None:
    assert finding in _derived(text)


def test_normal_values_derive_nothing() -> None:
    assert _derived("SpO2 97% on air, RR 16, pulse 78, BP 128/76, temperature 36.8 °C.") == set()


def test_a_low_saturation_is_hypoxia_and_so_breathless_at_rest() -> None:
    assert {"sym:hypoxia", "sym:dyspnoea_at_rest", "sym:dyspnoea"} <= _derived("SpO2 86% on air.")


def test_a_value_past_its_threshold_raises_respiratory_compromise_with_an_effusion() -> None:
    result = assess(
        {"text": "Right pleural effusion. SpO2 86% on room air, RR 30.", "setting": "metastatic"}
    )
    assert "flag:respiratory_compromise" in {flag.id for flag in result.red_flags}


@pytest.mark.parametrize(
    "text",
    [
        "Call us if your temperature is 38.5 or more.",
        "Her mother had a pulse of 130 when she was ill.",
    ],
)
def test_a_value_no_one_measured_on_the_patient_is_not_kept(
    text: str, knowledge: Knowledge
) -> None:
    assert read_text(text, knowledge).labs == {}


def test_a_measured_value_after_a_negated_finding_is_kept(knowledge: Knowledge) -> None:
    assert read_text("No distress. HR 124.", knowledge).labs == {"heart_rate_per_min": 124.0}
