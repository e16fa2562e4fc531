"""Process set-up for long-running adapters (the service, batch workers), kept out of the engine.

The engine's matrices are small (patients × 16 sites, 2^r configurations): a multi-threaded BLAS
gains nothing on them, but its idle threads spin between calls and, next to uvicorn or a pool of
worker processes, burn a core that the requests need. We measured the service spending more CPU
in the BLAS spin than in the engine itself.
"""

from __future__ import annotations

import ctypes
import gc
import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from threadpoolctl import threadpool_limits

_limits: list[Any] = []

GC_THRESHOLDS = (50_000, 20, 1000)
"""The engine allocates many short-lived objects per patient; collecting the youngest
generation every 700 allocations (Python's default) cost a screening worker about a sixth of
its time."""


def single_threaded_native_libraries() -> None:
    """One thread for BLAS/OpenMP in this process (idempotent; lasts for the process)."""
    if not _limits:
        _limits.append(threadpool_limits(limits=1))


def freeze_heap() -> None:
    """Move everything alive now (knowledge, caches, code, framework) out of the garbage
    collector's view, and collect young objects less often. Call it after a warm-up: a
    long-lived process otherwise re-scans those objects in every full collection."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


@contextmanager
def collected_after() -> Iterator[None]:
    """No automatic garbage collection during one unit of batch work (a chunk of notes), one
    collection after it. Assessing notes leaves no reference cycles (a 2,000-note chunk: none
    found), so the collections that allocation counts trigger in the middle only trace live
    objects: a tenth of a screening worker's time. Cycles, if any ever appear, live at most
    until the chunk ends. For single-threaded batch processes only (the switch is global)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
            gc.collect()


def die_with_parent(parent: int) -> None:
    """End this worker process when ``parent`` dies, even by ``kill -9`` (which runs no clean-up
    in the parent): Linux delivers SIGTERM on the parent's death (``PR_SET_PDEATHSIG``). Elsewhere
    it does nothing. The check after it closes the race with a parent that died first."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:
        os.kill(os.getpid(), signal.SIGTERM)


_PR_SET_PDEATHSIG = 1


__all__ = [
    "GC_THRESHOLDS",
    "collected_after",
    "die_with_parent",
    "freeze_heap",
    "single_threaded_native_libraries",
]
