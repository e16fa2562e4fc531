"""Per-patient summary of screened notes: timeline, most urgent flag, new findings, site trends.

Built from the per-note results (whatever engine made them), so both engines share it. Notes
without a patient id have no timeline and are left out. A finding counts as *current* when the
note asserts it: present, and not negated, historical, hypothetical or about family.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from mbcnav.batch.io import detect_format, read_output, write_batches
from mbcnav.types import URGENCY_ORDER

TREND_STEP = 0.01
"""A site whose probability moved less than this between first and last note is 'stable'."""
NOT_CURRENT = ("negated", "historical", "hypothetical", "family")
NOTE = pa.struct(
    [
        ("id", pa.string()),
        ("date", pa.string()),
        ("urgency", pa.string()),
        ("red_flags", pa.list_(pa.string())),
        ("top_site", pa.string()),
        ("top_probability", pa.float64()),
        ("new_findings", pa.list_(pa.string())),
        ("error_code", pa.string()),
    ]
)
SITE_TREND = pa.struct(
    [
        ("id", pa.string()),
        ("max_probability", pa.float64()),
        ("first_probability", pa.float64()),
        ("last_probability", pa.float64()),
        ("trend", pa.float64()),
        ("direction", pa.string()),
    ]
)
PATIENT_SCHEMA = pa.schema(
    [
        ("patient", pa.string()),
        ("notes", pa.int64()),
        ("first_date", pa.string()),
        ("last_date", pa.string()),
        ("most_urgent_flag", pa.string()),
        ("most_urgent_urgency", pa.string()),
        ("most_urgent_first_date", pa.string()),
        ("most_urgent_first_note", pa.string()),
        ("new_findings", pa.list_(pa.string())),
        ("sites", pa.list_(SITE_TREND)),
        ("timeline", pa.list_(NOTE)),
    ]
)
COLUMNS = ["row", "id", "patient", "date", "sites", "red_flags", "findings", "error_code"]
DATE_ERROR = "MBC-E405"
"""A row whose date could not be read: its date is not a date, so no summary date comes from it."""


@dataclass(order=True)
class _Note:
    sort_key: tuple[bool, str, int]
    id: str = field(compare=False)
    date: str | None = field(compare=False)
    flags: list[dict[str, Any]] = field(compare=False)
    sites: list[dict[str, Any]] = field(compare=False)
    current: frozenset[str] = field(compare=False)
    error_code: str | None = field(compare=False)


def _nested(value: Any) -> list[dict[str, Any]]:
    """Nested values come as lists, or as JSON text from a CSV result file."""
    if value is None:
        return []
    if isinstance(value, str):
        loaded: list[dict[str, Any]] = json.loads(value)
        return loaded
    return list(value)


def _note(row: dict[str, Any]) -> _Note:
    findings = _nested(row["findings"])
    current = frozenset(
        f["id"] for f in findings if f["present"] and not any(f.get(q) for q in NOT_CURRENT)
    )
    date = None if row["error_code"] == DATE_ERROR else row["date"]
    return _Note(
        sort_key=(date is None, date or "", int(row["row"])),
        id=str(row["id"]),
        date=date,
        flags=_nested(row["red_flags"]),
        sites=_nested(row["sites"]),
        current=current,
        error_code=row["error_code"],
    )


def _rank(urgency: str) -> int:
    return URGENCY_ORDER.index(urgency) if urgency in URGENCY_ORDER else len(URGENCY_ORDER)


def _most_urgent(notes: list[_Note]) -> dict[str, Any]:
    best: tuple[int, dict[str, Any], _Note] | None = None
    for note in notes:
        for flag in note.flags:
            rank = _rank(flag["urgency"])
            if best is None or rank < best[0]:
                best = (rank, flag, note)
    if best is None:
        return dict.fromkeys(
            (
                "most_urgent_flag",
                "most_urgent_urgency",
                "most_urgent_first_date",
                "most_urgent_first_note",
            )
        )
    _, flag, note = best
    return {
        "most_urgent_flag": flag["id"],
        "most_urgent_urgency": flag["urgency"],
        "most_urgent_first_date": note.date,
        "most_urgent_first_note": note.id,
    }


def _site_trends(notes: list[_Note]) -> list[dict[str, Any]]:
    seen: dict[str, list[float]] = defaultdict(list)
    for note in notes:
        for entry in note.sites:
            seen[entry["id"]].append(float(entry["probability"]))
    out = []
    for site, values in seen.items():
        trend = values[-1] - values[0]
        if len(values) == 1:
            direction = "single"
        elif abs(trend) < TREND_STEP:
            direction = "stable"
        else:
            direction = "rising" if trend > 0 else "falling"
        out.append(
            {
                "id": site,
                "max_probability": max(values),
                "first_probability": values[0],
                "last_probability": values[-1],
                "trend": round(trend, 6),
                "direction": direction,
            }
        )
    return sorted(out, key=lambda s: (-s["max_probability"], s["id"]))


def _timeline(notes: list[_Note]) -> list[dict[str, Any]]:
    timeline = []
    previous: frozenset[str] = frozenset()
    for note in notes:
        top = note.sites[0] if note.sites else None
        timeline.append(
            {
                "id": note.id,
                "date": note.date,
                "urgency": note.flags[0]["urgency"] if note.flags else None,
                "red_flags": [f["id"] for f in note.flags],
                "top_site": top["id"] if top else None,
                "top_probability": top["probability"] if top else None,
                "new_findings": sorted(note.current - previous),
                "error_code": note.error_code,
            }
        )
        if note.error_code is None:
            previous = note.current
    return timeline


def summarise(patient: str, notes: list[_Note]) -> dict[str, Any]:
    """One patient's summary row from their notes (any order)."""
    notes = sorted(notes)
    dated = [n.date for n in notes if n.date is not None]
    timeline = _timeline(notes)
    return {
        "patient": patient,
        "notes": len(notes),
        "first_date": dated[0] if dated else None,
        "last_date": dated[-1] if dated else None,
        **_most_urgent(notes),
        "new_findings": timeline[-1]["new_findings"] if len(timeline) > 1 else [],
        "sites": _site_trends(notes),
        "timeline": timeline,
    }


def patient_rows(results: pa.Table) -> Iterator[dict[str, Any]]:
    """Group result rows by patient (sorted by patient id) and summarise each."""
    by_patient: dict[str, list[_Note]] = defaultdict(list)
    for batch in results.select(COLUMNS).to_batches():
        for row in batch.to_pylist():
            if row["patient"] is not None:
                by_patient[str(row["patient"])].append(_note(row))
    for patient in sorted(by_patient):
        yield summarise(patient, by_patient[patient])


def write_patient_summary(results: Path, out: Path, results_format: str | None = None) -> int:
    """Read per-note results and write one summary row per patient; returns patients written."""
    table = read_output(results, results_format)
    fmt = detect_format(out, None, output=True)

    def batches() -> Iterator[pa.RecordBatch]:
        rows = list(patient_rows(table))
        for start in range(0, len(rows), 1000):
            yield pa.RecordBatch.from_pylist(rows[start : start + 1000], schema=PATIENT_SCHEMA)

    return write_batches(batches(), out, fmt, PATIENT_SCHEMA)
