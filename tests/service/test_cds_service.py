"""CDS Hooks 2.0 service: discovery, patient-view (prefetch and FHIR fetch), 412, feedback."""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cdsspec import assert_valid_response
from fastapi.testclient import TestClient
from fhirstub import fhir_stub

from mbcnav.interop.cds_hooks import PREFETCH, REQUIRED_PREFETCH
from mbcnav.knowledge import Knowledge
from mbcnav.service import Settings

SERVICE = "/cds-services/mbcnav-patient-view"
NOTE = (
    "Seen today. Known bone metastases. She reports worsening back pain over two weeks, "
    "now with weak legs and numbness below the waist; she has not passed urine since morning."
)
PREFETCH_OPTIONAL = [key for key in PREFETCH if key not in REQUIRED_PREFETCH]


def _read(shared_dir: Path, *parts: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (shared_dir / "data" / "fhir-examples").joinpath(*parts).read_text()
    )
    return data


def _chart(shared_dir: Path, patient_id: str) -> list[dict[str, Any]]:
    """Resources of the liver/bone/axilla example patient, re-homed to ``patient_id``."""
    bundle = _read(
        shared_dir, "mcode-bundles", "ctma_TrialMatching_Patient01_mbc_liver_bone_axilla.json"
    )
    out = []
    for entry in bundle["entry"]:
        resource = copy.deepcopy(entry["resource"])
        if resource["resourceType"] in ("Condition", "Observation"):
            resource["subject"] = {"reference": f"Patient/{patient_id}"}
            out.append(resource)
    out.append(
        {
            "resourceType": "DocumentReference",
            "id": "note-1",
            "status": "current",
            "subject": {"reference": f"Patient/{patient_id}"},
            "content": [
                {
                    "attachment": {
                        "contentType": "text/plain",
                        "data": base64.b64encode(NOTE.encode()).decode(),
                    }
                }
            ],
        }
    )
    response = _read(shared_dir, "pro", "mii_pro-ctcae_questionnaire-response-01.json")
    response["subject"] = {"reference": f"Patient/{patient_id}"}
    out.append(response)
    return out


def _searchset(resources: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{"resource": r} for r in resources if r["resourceType"] == kind],
    }


def test_discovery(dev_client: TestClient) -> None:
    body = dev_client.get("/cds-services").json()
    (service,) = body["services"]
    assert service["hook"] == "patient-view" and service["id"] == "mbcnav-patient-view"
    assert service["description"] and service["title"]
    prefetch = service["prefetch"]
    assert prefetch["patient"] == "Patient/{{context.patientId}}"
    assert "85337-4" in prefetch["observations"] and "17861-6" in prefetch["observations"]
    assert prefetch["notes"].startswith("DocumentReference?patient={{context.patientId}}")
    assert prefetch["questionnaireResponses"].startswith("QuestionnaireResponse?")


def test_spec_example_request_fetches_from_the_fhir_server(
    dev_client: TestClient,
    shared_dir: Path,
    knowledge: Knowledge,
    serve_in_thread: Callable[[Any], str],
) -> None:
    request = _read(shared_dir, "cds-hooks", "service-request-patient-view.json")
    patient_id = request["context"]["patientId"]
    token = request["fhirAuthorization"]["access_token"]
    stub = fhir_stub(_chart(shared_dir, patient_id), token=token)
    request["fhirServer"] = serve_in_thread(stub)
    response = dev_client.post(SERVICE, json=request)
    assert response.status_code == 200, response.text
    body = response.json()
    assert_valid_response(body)
    fetched = {hit["path"] for hit in stub.state.seen}
    assert fetched == {
        "/Condition",
        "/Observation",
        "/QuestionnaireResponse",
        "/DocumentReference",
        "/MedicationStatement",
        "/MedicationRequest",
        "/MedicationAdministration",
    }
    assert all(hit["auth"] == f"Bearer {token}" for hit in stub.state.seen)
    cards = body["cards"]
    assert cards[0]["indicator"] == "critical"
    assert "spinal cord" in cards[0]["summary"].lower()
    assert {card["indicator"] for card in cards} >= {"critical", "info"}
    assert all(knowledge.version in card["source"]["label"] for card in cards)
    audit = dev_client.app.state.mbcnav.audit  # type: ignore[attr-defined]
    (record,) = audit.assessments()
    assert record["channel"] == "cds" and record["request_id"] == request["hookInstance"]
    assert sorted(record["output"]["red_flags"][0]["because"])  # reasons kept in the audit
    assert all(f"assessment={record['id']}" in card["links"][0]["url"] for card in cards)
    assert {c["uuid"] for c in audit.cards()} == {card["uuid"] for card in cards}
    known = {s["id"] for s in record["output"]["sites"] if s["known"]}
    assert known == {"site:lymph_nodes", "site:liver", "site:bone"}


