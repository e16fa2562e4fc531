"""Readers and writers: one normalised batch shape from every format, fixed chunk sizes."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from screen_data import good_rows, write_csv, write_jsonl

from mbcnav.batch._fhir import questionnaire_text
from mbcnav.batch.io import (
    INPUT_SCHEMA,
    Columns,
    detect_format,
    read_batches,
    read_output,
    write_batches,
)
from mbcnav.errors import BatchError


def _all(path: Path, fmt: str, columns: Columns, rows: int = 4) -> list[pa.RecordBatch]:
    return list(read_batches(path, fmt, columns, rows))


def test_every_format_reads_to_the_same_rows_in_fixed_chunks(tmp_path: Path) -> None:
    rows = good_rows(10)
    jsonl = write_jsonl(tmp_path / "in.jsonl", rows)
    csv = write_csv(tmp_path / "in.csv", rows)
    parquet = tmp_path / "in.parquet"
    pq.write_table(pa.Table.from_pylist(rows), str(parquet), row_group_size=3)
    seen = []
    for path in (jsonl, csv, parquet):
        batches = _all(path, detect_format(path), Columns())
        assert [b.num_rows for b in batches] == [4, 4, 2]
        assert all(b.schema == INPUT_SCHEMA for b in batches)
        seen.append(pa.Table.from_batches(batches).to_pylist())
    assert seen[0] == seen[1] == seen[2]
    assert [r["row"] for r in seen[0]] == list(range(10))
    assert seen[0][3]["text"] == rows[3]["text"].encode()
    assert seen[0][0]["er"] == "positive"


def test_bad_lines_become_rows_with_a_read_error(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "in.jsonl",
        good_rows(1),
        (b'{"id": "enc", "text": "back \xff pain"}', b"not json", b"[1, 2]", b"   "),
    )
    rows = pa.Table.from_batches(_all(path, "jsonl", Columns())).to_pylist()
    assert len(rows) == 4  # the blank line is not a row
    assert [r["read_error"] for r in rows] == [None, "MBC-E403", "MBC-E400", "MBC-E400"]
    assert rows[1]["id"] == "enc"


def test_named_columns_must_exist(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "in.csv", good_rows(2))
    columns = Columns(text="note", required=frozenset({"text"}))
    with pytest.raises(BatchError) as info:
        _all(path, "csv", columns)
    assert info.value.code == "MBC-E401"


def test_formats_by_extension_sniffing_and_flag(tmp_path: Path) -> None:
    fhir = tmp_path / "docs.ndjson"
    fhir.write_text('{"resourceType": "DocumentReference"}\n')
    assert detect_format(fhir) == "fhir"
    assert detect_format(tmp_path / "a.csv") == "csv"
    assert detect_format(tmp_path / "a.txt", "jsonl") == "jsonl"
    assert detect_format(tmp_path / "out", output=True) == "parquet"
    with pytest.raises(BatchError) as info:
        detect_format(tmp_path / "a.xlsx")
    assert info.value.code == "MBC-E406"


def test_fhir_document_references_and_questionnaire_responses(
    tmp_path: Path, shared_dir: Path
) -> None:
    questionnaire = json.loads(
        (
            shared_dir / "data/fhir-examples/pro/mii_pro-ctcae_questionnaire-response-01.json"
        ).read_text(encoding="utf-8")
    )
    note = "Neue Rückenschmerzen. Severe back pain."
    document = {
        "resourceType": "DocumentReference",
        "id": "doc1",
        "subject": {"reference": "Patient/p9"},
        "date": "2026-03-01T10:00:00Z",
        "content": [
            {
                "attachment": {
                    "contentType": "text/plain; charset=utf-8",
                    "data": base64.b64encode(note.encode()).decode(),
                }
            }
        ],
    }
    by_url = {**document, "id": "doc2", "content": [{"attachment": {"url": "http://x"}}]}
    latin = {
        **document,
        "id": "doc3",
        "content": [
            {
                "attachment": {
                    "contentType": "text/plain; charset=iso-8859-1",
                    "data": base64.b64encode(note.encode("latin-1")).decode(),
                }
            }
        ],
    }
    lines = [document, questionnaire, by_url, latin, {"resourceType": "Observation", "id": "o"}]
    path = tmp_path / "bulk.ndjson"
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    rows = pa.Table.from_batches(_all(path, detect_format(path), Columns(), 10)).to_pylist()
    assert rows[0]["text"] == note.encode() and rows[0]["patient"] == "p9"
    assert rows[0]["date"] == "2026-03-01T10:00:00Z"
    assert rows[1]["patient"] == "mii-exa-pro-patient" and rows[1]["date"] == "2026-06-01"
    assert b"proctcae-48a-frq: Frequently." in rows[1]["text"]
    assert rows[2]["read_error"] == "MBC-E301"
    assert rows[3]["text"] == note.encode()
    assert rows[4]["read_error"] == "MBC-E301"
    assert questionnaire_text(
        {"item": [{"text": "Pain?", "answer": [{"valueBoolean": True}]}]}
    ) == ("Pain?: True.")


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".parquet"])
def test_writers_round_trip_nested_rows(tmp_path: Path, suffix: str) -> None:
    schema = pa.schema([("id", pa.string()), ("sites", pa.list_(pa.struct([("id", pa.string())])))])
    batch = pa.RecordBatch.from_pylist(
        [{"id": "a", "sites": [{"id": "site:bone"}]}, {"id": "b", "sites": None}], schema=schema
    )
    out = tmp_path / f"out{suffix}"
    assert write_batches([batch, batch], out, detect_format(out, output=True), schema) == 4
    back = read_output(out).to_pylist()
    assert [r["id"] for r in back] == ["a", "b", "a", "b"]
    first = back[0]["sites"]
    assert (json.loads(first) if isinstance(first, str) else first) == [{"id": "site:bone"}]
    assert not list(tmp_path.glob(".*tmp*"))
