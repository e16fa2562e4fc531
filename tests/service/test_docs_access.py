"""``/docs``, ``/redoc`` and ``/openapi.json`` follow the API's access rule unless configured
public (field test: they answered without credentials); ``/healthz`` and ``/readyz`` stay open
to probes, and say nothing about any patient."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from mbcnav.service import Settings

TOKEN = "docs-reader-token-0123456789"
DOCS = ["/openapi.json", "/docs", "/redoc"]


@pytest.mark.parametrize("path", DOCS)
def test_docs_need_a_token_by_default(
    path: str, tmp_path: Path, make_client: Callable[..., TestClient]
) -> None:
    client = make_client(Settings(data_dir=tmp_path, api_tokens=(TOKEN,)))
    refused = client.get(path)
    assert refused.status_code == 401
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["code"] == "MBC-E500"
    wrong = client.get(path, headers={"Authorization": "Bearer not-the-token-0000000"})
    assert wrong.status_code == 401
    allowed = client.get(path, headers={"Authorization": f"Bearer {TOKEN}"})
    assert allowed.status_code == 200
    if path == "/openapi.json":
        assert allowed.json()["paths"]["/v1/assess"]
    else:
        assert "/openapi.json" in allowed.text


@pytest.mark.parametrize("path", DOCS)
def test_docs_can_be_made_public(
    path: str, tmp_path: Path, make_client: Callable[..., TestClient]
) -> None:
    client = make_client(Settings(data_dir=tmp_path, api_tokens=(TOKEN,), public_docs=True))
    assert client.get(path).status_code == 200


def test_docs_are_open_in_dev_and_not_described_in_themselves(dev_client: TestClient) -> None:
    schema = dev_client.get("/openapi.json").json()
    assert dev_client.get("/docs").status_code == 200
    assert not {"/openapi.json", "/docs", "/redoc"} & set(schema["paths"])


def test_probes_stay_open_without_patient_data(
    tmp_path: Path, make_client: Callable[..., TestClient]
) -> None:
    client = make_client(Settings(data_dir=tmp_path, api_tokens=(TOKEN,)))
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert set(ready.json()) == {"status", "knowledge_version", "knowledge_hash"}
