"""Batched exact inference: patients per second per core for 1,000,000 coded patients, and
peak memory. One thread (BLAS pinned), so the figure is per core. Prints one line.

Patients (random subtype and setting; 5 % with one known site): "sampled" from the network
itself (the default: coherent symptom clusters as in clinic) or "uniform" (any symptoms at
random: a stress test with many improbable combinations).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import resource  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402

import numpy as np  # noqa: E402

from mbcnav.knowledge import load_knowledge  # noqa: E402
from mbcnav.reason import inference  # noqa: E402
from mbcnav.reason.network import SETTINGS, SUBTYPES, tables_for  # noqa: E402


def _priors(tables, rng, n):  # type: ignore[no-untyped-def]
    keys = [(s, t) for s in SUBTYPES for t in SETTINGS]
    table = np.stack([tables.prior(*key) for key in keys])
    return table[rng.integers(0, len(keys), n)]


def uniform_patients(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stress test: any symptom present with probability 3/M, absent with 2/M, at random."""
    tables = tables_for(load_knowledge())
    rng = np.random.default_rng(seed)
    m = len(tables.columns)
    present = rng.random((n, m)) < 3.0 / m
    absent = (rng.random((n, m)) < 2.0 / m) & ~present
    prior = _priors(tables, rng, n)
    known = rng.random(n) < 0.05
    prior[np.flatnonzero(known), rng.integers(0, tables.n_sites, int(known.sum()))] = 1.0
    return present, absent, prior


def sampled_patients(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Drawn in chunks, so generating the input does not dominate the peak memory."""
    parts = [_sampled(min(100_000, n - start), seed + start) for start in range(0, n, 100_000)]
    return tuple(np.concatenate([p[i] for p in parts]) for i in range(3))  # type: ignore[return-value]


def _sampled(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Patients drawn from the network itself (sites from the priors, symptoms by noisy-OR);
    a patient reports each symptom she has with probability 0.7, and each symptom she does
    not have is coded absent with probability 4/M."""
    tables = tables_for(load_knowledge())
    rng = np.random.default_rng(seed)
    m = len(tables.columns)
    prior = _priors(tables, rng, n)
    sites = (rng.random(prior.shape) < prior).astype(np.float64)
    p_off = np.exp(sites @ tables.log1m_link + tables.log1m_leak)
    has = rng.random((n, m)) >= p_off
    present = has & (rng.random((n, m)) < 0.7)
    absent = ~has & (rng.random((n, m)) < 4.0 / m)
    known = (rng.random(n) < 0.05) & (sites.sum(axis=1) > 0)
    for row in np.flatnonzero(known):
        prior[row, rng.choice(np.flatnonzero(sites[row]))] = 1.0
    return present, absent, prior


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=1_000_000)
    parser.add_argument(
        "--trace-memory", action="store_true", help="also trace numpy's working memory (slower)"
    )
    parser.add_argument("--patients", choices=["sampled", "uniform"], default="sampled")
    parser.add_argument("--method", choices=["auto", "quickscore", "enumerate"], default="auto")
    args = parser.parse_args()
    tables = tables_for(load_knowledge())
    maker = sampled_patients if args.patients == "sampled" else uniform_patients
    present, absent, prior = maker(args.n)
    calls = {"n": 0}
    original = inference._enumerate_rows

    def counted(*a, **k):  # type: ignore[no-untyped-def]
        calls["n"] += int(a[4].size)
        return original(*a, **k)

    inference._enumerate_rows = counted  # type: ignore[assignment]
    if args.trace_memory:
        tracemalloc.start()
    start, cpu_start = time.perf_counter(), time.process_time()
    post = inference.infer_batch(tables, present, absent, prior, method=args.method)
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    working_mb = tracemalloc.get_traced_memory()[1] / 2**20 if args.trace_memory else 0.0
    tracemalloc.stop()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert np.all(np.isfinite(post)) and np.all((post >= 0) & (post <= 1))
    print(
        f"batched exact inference ({args.method}, {args.patients}): {args.n:,} patients in "
        f"{seconds:.2f} s wall, "
        f"{cpu:.2f} s CPU = {args.n / cpu:,.0f} patients/s/core; peak RSS {peak_mb:,.0f} MB"
        + (
            f" (inference working memory {working_mb:,.0f} MB beyond its input)"
            if working_mb
            else ""
        )
        + "; "
        f"mean present findings {present.sum(1).mean():.2f}; "
        f"enumerated {calls['n']:,} ({calls['n'] / args.n:.1%})"
    )


if __name__ == "__main__":
    main()
