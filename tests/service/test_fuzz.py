"""Schema-driven fuzzing of the service's own OpenAPI operations: never a 500.

Bounded (a few examples per operation) so it stays within the service test budget. The web
page's operations are web's to fuzz; they are left out here.
"""

from __future__ import annotations

import tempfile
import warnings

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from mbcnav.knowledge import load_knowledge
from mbcnav.service import Settings, create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore", UserWarning)  # duplicate operation ids in web's GET+POST routes
    APP = create_app(
        Settings(dev=True, data_dir=tempfile.mkdtemp(prefix="mbcnav-fuzz-")),
        knowledge=load_knowledge(),
    )
    APP.openapi()
schema = schemathesis.openapi.from_asgi("/openapi.json", APP).include(
    path_regex=r"^/(v1/|cds-services|healthz|readyz)"
)


@pytest.mark.filterwarnings("ignore::UserWarning")
@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_server_errors(case: schemathesis.Case) -> None:
    response = case.call()
    assert response.status_code < 500, (case.method, case.path, response.text[:500])
    if response.status_code >= 400:
        assert response.headers["content-type"][0].startswith("application/problem+json")
        assert response.json()["code"].startswith("MBC-E")
