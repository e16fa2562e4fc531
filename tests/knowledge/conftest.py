"""Fixtures of the knowledge tests.

Broken copies of the packaged knowledge base, built from small declarative patches.

Each ``fixtures/broken_<code>/patch.yaml`` names the problem code it must trigger and lists
edits applied to a fresh copy of the packaged data: ``append`` records to a list, ``remove``
records matching fields, ``set`` a value at a path, replace a file's ``raw`` text, or
``delete`` a file. Patches, not full copies, so the fixtures keep working while the real data
grows.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from kb_fixtures import build_broken


@pytest.fixture()
def broken(tmp_path: Path) -> Callable[[Path], Path]:
    """Build a broken knowledge folder from a fixture directory."""
    return lambda fixture: build_broken(fixture, tmp_path)
