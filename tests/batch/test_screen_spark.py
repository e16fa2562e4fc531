"""The Spark engine gives exactly the local engine's rows (one local session for the module)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from screen_data import good_rows, results, write_jsonl

from mbcnav.batch.local import ScreenJob, run_local

pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("spark")]


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    if shutil.which("java") is None:
        pytest.skip("Spark tests need Java (java not found on PATH); run `make system-deps`")
    from mbcnav.batch.spark import spark_session

    session = spark_session(
        "local[2]",
        conf={"spark.driver.memory": "1g", "spark.ui.showConsoleProgress": "false"},
        chunk_rows=50,
    )
    yield session
    session.stop()


def _both(source: Path, tmp_path: Path, fmt: str, spark: Any) -> tuple[list[Any], list[Any]]:
    from mbcnav.batch.spark import run_spark

    local = ScreenJob(source, tmp_path / "local.parquet", fmt, "parquet", chunk_rows=50)
    remote = ScreenJob(source, tmp_path / "spark.parquet", fmt, "parquet", chunk_rows=50)
    run_local(local, workers=1)
    summary = run_spark(remote, spark=spark)
    rows = results(remote.out)
    assert summary.rows == len(rows)
    return results(local.out), rows


def test_spark_and_local_agree_row_for_row_on_parquet(
    spark: Any, tmp_path: Path, mtsamples: pa.Table
) -> None:
    notes = mtsamples.slice(0, 60).to_pylist()
    bad = [
        {"id": "enc", "text": b"back pain \xff\xfe"},
        {"id": "empty", "text": b""},
        {"id": "huge", "text": b"pain " * 30_000},
        {"id": "date", "text": b"back pain", "date": "tomorrow"},
    ]
    rows = [{"id": r["id"], "text": r["text"].encode(), "date": "2026-01-02"} for r in notes]
    table = pa.Table.from_pylist(rows[:30] + bad + rows[30:])
    source = tmp_path / "notes.parquet"
    pq.write_table(table, str(source), row_group_size=20)
    local, remote = _both(source, tmp_path, "parquet", spark)
    assert local == remote
    assert [r["row"] for r in remote] == list(range(64))
    codes = {r["id"]: r["error_code"] for r in remote if r["error_code"]}
    assert codes == {"enc": "MBC-E403", "empty": "MBC-E402", "huge": "MBC-E404", "date": "MBC-E405"}


def test_spark_and_local_agree_on_jsonl_with_bad_lines(spark: Any, tmp_path: Path) -> None:
    source = write_jsonl(
        tmp_path / "notes.jsonl", good_rows(30), (b'{"id": "x", "text": "\xff"}', b"{oops")
    )
    local, remote = _both(source, tmp_path, "jsonl", spark)
    assert local == remote
    assert [r["error_code"] for r in remote[-2:]] == ["MBC-E403", "MBC-E400"]


def test_spark_and_local_agree_on_hostile_lines_and_nested_columns(
    spark: Any, tmp_path: Path
) -> None:
    hostile = (
        b'{"id": "lone", "text": "back pain \\ud800 at night"}',
        b'{"id": "deep", "text": ' + b"[" * 3000 + b"]" * 3000 + b"}",
        b'{"id": "nan", "text": NaN}',
    )
    source = write_jsonl(tmp_path / "notes.jsonl", good_rows(10), hostile)
    local, remote = _both(source, tmp_path, "jsonl", spark)
    assert local == remote
    assert [r["error_code"] for r in remote[-3:]] == [None, "MBC-E400", "MBC-E400"]
    nested = pa.table({"id": ["a", "b"], "text": [["back pain"], ["headache"]]})
    parquet = tmp_path / "nested.parquet"
    pq.write_table(nested, str(parquet))
    local, remote = _both(parquet, tmp_path / "n", "parquet", spark)
    assert local == remote
    assert [r["error_code"] for r in remote] == ["MBC-E400", "MBC-E400"]
