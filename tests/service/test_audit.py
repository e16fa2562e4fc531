"""Audit trail on SQLite and on a real PostgreSQL server started by the suite."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from service_support import PgServer
from sqlalchemy import inspect

from mbcnav.knowledge import Knowledge
from mbcnav.service import Settings
from mbcnav.service.audit import AuditStore, input_hash
from mbcnav.types import Patient

PATIENTS: list[dict[str, Any]] = [
    {
        "id": "a",
        "text": "New back pain and weak legs.",
        "setting": "metastatic",
        "known_sites": ["site:bone"],
        "receptors": {"er": "positive", "her2": "zero"},
    },
    {"id": "b", "text": "Headache every morning with vomiting."},
    {"id": "c", "findings": [{"id": "sym:dyspnoea"}], "labs": {"calcium_corrected_mmol_l": 3.1}},
    {
        "id": "a",
        "text": "New back pain and weak legs.",
        "setting": "metastatic",
        "known_sites": ["site:bone"],
        "receptors": {"er": "positive", "her2": "zero"},
    },
]
CDS_REQUEST: dict[str, Any] = {
    "hook": "patient-view",
    "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
    "context": {"userId": "Practitioner/1", "patientId": "p1"},
    "prefetch": {
        "patient": {"resourceType": "Patient", "id": "p1", "gender": "female"},
        "conditions": {
            "resourceType": "Bundle",
            "type": "searchset",
            "entry": [
                {
                    "resource": {
                        "resourceType": "Condition",
                        "subject": {"reference": "Patient/p1"},
                        "code": {
                            "coding": [{"system": "http://snomed.info/sct", "code": "94381002"}]
                        },
                    }
                }
            ],
        },
        "observations": {
            "resourceType": "Bundle",
            "type": "searchset",
            "entry": [
                {
                    "resource": {
                        "resourceType": "Observation",
                        "status": "final",
                        "subject": {"reference": "Patient/p1"},
                        "code": {"coding": [{"system": "http://loinc.org", "code": "14631-6"}]},
                        "valueQuantity": {"value": 60, "unit": "umol/L"},
                    }
                }
            ],
        },
    },
}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'audit.sqlite3'}"
    server: PgServer = request.getfixturevalue("pg_server")
    return server.new_database()


def _settings(tmp_path: Path, url: str) -> Settings:
    return Settings(dev=True, data_dir=tmp_path, database_url=url)


def _run_script(client: TestClient) -> list[str]:
    """The same calls on every backend: four REST assessments, one CDS call, one feedback,
    two reads of audited assessments (REST and page) and one read of a missing record."""
    ids = [client.post("/v1/assess", json=p).headers["x-audit-id"] for p in PATIENTS]
    cards = client.post("/cds-services/mbcnav-patient-view", json=CDS_REQUEST).json()["cards"]
    feedback = {
        "feedback": [
            {
                "card": cards[0]["uuid"],
                "outcome": "overridden",
                "overrideReason": {"reason": cards[0]["overrideReasons"][1]},
                "outcomeTimestamp": "2026-11-25T10:00:00Z",
            }
        ]
    }
    assert (
        client.post("/cds-services/mbcnav-patient-view/feedback", json=feedback).status_code == 200
    )
    assert client.get(f"/v1/assessments/{ids[0]}").status_code == 200
    assert client.get(f"/?assessment={ids[1]}").status_code == 200
    assert client.get("/v1/assessments/no-such-record").status_code == 404
    return ids


def test_every_assessment_is_recorded(
    db_url: str, tmp_path: Path, knowledge: Knowledge, make_client: Callable[..., TestClient]
) -> None:
    client = make_client(_settings(tmp_path, db_url))
    ids = _run_script(client)
    store: AuditStore = client.app.state.mbcnav.audit  # type: ignore[attr-defined]
    records = store.assessments()
    assert [r["channel"] for r in records] == ["rest"] * 4 + ["cds"]
    assert [r["id"] for r in records[:4]] == ids
    for record, patient in zip(records, PATIENTS, strict=False):
        assert record["knowledge_version"] == knowledge.version
        assert record["knowledge_hash"] == knowledge.hash
        assert record["caller"] == "dev"
        expected = input_hash(Patient.model_validate(patient).model_dump(mode="json"))
        assert record["input_hash"] == expected
        assert record["output"]["provenance"]["knowledge_hash"] == knowledge.hash
    assert records[0]["input_hash"] == records[3]["input_hash"] != records[1]["input_hash"]
    cards = store.cards()
    assert cards and {c["assessment_id"] for c in cards} == {records[4]["id"]}
    assert all(c["request_id"] == CDS_REQUEST["hookInstance"] for c in cards)
    (feedback,) = store.feedback()
    assert feedback["outcome"] == "overridden" and feedback["card"] == cards[0]["uuid"]


def test_audit_survives_a_restart(
    db_url: str, tmp_path: Path, make_client: Callable[..., TestClient]
) -> None:
    first = make_client(_settings(tmp_path, db_url))
    response = first.post("/v1/assess", json=PATIENTS[0])
    audit_id = response.headers["x-audit-id"]
    first.__exit__(None, None, None)
    second = make_client(_settings(tmp_path, db_url))
    stored = second.get(f"/v1/assessments/{audit_id}").json()
    assert stored["output"] == response.json()
    second.post("/v1/assess", json=PATIENTS[1])
    assert second.app.state.mbcnav.audit.count() == 2  # type: ignore[attr-defined]


def test_schema_comes_from_the_migrations(db_url: str) -> None:
    store = AuditStore(db_url)
    store.migrate()
    store.migrate()
    tables = set(inspect(store.engine).get_table_names())
    store.close()
    assert {
        "audit_assessment",
        "audit_card",
        "audit_feedback",
        "audit_access",
        "seen_token",
        "alembic_version",
    } <= tables


def _comparable(store: AuditStore) -> dict[str, Any]:
    """Records without what differs by nature between runs (ids, times, card uuids)."""
    assessments = [
        {k: v for k, v in r.items() if k not in ("id", "created_at", "request_id")}
        for r in store.assessments()
    ]
    cards = [
        {"indicator": c["indicator"], "summary": c["summary"], "input_hash": c["input_hash"]}
        for c in store.cards()
    ]
    feedback = [{k: v for k, v in f.items() if k != "card"} for f in store.feedback()]
    for item in feedback:
        item["override_reason"] = item["override_reason"]["reason"]["code"]
    accesses = [{k: v for k, v in a.items() if k != "accessed_at"} for a in store.accesses()]
    for item in accesses:
        item["assessment_id"] = item["assessment_id"] if not item["found"] else "(found)"
    return {
        "assessments": assessments,
        "cards": cards,
        "feedback": feedback,
        "accesses": accesses,
    }


@pytest.mark.postgres
def test_postgresql_and_sqlite_agree(
    pg_server: PgServer, tmp_path: Path, make_client: Callable[..., TestClient]
) -> None:
    results = []
    for url in (f"sqlite:///{tmp_path / 'a.sqlite3'}", pg_server.new_database()):
        client = make_client(_settings(tmp_path, url))
        _run_script(client)
        results.append(_comparable(client.app.state.mbcnav.audit))  # type: ignore[attr-defined]
    assert results[0] == results[1]
    assert len(results[0]["assessments"]) == 5


def test_every_read_of_an_audited_assessment_is_recorded(
    db_url: str, tmp_path: Path, make_client: Callable[..., TestClient]
) -> None:
    """Hospital IT asks who looked at a patient's assessment, not only who made it."""
    client = make_client(_settings(tmp_path, db_url))
    ids = _run_script(client)
    store: AuditStore = client.app.state.mbcnav.audit  # type: ignore[attr-defined]
    reads = store.accesses()
    assert [(r["assessment_id"], r["channel"], r["found"]) for r in reads] == [
        (ids[0], "rest", True),
        (ids[1], "page", True),
        ("no-such-record", "rest", False),
    ]
    assert all(r["caller"] == "dev" and r["accessed_at"] for r in reads)


