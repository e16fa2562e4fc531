"""Cohort screening speed, end to end: MTSamples replicated to a million notes as Parquet.

Each configuration runs ``mbcnav screen`` as a separate process (as a user would), Parquet in and
Parquet out, and is timed from start to exit (process start, Spark start, knowledge load,
reading, screening, writing). Peak memory is the largest sum of resident memory over the process
and all its children (workers, the JVM, Spark's Python workers), sampled every 0.2 s. Scaling
efficiency is (rate with 2 workers) / (2 x rate with 1). Local and Spark outputs are compared row
for row (identity).

Usage: python benchmarks/bench_screen.py [--notes 1000000] [--engines local,spark]
       [--workers 1,2] [--dir var/bench]

Side by side with another source tree (e.g. ``git archive 49e55c8 src | tar -x -C /tmp/base``):
``--baseline /tmp/base/src --repeat 3`` runs the local engine with each tree in turn (this tree
first), ``--repeat`` times, and prints the median wall rate and notes per CPU-second of each
(a shared machine's timings are noisy; CPU seconds are the steadier figure). Every run finds
the lexicon's disk cache as a user's second run does (filled by a first, untimed run).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psutil
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parents[1]
MTSAMPLES = REPO.parent / "shared" / "data" / "mtsamples" / "mtsamples.csv"
PATIENTS = 50_000
ROW_GROUP = 10_000


@dataclass
class Run:
    engine: str
    workers: int
    notes: int
    seconds: float
    cpu_seconds: float
    peak_mb: float
    out: Path

    @property
    def rate(self) -> float:
        return self.notes / self.seconds


def build_input(notes: int, folder: Path) -> Path:
    """Replicate MTSamples to ``notes`` rows (ids, patients and dates made unique), streaming."""
    path = folder / f"mtsamples_{notes}.parquet"
    if path.exists() and pq.ParquetFile(str(path)).metadata.num_rows == notes:
        return path
    source = pacsv.read_csv(
        str(MTSAMPLES),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(include_columns=["note_id", "transcription"]),
    )
    texts = source.column("transcription").combine_chunks()
    ids = source.column("note_id").to_pylist()
    folder.mkdir(parents=True, exist_ok=True)
    schema = pa.schema(
        [
            ("id", pa.string()),
            ("patient", pa.string()),
            ("date", pa.string()),
            ("text", pa.string()),
        ]
    )
    tmp = path.with_suffix(".tmp")
    with pq.ParquetWriter(str(tmp), schema, compression="zstd") as writer:
        for start in range(0, notes, ROW_GROUP):
            rows = range(start, min(notes, start + ROW_GROUP))
            take = pa.array([i % len(ids) for i in rows])
            writer.write_table(
                pa.table(
                    {
                        "id": [f"{i // len(ids)}-{ids[i % len(ids)]}" for i in rows],
                        "patient": [f"p{i % PATIENTS}" for i in rows],
                        "date": [
                            f"20{10 + i // (PATIENTS * 12) % 16}-{1 + i // PATIENTS % 12:02d}-15"
                            for i in rows
                        ],
                        "text": texts.take(take),
                    },
                    schema=schema,
                )
            )
    tmp.replace(path)
    return path


def _sample(process: psutil.Process, cpu: dict[int, float]) -> int:
    """Resident memory of the whole tree now; records each process's CPU time so far."""
    total = 0
    for proc in [process, *process.children(recursive=True)]:
        try:
            with proc.oneshot():
                total += proc.memory_info().rss
                times = proc.cpu_times()
                cpu[proc.pid] = times.user + times.system
        except psutil.Error:
            continue
    return total


def run(
    source: Path,
    out: Path,
    engine: str,
    workers: int,
    notes: int,
    env: dict[str, str] | None = None,
) -> Run:
    command = [
        sys.executable,
        "-c",
        "from mbcnav.cli import main; main()",
        "screen",
        str(source),
        "--out",
        str(out),
        "--quiet",
        "--engine",
        engine,
    ]
    command += (
        ["--master", f"local[{workers}]"] if engine == "spark" else ["--workers", str(workers)]
    )
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    watched = psutil.Process(child.pid)
    peak = 0
    cpu: dict[int, float] = {}
    while child.poll() is None:
        peak = max(peak, _sample(watched, cpu))
        time.sleep(0.2)
    seconds = time.perf_counter() - started
    if child.returncode != 0:
        err = child.stderr.read().decode() if child.stderr else ""
        raise SystemExit(f"{engine} x{workers} failed ({child.returncode}): {err[-2000:]}")
    return Run(engine, workers, notes, seconds, sum(cpu.values()), peak / 2**20, out)


