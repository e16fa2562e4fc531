"""`mbcnav assess --batch` as a whole process against medspaCy's default pipeline, same notes.

Both run as fresh child processes over every distinct MTSamples note, timed from process start
to exit (start-up, knowledge or model load, reading, and for mbcnav the full assessment: sites,
flags, workup, treatment, JSON out). medspaCy only reads (``medspacy.load()``: tokenizer,
PyRuSH sentences, TargetMatcher with the knowledge's terms, ConText), so the ratio understates
mbcnav's lead. ``--baseline SRC`` also times ``assess --batch`` from another source tree (e.g.
``git archive 49e55c8 src | tar -x -C /tmp/base``) in the same run, for a before/after.

    PYTHONPATH=src python benchmarks/bench_batch_vs_medspacy.py [--limit N] [--baseline DIR]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "mtsamples" / "mtsamples.csv"

MEDSPACY = """
import json, sys
import medspacy
from medspacy.ner import TargetRule
from loguru import logger
logger.remove()
from mbcnav.knowledge import load_knowledge
knowledge = load_knowledge()
nlp = medspacy.load()
matcher = nlp.get_pipe("medspacy_target_matcher")
rules = [TargetRule(term, "SYMPTOM") for s in knowledge.symptoms.values()
         for kind, terms in s.terms.model_dump().items() for term in terms]
matcher.add(rules)
notes = [json.loads(line)["text"] for line in open(sys.argv[1], encoding="utf-8")]
entities = sum(len(doc.ents) for doc in nlp.pipe(notes, batch_size=50))
print(entities, file=sys.stderr)
"""


def _notes(path: Path, limit: int | None) -> list[str]:
    csv.field_size_limit(sys.maxsize)
    with path.open(encoding="utf-8", newline="") as handle:
        texts = [row.get("transcription") or "" for row in csv.DictReader(handle)]
    distinct = list(dict.fromkeys(t for t in texts if t.strip()))
    return distinct[:limit] if limit else distinct


def _timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one child process, from start to exit."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=None, help="first N distinct notes only")
    parser.add_argument("--baseline", type=Path, help="another src folder to time as well")
    args = parser.parse_args()
    notes = _notes(args.data, args.limit)
    chars = sum(len(n) for n in notes)
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    with tempfile.TemporaryDirectory(prefix="mbcnav-bench-") as tmp:
        batch = Path(tmp) / "notes.jsonl"
        batch.write_text(
            "".join(json.dumps({"id": str(i), "text": n}) + "\n" for i, n in enumerate(notes)),
            encoding="utf-8",
        )
        mbcnav = [sys.executable, "-c", "from mbcnav.cli import main; main()"]
        runs: dict[str, tuple[float, float]] = {}
        current = {**env, "PYTHONPATH": str(REPO / "src")}
        runs["mbcnav assess --batch (this tree)"] = _timed(
            [*mbcnav, "assess", "--batch", str(batch)], current
        )
        if args.baseline:
            old = {**env, "PYTHONPATH": str(args.baseline)}
            runs["mbcnav assess --batch (baseline)"] = _timed(
                [*mbcnav, "assess", "--batch", str(batch)], old
            )
        runs["medspaCy default pipeline (reading only)"] = _timed(
            [sys.executable, "-c", MEDSPACY, str(batch)], current
        )
    print(f"bench_batch_vs_medspacy: {len(notes)} MTSamples notes, {chars / 1e6:.1f} M chars")
    reference = runs["medspaCy default pipeline (reading only)"][1]
    for name, (wall, cpu) in runs.items():
        print(
            f"  {name:45} wall {wall:6.1f} s  CPU {cpu:6.1f} s  "
            f"{len(notes) / cpu:7.0f} notes/CPU-s  {reference / cpu:5.1f}x medspaCy (CPU)"
        )


if __name__ == "__main__":
    main()
