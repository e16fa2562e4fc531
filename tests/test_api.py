"""The public API: assess / assess_many, coded errors, text merging, the curated __all__."""

from __future__ import annotations

import json
import random
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

import mbcnav
from mbcnav import assess, assess_many
from mbcnav._api import RankedSite, Screened, assess_screened
from mbcnav.errors import InputError, MbcnavError
from mbcnav.knowledge import Knowledge
from mbcnav.types import Assessment, Finding, Qualifiers, SiteMention

BACK_PAIN = {"id": "sym:back_pain", "present": True}


def _codes(patient: dict[str, Any], knowledge: Knowledge) -> str:
    with pytest.raises(InputError) as caught:
        assess(patient, knowledge=knowledge)
    return caught.value.code


def test_public_api_is_curated_and_sorted() -> None:
    assert mbcnav.__all__ == sorted(mbcnav.__all__)
    for name in ("assess", "assess_many", "load_knowledge", "types", "errors"):
        assert name in mbcnav.__all__


def test_assessment_lists_every_site_most_probable_first(knowledge: Knowledge) -> None:
    result = assess({"findings": [BACK_PAIN], "known_sites": ["site:liver"]}, knowledge=knowledge)
    assert isinstance(result, Assessment)
    assert {s.id for s in result.sites} == set(knowledge.sites)
    probabilities = [s.probability for s in result.sites]
    assert probabilities == sorted(probabilities, reverse=True)
    liver = next(s for s in result.sites if s.id == "site:liver")
    assert liver.probability == 1.0 and liver.known
    assert result.provenance.knowledge_hash == knowledge.hash
    assert result.provenance.algorithms["reason"] == "reason.noisy_or_exact.v1"


@pytest.mark.parametrize(
    ("patient", "code"),
    [
        ({"findings": [{"id": "sym:not_a_symptom"}]}, "MBC-E102"),
        ({"findings": [BACK_PAIN], "known_sites": ["site:moon"]}, "MBC-E102"),
        ({"findings": [BACK_PAIN], "prior_therapies": ["tx:unknown_drug"]}, "MBC-E102"),
        ({"findings": [BACK_PAIN], "receptors": {"her2": "pos"}}, "MBC-E103"),
        ({"findings": [BACK_PAIN], "setting": "later"}, "MBC-E103"),
        ({"findings": [BACK_PAIN, {"id": "sym:back_pain", "present": False}]}, "MBC-E104"),
        ({}, "MBC-E101"),
        ({"text": "   ", "receptors": {"er": "unknown"}, "age": 60, "sex": "female"}, "MBC-E101"),
        ({"setting": "metastatic", "biomarkers": {"esr1": "unknown"}}, "MBC-E101"),
        ({"text": "pain " * 30_000}, "MBC-E105"),
        ({"findings": [BACK_PAIN] * 501}, "MBC-E105"),
        ({"findings": [BACK_PAIN], "labs": {"calcium_corrected_mmol_l": -1}}, "MBC-E107"),
        ({"findings": [BACK_PAIN], "favourite_colour": "blue"}, "MBC-E100"),
    ],
)
def test_bad_input_is_a_coded_error(patient: dict[str, Any], code: str, knowledge) -> None:
    assert _codes(patient, knowledge) == code


@pytest.mark.parametrize(
    "known",
    [
        {"known_sites": ["site:bone"]},
        {"receptors": {"er": "positive"}},
        {"biomarkers": {"esr1": "mutated"}},
        {"biomarkers": {"pd_l1_cps": 0}},
        {"prior_therapies": ["tx:ai_cdk46i"]},
        {"labs": {"calcium_corrected_mmol_l": 2.4}},
    ],
)
def test_anything_clinical_known_makes_a_patient_assessable(
    known: dict[str, Any], knowledge: Knowledge
) -> None:
    """CONTRACTS.md (changed 2026-12): charts without a note are assessed, not refused."""
    result = assess(known, knowledge=knowledge)
    assert isinstance(result, Assessment) and result.sites


def test_known_disease_without_symptoms_gets_restaging_and_treatment(
    knowledge: Knowledge,
) -> None:
    """Field test: mCODE charts with known bone metastases, ER+/HER2- and no note were 422."""
    result = assess(
        {
            "known_sites": ["site:bone"],
            "receptors": {"er": "positive", "pr": "positive", "her2": "negative"},
        },
        knowledge=knowledge,
    )
    assert not result.red_flags
    assert "work:restaging" in {item.id for item in result.workup}
    assert {option.id for option in result.treatment_options} >= {"tx:ai_cdk46i"}


