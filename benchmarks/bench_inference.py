"""Single assessment latency for coded input: median and p99 of mbcnav.assess() (validation,
exact inference with leave-one-out explanations, red flags, workup, treatment options), and of
the bare inference call by each exact method. Prints one line.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402

import numpy as np  # noqa: E402

from mbcnav import assess, load_knowledge  # noqa: E402
from mbcnav.reason.inference import infer_batch  # noqa: E402
from mbcnav.reason.network import tables_for  # noqa: E402

PATIENT = {
    "findings": [
        {"id": "sym:back_pain", "present": True},
        {"id": "sym:leg_weakness", "present": True},
        {"id": "sym:fatigue", "present": True},
        {"id": "sym:headache", "present": False},
        {"id": "sym:jaundice", "present": False},
    ],
    "labs": {"calcium_corrected_mmol_l": 2.8},
    "receptors": {"er": "positive", "pr": "positive", "her2": "zero"},
    "setting": "suspected",
}


def timings(call: Callable[[], object], runs: int) -> tuple[float, float]:
    for _ in range(20):
        call()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    ms = np.array(samples) * 1e3
    return float(np.median(ms)), float(np.percentile(ms, 99))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=2000)
    args = parser.parse_args()
    knowledge = load_knowledge()
    tables = tables_for(knowledge)
    median, p99 = timings(lambda: assess(PATIENT, knowledge=knowledge), args.runs)
    present = np.zeros((1, len(tables.columns)), dtype=bool)
    absent = np.zeros_like(present)
    for finding in PATIENT["findings"]:
        target = present if finding["present"] else absent
        target[0, tables.column_index[finding["id"]]] = True
    prior = tables.prior("hr_pos_her2_neg", "suspected")[None, :]
    methods = {
        m: timings(lambda m=m: infer_batch(tables, present, absent, prior, method=m), args.runs)
        for m in ("quickscore", "enumerate")
    }
    print(
        f"assess() coded input, {args.runs} runs: median {median:.2f} ms, p99 {p99:.2f} ms; "
        + "; ".join(
            f"bare {m}: median {a * 1e3:.0f} µs, p99 {b * 1e3:.0f} µs"
            for m, (a, b) in methods.items()
        )
    )


if __name__ == "__main__":
    main()
