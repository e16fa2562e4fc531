"""Red flags are rules: they fire on their conditions, chain on other flags, and sort by urgency."""

from __future__ import annotations

import pytest
from kbfactory import make_knowledge

import mbcnav
from mbcnav.reason.red_flags import raised_flags
from mbcnav.rules import Facts

SRC = ["src:test"]


def _flag(ident: str, urgency: str, when: dict) -> dict:
    return {
        "id": ident,
        "label": ident,
        "plain_label": ident,
        "urgency": urgency,
        "when": when,
        "actions": [f"act on {ident}"],
        "plain_actions": ["see your team"],
        "sources": SRC,
    }


KNOWLEDGE = make_knowledge(
    3,
    4,
    red_flags=[
        _flag("flag:soon_one", "soon", {"finding": "sym:f0"}),
        _flag(
            "flag:chained",
            "emergency",
            {"all": [{"flag": "flag:urgent_one"}, {"finding": "sym:f1"}]},
        ),
        _flag("flag:urgent_one", "urgent", {"lab": "calcium_corrected_mmol_l", "gt": 2.9}),
    ],
)


def test_flags_fire_chain_and_sort_most_urgent_first() -> None:
    facts = Facts(present=frozenset({"sym:f0", "sym:f1"}), labs={"calcium_corrected_mmol_l": 3.2})
    flags = raised_flags(KNOWLEDGE, facts)
    assert [f.id for f in flags] == ["flag:chained", "flag:urgent_one", "flag:soon_one"]
    chained = flags[0]
    assert chained.because == ("flag:urgent_one", "sym:f1")
    assert chained.actions == ("act on flag:chained",) and chained.sources == tuple(SRC)


def test_no_flag_without_its_condition() -> None:
    facts = Facts(present=frozenset({"sym:f1"}), labs={"calcium_corrected_mmol_l": 2.5})
    assert raised_flags(KNOWLEDGE, facts) == ()


def test_escalation_raises_urgency_and_adds_actions() -> None:
    rule = _flag("flag:calcium", "urgent", {"lab": "calcium_corrected_mmol_l", "gt": 2.9})
    rule["escalations"] = [
        {"urgency": "emergency", "when": {"finding": "sym:f2"}, "actions": ["go now"]},
        {"urgency": "urgent", "when": {"finding": "sym:f3"}, "actions": ["also this"]},
    ]
    knowledge = make_knowledge(3, 4, red_flags=[rule])
    labs = {"calcium_corrected_mmol_l": 3.1}
    plain = raised_flags(knowledge, Facts(labs=labs))[0]
    assert plain.urgency == "urgent" and plain.actions == ("act on flag:calcium",)
    worse = raised_flags(knowledge, Facts(labs=labs, present=frozenset({"sym:f2", "sym:f3"})))[0]
    assert worse.urgency == "emergency"
    assert worse.actions == ("act on flag:calcium", "go now", "also this")
    assert "sym:f2" in worse.because
    assert raised_flags(knowledge, Facts(present=frozenset({"sym:f2"}))) == ()


# ---------------------------------------------------------------- the knowledge's emergencies,
# end to end: each flag fires on real wording, and a near miss (the same words with the one
# element that makes it an emergency missing, negated or in the past) does not raise it.

METASTATIC = {"setting": "metastatic"}

