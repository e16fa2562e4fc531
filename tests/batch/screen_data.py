"""Notes to screen, written here: good rows over four patients, and file helpers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv

from mbcnav.batch.chunk import OUTPUT_SCHEMA
from mbcnav.batch.io import read_output

GOOD = [
    "Severe back pain and new weakness in both legs; she cannot walk. History of breast cancer.",
    "Dry cough and shortness of breath for three weeks. No fever.",
    "Yellow skin and pain under the right ribs; bilirubin is raised.",
    "Follow-up visit. She feels well and denies headache.",
]


def good_rows(n: int) -> list[dict[str, Any]]:
    """``n`` well-formed notes over four patients, dated in order."""
    return [
        {
            "id": f"n{i}",
            "patient": f"p{i % 4}",
            "date": f"2026-{1 + i // 28 % 12:02d}-{1 + i % 28:02d}",
            "text": GOOD[i % len(GOOD)],
            "er": "positive",
        }
        for i in range(n)
    ]


def write_jsonl(
    path: Path, rows: list[dict[str, Any]], extra_lines: tuple[bytes, ...] = ()
) -> Path:
    with path.open("wb") as handle:
        for row in rows:
            handle.write(json.dumps(row).encode() + b"\n")
        for line in extra_lines:
            handle.write(line + b"\n")
    return path


def write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    pacsv.write_csv(pa.Table.from_pylist(rows), str(path))
    return path


def results(path: Path) -> list[dict[str, Any]]:
    """A result file's rows as dicts, in file order."""
    rows: list[dict[str, Any]] = read_output(path).select(OUTPUT_SCHEMA.names).to_pylist()
    return rows
