"""Reading grade of real handouts: the engine and the packaged knowledge, several patients."""

from __future__ import annotations

from typing import Any

import pytest

from mbcnav.knowledge import Knowledge
from mbcnav.render.handout import build_handout, handout_html
from mbcnav.render.readability import flesch_kincaid_grade


def _coded(*ids: str) -> list[dict[str, Any]]:
    return [{"id": ident, "present": True} for ident in ids]


PATIENTS: dict[str, dict[str, Any]] = {
    "cord_compression": {
        "findings": _coded("sym:back_pain", "sym:leg_weakness", "sym:urinary_retention"),
        "receptors": {"er": "positive", "pr": "positive", "her2": "low"},
    },
    "negation_in_text": {"text": "Severe back pain for 3 weeks, denies leg weakness."},
    "liver": {
        "findings": _coded("sym:jaundice", "sym:ruq_pain", "sym:loss_of_appetite"),
        "labs": {"bilirubin_umol_l": 60},
        "receptors": {"er": "positive", "her2": "zero"},
        "setting": "metastatic",
    },
    "brain": {
        "findings": _coded("sym:morning_headache", "sym:vomiting", "sym:seizure"),
        "receptors": {"er": "negative", "pr": "negative", "her2": "positive"},
    },
    "lungs_tnbc": {
        "text": "Breathless on stairs, dry cough, chest pain on the right.",
        "receptors": {"er": "negative", "pr": "negative", "her2": "zero"},
        "biomarkers": {"pd_l1_cps": 12, "gbrca": "mutated"},
    },
    "hypercalcaemia_known_bone": {
        "findings": _coded("sym:bone_pain", "sym:confusion", "sym:constipation"),
        "labs": {"calcium_corrected_mmol_l": 3.3},
        "setting": "metastatic",
        "known_sites": ["site:bone"],
    },
    "quiet_surveillance": {"findings": _coded("sym:fatigue"), "setting": "surveillance"},
}


@pytest.fixture(scope="module")
def grades(knowledge: Knowledge) -> dict[str, float]:
    from mbcnav._api import assess

    out = {}
    for name, patient in PATIENTS.items():
        handout = build_handout(assess(patient, knowledge=knowledge), knowledge)
        assert handout_html(handout)  # renders
        out[name] = flesch_kincaid_grade(handout.plain_text())
    return out


@pytest.mark.parametrize("name", sorted(PATIENTS))
def test_handout_reading_grade_at_most_8(grades: dict[str, float], name: str) -> None:
    assert grades[name] <= 8, f"{name}: grade {grades[name]:.1f}"


def test_handouts_differ_but_all_read_easily(grades: dict[str, float]) -> None:
    assert len(set(grades.values())) > 1  # different patients, different handouts
    assert max(grades.values()) <= 8
