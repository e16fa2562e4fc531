"""The per-patient summary: timeline, most urgent flag and its first note, new findings, trends."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa

from mbcnav.batch.chunk import OUTPUT_SCHEMA
from mbcnav.batch.io import read_output, write_batches
from mbcnav.batch.patients import patient_rows, write_patient_summary


def _note(row: int, date: str | None, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "row": row,
        "id": f"n{row}",
        "patient": "p1",
        "date": date,
        "sites": [],
        "red_flags": [],
        "urgency": None,
        "findings": [],
        "knowledge_version": "1",
        "knowledge_hash": "h",
        "error_code": None,
        "error_message": None,
    }
    return {**base, **fields}


def _finding(ident: str, **qualifiers: bool) -> dict[str, Any]:
    flags = dict.fromkeys(("negated", "historical", "hypothetical", "family", "uncertain"), False)
    return {"id": ident, "present": not qualifiers.get("negated", False), **flags, **qualifiers}


def _site(ident: str, probability: float) -> dict[str, Any]:
    return {"id": ident, "probability": probability}


NOTES = [
    # given out of order: the summary sorts by date
    _note(
        2,
        "2026-03-01",
        red_flags=[{"id": "flag:spinal_cord_compression", "urgency": "emergency"}],
        findings=[_finding("sym:back_pain"), _finding("sym:leg_weakness")],
        sites=[_site("site:spine", 0.8), _site("site:bone", 0.3)],
    ),
    _note(
        0,
        "2026-01-01",
        findings=[_finding("sym:back_pain", historical=True)],
        sites=[_site("site:spine", 0.2), _site("site:bone", 0.3)],
    ),
    _note(
        1,
        "2026-02-01",
        red_flags=[{"id": "flag:hypercalcaemia", "urgency": "urgent"}],
        findings=[_finding("sym:back_pain"), _finding("sym:cough", negated=True)],
        sites=[_site("site:spine", 0.5)],
    ),
    _note(
        3,
        "2026-04-01",
        red_flags=[{"id": "flag:spinal_cord_compression", "urgency": "emergency"}],
        findings=[
            _finding("sym:back_pain"),
            _finding("sym:leg_weakness"),
            _finding("sym:constipation"),
        ],
        sites=[_site("site:spine", 0.9)],
    ),
    _note(4, None, error_code="MBC-E402", error_message="empty"),
    _note(5, "2026-01-05", patient=None),
]


def test_a_patient_summary_reads_the_story_in_date_order() -> None:
    table = pa.Table.from_pylist(NOTES, schema=OUTPUT_SCHEMA)
    [summary] = list(patient_rows(table))
    assert summary["patient"] == "p1" and summary["notes"] == 5
    assert (summary["first_date"], summary["last_date"]) == ("2026-01-01", "2026-04-01")
    assert [n["id"] for n in summary["timeline"]] == ["n0", "n1", "n2", "n3", "n4"]
    assert summary["most_urgent_flag"] == "flag:spinal_cord_compression"
    assert summary["most_urgent_first_date"] == "2026-03-01"
    assert summary["most_urgent_first_note"] == "n2"
    new = [n["new_findings"] for n in summary["timeline"]]
    assert new[:4] == [[], ["sym:back_pain"], ["sym:leg_weakness"], ["sym:constipation"]]
    assert summary["timeline"][4]["error_code"] == "MBC-E402"
    sites = {s["id"]: s for s in summary["sites"]}
    assert sites["site:spine"]["max_probability"] == 0.9
    assert sites["site:spine"]["direction"] == "rising"
    assert sites["site:bone"]["direction"] == "stable"


def test_summary_files_in_any_result_format(tmp_path: Path) -> None:
    batch = pa.RecordBatch.from_pylist(NOTES, schema=OUTPUT_SCHEMA)
    for suffix in (".csv", ".jsonl", ".parquet"):
        results = tmp_path / f"notes{suffix}"
        write_batches([batch], results, suffix.lstrip("."), OUTPUT_SCHEMA)
        out = tmp_path / f"patients{suffix}"
        assert write_patient_summary(results, out) == 1
        row = read_output(out).to_pylist()[0]
        assert row["most_urgent_first_note"] == "n2"
