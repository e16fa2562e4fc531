"""The chunk function: one output row per input row, results or coded errors, never a raise."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from mbcnav._api import assess_many
from mbcnav.batch.chunk import OUTPUT_SCHEMA, ChunkOptions, normalise_date, screen_chunk
from mbcnav.batch.io import INPUT_SCHEMA
from mbcnav.errors import BatchError
from mbcnav.knowledge import Knowledge


def _batch(rows: list[dict[str, object]]) -> pa.RecordBatch:
    full = [{**dict.fromkeys(INPUT_SCHEMA.names), "row": i, **row} for i, row in enumerate(rows)]
    return pa.RecordBatch.from_pylist(full, schema=INPUT_SCHEMA)


SPINE = b"Severe back pain and new weakness in both legs; she cannot walk."


@pytest.mark.parametrize(
    ("bad", "code"),
    [
        ({"text": b"back pain \xff\xfe and fatigue"}, "MBC-E403"),
        ({"text": b"   \n "}, "MBC-E402"),
        ({"text": None}, "MBC-E402"),
        ({"text": b"back pain " * 2000}, "MBC-E404"),
        ({"text": SPINE, "date": "31/12/2026"}, "MBC-E405"),
        ({"text": SPINE, "her2": "maybe"}, "MBC-E103"),
        ({"read_error": "MBC-E400", "read_message": "The line is not valid JSON."}, "MBC-E400"),
    ],
)
def test_a_bad_row_gets_its_code_and_the_others_still_come_out(
    knowledge: Knowledge, bad: dict[str, object], code: str
) -> None:
    batch = _batch([{"id": "a", "text": SPINE}, {"id": "bad", **bad}, {"id": "c", "text": SPINE}])
    out = screen_chunk(batch, knowledge, ChunkOptions(max_chars=5_000))
    assert out.schema == OUTPUT_SCHEMA
    rows = out.to_pylist()
    assert [r["id"] for r in rows] == ["a", "bad", "c"]
    assert [r["error_code"] for r in rows] == [None, code, None]
    assert rows[1]["error_message"] and rows[1]["sites"] is None
    assert rows[0]["sites"] == rows[2]["sites"]


def test_a_result_row_carries_sites_flags_findings_and_knowledge(knowledge: Knowledge) -> None:
    batch = _batch([{"text": SPINE, "patient": "p1", "date": "2026-02-03 08:30"}])
    row = screen_chunk(batch, knowledge, ChunkOptions(top_sites=2)).to_pylist()[0]
    assert row["id"] == "0" and row["patient"] == "p1" and row["date"] == "2026-02-03T08:30:00"
    assert len(row["sites"]) == 2
    assert row["sites"][0]["probability"] >= row["sites"][1]["probability"]
    assert "site:spine" in {s["id"] for s in row["sites"]}
    assert row["red_flags"] and row["urgency"] == row["red_flags"][0]["urgency"]
    assert "sym:back_pain" in {f["id"] for f in row["findings"]}
    assert row["knowledge_version"] == knowledge.version
    assert row["knowledge_hash"] == knowledge.hash


def test_all_sites_are_kept_with_top_sites_zero(knowledge: Knowledge) -> None:
    row = screen_chunk(_batch([{"text": SPINE}]), knowledge, ChunkOptions(top_sites=0))
    assert len(row.to_pylist()[0]["sites"]) == len(knowledge.sites)


def test_dates_are_iso_or_rejected() -> None:
    assert normalise_date(" 2026-01-05 ") == "2026-01-05"
    assert normalise_date("2026-01-05T10:00:00Z") == "2026-01-05T10:00:00+00:00"
    assert normalise_date("") is None
    with pytest.raises(Exception, match=r"ISO 8601"):
        normalise_date("5 Jan")


def test_a_batch_of_only_bad_rows(knowledge: Knowledge) -> None:
    out = screen_chunk(_batch([{"text": b""}, {"text": b"\xff"}]), knowledge)
    assert out.column("error_code").to_pylist() == ["MBC-E402", "MBC-E403"]


def _fails_on_marker(patients: list[dict[str, Any]], *, knowledge: Knowledge) -> list[Any]:
    """The real engine, except that it breaks on one marked note (an engine bug on one row)."""
    if any("MARKER" in p["text"] for p in patients):
        raise RuntimeError("engine bug")
    return assess_many(patients, knowledge=knowledge)


def test_an_engine_failure_is_isolated_to_its_row_or_stops_the_run(knowledge: Knowledge) -> None:
    batch = _batch([{"text": SPINE}, {"text": b"MARKER back pain"}, {"text": SPINE}])
    codes = screen_chunk(batch, knowledge, engine=_fails_on_marker).column("error_code")
    assert codes.to_pylist() == [None, "MBC-E408", None]
    with pytest.raises(BatchError) as info:
        screen_chunk(batch.slice(1, 1), knowledge, engine=_fails_on_marker)
    assert info.value.code == "MBC-E408"


def test_the_lean_screening_engine_writes_exactly_what_the_full_engine_would(
    knowledge: Knowledge,
) -> None:
    notes = [
        SPINE,
        b"Jaundice, itching and right upper quadrant pain. Possible liver metastases.",
        b"Known bone metastases; calcium 3.7 mmol/L, confusion and vomiting.",
        b"No headache, no seizures. Dry cough and breathlessness for two weeks.",
        b"\xff",
    ]
    batch = _batch([{"text": t, "er": "positive", "her2": "negative"} for t in notes])
    lean = screen_chunk(batch, knowledge, ChunkOptions(top_sites=0))
    full = screen_chunk(batch, knowledge, ChunkOptions(top_sites=0), engine=assess_many)
    assert lean.to_pylist() == full.to_pylist()
    assert any(row["red_flags"] for row in lean.to_pylist())
