"""Schema-driven fuzzing of the service's own OpenAPI operations: never a 500.

One pytest item per operation (so xdist spreads them), a few generated cases each, so it stays
within the service test budget. The web page's operations are web's to fuzz; left out here.
"""

from __future__ import annotations

import tempfile
import warnings

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from mbcnav.service import Settings, create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore", UserWarning)  # duplicate operation ids in web's GET+POST routes
    APP = create_app(Settings(dev=True, data_dir=tempfile.mkdtemp(prefix="mbcnav-fuzz-")))
    APP.openapi()
SCHEMA = schemathesis.openapi.from_asgi("/openapi.json", APP).include(
    path_regex=r"^/(v1/|cds-services|healthz|readyz)"
)
OPERATIONS = sorted((op.ok().path, op.ok().method.upper()) for op in SCHEMA.get_all_operations())


def test_the_service_operations_are_all_fuzzed() -> None:
    assert ("/v1/assess", "POST") in OPERATIONS
    assert ("/cds-services/{service_id}", "POST") in OPERATIONS
    assert len(OPERATIONS) == 9


@pytest.mark.parametrize(("path", "method"), OPERATIONS, ids=[f"{m} {p}" for p, m in OPERATIONS])
def test_no_server_errors(path: str, method: str) -> None:
    operation = SCHEMA[path][method]

    strategy = operation.as_strategy(GenerationMode.POSITIVE) | operation.as_strategy(
        GenerationMode.NEGATIVE
    )

    @given(case=strategy)
    @settings(
        max_examples=20,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def check(case: schemathesis.Case) -> None:
        response = case.call()
        assert response.status_code < 500, (case.method, case.path, response.text[:500])
        if response.status_code >= 400:
            assert response.headers["content-type"][0].startswith("application/problem+json")
            assert response.json()["code"].startswith("MBC-E")

    check()
