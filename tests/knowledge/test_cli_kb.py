"""`mbcnav kb check` and `mbcnav kb show` on sound and broken knowledge."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from kb_fixtures import BROKEN, broken_in_memory, read_patch
from typer.testing import CliRunner

import mbcnav.cli.kb  # noqa: F401  (registers the kb commands)
from mbcnav.cli._app import app
from mbcnav.knowledge.checks import REQUIRED_FLAGS, REQUIRED_SITES
from mbcnav.types import MODALITIES

runner = CliRunner()


def test_check_passes_on_the_packaged_knowledge() -> None:
    result = runner.invoke(app, ["kb", "check"])
    assert result.exit_code == 0, result.output
    assert "OK" in result.stdout


def test_check_lists_every_problem_and_exits_1(broken: Callable[[Path], Path]) -> None:
    fixture = next(f for f in BROKEN if f.name == "broken_MBC-E207")
    data_dir = broken(fixture)
    problems = broken_in_memory(read_patch(fixture)["edits"]).problems
    result = runner.invoke(app, ["kb", "check", str(data_dir)])
    assert result.exit_code == 1
    assert result.stderr.count("MBC-E") == len(problems) > 1
    for column in ("code", "file", "record", "field", "message"):
        assert column in result.stderr


def test_show_summarises(tmp_path: Path) -> None:
    result = runner.invoke(app, ["kb", "show"])
    assert result.exit_code == 0
    assert "sha256:" in result.stdout and "symptoms" in result.stdout


def test_show_json_exports_every_required_id() -> None:
    result = runner.invoke(app, ["kb", "show", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["version"] and data["hash"].startswith("sha256:")
    parts = ("sites", "routes", "symptoms", "red_flags", "workup", "treatments", "sources")
    for part in (*parts, "prior_therapies", "treatment_gates"):
        assert data[part], part
    therapies = {tx["id"] for tx in data["treatments"]} | {
        term["id"] for term in data["prior_therapies"]
    }
    assert {"tx:ai_cdk46i", "tx:adjuvant_et_relapse_within_12m"} <= therapies
    hypercalcaemia = next(f for f in data["red_flags"] if f["id"] == "flag:hypercalcaemia")
    assert hypercalcaemia["escalations"][0]["urgency"] == "emergency"
    assert set(REQUIRED_SITES) <= {site["id"] for site in data["sites"]}
    assert set(REQUIRED_FLAGS) <= {flag["id"] for flag in data["red_flags"]}
    assert set(MODALITIES) <= {tx["modality"] for tx in data["treatments"]}
    assert any(symptom["article"] for symptom in data["symptoms"])


def test_show_on_a_broken_folder_exits_1(broken: Callable[[Path], Path]) -> None:
    fixture = next(f for f in BROKEN if f.name == "broken_MBC-E204")
    result = runner.invoke(app, ["kb", "show", str(broken(fixture))])
    assert result.exit_code == 1
    assert "MBC-E204" in result.stderr
