"""Charts as EHRs send them: the five mCODE example bundles, end to end through the service.

Field test: every one of them was refused with 422 MBC-E101 "empty patient" (no note), and the
MedicationStatements were neither prefetched nor read.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cdsspec import assert_valid_response
from fastapi.testclient import TestClient

from mbcnav.interop.cds_hooks import PREFETCH, PREFETCH_TYPES

SERVICE = "/cds-services/mbcnav-patient-view"
FIRST_LINE_CDK = {"tx:ai_cdk46i", "tx:fulvestrant_cdk46i", "tx:cdk46i"}

# name → (known sites, a reason the receptors give, prior therapies the drugs give)
EXPECTED: dict[str, tuple[set[str], str, set[str]]] = {
    "ctma_TrialMatching_Patient01_mbc_liver_bone_axilla.json": (
        {"site:lymph_nodes", "site:liver", "site:bone"},
        "subtype=hr_pos_her2_neg",
        {"tx:cdk46i", "tx:fulvestrant_cdk46i"},
    ),
    "ctma_TrialMatching_Patient02_mbc_bone.json": (
        {"site:bone"},
        "subtype=hr_pos_her2_neg",
        {"tx:cdk46i", "tx:ai_cdk46i", "tx:fulvestrant_cdk46i", "tx:alpelisib_fulvestrant"},
    ),
    "ctma_query_mock_mbc_bone.json": (
        {"site:bone"},
        "subtype=hr_pos_her2_neg",
        {"tx:cdk46i", "tx:fulvestrant_cdk46i"},
    ),
    "ctms_eom_patient_1_mbc_lung_mets.json": (
        {"site:lung"},
        "subtype=triple_negative",
        {"tx:cdk46i", "tx:alpelisib_fulvestrant"},
    ),
    "ctms_patient_data_breast_stage3a.json": (
        set(),
        "her2=positive",
        {"tx:prior_taxane_metastatic"},
    ),
}


@pytest.fixture(scope="module")
def bundles(shared_dir: Path) -> dict[str, dict[str, Any]]:
    folder = shared_dir / "data" / "fhir-examples" / "mcode-bundles"
    return {
        path.name: json.loads(path.read_text("utf-8")) for path in sorted(folder.glob("*.json"))
    }


def test_every_example_bundle_is_measured(bundles: dict[str, dict[str, Any]]) -> None:
    assert sorted(bundles) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_mcode_bundle_is_assessed_with_its_sites_receptors_and_drugs(
    name: str, bundles: dict[str, dict[str, Any]], dev_client: TestClient
) -> None:
    sites, subtype, therapies = EXPECTED[name]
    response = dev_client.post("/v1/fhir/assess", json=bundles[name])
    assert response.status_code == 200, response.text
    body = response.json()
    assert {site["id"] for site in body["sites"] if site["known"]} == sites
    reasons = {reason for option in body["treatment_options"] for reason in option["because"]}
    assert subtype in reasons
    assert "work:restaging" in {item["id"] for item in body["workup"]}
    audit = dev_client.app.state.mbcnav.audit  # type: ignore[attr-defined]
    assert audit.assessments()[0]["channel"] == "fhir"
    offered = {option["id"] for option in body["treatment_options"]}
    assert not offered & therapies - {"tx:chemotherapy"}
    cards = _patient_view(dev_client, bundles[name], name)
    chart = next(card for card in cards if card["source"]["topic"]["code"] == "chart")
    assert chart["indicator"] == "info" and chart["summary"].startswith("From the chart: ")
    assert "**Receptors:**" in chart["detail"]
    assert ("**Prior therapies" in chart["detail"]) == bool(therapies)


def _patient_view(client: TestClient, bundle: dict[str, Any], name: str) -> list[dict[str, Any]]:
    """The bundle as an EHR's prefetch: each key a searchset of its resource type."""
    resources = [entry["resource"] for entry in bundle["entry"]]
    patient = next(r for r in resources if r["resourceType"] == "Patient")
    prefetch: dict[str, Any] = {"patient": patient}
    for key, kind in PREFETCH_TYPES.items():
        if key != "patient" and key in PREFETCH:
            found = [r for r in resources if r["resourceType"] == kind]
            prefetch[key] = {
                "resourceType": "Bundle",
                "type": "searchset",
                "entry": [{"resource": r} for r in found],
            }
    request = {
        "hook": "patient-view",
        "hookInstance": f"mcode-{name[:40]}",
        "context": {"userId": "Practitioner/1", "patientId": patient["id"]},
        "prefetch": prefetch,
    }
    response = client.post(SERVICE, json=request)
    assert response.status_code == 200, response.text
    assert_valid_response(response.json())
    cards: list[dict[str, Any]] = response.json()["cards"]
    return cards