def identical(a: Path, b: Path) -> str:
    left = pq.read_table(str(a)).sort_by("row")
    right = pq.read_table(str(b)).cast(left.schema).sort_by("row")
    if left.column("knowledge_hash").unique() != right.column("knowledge_hash").unique():
        return "not comparable (the knowledge changed between the runs)"
    return "identical" if left.equals(right) else "DIFFERENT"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=1_000_000)
    parser.add_argument("--engines", default="local,spark")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--dir", type=Path, default=REPO / "var" / "bench")
    parser.add_argument("--baseline", type=Path, help="another src folder, side by side")
    parser.add_argument("--repeat", type=int, default=1, help="runs per tree with --baseline")
    args = parser.parse_args()
    if args.baseline:
        side_by_side(args)
        return
    source = build_input(args.notes, args.dir)
    runs: list[Run] = []
    for engine in args.engines.split(","):
        for workers in (int(w) for w in args.workers.split(",")):
            out = args.dir / f"out_{engine}_{workers}_{args.notes}.parquet"
            runs.append(run(source, out, engine, workers, args.notes))
            r = runs[-1]
            print(
                f"{engine:5} workers={workers}  {r.notes:>9,} notes  {r.seconds:8.1f} s  "
                f"{r.rate:7,.0f} notes/s  {r.rate * 3600 / 1e6:5.2f} M notes/h  "
                f"peak {r.peak_mb:6,.0f} MB  cpu {r.cpu_seconds:7.1f} s "
                f"({r.notes / r.cpu_seconds:5,.0f} notes/cpu-s)",
                flush=True,
            )
    for engine in args.engines.split(","):
        rates = {r.workers: r.rate for r in runs if r.engine == engine}
        if 1 in rates and 2 in rates:
            print(f"{engine:5} scaling efficiency 1->2 workers: {rates[2] / (2 * rates[1]):.0%}")
    last = {r.engine: r for r in runs}
    if "local" in last and "spark" in last:
        same = identical(last["local"].out, last["spark"].out)
        print(
            f"identity local vs spark ({last['local'].workers} workers): "
            f"{'identical' if same else 'DIFFERENT'}"
        )
    best = max(runs, key=lambda r: r.rate)
    print(
        f"bench_screen: best {best.engine} x{best.workers}: {best.rate:,.0f} notes/s = "
        f"{best.rate * 3600 / 1e6:.2f} M notes/hour on {args.notes:,} MTSamples notes"
    )


def side_by_side(args: argparse.Namespace) -> None:
    """The local engine with this tree and ``args.baseline``, alternating, medians printed."""
    source = build_input(args.notes, args.dir)
    workers = int(args.workers.split(",")[-1])
    trees = {"this tree": REPO / "src", "baseline": args.baseline}
    envs = {
        name: {
            **os.environ,
            "PYTHONPATH": str(src),
            "MBCNAV_CACHE_DIR": str(args.dir / "lexicon-cache" / name.replace(" ", "-")),
        }
        for name, src in trees.items()
    }
    outs = {name: args.dir / f"out_{name.replace(' ', '_')}_{args.notes}.parquet" for name in trees}
    warm = build_input(min(args.notes, 2000), args.dir)
    for name in trees:  # untimed, on a few notes: fills the lexicon cache
        run(warm, args.dir / "out_warm.parquet", "local", workers, 2000, envs[name])
    runs: dict[str, list[Run]] = {name: [] for name in trees}
    for _ in range(args.repeat):
        for name in trees:
            runs[name].append(run(source, outs[name], "local", workers, args.notes, envs[name]))
            r = runs[name][-1]
            print(
                f"  {name:9} {r.rate * 3600 / 1e6:5.2f} M notes/h  "
                f"{r.notes / r.cpu_seconds:5,.0f} notes/CPU-s  wall {r.seconds:6.1f} s",
                flush=True,
            )
    for name, done in runs.items():
        rate = statistics.median(r.rate for r in done)
        per_cpu = statistics.median(r.notes / r.cpu_seconds for r in done)
        print(
            f"bench_screen side by side: {name:9} local x{workers}, {args.notes:,} notes: "
            f"median {rate:,.0f} notes/s = {rate * 3600 / 1e6:.2f} M notes/hour, "
            f"{per_cpu:,.0f} notes/CPU-s ({len(done)} runs)"
        )
    print(f"outputs: {identical(outs['this tree'], outs['baseline'])}")


if __name__ == "__main__":
    main()