EMERGENCIES = [
    (
        "flag:neutropenic_sepsis",
        "emergency",
        {"text": "Temperature 38.6 with rigors, ten days after her third cycle of docetaxel."},
        {"text": "Temperature 38.6 with rigors. She had adjuvant docetaxel in 2015."},
    ),
    (
        "flag:neutropenic_sepsis",
        "emergency",
        {"text": "Feverish since last night.", "prior_therapies": ["tx:prior_taxane_metastatic"]},
        {"text": "No fever.", "prior_therapies": ["tx:prior_taxane_metastatic"]},
    ),
    (
        "flag:adc_pneumonitis",
        "emergency",
        {"text": "On trastuzumab deruxtecan; new dry cough and getting short of breath."},
        {"text": "On trastuzumab deruxtecan; new dry cough, not breathless."},
    ),
    (
        "flag:adc_pneumonitis",
        "urgent",
        {"text": "Dry cough for a week.", "prior_therapies": ["tx:t_dxd"]},
        {"text": "On letrozole and ribociclib; dry cough for a week."},
    ),
    (
        "flag:acute_focal_deficit",
        "emergency",
        {"text": "Weakness of the right arm and right leg since this morning."},
        {"text": "Weakness of the right arm and right leg for three weeks."},
    ),
    (
        "flag:acute_focal_deficit",
        "urgent",
        {"text": "Hemiparesis."},
        {"text": "Weakness of both legs and unsteady walking."},
    ),
    (
        "flag:reduced_consciousness",
        "emergency",
        {"text": "Her husband says she has become confused and very drowsy over two days."},
        {"text": "Her husband says she has become confused over two days but is alert."},
    ),
    (
        "flag:bowel_obstruction",
        "urgent",
        {"text": "Vomiting, abdominal distension and absolute constipation for three days."},
        {"text": "Some constipation and bloating on the new painkillers."},
    ),
    (
        "flag:biliary_obstruction",
        "urgent",
        {"text": "Her eyes have gone yellow, with pale stools, dark urine and itching all over."},
        {"text": "Dark urine after a long walk in the heat; no jaundice."},
    ),
    (
        "flag:pulmonary_visceral_crisis",
        "urgent",
        {
            "text": "Breathless at rest, now needing supplemental oxygen.",
            "known_sites": ["site:lung"],
        },
        {"text": "Breathless on climbing stairs.", "known_sites": ["site:lung"]},
    ),
    (
        "flag:marrow_visceral_crisis",
        "urgent",
        {"text": "Pancytopenia with a leucoerythroblastic film.", "known_sites": ["site:bone"]},
        {
            "text": "Pancytopenia on day 10 of cycle 3 of docetaxel.",
            "known_sites": ["site:bone"],
        },
    ),
]


@pytest.mark.parametrize(("flag", "urgency", "positive", "near_miss"), EMERGENCIES)
def test_each_emergency_fires_on_real_wording_and_not_on_its_near_miss(
    flag: str, urgency: str, positive: dict, near_miss: dict
) -> None:
    """The near miss lacks what makes it this emergency at this urgency: it raises the flag
    at a lower urgency at most (a cough on T-DXd without breathlessness is still urgent)."""
    raised = {f.id: f for f in mbcnav.assess({**METASTATIC, **positive}).red_flags}
    assert flag in raised, sorted(raised)
    assert raised[flag].urgency == urgency
    assert raised[flag].actions and raised[flag].sources
    missed = {f.id: f.urgency for f in mbcnav.assess({**METASTATIC, **near_miss}).red_flags}
    assert missed.get(flag) != urgency


def test_one_bilirubin_without_liver_metastases_is_not_a_visceral_crisis() -> None:
    """The review's reproduction: bilirubin 40 umol/L, no liver disease known."""
    receptors = {"er": "positive", "pr": "positive", "her2": "negative"}
    patient = {"labs": {"bilirubin_umol_l": 40}, "receptors": receptors, **METASTATIC}
    alone = mbcnav.assess(patient)
    assert "flag:hepatic_visceral_crisis" not in {f.id for f in alone.red_flags}
    assert "tx:chemotherapy_visceral_crisis" not in {o.id for o in alone.treatment_options}
    assert "tx:ai_cdk46i" in {o.id for o in alone.treatment_options}
    liver = mbcnav.assess({**patient, "known_sites": ["site:liver"]})
    assert "flag:hepatic_visceral_crisis" in {f.id for f in liver.red_flags}
    assert "tx:chemotherapy_visceral_crisis" in {o.id for o in liver.treatment_options}


