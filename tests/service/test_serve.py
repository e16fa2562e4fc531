"""`mbcnav serve` as a real process: uvicorn on a free loopback port, dev and locked modes."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from service_support import serving
from typer.testing import CliRunner

from mbcnav.cli import app
from mbcnav.cli.serve import is_loopback

PATIENT = {"text": "Severe headache every morning and vomiting.", "setting": "metastatic"}


def test_dev_server_answers_over_http(tmp_path: Path) -> None:
    with serving(tmp_path, "--dev") as base:
        patient = {**PATIENT, "id": "Zebedee-1"}
        response = httpx.post(f"{base}/v1/assess", json=patient, timeout=10)
        assert response.status_code == 200
        assert response.json()["provenance"]["knowledge_hash"].startswith("sha256:")
        assert httpx.get(f"{base}/readyz", timeout=10).json()["status"] == "ready"
        discovery = httpx.get(f"{base}/cds-services", timeout=10).json()
        assert discovery["services"][0]["id"] == "mbcnav-patient-view"
        big = httpx.post(
            f"{base}/v1/assess",
            content=b"x" * 2_000_000,
            headers={"Content-Type": "application/json"},
            timeout=10,
        )
        assert big.status_code == 413 and big.json()["code"] == "MBC-E502"


def _children(pid: int) -> list[str]:
    """Command lines of the processes whose parent is ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            if ppid == pid:
                found.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode())
        except (OSError, ValueError, IndexError):
            continue
    return found


def test_engine_processes_answer_behind_the_http_process(tmp_path: Path) -> None:
    pids: list[int] = []
    with serving(tmp_path, "--dev", "--engine-processes", "2", pids=pids) as base:
        engines = [c for c in _children(pids[0]) if "multiprocessing" in c and "spawn_main" in c]
        assert len(engines) == 2, engines
        answers = [httpx.post(f"{base}/v1/assess", json=PATIENT, timeout=10) for _ in range(4)]
        assert {a.status_code for a in answers} == {200}
        assert len({a.content for a in answers}) == 1


def test_without_dev_and_without_callers_only_healthz_answers(tmp_path: Path) -> None:
    with serving(tmp_path) as base:
        assert httpx.get(f"{base}/healthz", timeout=5).json() == {"status": "ok"}
        for method, path in [
            ("POST", "/v1/assess"),
            ("GET", "/readyz"),
            ("GET", "/cds-services"),
            ("GET", "/openapi.json"),
            ("GET", "/"),
        ]:
            response = httpx.request(method, f"{base}{path}", json=PATIENT, timeout=5)
            assert response.status_code == 401
            assert response.json()["code"] == "MBC-E500"


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::", "example.org"])
def test_dev_refuses_non_loopback_hosts(host: str) -> None:
    result = CliRunner().invoke(app, ["serve", "--dev", "--host", host])
    assert result.exit_code == 2
    assert "loopback" in result.output


def test_dev_from_the_environment_is_held_to_loopback_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MBCNAV_DEV", "true")
    result = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0"])
    assert result.exit_code == 2


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("10.0.0.1", False),
        ("::", False),
        ("myhost", False),
    ],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_bad_settings_are_a_coded_message_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MBCNAV_CDS_ISSUERS", "https://ehr.example.org")
    monkeypatch.setenv("MBCNAV_CDS_JWKS", str(tmp_path / "missing.json"))
    monkeypatch.setenv("MBCNAV_PUBLIC_URL", "https://mbcnav.example.org")
    result = CliRunner().invoke(app, ["serve", "--port", "0"])
    assert result.exit_code == 1
    assert "MBC-E501" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("workers", ["1", "2"])
def test_cds_callers_without_a_service_url_are_refused_at_start(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, workers: str
) -> None:
    """Field test: with MBCNAV_PUBLIC_URL unset the JWT 'aud' check followed the Host header."""
    monkeypatch.setenv("MBCNAV_CDS_ISSUERS", "https://ehr.example.org")
    monkeypatch.setenv("MBCNAV_CDS_JKU_ALLOWLIST", "https://ehr.example.org/jwks.json")
    monkeypatch.delenv("MBCNAV_PUBLIC_URL", raising=False)
    monkeypatch.setenv("MBCNAV_DATA_DIR", str(tmp_path))
    result = CliRunner().invoke(app, ["serve", "--port", "0", "--workers", workers])
    assert result.exit_code == 2
    assert "MBCNAV_PUBLIC_URL" in result.output and "MBC-E504" in result.output
    assert "Traceback" not in result.output
