"""What the knowledge must contain: contract ids, the article's symptoms, cited records."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mbcnav.knowledge import Knowledge
from mbcnav.knowledge.checks import REQUIRED_FLAGS, REQUIRED_SITES
from mbcnav.knowledge.compile import tables
from mbcnav.rules import Facts, evaluate
from mbcnav.types import MODALITIES

# Ids other parts of mbcnav build on (extract, reason, red flags, golden cases).
REQUIRED_SYMPTOMS = [
    "dry_cough",
    "cough",
    "chest_pain",
    "dyspnoea",
    "orthopnoea",
    "haemoptysis",
    "pleural_effusion",
    "numbness",
    "limb_weakness",
    "leg_weakness",
    "one_sided_weakness",
    "back_pain",
    "thoracic_spine_pain",
    "cervical_spine_pain",
    "progressive_lumbar_pain",
    "spinal_pain_worse_straining",
    "spinal_tenderness",
    "nocturnal_spinal_pain",
    "radicular_pain",
    "sensory_loss",
    "difficulty_walking",
    "bone_pain",
    "joint_pain",
    "pathological_fracture",
    "urinary_incontinence",
    "urinary_retention",
    "faecal_incontinence",
    "constipation",
    "loss_of_balance",
    "abdominal_bloating",
    "abdominal_pain",
    "abdominal_fullness",
    "ascites",
    "hepatomegaly",
    "jaundice",
    "loss_of_appetite",
    "weight_loss",
    "nausea",
    "vomiting",
    "seizure",
    "blurred_vision",
    "vision_loss",
    "double_vision",
    "confusion",
    "headache",
    "morning_headache",
    "dizziness",
    "memory_loss",
    "light_headedness",
    "lymph_node_lump",
    "lymph_node_pain",
    "skin_nodule",
    "facial_swelling",
    "arm_swelling",
    "distended_chest_veins",
    "cranial_nerve_palsy",
    "hearing_loss",
    "papilloedema",
    "fatigue",
    "polyuria_polydipsia",
    "drowsiness",
    "pericardial_effusion",
    "raised_jvp",
    "hypotension",
    "tachycardia",
    "speech_difficulty",
    "hypercalcaemia",
    "raised_bilirubin",
    "raised_alp",
    "raised_transaminases",
]

# The symptoms the patient article names (issue 2), each flagged `article: true`.
ARTICLE_SYMPTOMS = [
    "dry_cough",
    "numbness",
    "limb_weakness",
    "chest_pain",
    "back_pain",
    "bone_pain",
    "joint_pain",
    "urinary_incontinence",
    "faecal_incontinence",
    "urinary_retention",
    "constipation",
    "loss_of_balance",
    "abdominal_bloating",
    "abdominal_pain",
    "jaundice",
    "loss_of_appetite",
    "seizure",
    "weight_loss",
    "vomiting",
    "nausea",
    "blurred_vision",
    "vision_loss",
    "double_vision",
    "confusion",
    "dyspnoea",
    "lymph_node_lump",
    "pleural_effusion",
    "abdominal_fullness",
    "pathological_fracture",
    "headache",
    "dizziness",
    "memory_loss",
    "light_headedness",
    "one_sided_weakness",
]

# SNOMED CT concepts the fact sheet confirms (section 8.2, mark P); nothing else may appear.
CONFIRMED_SNOMED = {
    "94222008",
    "94225005",
    "94381002",
    "94391008",
    "94493005",
    "94161006",
    "94181007",
}


def test_contract_sites_exist(knowledge: Knowledge) -> None:
    assert set(REQUIRED_SITES) <= set(knowledge.sites)
    assert {"site:pericardium", "site:bone_marrow"} <= set(knowledge.sites)


def test_contract_flags_exist(knowledge: Knowledge) -> None:
    assert set(REQUIRED_FLAGS) <= set(knowledge.red_flags)


def test_every_modality_has_a_treatment(knowledge: Knowledge) -> None:
    assert {tx.modality for tx in knowledge.treatments.values()} >= set(MODALITIES)


def test_required_and_article_symptoms_exist(knowledge: Knowledge) -> None:
    missing = {f"sym:{name}" for name in REQUIRED_SYMPTOMS} - set(knowledge.symptoms)
    assert not missing
    unflagged = [name for name in ARTICLE_SYMPTOMS if not knowledge.symptoms[f"sym:{name}"].article]
    assert not unflagged


def test_every_symptom_speaks_both_languages(knowledge: Knowledge) -> None:
    for symptom in knowledge.symptoms.values():
        assert symptom.label and symptom.plain_label, symptom.id
        assert len(symptom.terms.all_terms()) >= 3, symptom.id


def test_lab_findings_are_derived_from_labs(knowledge: Knowledge) -> None:
    labs = [s for s in knowledge.symptoms.values() if s.kind == "lab"]
    assert {s.id for s in labs} >= {
        "sym:hypercalcaemia",
        "sym:raised_bilirubin",
        "sym:raised_alp",
        "sym:raised_transaminases",
    }
    high_calcium = Facts(labs={"calcium_corrected_mmol_l": 3.0})
    assert evaluate(knowledge.symptoms["sym:hypercalcaemia"].derive_from, high_calcium)
    assert not evaluate(knowledge.symptoms["sym:hypercalcaemia"].derive_from, Facts())
    high_bilirubin = Facts(labs={"bilirubin_x_uln": 2.0})
    assert evaluate(knowledge.symptoms["sym:raised_bilirubin"].derive_from, high_bilirubin)


def _cited(knowledge: Knowledge) -> Iterator[tuple[str, tuple[str, ...]]]:
    for part in ("routes", "sites", "symptoms", "red_flags", "workup", "treatments"):
        for ident, record in getattr(knowledge, part).items():
            yield ident, record.sources
    network = knowledge.network
    for group in (network.subtypes, network.settings, network.priors, network.links, network.leaks):
        for item in group:
            yield repr(item)[:60], item.sources


def test_every_clinical_record_cites_a_resolving_source(knowledge: Knowledge) -> None:
    for ident, sources in _cited(knowledge):
        assert sources, f"{ident} cites no source"
        assert set(sources) <= set(knowledge.sources), f"{ident} cites an unknown source"


def test_only_confirmed_codes(knowledge: Knowledge) -> None:
    for site in knowledge.sites.values():
        assert set(site.codes.snomed) <= CONFIRMED_SNOMED, site.id
        assert all(code[:3] in {"C77", "C78", "C79"} for code in site.codes.icd10cm), site.id


def test_routes_reach_the_sites_that_name_them(knowledge: Knowledge) -> None:
    regional = knowledge.routes["route:lymphatic_regional"]
    assert "site:lymph_nodes" in regional.reaches
    for site in knowledge.sites.values():
        assert site.routes, site.id


@pytest.mark.parametrize(
    ("receptors", "expected"),
    [
        ({"er": "positive", "pr": "negative", "her2": "low"}, "hr_pos_her2_neg"),
        ({"er": "negative", "pr": "positive", "her2": "zero"}, "hr_pos_her2_neg"),
        ({"er": "positive", "pr": "positive", "her2": "positive"}, "hr_pos_her2_pos"),
        ({"er": "negative", "pr": "negative", "her2": "positive"}, "hr_neg_her2_pos"),
        ({"er": "negative", "pr": "negative", "her2": "ultralow"}, "triple_negative"),
        ({"er": "negative", "pr": "negative", "her2": "negative"}, "triple_negative"),
        ({"er": "unknown", "pr": "unknown", "her2": "negative"}, "unknown"),
        ({"er": "positive"}, "unknown"),
        ({}, "unknown"),
    ],
)
def test_subtype_rules(knowledge: Knowledge, receptors: dict[str, str], expected: str) -> None:
    facts = Facts(receptors=receptors)
    first = next(r.subtype for r in knowledge.network.subtypes if evaluate(r.when, facts))
    assert first == expected


def test_network_covers_every_site_subtype_and_symptom(knowledge: Knowledge) -> None:
    table = tables(knowledge)
    for subtype in (
        "hr_pos_her2_neg",
        "hr_pos_her2_pos",
        "hr_neg_her2_pos",
        "triple_negative",
        "unknown",
    ):
        assert set(table.priors[subtype]) == set(knowledge.sites)
    weighed = {ident for ident, symptom in knowledge.symptoms.items() if symptom.in_network}
    assert set(table.leaks) == weighed
    assert set(table.links_by_symptom) == weighed
    scales = table.setting_scales
    assert scales["surveillance"] < scales["suspected"] < scales["metastatic"] <= 1.0


def test_known_spread_halves_the_over_the_course_priors(knowledge: Knowledge) -> None:
    """The priors count a site involved at any time in the course; with spread known, an unnamed
    site is involved now less often (about 0.62 of the count at first metastasis, iran_ijms, and
    the rest staged clear), so the metastatic scale is below 1 and says why."""
    setting = next(s for s in knowledge.network.settings if s.setting == "metastatic")
    assert setting.scale < 0.62
    assert setting.estimate is not None
    assert "src:iran_ijms" in setting.sources


def test_brain_is_likelier_in_her2_positive_and_triple_negative(knowledge: Knowledge) -> None:
    priors = tables(knowledge).priors
    brain = {subtype: values["site:brain"] for subtype, values in priors.items()}
    assert brain["hr_neg_her2_pos"] > brain["hr_pos_her2_neg"]
    assert brain["triple_negative"] > brain["hr_pos_her2_neg"]


def test_terms_name_one_record(knowledge: Knowledge) -> None:
    terms = tables(knowledge).terms
    assert terms["yellow eyes"] == "sym:jaundice"
    assert terms["sob"] == "sym:dyspnoea"
    assert terms["osseous metastases"] == "site:bone"
    assert terms["seizre"] == "sym:seizure"


@pytest.mark.parametrize(
    ("term", "symptom"),
    [
        ("decrease in appetite", "sym:loss_of_appetite"),
        ("wheelchair bound", "sym:difficulty_walking"),
        ("mental status changes", "sym:confusion"),
        ("weakness on the right side", "sym:one_sided_weakness"),
        ("left leg weak", "sym:limb_weakness"),
        ("legs felt weak", "sym:leg_weakness"),
        ("bladder or bowel dysfunction", "sym:urinary_retention"),
        ("back ache keeps me awake", "sym:nocturnal_spinal_pain"),
        ("hepatosplenomegaly", "sym:hepatomegaly"),
        ("CP", "sym:chest_pain"),
    ],
)
def test_clinic_note_phrasings_name_their_symptom(
    knowledge: Knowledge, term: str, symptom: str
) -> None:
    """Phrasings the MTSamples gold set showed missing (docs/knowledge/CHANGELOG.md)."""
    assert term in knowledge.symptoms[symptom].terms.all_terms()


def test_ambiguous_words_are_not_terms(knowledge: Knowledge) -> None:
    """Words with a common other meaning: anorexia (nervosa), PND (post-nasal drip), AMS
    (acute mountain sickness), migraine history, ring-enhancing lesions (liver abscess, liver
    metastases) as brain; and weakness or pain without a body part or pattern."""
    words = {"anorexia", "pnd", "ams", "migraine", "migraines", "ring enhancing lesions"}
    words |= {"ring-enhancing lesions", "weakness", "felt weak", "night pain"}
    records = [*knowledge.symptoms.values(), *knowledge.sites.values()]
    terms = {t.casefold() for r in records for t in r.terms.all_terms()}
    assert not words & terms
