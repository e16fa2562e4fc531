"""Fixtures shared by the whole suite."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from mbcnav.knowledge import Knowledge, load_knowledge

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"

# The lexicon's disk cache (mbcnav.lexicon_cache) of the tests and the processes they start goes
# to a folder of this run, never the user's own cache.
if "MBCNAV_CACHE_DIR" not in os.environ:
    os.environ["MBCNAV_CACHE_DIR"] = tempfile.mkdtemp(prefix="mbcnav-test-cache-")
    atexit.register(shutil.rmtree, os.environ["MBCNAV_CACHE_DIR"], ignore_errors=True)


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    """The packaged knowledge base, loaded once per test process."""
    return load_knowledge()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The team's shared folder (reference data, public examples) beside the checkout."""
    if not SHARED.is_dir():
        pytest.skip(f"shared data folder not found at {SHARED}")
    return SHARED


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Where tests keep what a human may want to look at afterwards (screenshots, reports)."""
    path = REPO / "artifacts"
    path.mkdir(exist_ok=True)
    return path