def test_known_disease_without_symptoms_gets_cards_not_silence(dev_client: TestClient) -> None:
    """Field test: known bone metastases, ER+/HER2-, no symptoms → no cards at all."""
    prefetch: dict[str, Any] = dict.fromkeys(PREFETCH)
    prefetch["patient"] = {"resourceType": "Patient", "id": "p", "gender": "female"}
    bone = {
        "resourceType": "Condition",
        "subject": {"reference": "Patient/p"},
        "code": {"coding": [{"system": "http://snomed.info/sct", "code": "94222008"}]},
    }
    er = {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "85337-4"}]},
        "valueCodeableConcept": {"coding": [{"system": "http://loinc.org", "code": "LA6576-8"}]},
    }
    her2 = {**er, "code": {"coding": [{"system": "http://loinc.org", "code": "48676-1"}]}}
    her2["valueCodeableConcept"] = {"coding": [{"system": "http://loinc.org", "code": "LA6577-6"}]}
    prefetch["conditions"] = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{"resource": bone}],
    }
    prefetch["observations"] = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{"resource": er}, {"resource": her2}],
    }
    request = {
        "hook": "patient-view",
        "hookInstance": "known-no-symptoms",
        "context": {"patientId": "p"},
        "prefetch": prefetch,
    }
    body = dev_client.post(SERVICE, json=request).json()
    assert_valid_response(body)
    topics = [card["source"]["topic"]["code"] for card in body["cards"]]
    assert "red-flag" not in topics and topics[-2:] == ["treatment-options", "chart"]
    assert "workup" in topics
    assert "info" in {card["indicator"] for card in body["cards"]}


def test_drugs_in_the_prefetch_keep_first_line_cdk46_off_the_cards(dev_client: TestClient) -> None:
    """Field test: palbociclib, abemaciclib and fulvestrant in the medication history → first-line
    AI + CDK4/6 inhibitor offered. Now read from MedicationStatement, Request and Administration."""
    prefetch: dict[str, Any] = dict.fromkeys(PREFETCH)
    prefetch["patient"] = {"resourceType": "Patient", "id": "p"}
    prefetch["conditions"] = {
        "resourceType": "Bundle",
        "entry": [
            {
                "resource": {
                    "resourceType": "Condition",
                    "code": {"coding": [{"system": "http://snomed.info/sct", "code": "94222008"}]},
                }
            }
        ],
    }
    marker = {
        "resourceType": "Observation",
        "code": {"coding": [{"system": "http://loinc.org", "code": "85337-4"}]},
        "valueString": "positive",
    }
    her2 = {**marker, "code": {"coding": [{"system": "http://loinc.org", "code": "48676-1"}]}}
    prefetch["observations"] = {
        "resourceType": "Bundle",
        "entry": [{"resource": marker}, {"resource": {**her2, "valueString": "negative"}}],
    }

    def drug(kind: str, name: str, **extra: Any) -> dict[str, Any]:
        return {
            "resourceType": "Bundle",
            "entry": [
                {
                    "resource": {
                        "resourceType": kind,
                        "status": "completed",
                        "medicationCodeableConcept": {"text": name},
                        **extra,
                    }
                }
            ],
        }

    prefetch["medicationStatements"] = drug("MedicationStatement", "Palbociclib 125 mg")
    prefetch["medicationRequests"] = drug("MedicationRequest", "abemaciclib", intent="order")
    prefetch["medicationAdministrations"] = drug("MedicationAdministration", "Fulvestrant 500 mg")
    request = {"hook": "patient-view", "hookInstance": "drugs", "context": {"patientId": "p"}}
    body = dev_client.post(SERVICE, json={**request, "prefetch": prefetch}).json()
    assert_valid_response(body)
    audit = dev_client.app.state.mbcnav.audit  # type: ignore[attr-defined]
    output = audit.assessments()[0]["output"]
    assert not {option["id"] for option in output["treatment_options"]} & FIRST_LINE_CDK
    treatment = next(
        c for c in body["cards"] if c["source"]["topic"]["code"] == "treatment-options"
    )
    assert "CDK4/6 inhibitor" not in treatment["detail"].split("Sources")[0]
