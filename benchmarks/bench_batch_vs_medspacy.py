"""`mbcnav assess --batch` as a whole process against medspaCy's default pipeline, same notes.

Both run as fresh child processes over every distinct MTSamples note, timed from process start
to exit (start-up, knowledge or model load, reading, and for mbcnav the full assessment: sites,
flags, workup, treatment, JSON out). medspaCy only reads (``medspacy.load()``: tokenizer,
PyRuSH sentences, TargetMatcher with the knowledge's terms, ConText), so the ratio understates
mbcnav's lead. ``--baseline SRC`` also times ``assess --batch`` from another source tree (e.g.
``git archive 49e55c8 src | tar -x -C /tmp/base``) in the same run, for a before/after;
``--repeat N`` runs each mbcnav tree N times, alternating, and reports the median (a shared
machine's timings are noisy); ``--medspacy-cpu S`` reuses medspaCy's CPU seconds from an earlier
run instead of spending three minutes measuring it again. Each mbcnav run starts with the
lexicon's disk cache as a user's second run finds it (``MBCNAV_CACHE_DIR``, filled by a first,
untimed run); ``--cold`` times it empty as well.

    PYTHONPATH=src python benchmarks/bench_batch_vs_medspacy.py [--limit N] [--baseline DIR]
        [--repeat N] [--medspacy-cpu S] [--cold]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import shutil
import statistics
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
    parser.add_argument("--repeat", type=int, default=1, help="runs per mbcnav tree (median)")
    parser.add_argument("--medspacy-cpu", type=float, help="medspaCy CPU s from an earlier run")
    parser.add_argument("--cold", action="store_true", help="also time an empty lexicon cache")
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
        command = [*mbcnav, "assess", "--batch", str(batch)]
        cache = Path(tmp) / "cache"
        trees = {"this tree": REPO / "src"}
        if args.baseline:
            trees["baseline"] = args.baseline
        envs = {
            name: {**env, "PYTHONPATH": str(src), "MBCNAV_CACHE_DIR": str(cache / name)}
            for name, src in trees.items()
        }
        for name in trees:
            if args.cold:
                shutil.rmtree(cache / name, ignore_errors=True)
                _report(
                    f"mbcnav assess --batch ({name}, empty cache)", [_timed(command, envs[name])]
                )
            else:
                _timed(command, envs[name])  # fills the cache, as a user's first run would
        timings: dict[str, list[tuple[float, float]]] = {name: [] for name in trees}
        for _ in range(args.repeat):
            for name in trees:
                timings[name].append(_timed(command, envs[name]))
        runs = {f"mbcnav assess --batch ({name})": times for name, times in timings.items()}
        if args.medspacy_cpu is None:
            reference = _timed([sys.executable, "-c", MEDSPACY, str(batch)], envs["this tree"])
            runs["medspaCy default pipeline (reading only)"] = [reference]
        else:
            runs["medspaCy default pipeline (reading only, given)"] = [(0.0, args.medspacy_cpu)]
    print(f"bench_batch_vs_medspacy: {len(notes)} MTSamples notes, {chars / 1e6:.1f} M chars")
    medspacy = next(times for name, times in runs.items() if name.startswith("medspaCy"))[0][1]
    for name, times in runs.items():
        wall = statistics.median(t[0] for t in times)
        cpu = statistics.median(t[1] for t in times)
        spread = f" (CPU of {len(times)} runs: {', '.join(f'{t[1]:.2f}' for t in times)})"
        print(
            f"  {name:50} wall {wall:6.1f} s  CPU {cpu:6.2f} s  "
            f"{len(notes) / cpu:7.0f} notes/CPU-s  {medspacy / cpu:5.1f}x medspaCy (CPU)"
            + (spread if len(times) > 1 else "")
        )


def _report(name: str, times: list[tuple[float, float]]) -> None:
    wall, cpu = times[0]
    print(f"  {name:50} wall {wall:6.1f} s  CPU {cpu:6.2f} s", flush=True)


if __name__ == "__main__":
    main()
