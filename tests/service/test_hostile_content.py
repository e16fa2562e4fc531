"""Content never yields a 500: hostile JSON, numbers, ids and characters get a coded 4xx, or are
read with the bad characters replaced, on REST, CDS Hooks, feedback and the page, with SQLite
and PostgreSQL behind the audit (field test, December 2026)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from service_support import BASE, ISSUER, PgServer, Signer

from mbcnav.service import Settings

JSON = {"content-type": "application/json"}
SERVICE = "/cds-services/mbcnav-patient-view"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'audit.sqlite3'}"
    server: PgServer = request.getfixturevalue("pg_server")
    return server.new_database()


@pytest.fixture
def client(tmp_path: Path, db_url: str, make_client: Callable[..., TestClient]) -> TestClient:
    return make_client(Settings(dev=True, data_dir=tmp_path, database_url=db_url))


def _problem(response: Any, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == code
    return str(body["detail"])


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ('{"text": "a", "text": "b"}', "each key once"),
        ('{"text": "a", "labs": {"calcium_corrected_mmol_l": NaN}}', "finite"),
        ('{"text": "a", "age": ' + "9" * 4000 + "}", "at most 40 digits"),
        ("[" * 3000 + "]" * 3000, "nested"),
    ],
)
def test_hostile_json_is_a_coded_400(client: TestClient, body: str, says: str) -> None:
    assert says in _problem(client.post("/v1/assess", content=body, headers=JSON), 400, "MBC-E106")


def test_lone_surrogate_in_text_is_read_with_it_replaced(client: TestClient) -> None:
    body = '{"text": "back pain \\ud800 at night, \\udfff headache"}'
    response = client.post("/v1/assess", content=body, headers=JSON)
    assert response.status_code == 200, response.text
    texts = [f["text"] for f in response.json()["findings"]]
    assert any("\ufffd" in text for text in texts)


def test_strict_types(client: TestClient) -> None:
    detail = _problem(client.post("/v1/assess", json={"text": "x", "age": True}), 422, "MBC-E103")
    assert "age" in detail


def test_fhir_bundle_of_the_wrong_shape_is_a_coded_422(client: TestClient) -> None:
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": 5}
    detail = _problem(client.post("/v1/fhir/assess", json=bundle), 422, "MBC-E300")
    assert detail == "The Bundle's 'entry' must be a list. Got 'int' instead."
    odd = {
        "resourceType": "Bundle",
        "entry": [{"resource": {"resourceType": "Condition", "code": 5, "bodySite": "x"}}],
    }
    response = client.post("/v1/fhir/assess", json=odd)
    assert response.status_code in (200, 422), response.text
    huge = json.dumps({"resourceType": "Observation", "valueQuantity": {"value": 1}}).replace(
        "1}", "9" * 4000 + "}"
    )
    _problem(client.post("/v1/fhir/assess", content=huge, headers=JSON), 400, "MBC-E106")
    detail = _problem(client.post("/v1/fhir/assess", json={"x": 1}), 422, "MBC-E300")
    assert detail == "The body must be a FHIR resource (a Bundle) with a 'resourceType'."


@pytest.mark.parametrize("age", ["nan", "inf", "1e400", "-inf"])
def test_page_numbers_that_are_not_finite(client: TestClient, age: str) -> None:
    response = client.get("/", params={"text": "back pain", "age": age})
    assert response.status_code == 422 and "MBC-E103" in response.text


def test_ids_and_feedback_that_no_database_column_holds(client: TestClient) -> None:
    assert client.get("/v1/assessments/%00").status_code == 404
    assert client.get("/v1/assessments/" + "x" * 500).status_code == 404
    feedback = {
        "feedback": [
            {
                "card": "card\u0000" + "u" * 50,
                "outcome": "overridden",
                "outcomeTimestamp": "2026-12-07T10:00:00Z" + "9" * 60,
                "overrideReason": {"userComment": "nul \u0000 and \ud800 here"},
            }
        ]
    }
    response = client.post(f"{SERVICE}/feedback", content=json.dumps(feedback), headers=JSON)
    assert response.status_code == 200, response.text
    feedback["feedback"][0]["card"] = "u" * 300
    too_long = client.post(f"{SERVICE}/feedback", content=json.dumps(feedback), headers=JSON)
    _problem(too_long, 422, "MBC-E103")


def test_cds_card_survives_a_lone_surrogate_in_the_chart(client: TestClient) -> None:
    request = {
        "hook": "patient-view",
        "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea\u0000",
        "context": {"userId": "Practitioner/1", "patientId": "p1"},
        "prefetch": {
            "patient": {"resourceType": "Patient", "id": "p1", "gender": "female"},
            "conditions": {
                "resourceType": "Bundle",
                "entry": [
                    {
                        "resource": {
                            "resourceType": "Condition",
                            "code": {"text": "Spinal cord compression \ud800"},
                        }
                    }
                ],
            },
            "observations": {"resourceType": "Bundle", "entry": []},
            "notes": {
                "resourceType": "Bundle",
                "entry": [
                    {
                        "resource": {
                            "resourceType": "DocumentReference",
                            "status": "current",
                            "content": [
                                {
                                    "attachment": {
                                        "contentType": "text/plain",
                                        "data": "QmFjayBwYWluLCB3ZWFrIGxlZ3MsIGNhbm5vdCB3YWxr",
                                    }
                                }
                            ],
                        }
                    }
                ],
            },
        },
    }
    body = json.dumps(request)
    response = client.post(SERVICE, content=body, headers=JSON)
    assert response.status_code == 200, response.text
    assert response.json()["cards"]


def test_jwt_with_an_unreachable_expiry_is_refused(
    tmp_path: Path, signer: Signer, make_client: Callable[..., TestClient]
) -> None:
    settings = Settings(
        data_dir=tmp_path, cds_issuers=(ISSUER,), cds_jwks=json.dumps(signer.jwks), public_url=BASE
    )
    client = make_client(settings)
    token = signer.token(BASE + "/cds-services", exp=10**400)
    response = client.get("/cds-services", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401 and response.json()["code"] in ("MBC-E500", "MBC-E501")


@pytest.mark.postgres
def test_long_and_nul_token_ids_are_remembered_on_postgresql(
    tmp_path: Path, pg_server: PgServer, signer: Signer, make_client: Callable[..., TestClient]
) -> None:
    settings = Settings(
        data_dir=tmp_path,
        cds_issuers=(ISSUER,),
        cds_jwks=json.dumps(signer.jwks),
        public_url=BASE,
        database_url=pg_server.new_database(),
    )
    client = make_client(settings)
    for jti in ("j" * 300, "nul\u0000id"):
        token = signer.token(BASE + "/cds-services", jti=jti)
        headers = {"Authorization": f"Bearer {token}"}
        assert client.get("/cds-services", headers=headers).status_code == 200
        assert client.get("/cds-services", headers=headers).status_code == 401  # a replay
