"""Red-flag escalations and the prior-therapy vocabulary: shape, checks and behaviour."""

from __future__ import annotations

import pytest
from kb_fixtures import broken_in_memory
from test_clinical_tables import Profile, facts_for, flags_for, options_for

from mbcnav.knowledge import Knowledge
from mbcnav.knowledge.compile import tables
from mbcnav.rules import evaluate

HYPERCALCAEMIA = "flag:hypercalcaemia"
HR_POS = {"er": "positive", "pr": "positive", "her2": "low"}


def raised(profile: Profile, k: Knowledge) -> dict[str, tuple[str, int]]:
    """Raised flag -> (urgency after escalation, number of actions): the engine's contract."""
    facts = facts_for(profile, k)
    out: dict[str, tuple[str, int]] = {}
    for flag_id in flags_for(profile, k):
        urgency, actions, _, _ = k.red_flags[flag_id].escalated(
            lambda cond: evaluate(cond, facts).matched
        )
        out[flag_id] = (urgency, len(actions))
    return out


# ---------------------------------------------------------------- escalations


@pytest.mark.parametrize(
    ("labs", "findings", "urgency"),
    [
        ({"calcium_corrected_mmol_l": 3.0}, set(), "urgent"),
        ({"calcium_corrected_mmol_l": 3.6}, set(), "emergency"),
        ({"calcium_corrected_mmol_l": 3.0}, {"sym:confusion"}, "emergency"),
        ({"calcium_corrected_mmol_l": 3.0}, {"sym:polyuria_polydipsia"}, "urgent"),
        ({}, {"sym:hypercalcaemia", "sym:drowsiness"}, "emergency"),
    ],
)
def test_hypercalcaemia_escalates_at_grade_4_or_with_symptoms(
    knowledge: Knowledge, labs: dict[str, float], findings: set[str], urgency: str
) -> None:
    result = raised(Profile(labs=labs, findings=frozenset(findings)), knowledge)
    base = len(knowledge.red_flags[HYPERCALCAEMIA].actions)
    assert result[HYPERCALCAEMIA][0] == urgency
    assert (result[HYPERCALCAEMIA][1] > base) is (urgency == "emergency")


CALCITONIN = "tx:calcitonin_hypercalcaemia"
SEVERITY_PROFILES = [
    Profile(labs={"calcium_corrected_mmol_l": 3.0}),
    Profile(labs={"calcium_corrected_mmol_l": 3.6}),
    Profile(labs={"calcium_corrected_mmol_l": 3.0}, findings=frozenset({"sym:vomiting"})),
    Profile(labs={"calcium_corrected_mmol_l": 3.0}, findings=frozenset({"sym:seizure"})),
    Profile(labs={"calcium_corrected_mmol_l": 2.8}, findings=frozenset({"sym:confusion"})),
    Profile(findings=frozenset({"sym:hypercalcaemia", "sym:drowsiness"})),
    Profile(findings=frozenset({"sym:hypercalcaemia", "sym:vomiting"})),
    Profile(findings=frozenset({"sym:hypercalcaemia"})),
]


def test_no_second_flag_for_severe_hypercalcaemia(knowledge: Knowledge) -> None:
    """Severity is the escalation of flag:hypercalcaemia, never a flag of its own."""
    assert not [i for i in knowledge.red_flags if "hypercalcaemia" in i and i != HYPERCALCAEMIA]


@pytest.mark.parametrize("profile", SEVERITY_PROFILES)
def test_calcitonin_follows_the_emergency_escalation(
    knowledge: Knowledge, profile: Profile
) -> None:
    """The calcitonin row repeats the escalation's conditions: the two must not drift apart."""
    emergency = raised(profile, knowledge).get(HYPERCALCAEMIA, ("none", 0))[0] == "emergency"
    offered = CALCITONIN in {tx.id for tx in options_for(profile, knowledge)}
    assert offered is emergency