def test_spec_example_request_as_is_gets_412(dev_client: TestClient, shared_dir: Path) -> None:
    """Its fhirServer is on the internet and not allowlisted: the data cannot be had."""
    request = _read(shared_dir, "cds-hooks", "service-request-patient-view.json")
    response = dev_client.post(SERVICE, json=request)
    assert response.status_code == 412
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "MBC-E303"


def test_unreachable_fhir_server_gets_412(dev_client: TestClient, shared_dir: Path) -> None:
    from service_support import free_port

    request = _read(shared_dir, "cds-hooks", "service-request-patient-view.json")
    request["fhirServer"] = f"http://127.0.0.1:{free_port()}"
    response = dev_client.post(SERVICE, json=request)
    assert response.status_code == 412 and response.json()["code"] == "MBC-E303"


def _prefetched(shared_dir: Path, patient_id: str) -> dict[str, Any]:
    chart = _chart(shared_dir, patient_id)
    return {
        "hook": "patient-view",
        "hookInstance": "5a1c3c5e-0f6e-4c0b-9a55-3d1f2b8f0a11",
        "context": {"userId": "Practitioner/1", "patientId": patient_id},
        "prefetch": {
            "patient": {
                "resourceType": "Patient",
                "id": patient_id,
                "gender": "female",
                "birthDate": "1961-04-02",
            },
            "conditions": _searchset(chart, "Condition"),
            "observations": _searchset(chart, "Observation"),
            "questionnaireResponses": _searchset(chart, "QuestionnaireResponse"),
            "notes": _searchset(chart, "DocumentReference"),
            "medicationStatements": _searchset(chart, "MedicationStatement"),
            "medicationRequests": _searchset(chart, "MedicationRequest"),
            "medicationAdministrations": _searchset(chart, "MedicationAdministration"),
        },
    }


def test_full_prefetch_needs_no_server(dev_client: TestClient, shared_dir: Path) -> None:
    body = dev_client.post(SERVICE, json=_prefetched(shared_dir, "p-77")).json()
    assert_valid_response(body)
    indicators = [card["indicator"] for card in body["cards"]]
    assert indicators[0] == "critical" and "info" in indicators
    treatment = next(card for card in body["cards"] if card["indicator"] == "info")
    assert "**Sources:**" in treatment["detail"] and "](" in treatment["detail"]
    chart = body["cards"][-1]
    assert chart["source"]["topic"]["code"] == "chart"
    assert (
        "**Not read from the chart:**\n  - QuestionnaireResponse item proctcae-48"
        in (chart["detail"])
    )
    for card in body["cards"]:
        assert "does not replace clinical judgement" in card["detail"]
        assert card["overrideReasons"][0]["display"]
        assert card["links"][0]["url"].startswith("http://testserver/?patient=p-77")


def test_resources_of_another_patient_are_ignored(dev_client: TestClient, shared_dir: Path) -> None:
    request = _prefetched(shared_dir, "p-1")
    stray = {
        "resourceType": "Condition",
        "subject": {"reference": "Patient/p-2"},
        "code": {"coding": [{"system": "http://snomed.info/sct", "code": "94225005"}]},
    }
    request["prefetch"]["conditions"]["entry"].append({"resource": stray})
    assert dev_client.post(SERVICE, json=request).status_code == 200
    audit = dev_client.app.state.mbcnav.audit  # type: ignore[attr-defined]
    output = audit.assessments()[0]["output"]
    brain = next(site for site in output["sites"] if site["id"] == "site:brain")
    assert not brain["known"]


