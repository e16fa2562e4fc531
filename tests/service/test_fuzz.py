"""Schema-driven fuzzing of the service's OpenAPI operations: every answer is one the
description promises (status, media type, body schema), never a 500.

One pytest item per operation (so xdist spreads them), a few generated cases each, so it stays
within the service test budget. Two kinds of case: schemathesis's own (valid and invalid by
the schema), and valid ones with hostile content injected at a random place in the body
(field test, December 2026: lone surrogates, NUL, non-finite and 4,000-digit numbers, wrong
JSON shapes, oversized ids, deep nesting, bytes that are not UTF-8).
"""

from __future__ import annotations

import atexit
import json
import shutil
import tempfile
import warnings
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from mbcnav.service import Settings, create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore", UserWarning)  # duplicate operation ids in web's GET+POST routes
    DATA = tempfile.mkdtemp(prefix="mbcnav-fuzz-")
    atexit.register(shutil.rmtree, DATA, ignore_errors=True)
    APP = create_app(Settings(dev=True, data_dir=DATA))
    APP.openapi()
SCHEMA = schemathesis.openapi.from_asgi("/openapi.json", APP)
OPERATIONS = sorted((op.ok().path, op.ok().method.upper()) for op in SCHEMA.get_all_operations())
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
JSON_BODIES = [(p, m) for p, m in OPERATIONS if m == "POST" and p.startswith(("/v1", "/cds"))]
FIXED = {"service_id": "mbcnav-patient-view"}
HOSTILE_TEXT = [
    "\ud800",
    "a\udfffb",
    "\x00",
    "nul\x00in the middle",
    "\u2028#\x1b[2J",
    "x" * 5_000,
    "http://[::1/fhir",
    "../../admin",
]
HOSTILE_NUMBERS = [float("nan"), float("inf"), -float("inf"), 10**4000, -(10**4000), 1e308, -0.0]
WRONG_SHAPES: list[Any] = [None, True, 5, "x", [], {}, [[]], {"": {}}, {"resourceType": 5}]
DEEP: Any = []
for _ in range(1_000):
    DEEP = [DEEP]
HOSTILE = st.sampled_from([*HOSTILE_TEXT, *HOSTILE_NUMBERS, *WRONG_SHAPES, DEEP])
RAW_BODIES = [b'{"text": "\xff\xfe"}', "{}".encode("utf-16"), b"\xef\xbb\xbf{}", b'{"a":1,"a":2}']
HOSTILE_IDS = ["x" * 5_000, "\x00", "%00", "\u00e9" * 70, "../../etc/passwd", "a" * 65]


def _inject(data: st.DataObject, value: Any, depth: int = 0) -> Any:
    """``value`` with one hostile value put at a random place (or in its stead)."""
    nested = isinstance(value, dict | list) and bool(value)
    if not nested or (depth > 0 and data.draw(st.booleans())):
        return data.draw(HOSTILE)
    if isinstance(value, dict):
        key = data.draw(st.sampled_from(sorted(value)))
        return {**value, key: _inject(data, value[key], depth + 1)}
    index = data.draw(st.integers(0, len(value) - 1))
    return [*value[:index], _inject(data, value[index], depth + 1), *value[index + 1 :]]


def _check(case: schemathesis.Case) -> None:
    response = case.call()
    case.validate_response(response, checks=CHECKS)
    kind = response.headers.get("content-type", [""])[0]
    if response.status_code >= 400 and not kind.startswith("text/html"):
        assert kind.startswith("application/problem+json"), (case.path, kind)
        assert response.json()["code"].startswith("MBC-E")


def test_the_service_operations_are_all_fuzzed() -> None:
    from fastapi.testclient import TestClient

    assert TestClient(APP).get("/readyz").status_code == 200, "fuzzing a service that is not ready"
    assert ("/v1/assess", "POST") in OPERATIONS and ("/handout.pdf", "POST") in OPERATIONS
    assert ("/cds-services/{service_id}", "POST") in OPERATIONS
    assert len(OPERATIONS) == 19 and len(JSON_BODIES) == 4


@pytest.mark.parametrize(("path", "method"), OPERATIONS, ids=[f"{m} {p}" for p, m in OPERATIONS])
def test_answers_are_what_the_description_promises(path: str, method: str) -> None:
    operation = SCHEMA[path][method]
    fixed = FIXED if "{service_id}" in path else None
    positive = operation.as_strategy(GenerationMode.POSITIVE, path_parameters=fixed)
    strategy = positive | operation.as_strategy(GenerationMode.NEGATIVE, path_parameters=fixed)

    @given(case=strategy)
    @settings(
        max_examples=15,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def check(case: schemathesis.Case) -> None:
        _check(case)

    check()


@pytest.mark.parametrize(("path", "method"), JSON_BODIES, ids=[p for p, _ in JSON_BODIES])
def test_hostile_content_gets_a_described_answer(path: str, method: str) -> None:
    operation = SCHEMA[path][method]
    fixed = FIXED if "{service_id}" in path else None
    positive = operation.as_strategy(GenerationMode.POSITIVE, path_parameters=fixed)

    @given(case=positive, data=st.data(), raw=st.sampled_from([None, None, None, *RAW_BODIES]))
    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def check(case: schemathesis.Case, data: st.DataObject, raw: bytes | None) -> None:
        body = raw if raw is not None else json.dumps(_inject(data, case.body)).encode()
        hostile = operation.Case(
            body=body, media_type="application/json", path_parameters=case.path_parameters
        )
        _check(hostile)

    check()


@pytest.mark.parametrize("audit_id", HOSTILE_IDS)
def test_hostile_audit_ids_get_a_described_answer(audit_id: str) -> None:
    operation = SCHEMA["/v1/assessments/{audit_id}"]["GET"]
    _check(operation.Case(path_parameters={"audit_id": audit_id}))


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