@pytest.mark.parametrize(
    ("findings", "urgency"),
    [
        ({"sym:facial_swelling", "sym:arm_swelling"}, "urgent"),
        ({"sym:facial_swelling", "sym:arm_swelling", "sym:stridor"}, "emergency"),
        ({"sym:facial_swelling", "sym:stridor"}, "emergency"),
    ],
)
def test_stridor_makes_svc_obstruction_an_emergency(
    knowledge: Knowledge, findings: set[str], urgency: str
) -> None:
    result = raised(Profile(findings=frozenset(findings)), knowledge)
    assert result["flag:svc_obstruction"][0] == urgency


def test_hepatic_crisis_with_confusion_is_an_emergency(knowledge: Knowledge) -> None:
    liver = {"site:liver": "known"}
    plain = raised(Profile(labs={"bilirubin_x_uln": 2.0}, sites=liver), knowledge)
    confused = raised(
        Profile(labs={"bilirubin_x_uln": 2.0}, findings=frozenset({"sym:confusion"}), sites=liver),
        knowledge,
    )
    assert plain["flag:hepatic_visceral_crisis"][0] == "urgent"
    assert confused["flag:hepatic_visceral_crisis"][0] == "emergency"


def test_an_escalation_may_not_lower_urgency() -> None:
    path = ["red_flags", {"id": "flag:seizure"}, "escalations"]
    lower = [{"urgency": "soon", "when": {"finding": "sym:headache"}}]
    kb = broken_in_memory([{"file": "red_flags.yaml", "set": {"path": path, "value": lower}}])
    assert [(p.code, p.record) for p in kb.problems] == [("MBC-E202", "flag:seizure")]


def test_escalation_references_are_checked() -> None:
    path = ["red_flags", {"id": "flag:seizure"}, "escalations"]
    value = [{"urgency": "emergency", "when": {"finding": "sym:nowhere"}}]
    kb = broken_in_memory([{"file": "red_flags.yaml", "set": {"path": path, "value": value}}])
    assert [(p.code, p.field) for p in kb.problems] == [("MBC-E204", "escalations.0.when")]


# ---------------------------------------------------------------- new symptoms in rules


@pytest.mark.parametrize(
    ("profile", "flag", "expected"),
    [
        (
            Profile(findings=frozenset({"sym:headache_worse_lying_or_straining", "sym:vomiting"})),
            "flag:raised_intracranial_pressure",
            True,
        ),
        (
            Profile(findings=frozenset({"sym:weight_bearing_pain"}), sites={"site:bone": "known"}),
            "flag:pathological_fracture",
            True,
        ),
        (
            Profile(findings=frozenset({"sym:weight_bearing_pain"})),
            "flag:pathological_fracture",
            False,
        ),
    ],
)
def test_new_symptoms_drive_red_flags(
    knowledge: Knowledge, profile: Profile, flag: str, expected: bool
) -> None:
    assert (flag in flags_for(profile, knowledge)) is expected


@pytest.mark.parametrize(
    ("term", "symptom"),
    [
        ("headache worse lying down", "sym:headache_worse_lying_or_straining"),
        ("headache worse when i cough", "sym:headache_worse_lying_or_straining"),
        ("stridor", "sym:stridor"),
        ("pain on weight bearing", "sym:weight_bearing_pain"),
    ],
)
def test_new_symptoms_have_reader_terms(knowledge: Knowledge, term: str, symptom: str) -> None:
    assert tables(knowledge).terms[term] == symptom


# ---------------------------------------------------------------- prior therapies


def test_prior_therapy_ids_are_their_own(knowledge: Knowledge) -> None:
    assert knowledge.prior_therapies
    assert not set(knowledge.prior_therapies) & set(knowledge.treatments)
    for term in knowledge.prior_therapies.values():
        assert set(term.sources) <= set(knowledge.sources), term.id
        assert knowledge.is_therapy(term.id)