def test_a_cholestatic_picture_is_obstruction_before_it_is_a_visceral_crisis() -> None:
    patient = {"text": "Jaundiced, with pale stools.", "known_sites": ["site:liver"]}
    raised = {f.id for f in mbcnav.assess(patient).red_flags}
    assert "flag:biliary_obstruction" in raised
    assert "flag:hepatic_visceral_crisis" not in raised


def test_new_jaundice_without_known_liver_disease_asks_for_its_cause() -> None:
    high = mbcnav.assess({"labs": {"bilirubin_umol_l": 240}, **METASTATIC})
    assert "flag:biliary_obstruction" in {f.id for f in high.red_flags}
    assert "flag:hepatic_visceral_crisis" not in {f.id for f in high.red_flags}


def test_fever_on_a_conjugate_is_both_possible_sepsis_and_possible_pneumonitis() -> None:
    """The review's reproduction: cough and fever on T-DXd raised nothing."""
    text = "On trastuzumab deruxtecan; new cough, breathlessness and fever."
    raised = {f.id: f.urgency for f in mbcnav.assess({"text": text, **METASTATIC}).red_flags}
    assert raised["flag:adc_pneumonitis"] == "emergency"
    assert raised["flag:neutropenic_sepsis"] == "emergency"


@pytest.mark.parametrize(
    ("patient", "row"),
    [
        (
            {"text": "Fever 38.6, ten days after docetaxel."},
            "tx:empiric_antibiotics_neutropenic_sepsis",
        ),
        ({"text": "On T-DXd, new dry cough."}, "tx:withhold_adc_corticosteroids_ild"),
        ({"text": "Vomiting and absolute constipation."}, "tx:mbo_medical_management"),
        ({"text": "Jaundiced; CT shows dilated bile ducts."}, "tx:biliary_stent"),
    ],
)
def test_an_emergency_brings_its_measures_without_a_confirmed_site(patient: dict, row: str) -> None:
    assert row in {o.id for o in mbcnav.assess({**METASTATIC, **patient}).treatment_options}


def test_no_stent_for_jaundice_until_imaging_shows_the_obstruction() -> None:
    options = mbcnav.assess({"text": "New jaundice with pale stools.", **METASTATIC})
    assert "tx:biliary_stent" not in {o.id for o in options.treatment_options}


def test_a_rising_bilirubin_is_the_rapid_progression_the_definition_asks_for() -> None:
    """ABC: a rapidly rising bilirubin > 1.5 x ULN; the rise named in the note stands in for
    known liver metastases when the liver is suspected."""
    rising = {"text": "Rising bilirubin over the last week.", "labs": {"bilirubin_umol_l": 45}}
    once = {"text": "Bilirubin checked today.", "labs": {"bilirubin_umol_l": 45}}
    assert "flag:hepatic_visceral_crisis" in {
        f.id for f in mbcnav.assess({**METASTATIC, **rising}).red_flags
    }
    assert "flag:hepatic_visceral_crisis" not in {
        f.id for f in mbcnav.assess({**METASTATIC, **once}).red_flags
    }


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("Fever. Options include chemotherapy or endocrine therapy.", "flag:neutropenic_sepsis"),
        ("Fever. Completed chemotherapy in 2019.", "flag:neutropenic_sepsis"),
        ("Plan to start trastuzumab deruxtecan next month. Dry cough.", "flag:adc_pneumonitis"),
    ],
)
def test_a_treatment_only_planned_or_finished_is_no_exposure(text: str, flag: str) -> None:
    assert flag not in {f.id for f in mbcnav.assess({"text": text, **METASTATIC}).red_flags}


def test_gilbert_syndrome_explains_a_raised_bilirubin() -> None:
    patient = {"labs": {"bilirubin_umol_l": 45}, "known_sites": ["site:liver"]}
    gilbert = {**patient, "findings": [{"id": "sym:gilbert_syndrome", "present": True}]}
    assert "flag:hepatic_visceral_crisis" in {f.id for f in mbcnav.assess(patient).red_flags}
    assert "flag:hepatic_visceral_crisis" not in {f.id for f in mbcnav.assess(gilbert).red_flags}