PAGES = ["/", "/handout", "/handout.pdf", "/assessment.json", "/assessment.fhir.json"]


def test_every_page_assessment_is_recorded(
    db_url: str, tmp_path: Path, knowledge: Knowledge, make_client: Callable[..., TestClient]
) -> None:
    """Field test: assessments made on the web page (the form and every download of it) left
    no audit record. Each is recorded like a REST one: who, when, channel ``page``, input hash,
    output; posted or by query string; the response names its record."""
    token = "page-proxy-token-0123456789"
    settings = Settings(data_dir=tmp_path, database_url=db_url, api_tokens=(token,))
    client = make_client(settings)
    auth = {"Authorization": f"Bearer {token}"}
    form = {"text": "Back pain for two weeks; calcium 3.1 mmol/L.", "er": "positive"}
    rest_id = client.post("/v1/assess", json={"text": form["text"]}, headers=auth)
    assert rest_id.status_code == 200
    ids = []
    for path in PAGES:
        response = client.post(path, data=form, headers=auth)
        assert response.status_code == 200, (path, response.text[:300])
        assert response.headers["cache-control"] in ("no-store", "private, no-cache")
        ids.append(response.headers["x-audit-id"])
    by_query = client.get("/handout", params=form, headers=auth)
    ids.append(by_query.headers["x-audit-id"])
    assert client.get("/", headers=auth).status_code == 200  # the empty form assesses nothing
    assert client.post("/", data={"text": ""}, headers=auth).status_code == 422
    store: AuditStore = client.app.state.mbcnav.audit  # type: ignore[attr-defined]
    records = store.assessments()
    rest, pages = records[0], records[1:]
    assert [r["id"] for r in pages] == ids and len(set(ids)) == len(PAGES) + 1
    patient = {"text": form["text"], "receptors": {"er": "positive"}}
    expected = input_hash(Patient.model_validate(patient).model_dump(mode="json"))
    for record in pages:
        assert record["channel"] == "page" and record["caller"] == rest["caller"] != "dev"
        assert record["created_at"] and record["request_id"] != "-"
        assert record["knowledge_hash"] == knowledge.hash and record["input_hash"] == expected
        assert record["output"]["red_flags"]
    shown = client.get(f"/?assessment={ids[0]}", headers=auth)
    assert shown.status_code == 200 and "the web page" in shown.text
    assert "x-audit-id" not in shown.headers  # a read is an access record, not an assessment
    assert store.count() == len(PAGES) + 2