def test_error_message_says_what_is_allowed_and_what_we_got(knowledge: Knowledge) -> None:
    with pytest.raises(InputError) as caught:
        assess({"findings": [BACK_PAIN], "receptors": {"her2": "pos"}}, knowledge=knowledge)
    message = str(caught.value)
    assert "receptors.her2" in message and "'pos'" in message and "must be" in message


def test_assess_many_matches_assess_and_keeps_errors_in_place(knowledge: Knowledge) -> None:
    patients = [
        {"id": "a", "findings": [BACK_PAIN, {"id": "sym:leg_weakness"}]},
        {"id": "b"},
        {"id": "c", "findings": [{"id": "sym:headache"}, {"id": "sym:seizure"}]},
    ]
    results = assess_many(patients, knowledge=knowledge)
    assert isinstance(results[1], MbcnavError) and results[1].code == "MBC-E101"
    for index in (0, 2):
        one = assess(patients[index], knowledge=knowledge)
        many = results[index]
        assert isinstance(many, Assessment)
        assert [s.id for s in many.sites] == [s.id for s in one.sites]
        assert [s.probability for s in many.sites] == pytest.approx(
            [s.probability for s in one.sites], abs=1e-12
        )


def test_labs_derive_findings_and_units_convert(knowledge: Knowledge) -> None:
    si = assess({"labs": {"calcium_corrected_mmol_l": 3.0}}, knowledge=knowledge)
    conventional = assess({"labs": {"calcium_mg_dl": 3.0 * 4.008}}, knowledge=knowledge)
    assert [f.id for f in si.findings if f.source == "lab"] == ["sym:hypercalcaemia"]
    assert [f.id for f in si.red_flags] == [f.id for f in conventional.red_flags]
    assert "flag:hypercalcaemia" in {f.id for f in si.red_flags}


def _reading(*findings: Finding, mentions: tuple[SiteMention, ...] = ()) -> SimpleNamespace:
    return SimpleNamespace(findings=findings, site_mentions=mentions, labs={})


def _text(ident: str, *, negated: bool = False, family: bool = False) -> Finding:
    return Finding(
        id=ident,
        present=not negated,
        source="text",
        text=ident,
        start=0,
        end=len(ident),
        qualifiers=Qualifiers(negated=negated, family=family),
    )


def test_text_findings_merge_with_coded_ones_and_coded_wins(monkeypatch, knowledge) -> None:
    reading = _reading(
        _text("sym:back_pain", negated=True),
        _text("sym:leg_weakness"),
        _text("sym:seizure", family=True),
    )
    monkeypatch.setattr("mbcnav.extract.read_text", lambda text, kb: reading, raising=False)
    result = assess({"text": "a note", "findings": [BACK_PAIN]}, knowledge=knowledge)
    spine = next(s for s in result.sites if s.id == "site:spine")
    pushes = {b.finding: b for b in spine.because}
    assert pushes["sym:back_pain"].present  # coded present wins over negated text
    assert "sym:leg_weakness" in pushes
    assert all(b.finding != "sym:seizure" for s in result.sites for b in s.because)
    assert any(f.source == "text" and f.id == "sym:seizure" for f in result.findings)


def test_site_mentions_known_clamp_and_suspected_raise(monkeypatch, knowledge) -> None:
    mentions = (
        SiteMention(site="site:bone", status="known", text="bone mets", start=0, end=9),
        SiteMention(site="site:liver", status="suspected", text="?liver", start=10, end=16),
    )
    monkeypatch.setattr(
        "mbcnav.extract.read_text", lambda text, kb: _reading(mentions=mentions), raising=False
    )
    result = assess({"text": "bone mets ?liver"}, knowledge=knowledge)
    by_id = {s.id: s for s in result.sites}
    assert by_id["site:bone"].probability == 1.0
    assert by_id["site:liver"].probability >= by_id["site:liver"].prior
    assert result.site_mentions == mentions


def test_known_sites_imply_the_metastatic_setting_unless_given(knowledge: Knowledge) -> None:
    base = {"findings": [BACK_PAIN], "known_sites": ["site:bone"]}
    implied = assess(base, knowledge=knowledge)
    explicit = assess({**base, "setting": "metastatic"}, knowledge=knowledge)
    suspected = assess({**base, "setting": "suspected"}, knowledge=knowledge)
    prior = {s.id: s.prior for s in implied.sites}
    assert prior == {s.id: s.prior for s in explicit.sites}
    assert prior["site:liver"] > {s.id: s.prior for s in suspected.sites}["site:liver"]