def test_adjuvant_terms_do_not_count_as_metastatic_lines(knowledge: Knowledge) -> None:
    assert knowledge.prior_modalities({"tx:adjuvant_tamoxifen", "tx:adjuvant_ai"}) == set()
    assert knowledge.prior_modalities({"tx:prior_et_metastatic"}) == {"hormonal_therapy"}
    assert knowledge.prior_modalities({"tx:ai_cdk46i"}) == {"hormonal_therapy"}


def _options(knowledge: Knowledge, prior: set[str], **biomarkers: str) -> set[str]:
    profile = Profile(receptors=HR_POS, biomarkers=biomarkers, prior=frozenset(prior))
    return {tx.id for tx in options_for(profile, knowledge)}


def test_inavolisib_needs_relapse_within_12_months_of_adjuvant_et(knowledge: Knowledge) -> None:
    inavolisib = "tx:inavolisib_palbociclib_fulvestrant"
    assert inavolisib not in _options(knowledge, set(), pik3ca="mutated")
    resistant = {"tx:adjuvant_ai", "tx:adjuvant_et_relapse_within_12m"}
    assert inavolisib in _options(knowledge, resistant, pik3ca="mutated")


def test_adjuvant_tamoxifen_keeps_first_line_options(knowledge: Knowledge) -> None:
    options = _options(knowledge, {"tx:adjuvant_tamoxifen"}, esr1="mutated")
    assert "tx:ai_cdk46i" in options
    assert "tx:elacestrant" not in options
    assert "tx:elacestrant" in _options(knowledge, {"tx:prior_et_metastatic"}, esr1="mutated")


def test_any_prior_t_dxd_excludes_t_dxd_again(knowledge: Knowledge) -> None:
    after_chemo = _options(knowledge, {"tx:chemotherapy"})
    assert "tx:t_dxd_her2_low" in after_chemo
    for prior in ("tx:prior_t_dxd", "tx:t_dxd_her2_low_ultralow"):
        options = _options(knowledge, {"tx:chemotherapy", prior})
        assert not {"tx:t_dxd_her2_low", "tx:t_dxd_her2_low_ultralow"} & options, prior


def test_a_prior_therapy_may_not_reuse_a_treatment_id() -> None:
    record = {"id": "tx:ai_cdk46i", "label": "Twin", "modality": "hormonal_therapy"}
    record |= {"setting": "adjuvant", "sources": ["src:asco2021_hrpos"]}
    edit = {"file": "prior_therapies.yaml"}
    edit["append"] = {"key": "prior_therapies", "records": [record]}
    kb = broken_in_memory([edit])
    assert ("MBC-E203", "tx:ai_cdk46i") in {(p.code, p.record) for p in kb.problems}


def test_follows_may_name_a_prior_therapy_but_not_an_unknown_one() -> None:
    path = ["treatments", {"id": "tx:elacestrant"}, "follows"]
    known = broken_in_memory(
        [{"file": "treatments.yaml", "set": {"path": path, "value": ["tx:prior_et_metastatic"]}}]
    )
    assert known.problems == []
    unknown = broken_in_memory(
        [{"file": "treatments.yaml", "set": {"path": path, "value": ["tx:nowhere"]}}]
    )
    assert [p.code for p in unknown.problems] == ["MBC-E204"]
    assert "prior_therapies.yaml" in unknown.problems[0].message


def test_pembrolizumab_chemo_is_first_line_only(knowledge: Knowledge) -> None:
    tnbc = {"er": "negative", "pr": "negative", "her2": "zero"}

    def options(prior: set[str]) -> set[str]:
        profile = Profile(receptors=tnbc, biomarkers={"pd_l1_cps": 15.0}, prior=frozenset(prior))
        return {tx.id for tx in options_for(profile, knowledge)}

    assert "tx:pembrolizumab_chemo" in options(set())
    assert "tx:pembrolizumab_chemo" not in options({"tx:prior_taxane_metastatic"})
    assert "tx:pembrolizumab_chemo" in options({"tx:adjuvant_anthracycline_taxane"})
