"""Engine processes behind the HTTP process: same answers, same audit, errors keep their code."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from mbcnav.service import Settings, create_app

PATIENT: dict[str, Any] = {
    "id": "pool-1",
    "text": "Known bone metastases. New back pain for two weeks, now weak legs. No headache.",
    "receptors": {"er": "positive", "her2": "zero"},
    "known_sites": ["site:bone"],
}
HOOK: dict[str, Any] = {
    "hook": "patient-view",
    "hookInstance": "5d2a0d38-6a8f-4b5c-9a55-4f2b0c8e9d11",
    "context": {"userId": "Practitioner/1", "patientId": "p1"},
    "prefetch": {
        "patient": {"resourceType": "Patient", "id": "p1"},
        "conditions": {"resourceType": "Bundle", "type": "searchset"},
        "observations": {
            "resourceType": "Bundle",
            "type": "searchset",
            "entry": [
                {
                    "resource": {
                        "resourceType": "Observation",
                        "status": "final",
                        "subject": {"reference": "Patient/p1"},
                        "code": {"coding": [{"system": "http://loinc.org", "code": "17861-6"}]},
                        "valueQuantity": {"value": 13.5, "unit": "mg/dL"},
                    }
                }
            ],
        },
    },
}


@pytest.fixture(scope="module")
def clients(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, TestClient]]:
    """The same service twice: assessing in threads, and in one engine process."""
    base: Path = tmp_path_factory.mktemp("pool")
    threads = TestClient(create_app(Settings(dev=True, data_dir=base / "threads")))
    pooled = TestClient(create_app(Settings(dev=True, data_dir=base / "pool", engine_processes=1)))
    with threads, pooled:
        assert pooled.app.state.mbcnav.pool is not None  # type: ignore[attr-defined]
        yield threads, pooled


def test_an_engine_process_answers_as_the_threads_do(
    clients: tuple[TestClient, TestClient],
) -> None:
    threads, pooled = clients
    here, there = threads.post("/v1/assess", json=PATIENT), pooled.post("/v1/assess", json=PATIENT)
    assert here.status_code == there.status_code == 200
    assert here.content == there.content
    stored = pooled.get(f"/v1/assessments/{there.headers['x-audit-id']}").json()
    assert stored["output"] == there.json() and stored["channel"] == "rest"


def test_cards_from_an_engine_process_are_audited(clients: tuple[TestClient, TestClient]) -> None:
    threads, pooled = clients
    want = threads.post("/cds-services/mbcnav-patient-view", json=HOOK).json()["cards"]
    got = pooled.post("/cds-services/mbcnav-patient-view", json=HOOK).json()["cards"]
    assert [(c["indicator"], c["summary"]) for c in got] == [
        (c["indicator"], c["summary"]) for c in want
    ]
    audit = pooled.app.state.mbcnav.audit  # type: ignore[attr-defined]
    assert {c["uuid"] for c in got} <= {c["uuid"] for c in audit.cards()}


def test_an_error_in_an_engine_process_keeps_its_code(
    clients: tuple[TestClient, TestClient],
) -> None:
    _, pooled = clients
    response = pooled.post("/v1/assess", json={"findings": [{"id": "sym:not_a_symptom"}]})
    assert response.status_code == 422
    assert response.json()["code"] == "MBC-E102"


def test_a_dead_engine_process_costs_one_busy_answer(
    clients: tuple[TestClient, TestClient],
) -> None:
    _, pooled = clients
    pool = pooled.app.state.mbcnav.pool  # type: ignore[attr-defined]
    for pid in list(pool._executor._processes):
        os.kill(pid, signal.SIGKILL)
    first = pooled.post("/v1/assess", json=PATIENT)
    assert first.status_code == 503 and first.json()["code"] == "MBC-E509"
    assert pooled.post("/v1/assess", json=PATIENT).status_code == 200
