"""`mbcnav evaluate` on the golden cases, and its figures on hand-made results."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from mbcnav.cli import app

RUNNER = CliRunner()
GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "cases.jsonl"


def test_evaluate_golden_cases(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    result = RUNNER.invoke(app, ["evaluate", str(GOLDEN), "--details", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "site recall@1" in result.stdout
    report = json.loads(out.read_text())
    summary = report["summary"]
    assert summary["cases"] >= 30 and summary["errors"] == 0
    assert summary["site_recall_at_3"] >= 0.9
    assert summary["red_flag_sensitivity"] == 1.0
    assert summary["red_flag_false_alarm_rate"] <= 0.05
    assert len(report["cases"]) == summary["cases"]


def test_evaluate_counts_misses_and_false_alarms(tmp_path: Path) -> None:
    cases = [
        {
            "id": "miss",
            "patient": {"findings": [{"id": "sym:skin_nodule"}]},
            "expected": {"sites": ["site:brain"], "red_flags": ["flag:seizure"]},
        },
        {
            "id": "alarm",
            "patient": {"findings": [{"id": "sym:seizure"}]},
            "expected": {"sites": ["site:brain"], "red_flags": []},
        },
        {"id": "bad", "patient": {}, "expected": {"sites": [], "red_flags": []}},
    ]
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(json.dumps(c) for c in cases), encoding="utf-8")
    out = tmp_path / "r.json"
    result = RUNNER.invoke(app, ["evaluate", str(path), "--out", str(out)])
    summary = json.loads(out.read_text())["summary"]
    assert result.exit_code == 1  # one case could not be assessed
    assert summary["errors"] == 1 and summary["cases"] == 2
    assert summary["site_recall_at_1"] == 0.5
    assert summary["red_flag_sensitivity"] == 0.0
    assert summary["red_flag_false_alarm_rate"] > 0.0
