"""CPU time of one full ``mbcnav.assess(patient)`` on the service's workload (400 distinct
3,000-character clinic notes), split into stages: read text, evidence, inference (with the
leave-one-out rows), explanations (each site's ``because`` and route, with the site objects
that carry them), flags, workup, treatment, and the rest (validation, preparing the rows and
building the Assessment).

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_engine_full.py [--rounds 5]
    .venv/bin/python benchmarks/bench_engine_full.py --compare OLD_SRC [NEW_SRC]

The total is timed without instruments; the stage split comes from a second pass that wraps
the engine's stage functions with CPU timers (their own small cost lands in the stage).
``--compare`` runs this script on two source trees (e.g. ``git archive HEAD~3 src`` unpacked
in /tmp) alternately in fresh processes and prints both, stage by stage, best of the rounds.
``--warm-reading`` reads each note once beforehand and hands the engine that reading, so the
stages after reading run without the reader's cache and garbage-collection traffic between
them (a lower bound; the default is what a request costs).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from clinic_notes import patient_request  # noqa: E402  (the notes the regression nets use too)

NOTES = 400
STAGES = (
    "read text",
    "evidence",
    "inference",
    "explanations",
    "flags",
    "workup",
    "treatment",
    "build+rest",
)
# Stage → functions looked up in mbcnav._api's namespace (wrapped for the split pass).
WRAPPED = {
    "read text": ("_read",),
    "evidence": ("gather",),
    "inference": ("infer_batch",),
    "explanations": ("_sites",),
    "flags": ("raised_flags",),
    "workup": ("workup_items",),
    "treatment": ("treatment_options",),
}


def _total_ms(patients: list[dict[str, Any]], assess: Callable[..., Any], knowledge: Any) -> float:
    start = time.process_time()
    for patient in patients:
        assess(patient, knowledge=knowledge)
    return (time.process_time() - start) * 1e3 / len(patients)


def _split_ms(
    patients: list[dict[str, Any]], assess: Callable[..., Any], knowledge: Any
) -> dict[str, float]:
    import mbcnav._api as api

    spent = dict.fromkeys(STAGES, 0.0)
    originals: dict[str, Any] = {}

    def timed(stage: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                spent[stage] += time.process_time() - start

        return wrapper

    for stage, names in WRAPPED.items():
        for name in names:
            if not hasattr(api, name):
                continue
            originals[name] = getattr(api, name)
            setattr(api, name, timed(stage, originals[name]))
    try:
        total = _total_ms(patients, assess, knowledge)
    finally:
        for name, function in originals.items():
            setattr(api, name, function)
    out = {stage: seconds * 1e3 / len(patients) for stage, seconds in spent.items()}
    out["build+rest"] = total - sum(out.values())
    return out


def _warm_reading() -> None:
    """Serve each note's reading from a dict filled on first use."""
    import mbcnav._api as api

    read, seen = api._read, {}

    def remembered(patient: Any, knowledge: Any) -> Any:
        if patient.text not in seen:
            seen[patient.text] = read(patient, knowledge)
        return seen[patient.text]

    api._read = remembered  # type: ignore[assignment]


def measure(rounds: int, warm: bool = False) -> dict[str, Any]:
    """Best-of-rounds total (uninstrumented) and the stage split of the fastest instrumented
    round (so its stages add up to one real pass), in CPU ms per assess."""
    import mbcnav
    from mbcnav import assess, load_knowledge

    if warm:
        _warm_reading()
    knowledge = load_knowledge()
    patients = [patient_request(i) for i in range(NOTES)]
    for patient in patients:
        assess(patient, knowledge=knowledge)
    totals, splits = [], []
    for _ in range(rounds):
        totals.append(_total_ms(patients, assess, knowledge))
        splits.append(_split_ms(patients, assess, knowledge))
    best = min(splits, key=lambda split: sum(split.values()))
    return {"source": str(Path(mbcnav.__file__).parents[1]), "total": min(totals), "stages": best}


def _report(results: list[dict[str, Any]]) -> None:
    names = [Path(r["source"]).parent.name for r in results]
    print(f"{'CPU ms per assess':<24}" + "".join(f"{name:>18}" for name in names))
    for stage in STAGES:
        print(f"  {stage:<22}" + "".join(f"{r['stages'][stage]:18.3f}" for r in results))
    post = [sum(r["stages"].values()) - r["stages"]["read text"] for r in results]
    print(f"{'after reading':<24}" + "".join(f"{p:18.3f}" for p in post))
    print(f"{'total (uninstrumented)':<24}" + "".join(f"{r['total']:18.3f}" for r in results))
    if len(results) == 2:
        print(
            f"speed-up after reading: {post[0] / post[1]:.2f}x, "
            f"total: {results[0]['total'] / results[1]['total']:.2f}x"
        )


def _compare(sources: list[str], rounds: int, warm: bool) -> None:
    """Fresh process per (source, round), alternating, so both see the same machine load."""
    best: dict[str, dict[str, Any]] = {}
    for _ in range(rounds):
        for source in sources:
            env = dict(os.environ, PYTHONPATH=source)
            run = subprocess.run(
                [sys.executable, __file__, "--json", "--rounds", "1"]
                + (["--warm-reading"] if warm else []),
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            result = json.loads(run.stdout)
            old = best.get(source)
            if old is None or sum(result["stages"].values()) < sum(old["stages"].values()):
                total = result["total"] if old is None else min(old["total"], result["total"])
                best[source] = dict(result, total=total)
            else:
                old["total"] = min(old["total"], result["total"])
    _report([best[s] for s in sources])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="one JSON line (for --compare)")
    parser.add_argument("--compare", nargs="+", metavar="SRC", help="old [new] src folders")
    parser.add_argument("--warm-reading", action="store_true", help="read each note once first")
    args = parser.parse_args()
    if args.compare:
        here = str(Path(__file__).resolve().parents[1] / "src")
        sources = [*args.compare, here][:2] if len(args.compare) == 1 else args.compare
        _compare(sources, args.rounds, args.warm_reading)
        return
    result = measure(args.rounds, args.warm_reading)
    print(json.dumps(result) if args.json else "", end="\n" if args.json else "")
    if not args.json:
        _report([result])


if __name__ == "__main__":
    main()
