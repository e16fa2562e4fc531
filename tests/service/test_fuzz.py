"""Schema-driven fuzzing of the service's own OpenAPI operations: never a 500.

One pytest item per operation (so xdist spreads them), a few generated cases each, so it stays
within the service test budget. The web page's operations are web's to fuzz; left out here.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import warnings

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from mbcnav.service import Settings, create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore", UserWarning)  # duplicate operation ids in web's GET+POST routes
    DATA = tempfile.mkdtemp(prefix="mbcnav-fuzz-")
    atexit.register(shutil.rmtree, DATA, ignore_errors=True)
    APP = create_app(Settings(dev=True, data_dir=DATA))
    APP.openapi()
SCHEMA = schemathesis.openapi.from_asgi("/openapi.json", APP).include(
    path_regex=r"^/(v1/|cds-services|healthz|readyz)"
)
OPERATIONS = sorted((op.ok().path, op.ok().method.upper()) for op in SCHEMA.get_all_operations())


def test_the_service_operations_are_all_fuzzed() -> None:
    from fastapi.testclient import TestClient

    assert TestClient(APP).get("/readyz").status_code == 200, "fuzzing a service that is not ready"
    assert ("/v1/assess", "POST") in OPERATIONS
    assert ("/cds-services/{service_id}", "POST") in OPERATIONS
    assert len(OPERATIONS) == 9


@pytest.mark.parametrize(("path", "method"), OPERATIONS, ids=[f"{m} {p}" for p, m in OPERATIONS])
def test_no_server_errors(path: str, method: str) -> None:
    operation = SCHEMA[path][method]
    fixed = {"service_id": "mbcnav-patient-view"} if "{service_id}" in path else None
    positive = operation.as_strategy(GenerationMode.POSITIVE, path_parameters=fixed)
    strategy = positive | operation.as_strategy(GenerationMode.NEGATIVE, path_parameters=fixed)

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


SITES = ["site:bone", "site:liver", "site:lung", "site:brain", "site:spine", "site:nope"]
patients = st.fixed_dictionaries(
    {"text": st.text(max_size=400)},
    optional={
        "receptors": st.fixed_dictionaries(
            {},
            optional={
                "er": st.sampled_from(["positive", "negative", "unknown"]),
                "her2": st.sampled_from(["positive", "low", "zero", "negative", "unknown"]),
            },
        ),
        "setting": st.sampled_from(["surveillance", "suspected", "metastatic"]),
        "known_sites": st.lists(st.sampled_from(SITES), max_size=3),
        "labs": st.fixed_dictionaries(
            {}, optional={"calcium_corrected_mmol_l": st.floats(0.5, 9.5)}
        ),
        "age": st.integers(0, 130),
    },
)


@settings(max_examples=40, deadline=None, derandomize=True, database=None)
@given(patient=patients)
def test_random_patients_through_http_never_crash(patient: dict[str, object]) -> None:
    """Valid-shaped patients with arbitrary text: an Assessment or a coded 4xx, never a 500."""
    from fastapi.testclient import TestClient

    response = TestClient(APP).post("/v1/assess", json=patient)
    assert response.status_code in (200, 413, 422), response.text
    if response.status_code == 200:
        assert response.json()["provenance"]["knowledge_hash"].startswith("sha256:")
    else:
        assert response.json()["code"].startswith("MBC-E")
