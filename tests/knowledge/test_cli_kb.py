"""`mbcnav kb check` and `mbcnav kb show` on sound and broken knowledge."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from kb_fixtures import BROKEN
from typer.testing import CliRunner

import mbcnav.cli.kb  # noqa: F401  (registers the kb commands)
from mbcnav.cli._app import app
from mbcnav.knowledge.checks import REQUIRED_FLAGS, REQUIRED_SITES
from mbcnav.knowledge.loader import check_knowledge
from mbcnav.types import MODALITIES

runner = CliRunner()


def test_check_passes_on_the_packaged_knowledge() -> None:
    result = runner.invoke(app, ["kb", "check"])
    assert result.exit_code == 0, result.output
    assert "OK" in result.stdout


def test_check_lists_every_problem_and_exits_1(broken: Callable[[Path], Path]) -> None:
    fixture = next(f for f in BROKEN if f.name == "broken_MBC-E207")
    data_dir = broken(fixture)
    problems = check_knowledge(data_dir)
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
    for part in ("sites", "routes", "symptoms", "red_flags", "workup", "treatments", "sources"):
        assert data[part], part
    assert set(REQUIRED_SITES) <= {site["id"] for site in data["sites"]}
    assert set(REQUIRED_FLAGS) <= {flag["id"] for flag in data["red_flags"]}
    assert set(MODALITIES) <= {tx["modality"] for tx in data["treatments"]}
    assert any(symptom["article"] for symptom in data["symptoms"])


def test_show_on_a_broken_folder_exits_1(broken: Callable[[Path], Path]) -> None:
    fixture = next(f for f in BROKEN if f.name == "broken_MBC-E204")
    result = runner.invoke(app, ["kb", "show", str(broken(fixture))])
    assert result.exit_code == 1
    assert "MBC-E204" in result.stderr
