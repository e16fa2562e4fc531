"""Recommendations follow confirmation (issue 12, item 1): the clinical review's reproductions
give the corrected answer, and the treatment gates of the knowledge hold across the cases."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from mbcnav import assess
from mbcnav.knowledge import Knowledge
from mbcnav.types import Assessment

REPO = Path(__file__).resolve().parents[2]
SYSTEMIC = {"chemotherapy", "hormonal_therapy", "targeted_therapy", "immunotherapy"}
HR_POSITIVE = {"er": "positive", "pr": "positive", "her2": "negative"}
MSCC_VIGNETTE = "Mid back pain for six weeks, now leg weakness and difficulty walking."
BONE_AGENTS = {"tx:denosumab", "tx:bisphosphonate_iv"}


def _count_script() -> ModuleType:
    path = REPO / "scripts" / "count_unconfirmed_options.py"
    spec = importlib.util.spec_from_file_location("count_unconfirmed_options", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _offered(result: Assessment) -> set[str]:
    return {option.id for option in result.treatment_options}


def _waiting(result: Assessment) -> set[str]:
    return {option.id for option in result.after_confirmation}


def test_no_systemic_line_is_offered_before_spread_is_confirmed() -> None:
    """Review: setting suspected with no findings offered AI + CDK4/6 inhibitor."""
    result = assess({"text": "Feels well, no complaints.", "receptors": HR_POSITIVE})
    assert not {o.modality for o in result.treatment_options} & SYSTEMIC
    assert "tx:ai_cdk46i" in _waiting(result)
    first = next(o for o in result.after_confirmation if o.id == "tx:ai_cdk46i")
    assert first.reason.startswith("confirm first")
    assert "work:biopsy_first_metastasis" in {test.id for test in first.confirm_with}


def test_the_same_patient_with_confirmed_spread_is_offered_the_first_line() -> None:
    result = assess({"text": "Feels well.", "receptors": HR_POSITIVE, "known_sites": ["site:bone"]})
    assert {"tx:ai_cdk46i", "tx:denosumab"} <= _offered(result)
    assert not _waiting(result) & {"tx:ai_cdk46i", "tx:denosumab"}


def test_surveillance_offers_no_treatment() -> None:
    result = assess({"text": "Feels well.", "receptors": HR_POSITIVE, "setting": "surveillance"})
    assert result.treatment_options == ()


def test_an_unconfirmed_brain_gets_imaging_first_not_radiosurgery() -> None:
    """Review: "Hemiparesis." in the metastatic setting offered SRS, WBRT and craniotomy."""
    result = assess({"text": "Hemiparesis.", "setting": "metastatic"})
    brain = {"tx:srs_brain", "tx:wbrt", "tx:brain_metastasis_surgery"}
    assert not _offered(result) & brain
    assert brain <= _waiting(result)
    for option in result.after_confirmation:
        if option.id in brain:
            assert option.for_sites == ("site:brain",)
            assert "work:mri_brain_contrast" in {test.id for test in option.confirm_with}


def test_a_brain_stated_as_established_is_treated() -> None:
    result = assess({"text": "Known brain metastases on MRI.", "setting": "metastatic"})
    assert "tx:srs_brain" in _offered(result)


def test_cord_compression_keeps_its_emergency_measures_and_nothing_else() -> None:
    """Review: the MSCC vignette also offered 8 Gy for uncomplicated bone pain and bone agents
    for an unconfirmed spine."""
    result = assess({"text": MSCC_VIGNETTE, "receptors": HR_POSITIVE})
    assert "flag:spinal_cord_compression" in {flag.id for flag in result.red_flags}
    offered = _offered(result)
    assert {"tx:dexamethasone_mscc", "tx:rt_mscc"} <= offered
    assert "work:mri_whole_spine" in {item.id for item in result.workup}
    assert "tx:rt_bone_single_fraction" not in offered | _waiting(result)
    assert not offered & BONE_AGENTS
    assert _waiting(result) >= BONE_AGENTS
    reasons = {o.reason for o in result.after_confirmation if o.id in BONE_AGENTS}
    assert all("bone metastases" in reason for reason in reasons)


def test_cord_compression_with_known_spine_disease_gets_bone_agents_not_bone_pain_rt() -> None:
    result = assess(
        {"text": MSCC_VIGNETTE, "receptors": HR_POSITIVE, "known_sites": ["site:spine"]}
    )
    offered = _offered(result)
    assert offered >= BONE_AGENTS
    assert "tx:rt_bone_single_fraction" not in offered | _waiting(result)


def test_uncomplicated_bone_pain_on_known_bone_disease_gets_single_fraction_rt() -> None:
    result = assess({"text": "Bone pain in the right hip.", "known_sites": ["site:bone"]})
    assert "tx:rt_bone_single_fraction" in _offered(result)


def test_hypercalcaemia_treatment_does_not_wait_for_confirmation(knowledge: Knowledge) -> None:
    result = assess({"text": "Confused and vomiting.", "labs": {"calcium_corrected_mmol_l": 3.6}})
    assert "tx:iv_saline_hypercalcaemia" in _offered(result)
    assert "tx:bisphosphonate_hypercalcaemia" in _offered(result)


def test_every_gate_cites_sources_and_a_confirming_test_exists(knowledge: Knowledge) -> None:
    assert knowledge.treatment_gates
    for gate in knowledge.treatment_gates.values():
        assert set(gate.sources) <= set(knowledge.sources)
        assert set(gate.confirm_with) <= set(knowledge.workup)


@pytest.fixture(scope="module")
def counter() -> ModuleType:
    return _count_script()


def test_no_golden_case_is_offered_treatment_for_unconfirmed_disease(counter: Any) -> None:
    totals = counter.count(list(counter.golden_patients()))["totals"]
    assert totals["cases"] > 50
    assert totals["unconfirmed"] == 0
    assert totals["bone_pain_rt"] == 0
    assert totals["after_confirmation"] > 0


def test_no_dev_case_is_offered_treatment_for_unconfirmed_disease(
    counter: Any, shared_dir: Path
) -> None:
    path = shared_dir / "data" / "cases" / "dev.jsonl"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    totals = counter.count(list(counter.dev_patients(path)))["totals"]
    assert totals["unconfirmed"] == 0 and totals["bone_pain_rt"] == 0


def test_the_counter_sees_an_offence(counter: Any) -> None:
    """The measure itself can fail: the options of confirmed bone disease, shown as if nothing
    were known, count as offered for unconfirmed disease."""
    result = assess({"text": "Feels well.", "receptors": HR_POSITIVE, "known_sites": ["site:bone"]})
    unknown = tuple(site.model_copy(update={"known": False}) for site in result.sites)
    found = counter.offences({"setting": "suspected"}, result.model_copy(update={"sites": unknown}))
    assert {"tx:ai_cdk46i", "tx:denosumab"} <= set(found["unconfirmed"])
    assert counter.offences({"setting": "suspected"}, result)["unconfirmed"] == []


def test_a_known_site_is_confirmed_spread_whatever_the_default_setting_said() -> None:
    """The web form sends its default "suspected" with the known sites ticked: a known site is
    confirmed spread, so the first line and bone agents are offered."""
    result = assess(
        {
            "text": "Bone pain in the right hip.",
            "receptors": HR_POSITIVE,
            "setting": "suspected",
            "known_sites": ["site:bone"],
        }
    )
    assert {"tx:ai_cdk46i", "tx:denosumab", "tx:rt_bone_single_fraction"} <= _offered(result)
    assert result.after_confirmation == ()


def test_leptomeningeal_radiotherapy_waits_for_mri_and_csf_even_when_flagged() -> None:
    findings = ["sym:cranial_nerve_palsy", "sym:double_vision", "sym:headache"]
    result = assess({"findings": [{"id": f} for f in findings]})
    assert "flag:leptomeningeal_disease" in {flag.id for flag in result.red_flags}
    assert "tx:focal_rt_leptomeningeal" not in _offered(result)
    (waiting,) = [o for o in result.after_confirmation if o.id == "tx:focal_rt_leptomeningeal"]
    tests = {test.id for test in waiting.confirm_with}
    assert {"work:mri_neuraxis_gadolinium", "work:csf_cytology"} <= tests
    known = assess(
        {"findings": [{"id": f} for f in findings], "known_sites": ["site:leptomeninges"]}
    )
    assert "tx:focal_rt_leptomeningeal" in _offered(known)
