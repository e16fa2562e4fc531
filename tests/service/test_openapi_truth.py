"""The OpenAPI description says what the service does (field test, December 2026: web routes
documented only 200, ``/handout.pdf`` as JSON, undocumented 404s, ``true`` taken for numbers,
the assessable rule missing from the schema)."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from mbcnav import assess
from mbcnav.errors import InputError
from mbcnav.knowledge import load_knowledge
from mbcnav.types import Patient

CORD = {"text": "Known bone metastases; new back pain, weak legs, cannot pass urine."}
PAGES = ["/", "/handout", "/handout.pdf", "/assessment.json", "/assessment.fhir.json"]


@pytest.fixture
def schema(dev_client: TestClient) -> dict[str, Any]:
    found: dict[str, Any] = dev_client.get("/openapi.json").json()
    return found


def _content(schema: dict[str, Any], path: str, method: str, status: int) -> set[str]:
    response = schema["paths"][path][method]["responses"][str(status)]
    return set(response.get("content", {}))


def test_every_operation_documents_the_middleware_answers(schema: dict[str, Any]) -> None:
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            statuses = set(operation["responses"])
            expected = {"413"} if path == "/healthz" else {"401", "413", "503"}
            assert expected <= statuses, (method, path, statuses)


@pytest.mark.parametrize(
    ("path", "ok"),
    [
        ("/", "text/html"),
        ("/handout", "text/html"),
        ("/handout.pdf", "application/pdf"),
        ("/assessment.json", "application/json"),
        ("/assessment.fhir.json", "application/fhir+json"),
    ],
)
def test_web_routes_document_what_they_answer(
    schema: dict[str, Any], dev_client: TestClient, path: str, ok: str
) -> None:
    for method in ("get", "post"):
        assert _content(schema, path, method, 200) == {ok}
        for status in (401, 404, 422):
            assert _content(schema, path, method, status), (path, method, status)
    assert "requestBody" in schema["paths"][path]["post"]
    made = dev_client.post(path, data=CORD)
    assert made.status_code == 200 and made.headers["content-type"].startswith(ok)
    empty = dev_client.post(path, data={"text": " "})
    assert empty.status_code == 422
    assert empty.headers["content-type"].split(";")[0] in _content(schema, path, "post", 422)
    missing = dev_client.get(path, params={"assessment": "0f1e2d3c-aaaa-4bbb-8ccc-123456789abc"})
    assert missing.status_code == 404
    assert missing.headers["content-type"].split(";")[0] in _content(schema, path, "get", 404)


def test_unknown_cds_service_is_a_documented_404(
    schema: dict[str, Any], dev_client: TestClient
) -> None:
    hook = {
        "hook": "patient-view",
        "hookInstance": "h-1",
        "context": {"patientId": "p1", "userId": "Practitioner/1"},
        "prefetch": {},
    }
    item = {"card": "c-1", "outcome": "accepted", "outcomeTimestamp": "2026-12-07T10:00:00Z"}
    feedback = {"feedback": [item]}
    for path, body in (("/cds-services/nope", hook), ("/cds-services/nope/feedback", feedback)):
        response = dev_client.post(path, json=body)
        assert response.status_code == 404 and response.json()["code"] == "MBC-E503"
        assert response.json()["detail"].startswith("The CDS service id must be ")
    for path in ("/cds-services/{service_id}", "/cds-services/{service_id}/feedback"):
        assert _content(schema, path, "post", 404) == {"application/problem+json"}


@pytest.mark.parametrize(
    "patient",
    [
        {"age": True},
        {"age": False},
        {"findings": [{"id": "sym:back_pain", "present": 1}]},
        {"findings": [{"id": "sym:back_pain", "present": "yes"}]},
        {"labs": {"calcium_corrected_mmol_l": True}},
        {"labs": {"calcium_corrected_mmol_l": "3.1"}},
        {"biomarkers": {"pd_l1_cps": "10"}},
        {"biomarkers": {"pd_l1_cps": False}},
    ],
)
def test_booleans_and_numbers_are_strict(dev_client: TestClient, patient: dict[str, Any]) -> None:
    """The schema says boolean or number; the service takes nothing else (no guessing)."""
    response = dev_client.post("/v1/assess", json={"text": "back pain", **patient})
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "MBC-E103"
    whole = dev_client.post("/v1/assess", json={"labs": {"calcium_corrected_mmol_l": 3}})
    assert whole.status_code == 200  # a JSON integer is a number


LABS = st.fixed_dictionaries({}, optional={"calcium_corrected_mmol_l": st.just(3.1)})
RECEPTORS = st.fixed_dictionaries(
    {}, optional={"er": st.sampled_from(["unknown", "positive"]), "her2": st.just("unknown")}
)
BIOMARKERS = st.fixed_dictionaries(
    {}, optional={"esr1": st.sampled_from(["unknown", "mutated"]), "pd_l1_cps": st.just(5.0)}
)
PATIENTS = st.fixed_dictionaries(
    {},
    optional={
        "text": st.sampled_from(["", "  ", "\t\n", "back pain"]),
        "findings": st.lists(st.just({"id": "sym:back_pain"}), max_size=1),
        "known_sites": st.lists(st.just("site:bone"), max_size=1),
        "prior_therapies": st.lists(st.just("tx:adjuvant_ai"), max_size=1),
        "labs": LABS,
        "receptors": RECEPTORS,
        "biomarkers": BIOMARKERS,
        "age": st.just(60),
        "sex": st.just("female"),
        "setting": st.just("metastatic"),
    },
)


@settings(max_examples=120, deadline=None, derandomize=True, database=None)
@given(patient=PATIENTS)
def test_the_schema_states_the_assessable_rule(patient: dict[str, Any]) -> None:
    """Valid by the schema exactly when the engine finds something clinical to assess."""
    valid = jsonschema.Draft202012Validator(Patient.model_json_schema()).is_valid(patient)
    try:
        assess(patient, knowledge=load_knowledge())
        assessable = True
    except InputError as error:
        assert error.code == "MBC-E101", error
        assessable = False
    assert valid is assessable, patient


@pytest.mark.parametrize(
    "body", [{"a": 1}, {"resourceType": 5}, {"resourceType": "Patient"}, {"entry": []}]
)
def test_fhir_body_messages_read_well(dev_client: TestClient, body: dict[str, Any]) -> None:
    """Field test: "…with a 'resourceType' must be a Bundle." read backwards."""
    detail = dev_client.post("/v1/fhir/assess", json=body).json()["detail"]
    assert "must be a Bundle" not in detail and not detail.startswith("The body with")
    assert " must be " in detail


@pytest.mark.parametrize("expires_in", ["300", 300.5, True])
def test_cds_token_lifetime_is_an_integer(dev_client: TestClient, expires_in: Any) -> None:
    hook = {
        "hook": "patient-view",
        "hookInstance": "h-2",
        "context": {"patientId": "p1", "userId": "Practitioner/1"},
        "fhirAuthorization": {
            "access_token": "t",
            "token_type": "Bearer",
            "expires_in": expires_in,
        },
        "prefetch": {},
    }
    response = dev_client.post("/cds-services/mbcnav-patient-view", json=hook)
    assert response.status_code == 422 and response.json()["code"] == "MBC-E103"
