"""Screen on Spark: the same chunk function through ``DataFrame.mapInArrow``.

The compiled knowledge is broadcast once; each Python worker unpickles it once and keeps it, so
the engine's per-knowledge caches (lexicon, network tables) are built once per worker. Rows are
numbered as the local engine numbers them (input order), so both engines give identical rows.
pyspark is imported lazily: the rest of mbcnav never needs it.
"""

from __future__ import annotations

import copyreg
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from mbcnav.batch.chunk import OUTPUT_SCHEMA, ChunkOptions, prepare_worker, screen_chunk
from mbcnav.batch.io import (
    FIELDS,
    INPUT_SCHEMA,
    Columns,
    lines_to_input,
    write_batches,
)
from mbcnav.batch.local import ScreenJob, ScreenSummary
from mbcnav.errors import BatchError
from mbcnav.knowledge import Knowledge, load_knowledge

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

LINE_FORMATS = ("jsonl", "fhir")
LOCAL_CONF = {
    "spark.ui.enabled": "false",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.sql.shuffle.partitions": "4",
}
_KNOWLEDGE: dict[str, Knowledge] = {}


def _mappingproxy(data: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    return MappingProxyType(data)


def _reduce_mappingproxy(proxy: MappingProxyType[Any, Any]) -> tuple[Any, tuple[Any, ...]]:
    """Knowledge keeps read-only mappings; pickle (for the broadcast) rebuilds them."""
    return _mappingproxy, (dict(proxy),)


copyreg.pickle(MappingProxyType, _reduce_mappingproxy)


def spark_session(
    master: str | None = None, conf: dict[str, str] | None = None, chunk_rows: int = 2000
) -> SparkSession:
    """The active session (Databricks, spark-submit), else a new one (``local[*]`` by default)."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark import SparkConf
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None and master is None:
        return active
    if master is None and not SparkConf().contains("spark.master"):
        master = "local[*]"
    builder = SparkSession.builder.appName("mbcnav-screen")
    settings = dict(LOCAL_CONF) if master and master.startswith("local") else {}
    settings["spark.sql.session.timeZone"] = "UTC"
    settings["spark.sql.files.maxPartitionBytes"] = "8m"
    settings["spark.sql.execution.arrow.maxRecordsPerBatch"] = str(chunk_rows)
    settings.update(conf or {})
    if master:
        builder = builder.master(master)
        if master.startswith("local"):
            os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    for key, value in settings.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    if master and master.startswith("local"):
        session.sparkContext.setLogLevel("ERROR")
    return session


def spark_schema() -> Any:
    """OUTPUT_SCHEMA as a Spark StructType."""
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(OUTPUT_SCHEMA)


# --------------------------------------------------------------------------- input


def _with_rows(frame: DataFrame) -> DataFrame:
    """Number rows 0..n-1 in input order, as the local reader does, without a shuffle.

    ``monotonically_increasing_id`` is ``partition << 33 | index``; one counting pass gives each
    partition's offset.
    """
    from pyspark.sql import functions as F

    frame = frame.withColumn("_pid", F.spark_partition_id()).withColumn(
        "_mid", F.monotonically_increasing_id()
    )
    counts: dict[int, int] = dict(frame.groupBy("_pid").count().collect())
    offsets: list[Any] = []
    running = 0
    for pid in sorted(counts):
        offsets += [F.lit(pid), F.lit(running)]
        running += counts[pid]
    offset = F.create_map(*offsets)[F.col("_pid")] if offsets else F.lit(0)
    local = F.col("_mid") - F.shiftleft(F.col("_pid").cast("long"), 33)
    return frame.withColumn("row", (local + offset).cast("long")).drop("_pid", "_mid")


def _select(frame: DataFrame, columns: Columns, what: str) -> DataFrame:
    """Rename and cast the note columns to INPUT_SCHEMA's names, then number the rows."""
    from pyspark.sql import functions as F

    present = set(frame.columns)
    missing = columns.missing(present)
    if missing:
        raise BatchError(
            f"The input {what} lacks the column(s) {', '.join(missing)}",
            code="MBC-E401",
            got=sorted(present),
        )
    nested = {f.name for f in frame.schema.fields if _is_nested(f.dataType)}
    selected = []
    problem: Any = F.lit(None).cast("string")
    for name in FIELDS:
        kind = "binary" if name == "text" else "string"
        source = columns.source(name)
        column = F.col(f"`{source}`") if source in present else F.lit(None)
        if source in nested:  # as the local reader: a coded row, not "[a, b]" read as a note
            message = f"The column {source!r} holds a list or record, not text."
            problem = F.when(column.isNotNull() & problem.isNull(), F.lit(message)).otherwise(
                problem
            )
            column = F.lit(None)
        selected.append(column.cast(kind).alias(name))
    selected.append(problem.alias("read_message"))
    frame = _with_rows(frame.select(*selected))
    code = F.when(F.col("read_message").isNotNull(), F.lit("MBC-E400")).cast("string")
    return frame.select("row", *FIELDS, code.alias("read_error"), "read_message")


def _is_nested(kind: Any) -> bool:
    from pyspark.sql import types as T

    return isinstance(kind, T.ArrayType | T.StructType | T.MapType)


def _table_frame(spark: SparkSession, source: str, fmt: str, columns: Columns) -> DataFrame:
    if fmt == "parquet":
        frame = spark.read.parquet(source)
    else:
        frame = spark.read.options(header="true", multiLine="true", escape='"').csv(source)
    return _select(frame, columns, source)


def _line_frame(spark: SparkSession, source: str) -> DataFrame:
    from pyspark.sql import functions as F

    frame = spark.read.text(source)
    frame = frame.where(F.length(F.trim(F.col("value"))) > 0)
    frame = frame.select(F.col("value").cast("binary").alias("line"))
    return _with_rows(frame).select("row", "line")


# --------------------------------------------------------------------------- chunks


def _knowledge(broadcast: Any) -> Knowledge:
    """One knowledge object per worker process, so the engine's caches stay warm."""
    value: Knowledge = broadcast.value
    if value.hash not in _KNOWLEDGE:
        _KNOWLEDGE[value.hash] = value
        prepare_worker(value)
    return _KNOWLEDGE[value.hash]


def _conform(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Spark may send large string/binary types; the chunk function takes INPUT_SCHEMA."""
    arrays = [batch.column(f.name).cast(f.type) for f in INPUT_SCHEMA]
    return pa.RecordBatch.from_arrays(arrays, schema=INPUT_SCHEMA)


def partition_function(
    broadcast: Any, fmt: str, columns: Columns, options: ChunkOptions
) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    """The function mapInArrow runs on each partition: parse (for lines), then screen."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        knowledge = _knowledge(broadcast)
        for batch in batches:
            rows = lines_to_input(batch, fmt, columns) if fmt in LINE_FORMATS else _conform(batch)
            yield screen_chunk(rows, knowledge, options)

    return run


def _screen(
    frame: DataFrame, fmt: str, columns: Columns, options: ChunkOptions, knowledge: Knowledge
) -> DataFrame:
    broadcast = frame.sparkSession.sparkContext.broadcast(knowledge)
    run = partition_function(broadcast, fmt, columns, options)
    return frame.mapInArrow(run, spark_schema())


def screen_dataframe(
    frame: DataFrame,
    columns: Columns | None = None,
    options: ChunkOptions | None = None,
    knowledge: Knowledge | None = None,
) -> DataFrame:
    """Screen a DataFrame of notes already in Spark (a Delta or Hive table, say).

    The result is lazy, with OUTPUT_SCHEMA's columns; ``row`` numbers the input rows in order.
    """
    columns = columns or Columns()
    knowledge = knowledge or load_knowledge()
    selected = _select(frame, columns, "DataFrame")
    return _screen(selected, "table", columns, options or ChunkOptions(), knowledge)


def screen_frame(
    spark: SparkSession, job: ScreenJob, knowledge: Knowledge, source: str | None = None
) -> DataFrame:
    """The lazy result DataFrame of a job; ``source`` may be a URI (``s3://``, ``dbfs:/``)."""
    uri = source or str(job.source)
    if job.in_format in LINE_FORMATS:
        frame = _line_frame(spark, uri)
    else:
        frame = _table_frame(spark, uri, job.in_format, job.columns)
    return _screen(frame, job.in_format, job.columns, job.options, knowledge)


# --------------------------------------------------------------------------- run


def _is_uri(text: str) -> bool:
    return "://" in text or text.startswith("dbfs:")


def run_spark(
    job: ScreenJob,
    *,
    master: str | None = None,
    spark: SparkSession | None = None,
    source: str | None = None,
    out: str | None = None,
) -> ScreenSummary:
    """Screen ``job.source`` into ``job.out`` with Spark; Spark retries failed tasks itself.

    ``source`` and ``out`` may be cluster URIs; a URI output is written by Spark as a Parquet
    dataset (a local single-file output is merged from Spark's parts, in input order).
    """
    started = time.perf_counter()
    source = source or str(job.source)
    if not _is_uri(source) and not Path(source).exists():
        raise BatchError("The input file does not exist", code="MBC-E400", got=source)
    spark = spark or spark_session(master, chunk_rows=job.chunk_rows)
    knowledge = load_knowledge(job.knowledge_path)
    result = screen_frame(spark, job, knowledge, source)
    if out is not None and _is_uri(out):
        result.write.mode("overwrite").parquet(out)
        summary = _uri_summary(spark, out)
        summary.seconds = time.perf_counter() - started
        return summary
    target = job.out if job.as_dataset else job.out.with_name(job.out.name + ".spark")
    result.write.mode("overwrite").parquet(str(target))
    summary = ScreenSummary()
    if job.as_dataset:
        for batch in _part_batches(target, ["error_code"]):
            _count(summary, batch)
    else:
        write_batches(
            _counted(_part_batches(target), summary), job.out, job.out_format, OUTPUT_SCHEMA
        )
        shutil.rmtree(target)
    summary.seconds = time.perf_counter() - started
    return summary


def _uri_summary(spark: SparkSession, out: str) -> ScreenSummary:
    """Counts read back from the written dataset (one small column), not recomputed."""
    from pyspark.sql import functions as F

    codes = spark.read.parquet(out).select("error_code")
    row = codes.agg(F.count(F.lit(1)), F.count("error_code")).collect()[0]
    return ScreenSummary(rows=int(row[0]), errors=int(row[1]))


def _part_batches(target: Path, columns: list[str] | None = None) -> Iterator[pa.RecordBatch]:
    """Spark writes one part per partition, in partition (= input) order."""
    for part in sorted(target.glob("part-*.parquet")):
        table = pq.read_table(str(part), columns=columns)
        if columns is None:
            table = table.cast(OUTPUT_SCHEMA)
        yield from table.to_batches()


def _count(summary: ScreenSummary, batch: pa.RecordBatch) -> None:
    codes = batch.column("error_code")
    summary.rows += batch.num_rows
    summary.errors += batch.num_rows - int(pc.sum(pc.is_null(codes)).as_py() or 0)
    summary.chunks += 1


def _counted(batches: Iterator[pa.RecordBatch], summary: ScreenSummary) -> Iterator[pa.RecordBatch]:
    for batch in batches:
        _count(summary, batch)
        yield batch
