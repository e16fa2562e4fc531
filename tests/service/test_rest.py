"""REST API: assessment, knowledge, health, problem JSON, limits, tokens, quiet logs."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from mbcnav import assess
from mbcnav.knowledge import Knowledge
from mbcnav.service import Settings
from mbcnav.service.audit import input_hash
from mbcnav.types import Patient

CORD = {
    "id": "case-cord",
    "text": "Known bone metastases. Worsening back pain for two weeks, now weak legs and "
    "numbness below the waist.",
    "receptors": {"er": "positive", "pr": "positive", "her2": "zero"},
    "setting": "metastatic",
    "known_sites": ["site:bone"],
}


def _problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["code"] == code
    assert body["type"].endswith(code) and body["title"] and body["detail"]
    return body


def test_assess_returns_the_engine_assessment(dev_client: TestClient, knowledge: Knowledge) -> None:
    response = dev_client.post("/v1/assess", json=CORD)
    assert response.status_code == 200
    body = response.json()
    expected = assess(CORD, knowledge=knowledge).model_dump(mode="json", by_alias=True)
    assert body == expected
    assert body["red_flags"][0]["id"] == "flag:spinal_cord_compression"
    assert body["provenance"]["knowledge_hash"] == knowledge.hash
    assert response.headers["x-audit-id"]
    assert response.headers["x-request-id"]


def test_request_id_is_echoed(dev_client: TestClient) -> None:
    response = dev_client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"


def test_knowledge_endpoint(dev_client: TestClient, knowledge: Knowledge) -> None:
    body = dev_client.get("/v1/knowledge").json()
    assert body["version"] == knowledge.version and body["hash"] == knowledge.hash
    assert {source["id"] for source in body["sources"]} == set(knowledge.sources)


def test_health_and_readiness(dev_client: TestClient, knowledge: Knowledge) -> None:
    assert dev_client.get("/healthz").json() == {"status": "ok"}
    ready = dev_client.get("/readyz").json()
    assert ready["status"] == "ready" and ready["knowledge_hash"] == knowledge.hash


def test_not_ready_when_knowledge_is_broken(
    tmp_path: Path, make_client: Callable[..., TestClient]
) -> None:
    from mbcnav.service import create_app

    settings = Settings(dev=True, data_dir=tmp_path, knowledge_path=tmp_path / "missing")
    client = make_client(settings, create_app(settings))
    assert client.get("/healthz").status_code == 200
    _problem(client.get("/readyz"), 503, "MBC-E504")
    response = client.post("/v1/assess", json=CORD)
    assert response.status_code == 503
    assert response.json()["code"].startswith("MBC-E2")


def test_start_up_loads_knowledge_and_database_before_the_first_call(
    tmp_path: Path, make_client: Callable[..., TestClient]
) -> None:
    from mbcnav.service import create_app

    settings = Settings(dev=True, data_dir=tmp_path)
    app = create_app(settings)
    state = app.state.mbcnav
    assert state.loaded_knowledge is None
    make_client(settings, app)
    assert state.loaded_knowledge is not None
    assert (tmp_path / "audit.sqlite3").exists()
    assert state.audit.count() == 0, "the warm-up assessment is not an audited call"


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"text": "x", "colour": "red"}, 422, "MBC-E100"),
        ({"receptors": {"her2": "pos"}, "text": "x"}, 422, "MBC-E103"),
        ({}, 422, "MBC-E101"),
        ({"findings": [{"id": "sym:not_a_symptom"}]}, 422, "MBC-E102"),
        ([1, 2], 400, "MBC-E106"),
    ],
)
def test_bad_patients_get_coded_problems(
    dev_client: TestClient, payload: Any, status: int, code: str
) -> None:
    _problem(dev_client.post("/v1/assess", json=payload), status, code)


def test_malformed_json_is_a_problem(dev_client: TestClient) -> None:
    response = dev_client.post(
        "/v1/assess", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    _problem(response, 400, "MBC-E106")


def test_unknown_path_and_method(dev_client: TestClient) -> None:
    _problem(dev_client.get("/v1/nothing"), 404, "MBC-E503")
    _problem(dev_client.get("/v1/assess"), 405, "MBC-E506")


def test_body_size_limit(tmp_path: Path, make_client: Callable[..., TestClient]) -> None:
    client = make_client(Settings(dev=True, data_dir=tmp_path, max_body_bytes=2_000))
    _problem(client.post("/v1/assess", json={"text": "a" * 5_000}), 413, "MBC-E502")


def test_text_length_limit(tmp_path: Path, make_client: Callable[..., TestClient]) -> None:
    client = make_client(Settings(dev=True, data_dir=tmp_path, max_text_chars=200))
    body = _problem(client.post("/v1/assess", json={"text": "pain " * 100}), 413, "MBC-E105")
    assert body["field"] == "text"


def test_stored_assessment_can_be_read_back(dev_client: TestClient) -> None:
    response = dev_client.post("/v1/assess", json=CORD)
    stored = dev_client.get(f"/v1/assessments/{response.headers['x-audit-id']}").json()
    assert stored["output"] == response.json()
    assert stored["input_hash"] == input_hash(Patient.model_validate(CORD).model_dump(mode="json"))
    _problem(dev_client.get("/v1/assessments/no-such-id"), 404, "MBC-E503")


def test_fhir_bundle_endpoint(dev_client: TestClient, shared_dir: Path) -> None:
    path = (
        shared_dir / "data/fhir-examples/mcode-bundles/ctma_TrialMatching_Patient02_mbc_bone.json"
    )
    bundle = json.loads(path.read_text())
    bundle["entry"].append(
        {
            "resource": {
                "resourceType": "DocumentReference",
                "status": "current",
                "content": [
                    {
                        "attachment": {
                            "contentType": "text/plain",
                            "data": "TmV3IGJhY2sgcGFpbiBhbmQgd2VhayBsZWdzLg==",
                        }
                    }
                ],
            }
        }
    )
    body = dev_client.post("/v1/fhir/assess", json=bundle).json()
    bone = next(site for site in body["sites"] if site["id"] == "site:bone")
    assert bone["probability"] == 1.0 and bone["known"]
    fhir = dev_client.post("/v1/fhir/assess?format=fhir", json=bundle)
    assert fhir.headers["content-type"].startswith("application/fhir+json")
    risk = fhir.json()["entry"][0]["resource"]
    assert risk["resourceType"] == "RiskAssessment"
    assert risk["subject"]["reference"].startswith("Patient/")
    _problem(dev_client.post("/v1/fhir/assess", json={"a": 1}), 422, "MBC-E300")


def test_api_tokens(tmp_path: Path, make_client: Callable[..., TestClient]) -> None:
    client = make_client(Settings(data_dir=tmp_path, api_tokens="tok-one,tok-two"))
    _problem(client.post("/v1/assess", json=CORD), 401, "MBC-E500")
    wrong = client.post("/v1/assess", json=CORD, headers={"Authorization": "Bearer nope"})
    _problem(wrong, 401, "MBC-E501")
    for token in ("tok-one", "tok-two"):
        ok = client.post("/v1/assess", json=CORD, headers={"Authorization": f"Bearer {token}"})
        assert ok.status_code == 200


def test_no_trusted_caller_refuses_all_but_healthz(
    tmp_path: Path, make_client: Callable[..., TestClient]
) -> None:
    client = make_client(Settings(data_dir=tmp_path))
    assert client.get("/healthz").status_code == 200
    for method, path in [
        ("GET", "/readyz"),
        ("POST", "/v1/assess"),
        ("GET", "/v1/knowledge"),
        ("GET", "/openapi.json"),
        ("GET", "/cds-services"),
        ("POST", "/cds-services/mbcnav-patient-view"),
        ("GET", "/"),
    ]:
        response = client.request(method, path, json={} if method == "POST" else None)
        _problem(response, 401, "MBC-E500")
        assert response.headers["www-authenticate"] == "Bearer"


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MBCNAV_API_TOKENS", "a, b")
    monkeypatch.setenv("MBCNAV_CDS_ISSUERS", '["https://ehr.example.org"]')
    monkeypatch.setenv("MBCNAV_DATABASE_URL", "postgresql://u@127.0.0.1:5/db")
    monkeypatch.setenv("MBCNAV_DATA_DIR", str(tmp_path))
    settings = Settings()
    assert [t.get_secret_value() for t in settings.api_tokens] == ["a", "b"]
    assert settings.cds_issuers == ("https://ehr.example.org",)
    assert settings.trusts_callers
    assert "a" not in repr(settings.api_tokens)
    monkeypatch.delenv("MBCNAV_DATABASE_URL")
    assert Settings().audit_url == f"sqlite:///{tmp_path / 'audit.sqlite3'}"
    with pytest.raises(ValueError, match="asymmetric"):
        Settings(cds_algorithms="HS256")


def test_logs_hold_no_patient_data(
    dev_client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "Mrs Zebedee-Quartz reports crushing back pain"
    with caplog.at_level(logging.DEBUG):
        dev_client.post("/v1/assess", json={"id": "MRN-998877", "text": secret})
        dev_client.post("/v1/assess", json={"id": "MRN-998877", "text": secret, "x": 1})
        dev_client.get("/v1/assessments/none?patient=MRN-998877")
    server_side = [r for r in caplog.records if not r.name.startswith("httpx")]
    assert server_side, "the access log should have written something"
    logged = "\n".join(record.getMessage() for record in server_side)
    assert "Zebedee" not in logged and "MRN-998877" not in logged
    assert "/v1/assess" in logged


@pytest.mark.parametrize("path", ["/nope%0d%0aFAKE 200 0.1ms", "/x%0aGET%20/v1/assess%1b[2J"])
def test_a_path_cannot_forge_a_log_line(
    dev_client: TestClient, caplog: pytest.LogCaptureFixture, path: str
) -> None:
    """Field test: ``GET /nope%0d%0aFAKE`` wrote a second, forged line in the access log."""
    with caplog.at_level(logging.INFO, logger="mbcnav.service.access"):
        assert dev_client.get(path).status_code == 404
    (line,) = [r.getMessage() for r in caplog.records if r.name == "mbcnav.service.access"]
    assert line.isprintable(), line
    assert "\\x0a" in line and line.startswith("GET /")


def test_cors_for_a_configured_browser_origin(
    tmp_path: Path, make_client: Callable[..., TestClient]
) -> None:
    origin = "http://127.0.0.1:3000"
    client = make_client(Settings(dev=True, data_dir=tmp_path, cors_origins=origin))
    preflight = client.options(
        "/cds-services",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "Authorization",
        },
    )
    assert preflight.headers["access-control-allow-origin"] == origin
    assert int(preflight.headers["access-control-max-age"]) > 0
    actual = client.get("/cds-services", headers={"Origin": origin})
    assert "x-request-id" in actual.headers["access-control-expose-headers"].lower()
    other = client.get("/healthz", headers={"Origin": "http://evil.example"})
    assert "access-control-allow-origin" not in other.headers


def test_a_trailing_slash_is_served_not_redirected(dev_client: TestClient) -> None:
    """An EHR need not follow a 307 for a POST; the path with a slash must answer itself."""
    response = dev_client.post("/v1/assess/", json=CORD, follow_redirects=False)
    assert response.status_code == 200
    assert response.json()["id"] == "case-cord"
    assert dev_client.get("/healthz/", follow_redirects=False).json() == {"status": "ok"}


def test_load_shedding_answers_busy_at_once() -> None:
    import asyncio

    from mbcnav.service.middleware import LoadShedder

    calls: list[str] = []

    async def inner(scope: Any, receive: Any, send: Any) -> None:
        calls.append(scope["path"])

    async def run(path: str) -> list[dict[str, Any]]:
        sent: list[dict[str, Any]] = []

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        shedder = LoadShedder(inner, limit=1)
        shedder.in_flight = 1
        await shedder({"type": "http", "path": path, "method": "POST"}, None, send)
        return sent

    busy = asyncio.run(run("/v1/assess"))
    assert busy[0]["status"] == 503
    assert json.loads(busy[1]["body"])["code"] == "MBC-E509"
    assert asyncio.run(run("/healthz")) == [] and calls == ["/healthz"]
