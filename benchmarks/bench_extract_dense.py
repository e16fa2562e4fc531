"""CPU per ``read_text`` on dense clinic notes and on MTSamples, a baseline commit against now.

The dense notes are the service benchmark's 3,000-character follow-up notes (400 distinct,
nearly every sentence a symptom, a negation or a lab; ``tests/extract/reading_corpus.py``),
the other corpus all 2,357 MTSamples notes. The baseline reader is the ``extract`` package of
``--baseline`` (a git revision), loaded from ``git show`` under another package name into this
same process, so both readers share the knowledge base, the interpreter and the machine's load.
Passes alternate between the two readers and the best CPU time (``time.process_time``) of
``--repeat`` passes counts. Every reading of the two must be identical, or the run fails.

    PYTHONPATH=src python benchmarks/bench_extract_dense.py [--baseline REV] [--profile]

``--profile`` prints the current reader's cProfile on the dense notes (own time per function,
as a share of the total).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import importlib
import pstats
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "extract"))

import reading_corpus

from mbcnav.extract import read_text
from mbcnav.knowledge import Knowledge, load_knowledge

ROOT = Path(__file__).resolve().parents[1]

BASELINE = "ff271a7"
"""The last commit before the dense-note speed work."""

PACKAGE = "src/mbcnav/extract"
WARMUP = 50

Reader = Callable[[str, Knowledge], object]


def baseline_reader(revision: str, into: Path) -> Reader:
    """``read_text`` of ``revision``'s extract package, imported as ``mbcnav_extract_baseline``."""
    name = "mbcnav_extract_baseline"
    files = subprocess.run(
        ["git", "-C", str(ROOT), "ls-tree", "-r", "--name-only", revision, PACKAGE],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    for path in files:
        blob = subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{revision}:{path}"], check=True, capture_output=True
        ).stdout
        if path.endswith(".py"):
            blob = blob.replace(b"mbcnav.extract", name.encode())
        target = into / name / Path(path).relative_to(PACKAGE)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(blob)
    sys.path.insert(0, str(into))
    reader: Reader = importlib.import_module(name).read_text
    return reader


def cpu_pass(reader: Reader, notes: list[str], knowledge: Knowledge) -> float:
    gc.collect()
    started = time.process_time()
    for note in notes:
        reader(note, knowledge)
    return time.process_time() - started


def check_same(old: Reader, new: Reader, notes: list[str], knowledge: Knowledge) -> None:
    record = reading_corpus.reading_record
    for index, note in enumerate(notes):
        if record(old(note, knowledge)) != record(new(note, knowledge)):  # type: ignore[arg-type]
            raise SystemExit(f"reading {index} differs between the baseline and now")


def compare(
    label: str, notes: list[str], knowledge: Knowledge, old: Reader | None, repeat: int
) -> None:
    readers = {"new": read_text} if old is None else {"old": old, "new": read_text}
    if old is not None:
        check_same(old, read_text, notes, knowledge)
    for reader in readers.values():
        for note in notes[:WARMUP]:
            reader(note, knowledge)
    best = dict.fromkeys(readers, float("inf"))
    for _ in range(repeat):
        for key, reader in readers.items():
            best[key] = min(best[key], cpu_pass(reader, notes, knowledge))
    chars = sum(map(len, notes))
    line = f"{label:9s} {len(notes):5d} notes {chars / len(notes):6.0f} chars/note"
    for key, seconds in best.items():
        per_note = seconds / len(notes) * 1e3
        line += f" | {key} {per_note:6.3f} ms/note {chars / seconds / 1e6:5.2f} M chars/s"
    if old is not None:
        line += f" | {best['old'] / best['new']:.2f}x"
    print(line, flush=True)


def profile(notes: list[str], knowledge: Knowledge, top: int = 25) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(3):
        for note in notes:
            read_text(note, knowledge)
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = sum(row[2] for row in stats.stats.values())  # type: ignore[attr-defined]
    rows = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)  # type: ignore[attr-defined]
    print(f"profile of read_text on {len(notes)} dense notes x3 (own time share):")
    for (path, line, func), (_, calls, own, cumulative, _) in rows[:top]:
        where = f"{Path(path).name}:{line}({func})"
        print(f"  {own / total:6.1%} own {cumulative / total:6.1%} cum {calls:8d} calls  {where}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default=BASELINE, help="git revision, or 'none'")
    parser.add_argument("--repeat", type=int, default=5, help="passes per reader (best counts)")
    parser.add_argument("--mtsamples", type=Path, default=reading_corpus.MTSAMPLES)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)
    knowledge = load_knowledge()
    dense = reading_corpus.clinic_notes()
    with tempfile.TemporaryDirectory() as tmp:
        old = None if args.baseline == "none" else baseline_reader(args.baseline, Path(tmp))
        compare("dense", dense, knowledge, old, args.repeat)
        if args.mtsamples.exists():
            notes = reading_corpus.mtsamples_notes(path=args.mtsamples)
            compare("mtsamples", notes, knowledge, old, max(1, args.repeat // 2))
    if args.profile:
        profile(dense, knowledge)
    return 0


if __name__ == "__main__":
    sys.exit(main())
