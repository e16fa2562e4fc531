"""Fixtures of the extract tests: a tiny knowledge base of our own."""

from __future__ import annotations

import pytest
from extract_fixtures import make_knowledge

from mbcnav.knowledge import Knowledge


@pytest.fixture(scope="session")
def tiny_kb() -> Knowledge:
    """A dozen symptoms and a few sites with known terms, independent of the clinical YAML."""
    return make_knowledge()