def test_empty_chart_gives_no_cards(dev_client: TestClient) -> None:
    """Every key answered, nothing clinical in it: nothing to say (spec: an empty list)."""
    request = {
        "hook": "patient-view",
        "hookInstance": "x-1",
        "context": {"userId": "Practitioner/1", "patientId": "p"},
        "prefetch": {
            "patient": {"resourceType": "Patient", "id": "p"},
            "conditions": {"resourceType": "Bundle", "type": "searchset"},
            "observations": {"resourceType": "Bundle", "type": "searchset"},
            **dict.fromkeys(PREFETCH_OPTIONAL),
        },
    }
    assert dev_client.post(SERVICE, json=request).json() == {"cards": []}


def test_empty_chart_with_keys_not_sent_says_so(dev_client: TestClient) -> None:
    """Field test: nothing found and part of the chart not read gave ``{"cards": []}``, so the
    notice disappeared. Never silent: one card names what was not read."""
    request = {
        "hook": "patient-view",
        "hookInstance": "x-2",
        "context": {"userId": "Practitioner/1", "patientId": "p"},
        "prefetch": {
            "patient": {"resourceType": "Patient", "id": "p"},
            "conditions": {"resourceType": "Bundle", "type": "searchset"},
            "observations": {"resourceType": "Bundle", "type": "searchset"},
            "notes": {
                "resourceType": "OperationOutcome",
                "issue": [{"severity": "error", "code": "exception"}],
            },
        },
    }
    body = dev_client.post(SERVICE, json=request).json()
    assert_valid_response(body)
    (card,) = body["cards"]
    assert card["indicator"] == "warning" and "could not be read" in card["summary"]
    assert "clinical notes (DocumentReference): the EHR could not fetch it" in card["detail"]
    assert "medication history (MedicationStatement): not sent by the EHR" in card["detail"]


@pytest.mark.parametrize(
    ("path", "change", "status", "code"),
    [
        ("/cds-services/other", {}, 404, "MBC-E503"),
        (SERVICE, {"hook": "order-sign"}, 422, "MBC-E302"),
        (SERVICE, {"context": {"userId": "Practitioner/1"}}, 422, "MBC-E100"),
    ],
)
def test_bad_calls(
    dev_client: TestClient, path: str, change: dict[str, Any], status: int, code: str
) -> None:
    request = {"hook": "patient-view", "hookInstance": "x", "context": {"patientId": "p"}}
    request.update(change)
    response = dev_client.post(path, json=request)
    assert response.status_code == status and response.json()["code"] == code


def test_feedback_is_stored(dev_client: TestClient, shared_dir: Path) -> None:
    cards = dev_client.post(SERVICE, json=_prefetched(shared_dir, "p-9")).json()["cards"]
    accepted = _read(shared_dir, "cds-hooks", "feedback-accepted.json")
    overridden = _read(shared_dir, "cds-hooks", "feedback-overridden-with-reason.json")
    accepted["feedback"][0]["card"] = cards[0]["uuid"]
    overridden["feedback"][0]["card"] = cards[1]["uuid"]
    overridden["feedback"][0]["overrideReason"]["reason"] = cards[1]["overrideReasons"][0]
    for body in (accepted, overridden):
        response = dev_client.post(f"{SERVICE}/feedback", json=body)
        assert response.status_code == 200 and response.json() == {}
    stored = dev_client.app.state.mbcnav.audit.feedback()  # type: ignore[attr-defined]
    assert [item["outcome"] for item in stored] == ["accepted", "overridden"]
    assert stored[0]["card"] == cards[0]["uuid"]
    assert stored[1]["override_reason"]["reason"]["code"] == "already-addressed"
    assert stored[1]["override_reason"]["userComment"] == "A comment entered by the clinician."
    bad = dev_client.post(f"{SERVICE}/feedback", json={"feedback": [{"card": "x"}]})
    assert bad.status_code == 422


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://fhir.example.org/r4", True),
        ("https://fhir.example.org/r4/", True),
        ("https://fhir.example.org/r4/Patient/1", True),
        ("https://fhir.example.org.evil.com/r4", False),
        ("https://fhir.example.org/r4x", False),
        ("http://fhir.example.org/r4", False),
        ("https://fhir.example.org:8443/r4", False),
        ("https://user@fhir.example.org/r4", False),
    ],
)
def test_fhir_server_allowlist_matches_whole_origins(url: str, allowed: bool) -> None:
    from mbcnav.service.chart import server_allowed

    settings = Settings(fhir_servers="https://fhir.example.org/r4")
    assert server_allowed(url, settings) is allowed
