"""The local engine: process pool, lossless output, resume after a kill, and the CLI."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.parquet as pq
import pytest
from screen_data import good_rows, results, write_csv, write_jsonl
from typer.testing import CliRunner

from mbcnav.batch.io import Columns
from mbcnav.batch.local import ScreenJob, run_local
from mbcnav.cli import app
from mbcnav.errors import BatchError

BAD_LINES = (b'{"id": "enc", "text": "back \xff pain"}', b"not json", b'{"id": "e", "text": ""}')


def _job(source: Path, out: Path, **kwargs: object) -> ScreenJob:
    fmt = {".jsonl": "jsonl", ".csv": "csv", ".parquet": "parquet"}
    out_format = fmt.get(out.suffix, "parquet")
    return ScreenJob(source, out, fmt[source.suffix], out_format, **kwargs)  # type: ignore[arg-type]


def test_two_workers_give_the_same_rows_as_one(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", good_rows(40), BAD_LINES)
    one = run_local(_job(source, tmp_path / "one.jsonl", chunk_rows=7), workers=1)
    two = run_local(_job(source, tmp_path / "two.parquet", chunk_rows=7), workers=2)
    assert one.rows == two.rows == 43 and one.errors == two.errors == 3
    assert results(tmp_path / "one.jsonl") == results(tmp_path / "two.parquet")
    assert [r["row"] for r in results(tmp_path / "two.parquet")] == list(range(43))
    assert not (tmp_path / "two.parquet.parts").exists()


def test_a_parquet_path_without_suffix_is_left_as_a_dataset(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", good_rows(10))
    run_local(_job(source, tmp_path / "out", chunk_rows=4), workers=1)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "_manifest.json",
        "part-00000000.parquet",
        "part-00000001.parquet",
        "part-00000002.parquet",
    ]
    assert pads.dataset(str(tmp_path / "out")).count_rows() == 10


def test_resume_refuses_changed_settings(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", good_rows(10))
    run_local(_job(source, tmp_path / "out", chunk_rows=4), workers=1)
    with pytest.raises(BatchError) as info:
        run_local(_job(source, tmp_path / "out", chunk_rows=5), workers=1, resume=True)
    assert info.value.code == "MBC-E407"


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-c", "from mbcnav.cli import main; main()", *args]


def test_a_run_killed_midway_resumes_with_no_row_missing_or_doubled(
    tmp_path: Path, mtsamples: pa.Table
) -> None:
    notes = mtsamples.slice(0, 600)
    source = tmp_path / "notes.parquet"
    pq.write_table(notes, str(source))
    out = tmp_path / "out.parquet"
    parts = tmp_path / "out.parquet.parts"
    args = _cli("screen", str(source), "--out", str(out), "--workers", "2", "--chunk-rows", "25")
    process = subprocess.Popen(args, start_new_session=True, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while len(list(parts.glob("part-*.parquet"))) < 3 and time.monotonic() < deadline:
        assert process.poll() is None, "the run ended before it could be killed"
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert not out.exists()
    done_before = {p.name: p.read_bytes() for p in parts.glob("part-*.parquet")}
    assert 3 <= len(done_before) < 24

    job = ScreenJob(source, out, "parquet", "parquet", chunk_rows=25)
    summary = run_local(job, workers=1, resume=True)
    assert summary.resumed_chunks >= len(done_before)
    rows = results(out)
    assert [r["row"] for r in rows] == list(range(notes.num_rows))
    assert [r["id"] for r in rows] == notes.column("id").to_pylist()
    assert [r["error_message"] for r in rows if r["error_code"]] == []


def test_cli_screens_csv_with_named_columns_and_writes_patients(tmp_path: Path) -> None:
    rows = [
        {"note": r["id"], "who": r["patient"], "when": r["date"], "body": r["text"]}
        for r in good_rows(12)
    ]
    source = write_csv(tmp_path / "in.csv", rows)
    args = [
        "screen",
        str(source),
        "--out",
        str(tmp_path / "out.csv"),
        "--workers",
        "1",
        "--id-col",
        "note",
        "--patient-col",
        "who",
        "--date-col",
        "when",
        "--text-col",
        "body",
        "--patients",
        str(tmp_path / "patients.jsonl"),
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "screened 12 notes" in result.output
    assert [r["id"] for r in results(tmp_path / "out.csv")] == [f"n{i}" for i in range(12)]
    patients = [json.loads(x) for x in (tmp_path / "patients.jsonl").read_text().splitlines()]
    assert [p["patient"] for p in patients] == ["p0", "p1", "p2", "p3"]
    assert [p["notes"] for p in patients] == [3, 3, 3, 3]


def test_cli_missing_column_and_bad_usage(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "in.csv", good_rows(2))
    missing = CliRunner().invoke(
        app, ["screen", str(source), "--out", str(tmp_path / "o.jsonl"), "--text-col", "body"]
    )
    assert missing.exit_code == 1 and "MBC-E401" in missing.output
    usage = CliRunner().invoke(
        app, ["screen", str(source), "--out", str(tmp_path / "o.jsonl"), "--engine", "dask"]
    )
    assert usage.exit_code == 2


def test_columns_default_to_the_contract_names() -> None:
    assert Columns().to_dict()["required"] == ["text"]


def test_a_chunk_sliced_from_a_bigger_table_goes_to_a_worker_with_its_own_rows_only() -> None:
    import pickle

    from mbcnav.batch.local import compact

    texts = [f"note {i}: back pain " * 20 for i in range(1000)]
    whole = pa.record_batch({"row": list(range(1000)), "text": texts})
    part = whole.slice(200, 100)
    sent = compact(part)
    assert sent.equals(part)
    assert len(pickle.dumps(sent)) < len(pickle.dumps(part)) / 5
    assert compact(sent) is sent  # nothing to save: sent as it is
