"""One bad record costs one record: `assess --batch`, `--patient` and `qualify` never trace back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mbcnav.cli import app

RUNNER = CliRunner()

BAD_LINES = [
    b"[" * 5000 + b"]" * 5000,  # deep nesting
    b'{"text": "back pain", "age": ' + b"9" * 5000 + b"}",  # a 5,000-digit number
    b'{"text": "back pain \xff\xfe"}',  # invalid UTF-8
    b'{"text": "x", "text": "y"}',  # duplicate key
    b'{"labs": {"calcium_corrected_mmol_l": NaN}, "text": "x"}',
    b"not json at all",
]


def _file(tmp_path: Path, lines: list[bytes]) -> Path:
    path = tmp_path / "in.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def test_batch_gives_one_error_line_per_bad_line_and_assesses_the_rest(tmp_path: Path) -> None:
    good = json.dumps({"id": "ok", "text": "new headache and vomiting"}).encode()
    surrogate = json.dumps({"id": "lone", "text": "back pain \ud800 at night"}).encode()
    lines = [good, *BAD_LINES, surrogate, good]
    result = RUNNER.invoke(app, ["assess", "--batch", str(_file(tmp_path, lines))])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == len(lines)
    errors = [row for row in rows if "error" in row]
    assert [row["line"] for row in errors] == list(range(2, 2 + len(BAD_LINES)))
    assert {row["error"]["code"] for row in errors} == {"MBC-E106", "MBC-E403"}
    assessed = [row for row in rows if "sites" in row]
    assert [row["id"] for row in assessed] == ["ok", "lone", "ok"]
    lone = assessed[1]
    assert any(f["text"].startswith("back pain \ufffd") for f in lone["findings"])


@pytest.mark.parametrize("raw", BAD_LINES)
def test_patient_file_errors_are_coded(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "patient.json"
    path.write_bytes(raw)
    result = RUNNER.invoke(app, ["assess", "--patient", str(path)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output and "[MBC-E" in result.output


def test_qualify_gives_one_error_line_per_bad_line(tmp_path: Path) -> None:
    good = json.dumps({"id": "q", "text": "No back pain.", "spans": [[3, 12]]}).encode()
    lines = [good, *BAD_LINES, good]
    result = RUNNER.invoke(app, ["qualify", "--batch", str(_file(tmp_path, lines))])
    assert result.exit_code == 1 and "Traceback" not in result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == len(lines)
    assert rows[0]["qualifiers"][0]["negated"] is True
    assert rows[-1] == rows[0]
    assert all("error" in row for row in rows[1:-1])


def test_utf16_batch_is_read(tmp_path: Path) -> None:
    text = json.dumps({"id": "u", "text": "Zoë has a new headache"}) + "\n"
    path = tmp_path / "u16.jsonl"
    path.write_text(text, encoding="utf-16")
    result = RUNNER.invoke(app, ["assess", "--batch", str(path)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["id"] == "u"
