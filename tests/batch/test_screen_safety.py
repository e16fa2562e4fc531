"""Screening output that is safe to open and to trust: no spreadsheet formulas, no partial files
on a full disk, a changed input folder refused on --resume, no bad dates in summaries, and no
worker left running when its parent is killed."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from screen_data import good_rows, write_jsonl

from mbcnav.batch import io as batch_io
from mbcnav.batch.io import neutralise_cell
from mbcnav.batch.local import MANIFEST, ScreenJob, run_local
from mbcnav.batch.patients import write_patient_summary
from mbcnav.errors import BatchError


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("+1", "'+1"),
        ("\t=1", "'\t=1"),
        ("n1", "n1"),
        ("back pain = bad", "back pain = bad"),
    ],
)
def test_cells_a_spreadsheet_would_run_are_neutralised(cell: str, shown: str) -> None:
    assert neutralise_cell(cell) == shown


def test_screen_and_patient_csv_carry_no_formula(tmp_path: Path) -> None:
    rows = good_rows(4)
    rows[0]["id"], rows[1]["patient"] = '=HYPERLINK("http://evil")', "@cmd"
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    job = ScreenJob(source, tmp_path / "out.csv", "jsonl", "csv", chunk_rows=2)
    run_local(job, workers=1)
    table = pacsv.read_csv(str(job.out))
    assert table.column("id").to_pylist()[0] == '\'=HYPERLINK("http://evil")'
    assert "'@cmd" in table.column("patient").to_pylist()
    write_patient_summary(job.out, tmp_path / "patients.csv")
    cells = [c for col in pacsv.read_csv(str(tmp_path / "patients.csv")).columns for c in col]
    assert not any(str(c).startswith(("=", "@", "+", "-")) for c in cells)


def test_a_full_disk_gives_a_coded_error_and_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", good_rows(6))
    job = ScreenJob(source, tmp_path / "out.parquet", "jsonl", "parquet", chunk_rows=2)

    def full(self: object, batch: pa.RecordBatch) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(batch_io.pq.ParquetWriter, "write_batch", full)
    with pytest.raises(BatchError) as caught:
        run_local(job, workers=1)
    assert caught.value.code == "MBC-E409" and "No space left" in str(caught.value)
    assert not job.out.exists()
    assert not list(tmp_path.glob(".out.parquet.tmp-*"))


def test_a_full_disk_while_writing_a_part_keeps_the_parts_done(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", good_rows(6))
    job = ScreenJob(source, tmp_path / "out.jsonl", "jsonl", "jsonl", chunk_rows=2)
    real = pq.write_table
    calls: list[str] = []

    def fills_up(table: pa.Table, where: str, **kwargs: object) -> None:
        calls.append(where)
        if len(calls) == 2:
            Path(where).write_bytes(b"partial")
            raise OSError(errno.ENOSPC, "No space left on device")
        real(table, where, **kwargs)

    monkeypatch.setattr("mbcnav.batch.local.pq.write_table", fills_up)
    with pytest.raises(BatchError) as caught:
        run_local(job, workers=1)
    assert caught.value.code == "MBC-E409" and "--resume" in str(caught.value)
    assert sorted(p.name for p in job.parts_dir.iterdir()) == [MANIFEST, "part-00000000.parquet"]


def test_resume_refuses_a_parquet_folder_rewritten_in_place(tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    part = folder / "part-0.parquet"
    pq.write_table(pa.Table.from_pylist(good_rows(8)), str(part))
    job = ScreenJob(folder, tmp_path / "out.jsonl", "parquet", "jsonl", chunk_rows=4)
    job.parts_dir.mkdir()
    run_local(job, workers=1)  # completes; start again and stop after the manifest is written
    stat = part.stat()
    rows = good_rows(8)
    rows[0]["text"], rows[1]["text"] = rows[1]["text"], rows[0]["text"]
    manifest = job.manifest(__import__("mbcnav").load_knowledge())
    job.parts_dir.mkdir()
    (job.parts_dir / MANIFEST).write_text(__import__("json").dumps(manifest))
    pq.write_table(pa.Table.from_pylist(rows), str(part))
    os.utime(part, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    with pytest.raises(BatchError) as caught:
        run_local(job, workers=1, resume=True)
    assert caught.value.code == "MBC-E407" and "input_files" in str(caught.value)


def test_a_bad_date_never_becomes_a_summary_date(tmp_path: Path) -> None:
    rows = good_rows(4)
    for row in rows:
        row["patient"] = "p0"
    rows[3]["date"] = "not-a-date"
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    job = ScreenJob(source, tmp_path / "out.jsonl", "jsonl", "jsonl")
    run_local(job, workers=1)
    write_patient_summary(job.out, tmp_path / "patients.jsonl")
    summary = __import__("json").loads((tmp_path / "patients.jsonl").read_text())
    assert summary["last_date"] == rows[2]["date"]


PARENT = textwrap.dedent(
    """
    import os, sys, time
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context
    from mbcnav.runtime import die_with_parent

    with ProcessPoolExecutor(1, mp_context=get_context("spawn"), initializer=die_with_parent,
                             initargs=(os.getpid(),)) as pool:
        print(pool.submit(os.getpid).result(), flush=True)
        time.sleep(60)
    """
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_workers_die_with_a_parent_killed_with_sigkill() -> None:
    with subprocess.Popen(
        [sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True
    ) as parent:
        assert parent.stdout is not None
        worker = int(parent.stdout.readline())
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            os.kill(worker, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.kill(worker, signal.SIGKILL)
    pytest.fail("the worker outlived its parent")
