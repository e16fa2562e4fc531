"""Process set-up for the service and batch workers: one BLAS thread, a frozen heap."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import numpy as np
import pytest
from threadpoolctl import threadpool_info

from mbcnav.runtime import (
    GC_THRESHOLDS,
    collected_after,
    freeze_heap,
    single_threaded_native_libraries,
)


@pytest.fixture
def restore_gc() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def test_native_libraries_run_one_thread() -> None:
    np.ones((64, 64)) @ np.ones((64, 64))  # load the BLAS before asking about it
    single_threaded_native_libraries()
    single_threaded_native_libraries()
    pools = threadpool_info()
    assert pools, "numpy's BLAS should be visible to threadpoolctl"
    assert {pool["num_threads"] for pool in pools} == {1}


def test_freeze_heap_moves_live_objects_out_of_collection(restore_gc: None) -> None:
    keep = [object() for _ in range(1000)]
    freeze_heap()
    assert gc.get_freeze_count() >= len(keep)
    assert gc.get_threshold() == GC_THRESHOLDS


def test_collected_after_pauses_collection_and_collects_at_the_end() -> None:
    class Node:
        def __init__(self) -> None:
            self.me = self

    assert gc.isenabled()
    before = gc.get_count()[0]
    with collected_after():
        assert not gc.isenabled()
        for _ in range(1000):
            Node()  # cyclic garbage, left for the collection at the end
        assert gc.get_count()[0] > before
    assert gc.isenabled()
    assert not any(isinstance(o, Node) for o in gc.get_objects())


def test_collected_after_keeps_collection_off_when_it_was_off() -> None:
    gc.disable()
    try:
        with collected_after():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