def test_prior_therapy_terms_are_accepted_and_adjuvant_ones_have_no_modality(knowledge) -> None:
    adjuvant = [t for t in knowledge.prior_therapies.values() if t.setting == "adjuvant"]
    if not adjuvant:
        pytest.skip("the knowledge base has no adjuvant prior-therapy terms")
    result = assess(
        {"findings": [BACK_PAIN], "prior_therapies": [adjuvant[0].id]}, knowledge=knowledge
    )
    assert isinstance(result, Assessment)


def test_severe_hypercalcaemia_escalates_the_one_flag_and_its_workup(knowledge: Knowledge) -> None:
    result = assess({"labs": {"calcium_corrected_mmol_l": 3.6}}, knowledge=knowledge)
    flags = {f.id: f for f in result.red_flags}
    rule = knowledge.red_flags["flag:hypercalcaemia"]
    assert set(flags) == {"flag:hypercalcaemia"}
    flag = flags["flag:hypercalcaemia"]
    assert flag.urgency == "emergency"
    assert flag.actions == rule.actions + rule.escalations[0].actions
    assert flag.plain_actions[-1] == rule.escalations[0].plain_actions[-1]
    workup = {w.id: w.urgency for w in result.workup}
    assert {workup[i] for i in rule.workup} == {"emergency"}
    assert "tx:calcitonin_hypercalcaemia" in {o.id for o in result.treatment_options}


def test_grade_2_hypercalcaemia_stays_urgent_without_calcitonin(knowledge: Knowledge) -> None:
    result = assess({"labs": {"calcium_corrected_mmol_l": 3.0}}, knowledge=knowledge)
    assert [(f.id, f.urgency) for f in result.red_flags] == [("flag:hypercalcaemia", "urgent")]
    assert {w.urgency for w in result.workup if w.id == "work:calcium_renal"} == {"urgent"}
    assert "tx:calcitonin_hypercalcaemia" not in {o.id for o in result.treatment_options}


def _bone(text: str, knowledge: Knowledge) -> float:
    result = assess({"text": text, "receptors": {"er": "positive"}}, knowledge=knowledge)
    return next(s.probability for s in result.sites if s.id == "site:bone")


def test_a_suspected_mention_in_text_raises_its_site_but_not_to_certainty(
    knowledge: Knowledge,
) -> None:
    """network.suspected_mention: hedged wording is strong but soft evidence."""
    plain = _bone("CT chest, abdomen and pelvis reviewed.", knowledge)
    suspected = _bone("CT chest, abdomen and pelvis: concerning for osseous metastases.", knowledge)
    assert suspected > plain + 0.3
    assert suspected < 0.95


def test_a_negated_mention_lowers_its_site_by_the_knowledge_factor(knowledge: Knowledge) -> None:
    """network.negated_mention: "no evidence of ..." multiplies the site's odds by 1 - p."""
    negation = knowledge.network.negated_mention
    assert negation is not None
    plain = _bone("CT chest, abdomen and pelvis reviewed.", knowledge)
    negated = _bone("CT chest, abdomen and pelvis: no evidence of osseous metastases.", knowledge)
    odds = (negated / (1 - negated)) / (plain / (1 - plain))
    assert odds == pytest.approx(1 - negation.p, rel=1e-4)


def test_a_suspected_mention_orders_workup_but_no_site_directed_treatment(
    knowledge: Knowledge,
) -> None:
    result = assess({"text": "MRI: lesion concerning for brain metastasis."}, knowledge=knowledge)
    brain = next(s for s in result.sites if s.id == "site:brain")
    assert brain.probability < knowledge.network.thresholds.treat_suspected_site
    assert "work:mri_brain_contrast" in {w.id for w in result.workup}
    assert not [o for o in result.treatment_options if "site:brain" in o.for_sites]


SCREEN_NOTES = (
    "New thoracic back pain, worse at night, with leg weakness and urinary retention.",
    "No headache. Possible liver metastases on ultrasound; jaundice and itching.",
    "Known bone metastases. Dry cough and breathlessness; calcium 3.6 mmol/L.",
    "Mother had breast cancer. Patient denies chest pain. Confusion and vomiting today.",
)


def _random_patient(rng: random.Random, knowledge: Knowledge, index: int) -> dict[str, Any]:
    """A random but valid patient: coded findings, labs, profile, known sites, maybe text."""
    symptoms = sorted(knowledge.symptoms)
    chosen = rng.sample(symptoms, rng.randint(0, min(8, len(symptoms))))
    patient: dict[str, Any] = {
        "id": f"r{index}",
        "findings": [{"id": s, "present": rng.random() < 0.7} for s in chosen],
        "receptors": {
            "er": rng.choice(["positive", "negative", "unknown"]),
            "her2": rng.choice(["positive", "negative", "unknown"]),
        },
        "labs": {"calcium_corrected_mmol_l": round(rng.uniform(2.0, 4.0), 2)},
    }
    if rng.random() < 0.3:
        patient["known_sites"] = rng.sample(sorted(knowledge.sites), 1)
    if rng.random() < 0.5:
        patient["text"] = rng.choice(SCREEN_NOTES)
    return patient


