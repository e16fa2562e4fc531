"""Screen a file on one machine: a process pool over fixed-size chunks, resumable.

Each chunk ``i`` (rows ``i*chunk_rows`` to ``(i+1)*chunk_rows``) becomes one part file
``part-{i:08d}.parquet``, written to a temp name and renamed, so a part is either whole or
absent. A manifest pins the input and the settings. ``--resume`` skips the parts already there;
because chunking is deterministic, a killed run started again ends with every row exactly once.
Then the parts are merged, in order, into the output file (or, for a Parquet output path
without a suffix, left in place as a dataset).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from mbcnav.batch.chunk import OUTPUT_SCHEMA, ChunkOptions, prepare_worker, screen_chunk
from mbcnav.batch.io import Columns, count_rows, read_batches, write_batches
from mbcnav.errors import BatchError, MbcnavError
from mbcnav.knowledge import Knowledge
from mbcnav.knowledge_cache import cached_knowledge
from mbcnav.runtime import collected_after, die_with_parent

MANIFEST = "_manifest.json"
PART = "part-{:08d}.parquet"


@dataclass(frozen=True)
class ScreenJob:
    """Everything that decides the output rows; the manifest records it for ``--resume``."""

    source: Path
    out: Path
    in_format: str
    out_format: str
    columns: Columns = field(default_factory=Columns)
    chunk_rows: int = 2000
    options: ChunkOptions = field(default_factory=ChunkOptions)
    knowledge_path: str | None = None

    @property
    def as_dataset(self) -> bool:
        """A Parquet output path without a suffix is a directory of parts (a dataset)."""
        return self.out_format == "parquet" and self.out.suffix == ""

    @property
    def parts_dir(self) -> Path:
        return self.out if self.as_dataset else self.out.with_name(self.out.name + ".parts")

    def manifest(self, knowledge: Knowledge) -> dict[str, Any]:
        return {
            "version": 2,
            "input": str(self.source.resolve()),
            "input_files": input_fingerprint(self.source),
            "in_format": self.in_format,
            "columns": self.columns.to_dict(),
            "chunk_rows": self.chunk_rows,
            "options": asdict(self.options),
            "knowledge_hash": knowledge.hash,
        }


FOOTER_BYTES = 1 << 16
"""How much of each input file's end is hashed for ``--resume``: a Parquet file's footer (its
schema and row-group statistics) lives there, so a file rewritten in place with the same size
and a restored mtime still shows as changed."""


def input_fingerprint(source: Path) -> list[dict[str, Any]]:
    """Size, mtime and a hash of the last bytes of the input file, or of every file of an
    input folder (a Parquet dataset rewritten in place keeps its folder's own size and mtime)."""
    files = sorted(p for p in source.rglob("*") if p.is_file()) if source.is_dir() else [source]
    out: list[dict[str, Any]] = []
    for path in files:
        stat = path.stat()
        with path.open("rb") as handle:
            handle.seek(max(0, stat.st_size - FOOTER_BYTES))
            tail = hashlib.sha256(handle.read()).hexdigest()
        name = str(path.relative_to(source)) if source.is_dir() else path.name
        out.append({"file": name, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "tail": tail})
    return out


@dataclass
class ScreenSummary:
    rows: int = 0
    errors: int = 0
    chunks: int = 0
    resumed_chunks: int = 0
    seconds: float = 0.0

    @property
    def notes_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


# --------------------------------------------------------------------------- parts


def write_part(parts_dir: Path, index: int, batch: pa.RecordBatch) -> None:
    """Write one part atomically: a reader sees the whole part or none of it."""
    final = parts_dir / PART.format(index)
    tmp = parts_dir / f".{final.name}.tmp"
    try:
        table = pa.Table.from_batches([batch], OUTPUT_SCHEMA)
        pq.write_table(table, str(tmp), compression="zstd")
        os.replace(tmp, final)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise BatchError(
            f"A result part could not be written ({exc.strerror or exc}); the parts written "
            "so far are kept: free some space and run again with --resume",
            code="MBC-E409",
        ) from exc


def _done_parts(parts_dir: Path) -> dict[int, int]:
    """Index → rows of every complete part."""
    done: dict[int, int] = {}
    for path in parts_dir.glob("part-*.parquet"):
        done[int(path.stem.split("-")[1])] = pq.ParquetFile(str(path)).metadata.num_rows
    return done


def _clear(parts_dir: Path, *, keep_parts: bool) -> None:
    for path in parts_dir.glob(".part-*.tmp"):
        path.unlink()
    if not keep_parts:
        for path in [*parts_dir.glob("part-*.parquet"), parts_dir / MANIFEST]:
            path.unlink(missing_ok=True)


def _prepare_parts(job: ScreenJob, knowledge: Knowledge, resume: bool) -> dict[int, int]:
    parts_dir = job.parts_dir
    manifest = job.manifest(knowledge)
    path = parts_dir / MANIFEST
    if resume and path.exists():
        old = json.loads(path.read_text(encoding="utf-8"))
        changed = sorted(k for k in manifest if old.get(k) != manifest[k])
        if changed:
            raise BatchError(
                "The run cannot be resumed: the input or settings changed since it started",
                code="MBC-E407",
                allowed="the same input file, columns, chunk size and knowledge",
                got=changed,
            )
        _clear(parts_dir, keep_parts=True)
        return _done_parts(parts_dir)
    parts_dir.mkdir(parents=True, exist_ok=True)
    _clear(parts_dir, keep_parts=False)
    tmp = parts_dir / f".{MANIFEST}.tmp"
    tmp.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    os.replace(tmp, path)
    return {}


def _merge(job: ScreenJob, chunks: int) -> None:
    parts = [job.parts_dir / PART.format(i) for i in range(chunks)]
    missing = [p.name for p in parts if not p.exists()]
    if missing:
        raise BatchError("Some result parts are missing", code="MBC-E407", got=missing[:5])
    if job.as_dataset:
        return

    def batches() -> Iterator[pa.RecordBatch]:
        for part in parts:
            yield from pq.read_table(str(part)).to_batches()

    write_batches(batches(), job.out, job.out_format, OUTPUT_SCHEMA)
    for part in parts:
        part.unlink()
    (job.parts_dir / MANIFEST).unlink(missing_ok=True)
    job.parts_dir.rmdir()


# --------------------------------------------------------------------------- workers

_WORKER: dict[str, Any] = {}


@dataclass(frozen=True)
class _Failure:
    """A coded error raised in a worker, sent back as data (exceptions lose their code)."""

    code: str
    detail: str


def _init_worker(
    knowledge_path: str | None, options: ChunkOptions, parent: int | None = None
) -> None:
    """Runs once per worker process: the knowledge is loaded and compiled once, not per chunk;
    a pool worker ends with the process that started it, even one killed with -9."""
    if parent is not None:
        die_with_parent(parent)
    _WORKER.clear()
    try:
        _WORKER["knowledge"] = cached_knowledge(knowledge_path)
        _WORKER["options"] = options
        prepare_worker(_WORKER["knowledge"])
    except MbcnavError as exc:
        _WORKER["failure"] = _Failure(exc.code, exc.detail)


def _run_chunk(index: int, batch: pa.RecordBatch, parts_dir: Path) -> tuple[int, int, int]:
    with collected_after():
        out = screen_chunk(batch, _WORKER["knowledge"], _WORKER["options"])
    write_part(parts_dir, index, out)
    errors = out.num_rows - int(pc.sum(pc.is_null(out.column("error_code"))).as_py() or 0)
    return index, out.num_rows, errors


def _pool_chunk(
    index: int, batch: pa.RecordBatch, parts_dir: Path
) -> tuple[int, int, int] | _Failure:
    if "failure" in _WORKER:
        failure: _Failure = _WORKER["failure"]
        return failure
    try:
        return _run_chunk(index, batch, parts_dir)
    except MbcnavError as exc:
        return _Failure(exc.code, exc.detail)


def _checked(result: tuple[int, int, int] | _Failure) -> tuple[int, int, int]:
    if isinstance(result, _Failure):
        raise BatchError(result.detail, code=result.code)
    return result


def _progress(total: int | None, initial: int, enabled: bool) -> Any:
    from tqdm import tqdm

    return tqdm(
        total=total,
        initial=initial,
        unit=" notes",
        unit_scale=True,
        file=sys.stderr,
        disable=not enabled,
        smoothing=0.05,
        mininterval=0.5,
        desc="screen",
    )


def run_local(
    job: ScreenJob, *, workers: int | None = None, resume: bool = False, progress: bool = False
) -> ScreenSummary:
    """Screen ``job.source`` into ``job.out``; returns counts and timing."""
    started = time.perf_counter()
    workers = max(1, workers or os.cpu_count() or 1)
    knowledge = cached_knowledge(job.knowledge_path)
    done = _prepare_parts(job, knowledge, resume)
    total = count_rows(job.source, job.in_format, job.columns) if progress else None
    summary = ScreenSummary(rows=sum(done.values()), resumed_chunks=len(done))
    bar = _progress(total, summary.rows, progress)
    batches = read_batches(job.source, job.in_format, job.columns, job.chunk_rows)
    todo = ((i, b) for i, b in enumerate(batches) if i not in done)
    if workers == 1:
        _init_worker(job.knowledge_path, job.options)
        results = (_checked(_pool_chunk(i, b, job.parts_dir)) for i, b in todo)
        _consume(results, summary, bar)
    else:
        _consume(_pooled(todo, job, workers), summary, bar)
    bar.close()
    summary.chunks = summary.chunks + len(done)
    _merge(job, summary.chunks)
    summary.seconds = time.perf_counter() - started
    return summary


def _consume(results: Iterator[tuple[int, int, int]], summary: ScreenSummary, bar: Any) -> None:
    for _, rows, errors in results:
        summary.rows += rows
        summary.errors += errors
        summary.chunks += 1
        bar.update(rows)


def _pooled(
    todo: Iterator[tuple[int, pa.RecordBatch]], job: ScreenJob, workers: int
) -> Iterator[tuple[int, int, int]]:
    """Keep at most two chunks per worker in flight: memory stays bounded whatever the input."""
    try:
        yield from _pool_results(todo, job, workers)
    except BrokenProcessPool as exc:
        raise BatchError(
            "A worker process stopped unexpectedly (killed, or out of memory); the parts "
            "written so far are kept: run again with --resume",
            code="MBC-E408",
        ) from exc


def compact(batch: pa.RecordBatch) -> pa.RecordBatch:
    """The batch with buffers of its own rows only, to send to a worker. A chunk read as a
    slice of a bigger table (2,000 rows of a 10,000-row Parquet row group) pickles with all of
    its parent's buffers: five times its size written to the pipe, copied and read back."""
    if batch.get_total_buffer_size() <= SLACK * batch.nbytes:
        return batch
    return batch.take(pa.array(range(batch.num_rows), pa.int64()))


SLACK = 1.25
"""Buffers up to this much bigger than the rows themselves (padding, validity) go as they are."""


def _pool_results(
    todo: Iterator[tuple[int, pa.RecordBatch]], job: ScreenJob, workers: int
) -> Iterator[tuple[int, int, int]]:
    context = get_context("spawn")
    with ProcessPoolExecutor(
        workers,
        mp_context=context,
        initializer=_init_worker,
        initargs=(job.knowledge_path, job.options, os.getpid()),
    ) as pool:
        pending: set[Future[tuple[int, int, int] | _Failure]] = set()
        for index, batch in todo:
            pending.add(pool.submit(_pool_chunk, index, compact(batch), job.parts_dir))
            if len(pending) >= 2 * workers:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                yield from (_checked(f.result()) for f in finished)
        for future in pending:
            yield _checked(future.result())
