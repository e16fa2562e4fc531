"""FHIR R4 / mCODE in and out, on the team's real example bundles."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle

from mbcnav import assess
from mbcnav.errors import InteropError
from mbcnav.interop.fhir import (
    assessment_to_fhir,
    bundle_to_patient,
    iter_resources,
    profiles,
    summarise,
)
from mbcnav.knowledge import Knowledge

# What each example bundle holds (SOURCES.md; ER in eom_patient_1: the 2019 mCODE result says
# positive, the later 2022 un-profiled result says negative — the most recent result wins).
EXPECTED: dict[str, tuple[list[str], dict[str, str]]] = {
    "ctma_TrialMatching_Patient01_mbc_liver_bone_axilla.json": (
        ["site:lymph_nodes", "site:liver", "site:bone"],
        {"er": "positive", "pr": "positive", "her2": "negative"},
    ),
    "ctma_TrialMatching_Patient02_mbc_bone.json": (
        ["site:bone"],
        {"er": "positive", "pr": "positive", "her2": "negative"},
    ),
    "ctma_query_mock_mbc_bone.json": (
        ["site:bone"],
        {"er": "positive", "pr": "negative", "her2": "negative"},
    ),
    "ctms_eom_patient_1_mbc_lung_mets.json": (
        ["site:lung"],
        {"er": "negative", "pr": "negative", "her2": "negative"},
    ),
    "ctms_patient_data_breast_stage3a.json": (
        [],
        {"er": "positive", "her2": "positive"},
    ),
}


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def bundles(shared_dir: Path) -> dict[str, dict[str, Any]]:
    folder = shared_dir / "data" / "fhir-examples" / "mcode-bundles"
    return {path.name: _load(path) for path in sorted(folder.glob("*.json"))}


def test_every_example_bundle_is_covered(bundles: dict[str, dict[str, Any]]) -> None:
    assert sorted(bundles) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bundle_maps_to_its_known_sites_and_receptors(
    name: str, bundles: dict[str, dict[str, Any]], knowledge: Knowledge
) -> None:
    sites, receptors = EXPECTED[name]
    summary = summarise(iter_resources(bundles[name]), knowledge=knowledge)
    assert summary.known_sites == sites
    assert summary.receptors == receptors
    patient = bundle_to_patient(bundles[name], knowledge=knowledge)
    assert list(patient.known_sites) == sites
    assert patient.setting == "metastatic"
    assert patient.sex == "female"
    for key, value in receptors.items():
        assert getattr(patient.receptors, key) == value


def test_generic_secondaries_without_a_mappable_site_are_reported(
    bundles: dict[str, dict[str, Any]], knowledge: Knowledge
) -> None:
    summary = summarise(
        iter_resources(bundles["ctms_patient_data_breast_stage3a.json"]), knowledge=knowledge
    )
    assert summary.metastatic
    assert len(summary.unmapped) == 2
    assert all("128462008" in item for item in summary.unmapped)


def test_disease_status_is_read(bundles: dict[str, dict[str, Any]], knowledge: Knowledge) -> None:
    summary = summarise(
        iter_resources(bundles["ctms_eom_patient_1_mbc_lung_mets.json"]), knowledge=knowledge
    )
    assert summary.disease_status is not None
    assert "improved" in summary.disease_status


def _condition(system: str, code: str, profile: str | None = None) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Condition",
        "code": {"coding": [{"system": system, "code": code}]},
        "subject": {"reference": "Patient/p1"},
    }
    if profile:
        resource["meta"] = {"profile": [profile]}
    return resource


@pytest.mark.parametrize(
    ("code", "site"),
    [
        ("C79.51", "site:bone"),
        ("C78.01", "site:lung"),
        ("C78.7", "site:liver"),
        ("C79.31", "site:brain"),
        ("C79.32", "site:leptomeninges"),
        ("C77.3", "site:lymph_nodes"),
        ("C78.2", "site:pleura"),
        ("C79.71", "site:adrenal"),
    ],
)
def test_icd10cm_secondary_codes_map_to_sites(code: str, site: str, knowledge: Knowledge) -> None:
    summary = summarise(
        [_condition("http://hl7.org/fhir/sid/icd-10-cm", code)], knowledge=knowledge
    )
    assert summary.known_sites == [site]
    assert summary.metastatic


def test_entered_in_error_and_resolved_conditions_are_ignored(knowledge: Knowledge) -> None:
    wrong = _condition("http://snomed.info/sct", "94381002")
    wrong["verificationStatus"] = {"coding": [{"code": "entered-in-error"}]}
    resolved = _condition("http://snomed.info/sct", "94391008")
    resolved["clinicalStatus"] = {"coding": [{"code": "resolved"}]}
    assert summarise([wrong, resolved], knowledge=knowledge).known_sites == []


def test_old_profile_names_are_accepted() -> None:
    old = {
        "meta": {
            "profile": [
                "http://hl7.org/fhir/us/mcode/StructureDefinition/onco-core-SecondaryCancerCondition|1.0"
            ]
        }
    }
    assert "mcode-secondary-cancer-condition" in profiles(old)
    stu1 = {
        "meta": {"profile": ["http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-tumor-marker"]}
    }
    assert "mcode-tumor-marker-test" in profiles(stu1)


def test_labs_by_loinc_and_unit(knowledge: Knowledge) -> None:
    calcium = {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "17861-6"}]},
        "valueQuantity": {"value": 11.8, "unit": "mg/dL"},
        "effectiveDateTime": "2026-11-20",
    }
    bilirubin = {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "14631-6"}]},
        "valueQuantity": {"value": 45, "unit": "µmol/L"},
    }
    patient = bundle_to_patient(
        {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [{"resource": calcium}, {"resource": bilirubin}],
        },
        knowledge=knowledge,
    )
    assert patient.labs.calcium_mg_dl == 11.8
    assert patient.labs.bilirubin_umol_l == 45


def test_questionnaire_response_gives_findings(shared_dir: Path, knowledge: Knowledge) -> None:
    response = _load(
        shared_dir
        / "data"
        / "fhir-examples"
        / "pro"
        / "mii_pro-ctcae_questionnaire-response-01.json"
    )
    summary = summarise([response], knowledge=knowledge)
    assert summary.findings["sym:fatigue"] is True
    assert summary.findings["sym:nausea"] is True
    assert summary.findings["sym:dyspnoea"] is True
    assert set(summary.findings) <= set(knowledge.symptoms)


def test_questionnaire_all_zero_answers_mean_absent(knowledge: Knowledge) -> None:
    system = "https://www.medizininformatik-initiative.de/fhir/ext/modul-pro/CodeSystem/x"
    response = {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "item": [
            {
                "linkId": "proctcae-49",
                "item": [
                    {
                        "linkId": "proctcae-49a-frq",
                        "answer": [
                            {"valueCoding": {"system": system, "code": "proctcae-frequency-0"}}
                        ],
                    },
                    {
                        "linkId": "proctcae-49b-sev",
                        "answer": [
                            {"valueCoding": {"system": system, "code": "proctcae-severity-0"}}
                        ],
                    },
                ],
            }
        ],
    }
    assert summarise([response], knowledge=knowledge).findings == {"sym:headache": False}


def test_document_reference_text_becomes_the_note(knowledge: Knowledge) -> None:
    note = "New severe back pain and weak legs since yesterday."
    document = {
        "resourceType": "DocumentReference",
        "status": "current",
        "content": [
            {
                "attachment": {
                    "contentType": "text/plain; charset=utf-8",
                    "data": base64.b64encode(note.encode()).decode(),
                }
            }
        ],
    }
    patient = bundle_to_patient(document, knowledge=knowledge)
    assert patient.text == note


def test_bad_attachment_is_a_coded_error(knowledge: Knowledge) -> None:
    document = {
        "resourceType": "DocumentReference",
        "content": [{"attachment": {"contentType": "text/plain", "data": "%%%"}}],
    }
    with pytest.raises(InteropError) as caught:
        bundle_to_patient(document, knowledge=knowledge)
    assert caught.value.code == "MBC-E300"


def test_non_fhir_body_is_refused(knowledge: Knowledge) -> None:
    with pytest.raises(InteropError):
        bundle_to_patient({"hello": "world"}, knowledge=knowledge)


def test_assessment_out_as_valid_r4_resources(knowledge: Knowledge) -> None:
    assessment = assess(
        {
            "text": "Severe back pain, weak legs and she cannot pass urine since this morning.",
            "receptors": {"er": "positive", "pr": "positive", "her2": "zero"},
            "setting": "metastatic",
            "known_sites": ["site:bone"],
        },
        knowledge=knowledge,
    )
    bundle = assessment_to_fhir(assessment, subject="Patient/p1", knowledge=knowledge)
    Bundle.model_validate(bundle)
    kinds = [entry["resource"]["resourceType"] for entry in bundle["entry"]]
    assert kinds[0] == "RiskAssessment"
    assert kinds.count("DetectedIssue") == len(assessment.red_flags) > 0
    risk = bundle["entry"][0]["resource"]
    assert len(risk["prediction"]) == len(assessment.sites)
    assert risk["method"]["coding"][0]["version"] == knowledge.version
    issue = bundle["entry"][1]["resource"]
    assert issue["severity"] == "high"
    assert issue["patient"] == {"reference": "Patient/p1"}


def test_detected_issues_carry_snomed_clean_detail_and_one_evidence_per_item(
    knowledge: Knowledge,
) -> None:
    """Field test (two FHIR validators): flag codes only in urn:mbcnav:flag, detail joined with
    ".;", ``reference`` packing 7 ids."""
    assessment = assess(
        {
            "text": "Severe back pain, weak legs. Calcium 3.4 mmol/L, confused and thirsty.",
            "labs": {"calcium_corrected_mmol_l": 3.4},
            "setting": "metastatic",
            "known_sites": ["site:bone"],
        },
        knowledge=knowledge,
    )
    bundle = assessment_to_fhir(assessment, subject="Patient/p1", knowledge=knowledge)
    Bundle.model_validate(bundle)
    issues = {
        entry["resource"]["code"]["coding"][0]["code"]: entry["resource"]
        for entry in bundle["entry"][1:]
    }
    assert {"flag:hypercalcaemia", "flag:spinal_cord_compression"} <= set(issues)
    calcium = issues["flag:hypercalcaemia"]["code"]["coding"]
    assert {"system": "http://snomed.info/sct", "code": "66931009"}.items() <= calcium[1].items()
    assert len(issues["flag:spinal_cord_compression"]["code"]["coding"]) == 1  # none verified
    for flag in assessment.red_flags:
        issue = issues[flag.id]
        assert ".;" not in issue["detail"] and ";." not in issue["detail"]
        assert "\n" not in issue["detail"] and issue["detail"].endswith(".")
        assert len(issue["evidence"]) == len(set(flag.because)) + len(set(flag.sources))
        assert all(len(item.get("code", item.get("detail"))) == 1 for item in issue["evidence"])
        first = knowledge.sources[flag.sources[0]]
        assert issue["reference"] == (first.url or f"urn:mbcnav:source:{first.id}")
        assert "," not in issue["reference"].removeprefix("urn:mbcnav:source:")


def test_an_implausible_lab_is_reported_not_fatal(knowledge: Knowledge) -> None:
    calcium = {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "17861-6"}]},
        "valueQuantity": {"value": 95, "unit": "mg/dL"},
    }
    summary = summarise([calcium], knowledge=knowledge)
    assert summary.labs == {}
    assert any("calcium_mg_dl" in item for item in summary.unmapped)


def test_outcomes_errors_are_found_and_warnings_ignored() -> None:
    from mbcnav.interop.fhir import outcome_errors

    def outcome(severity: str, **issue: Any) -> dict[str, Any]:
        return {"resourceType": "OperationOutcome", "issue": [{"severity": severity, **issue}]}

    assert outcome_errors(outcome("error", code="timeout", diagnostics="slow")) == ["slow"]
    assert outcome_errors(outcome("fatal", code="x", details={"text": "down"})) == ["down"]
    bundle = {
        "resourceType": "Bundle",
        "entry": [
            {"resource": outcome("warning", code="informational")},
            {"resource": {"resourceType": "Condition"}},
        ],
    }
    assert outcome_errors(bundle) == []
    assert [r["resourceType"] for r in iter_resources(bundle)] == ["Condition"]


def test_iter_resources_skips_entries_without_a_resource() -> None:
    bundle = {
        "resourceType": "Bundle",
        "entry": [{"fullUrl": "urn:uuid:1"}, {"resource": None}, "junk", {"resource": {"id": 1}}],
    }
    assert list(iter_resources(bundle)) == []


@pytest.mark.parametrize(
    ("reference", "target"),
    [
        ("Patient/123", ("Patient", "123")),
        ("https://ehr.example.org/fhir/Patient/123", ("Patient", "123")),
        ("Patient/123/_history/4", ("Patient", "123")),
        ("Group/g1", ("Group", "g1")),
        ("#contained", None),
        ("urn:uuid:5a1c", None),
        ("", None),
        (None, None),
    ],
)
def test_reference_target(reference: Any, target: tuple[str, str] | None) -> None:
    from mbcnav.interop.fhir import reference_target

    assert reference_target(reference) == target