def _screened(result: Assessment | MbcnavError) -> tuple[Any, ...]:
    assert isinstance(result, Assessment)
    return (
        result.id,
        [(s.id, s.probability, s.prior, s.known, s.label) for s in result.sites],
        [(f.id, f.urgency, f.because, f.actions) for f in result.red_flags],
        result.findings,
        result.site_mentions,
    )


def test_the_screening_path_equals_the_full_path_exactly(knowledge: Knowledge) -> None:
    golden = Path(__file__).parent / "golden" / "cases.jsonl"
    cases = [json.loads(line)["patient"] for line in golden.read_text().splitlines()]
    rng = random.Random(11)
    patients = cases + [_random_patient(rng, knowledge, i) for i in range(300)]
    patients.insert(5, {"findings": [{"id": "sym:not_a_symptom"}]})
    full = assess_many(patients, knowledge=knowledge)
    lean = assess_many(patients, knowledge=knowledge, detail="screen")
    assert isinstance(lean[5], InputError) and isinstance(full[5], InputError)
    assert lean[5].code == full[5].code
    good = [(f, s) for f, s in zip(full, lean, strict=True) if isinstance(f, Assessment)]
    assert len(good) == len(patients) - 1
    assert any(f.red_flags for f, _ in good) and any(f.findings for f, _ in good)
    for f, s in good:
        assert _screened(s) == _screened(f)
        assert s.workup == () and s.treatment_options == ()
        assert all(site.because == () and site.route is None for site in s.sites)
        assert s.provenance == f.provenance


def test_the_screened_rows_equal_the_screening_assessments_exactly(knowledge: Knowledge) -> None:
    golden = Path(__file__).parent / "golden" / "cases.jsonl"
    cases = [json.loads(line)["patient"] for line in golden.read_text().splitlines()]
    rng = random.Random(12)
    patients = cases + [_random_patient(rng, knowledge, i) for i in range(300)]
    patients.insert(3, {"findings": [{"id": "sym:not_a_symptom"}]})
    patients.append({"text": "No symptoms at all."})  # every site at its prior: ties keep order
    lean = assess_many(patients, knowledge=knowledge, detail="screen")
    rows = assess_screened(patients, knowledge=knowledge)
    assert isinstance(rows[3], InputError) and isinstance(lean[3], InputError)
    assert rows[3].code == lean[3].code
    pairs = [(a, r) for a, r in zip(lean, rows, strict=True) if isinstance(a, Assessment)]
    assert len(pairs) == len(patients) - 1
    assert any(a.red_flags for a, _ in pairs) and any(s.known for a, _ in pairs for s in a.sites)
    for assessment, row in pairs:
        assert isinstance(row, Screened)
        assert row.id == assessment.id
        assert row.sites == tuple(
            RankedSite(s.id, s.probability, s.known) for s in assessment.sites
        )
        assert row.red_flags == assessment.red_flags
        assert row.findings == assessment.findings


def test_an_unknown_detail_level_is_a_coded_error(knowledge: Knowledge) -> None:
    with pytest.raises(InputError) as info:
        assess_many([{"text": "back pain"}], knowledge=knowledge, detail="bogus")  # type: ignore[arg-type]
    assert "'full' or 'screen'" in str(info.value)


def test_a_negative_brain_mri_lowers_brain_after_a_headache(knowledge: Knowledge) -> None:
    """A one-site test stated negative ("MRI brain: no metastases.") is a negated brain mention."""

    def brain(text: str) -> float:
        result = assess({"text": text}, knowledge=knowledge)
        return next(s.probability for s in result.sites if s.id == "site:brain")

    assert brain("New headache. MRI brain: no metastases.") < brain("New headache.")


def test_a_positive_bone_scan_raises_bone_after_back_pain_but_not_to_certainty(
    knowledge: Knowledge,
) -> None:
    """A one-site test stated positive ("Bone scan showed metastatic disease.") is suspected."""
    plain = _bone("Back pain.", knowledge)
    positive = _bone("Back pain. Bone scan showed metastatic disease.", knowledge)
    assert positive > plain + 0.3
    assert positive < 0.95  # suspected, not clamped to 1 as a known site would be
