"""`mbcnav qualify --batch` end to end: JSONL in, one result line per input line out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mbcnav._api import MAX_TEXT_CHARS
from mbcnav.cli import app
from mbcnav.errors import InputError
from mbcnav.extract import MAX_QUALIFY_CHARS, qualify


def test_qualify_batch_end_to_end(tmp_path: Path) -> None:
    text = "Extremities: No clubbing, cyanosis, or edema. Evaluate for metastatic disease."
    lines = [
        {"id": "a", "text": text, "spans": [[17, 25], [27, 35], [40, 45], [60, 78]]},
        {"id": "b", "text": "Mother had breast cancer.", "spans": [[11, 24]]},
        {"id": "c", "text": "no spans here", "spans": []},
    ]
    batch = tmp_path / "in.jsonl"
    batch.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["qualify", "--batch", str(batch)])
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", "b", "c"]
    first = out[0]["qualifiers"]
    assert [q["negated"] for q in first] == [True, True, True, False]
    assert first[3]["hypothetical"] is True
    assert first[0]["triggers"] == [{"category": "negated", "text": "No", "start": 13, "end": 15}]
    assert out[1]["qualifiers"][0]["family"] is True
    assert out[2]["qualifiers"] == []


def test_qualify_batch_bad_lines_are_coded_and_the_rest_go_on(tmp_path: Path) -> None:
    batch = tmp_path / "in.jsonl"
    batch.write_text(
        'not json\n{"id": "x", "text": 5, "spans": []}\n'
        '{"id": "y", "text": "ok", "spans": [[0, 9]]}\n'
        '{"id": "z", "text": "no pain", "spans": [[3, 7]]}\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["qualify", "--batch", str(batch)])
    assert result.exit_code == 1
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o.get("error", {}).get("code") for o in out] == [
        "MBC-E106",
        "MBC-E103",
        "MBC-E103",
        None,
    ]
    assert out[3]["qualifiers"][0]["negated"] is True


def test_qualify_batch_missing_file_is_bad_data(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["qualify", "--batch", str(tmp_path / "nope.jsonl")])
    assert result.exit_code == 1


def test_qualify_batch_refuses_a_text_over_one_notes_limit(tmp_path: Path) -> None:
    """A text longer than assess accepts is one coded error line; the next line is still read."""
    batch = tmp_path / "in.jsonl"
    long = "?" * (MAX_QUALIFY_CHARS + 1)
    lines = [
        {"id": "big", "text": long, "spans": [[0, 1]]},
        {"id": "ok", "text": "no pain", "spans": [[3, 7]]},
    ]
    batch.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["qualify", "--batch", str(batch)])
    assert result.exit_code == 1
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert out[0]["id"] == "big" and out[0]["error"]["code"] == "MBC-E600"
    assert out[1]["qualifiers"][0]["negated"] is True


def test_qualify_takes_as_much_text_as_assess() -> None:
    assert MAX_QUALIFY_CHARS == MAX_TEXT_CHARS
    with pytest.raises(InputError) as raised:
        qualify("x" * (MAX_TEXT_CHARS + 1), [(0, 1)])
    assert raised.value.code == "MBC-E600"
    assert qualify("no pain " + "x" * (MAX_TEXT_CHARS - 8), [(3, 7)])[0].negated
