"""Fixtures of hand-made knowledge and assessments (built in render_samples)."""

from __future__ import annotations

import pytest
from render_samples import ASSESSMENTS, make_knowledge

from mbcnav.knowledge import Knowledge
from mbcnav.types import Assessment


@pytest.fixture(scope="session")
def mini_knowledge() -> Knowledge:
    return make_knowledge()


@pytest.fixture(params=sorted(ASSESSMENTS))
def any_assessment(request: pytest.FixtureRequest) -> Assessment:
    return ASSESSMENTS[request.param]()
