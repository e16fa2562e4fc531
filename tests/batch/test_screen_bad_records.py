"""One bad record costs one record when screening: every odd row gets its coded error row."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from screen_data import good_rows, results, write_jsonl

from mbcnav.batch.local import ScreenJob, run_local

HOSTILE_LINES = (
    b'{"id": "lone", "text": "back pain \\ud800 at night"}',  # a lone surrogate: read, replaced
    b'{"id": "deep", "text": ' + b"[" * 3000 + b"]" * 3000 + b"}",
    b'{"id": "digits", "text": "x", "age": ' + b"9" * 5000 + b"}",
    b'{"id": "nan", "text": NaN}',
    b'{"id": "twice", "text": "a", "text": "b"}',
)


def _screen(source: Path, tmp_path: Path, fmt: str) -> list[dict[str, object]]:
    job = ScreenJob(source, tmp_path / "out.jsonl", fmt, "jsonl", chunk_rows=4)
    run_local(job, workers=1)
    return results(job.out)


def test_hostile_jsonl_lines_each_cost_one_row(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", good_rows(6), HOSTILE_LINES)
    rows = _screen(source, tmp_path, "jsonl")
    assert [r["row"] for r in rows] == list(range(11))
    codes = [r["error_code"] for r in rows]
    assert codes[:6] == [None] * 6
    assert rows[6]["id"] == "lone" and codes[6] is None and rows[6]["sites"]
    assert codes[7:] == ["MBC-E400"] * 4


def test_list_and_struct_columns_give_error_rows(tmp_path: Path) -> None:
    table = pa.table(
        {
            "id": ["a", "b", "c"],
            "text": [["back pain"], None, ["headache"]],
            "patient": [{"mrn": 1}, {"mrn": 2}, None],
        }
    )
    source = tmp_path / "nested.parquet"
    pq.write_table(table, str(source))
    rows = _screen(source, tmp_path, "parquet")
    assert [r["id"] for r in rows] == ["a", "b", "c"]
    assert all(r["error_code"] == "MBC-E400" for r in rows)
    assert "'patient' holds a list or record" in str(rows[1]["error_message"])
    assert "'text' holds a list or record" in str(rows[2]["error_message"])


def test_ragged_csv_rows_each_give_one_error_row(tmp_path: Path) -> None:
    source = tmp_path / "ragged.csv"
    source.write_text(
        "id,text\n"
        "a,back pain at night\n"
        'b,"headache, vomiting",extra,fields\n'
        "c,dry cough\n"
        "d\n"
        "e,yellow skin\n",
        encoding="utf-8",
    )
    rows = _screen(source, tmp_path, "csv")
    assert sorted(r["id"] for r in rows) == ["a", "b", "c", "d", "e"]
    assert [r["row"] for r in rows] == list(range(5))
    errors = {r["id"]: r["error_message"] for r in rows if r["error_code"]}
    assert set(errors) == {"b", "d"}
    assert "4 fields where the header has 2" in str(errors["b"])
    assert all(r["sites"] for r in rows if not r["error_code"])
