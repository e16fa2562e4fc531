"""CDS Hooks 2.0 conformance with the request shapes real clients send (spec text cited).

Clients: the spec's own examples, the HL7 sandbox (prefetch only of the keys its FHIR server
answered, no fhirAuthorization on an open server, a browser origin), and EHRs that give notes
as Binary references in HTML or RTF and answer failed prefetches with OperationOutcomes.
"""

from __future__ import annotations

import base64
import copy
import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cdsspec import assert_valid_response
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mbcnav.interop.cds_hooks import PREFETCH
from mbcnav.service import Settings

SERVICE = "/cds-services/mbcnav-patient-view"
PID = "eXoGxqgBaJuNkuahMYmiDhg3"
CORD = (
    "Known bone metastases. Worsening back pain for two weeks, now weak legs and numbness "
    "below the waist; she has not passed urine since this morning."
)
HTML_NOTE = (
    "<html><head><style>p {color: red}</style></head><body><p>Known bone metastases.</p>"
    "<p>Worsening back pain for two weeks, now weak legs &amp; numbness below the waist;"
    " she has not passed urine since this morning.</p><script>x()</script></body></html>"
)
RTF_NOTE = (
    r"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0\fnil\fcharset0 Arial;}}"
    r"{\*\generator Msftedit 5.41;}\viewkind4\uc1\pard\f0\fs20 Known bone metastases.\par "
    r"Worsening back pain for two weeks, now weak legs and numbness below the waist; "
    r"she has not passed urine since this morning.\par}"
)


def _subject(resource: dict[str, Any], patient_id: str = PID) -> dict[str, Any]:
    return {**resource, "subject": {"reference": f"Patient/{patient_id}"}}


def _bone() -> dict[str, Any]:
    return _subject(
        {
            "resourceType": "Condition",
            "id": "c-bone",
            "clinicalStatus": {"coding": [{"code": "active"}]},
            "code": {"coding": [{"system": "http://snomed.info/sct", "code": "94222008"}]},
        }
    )


def _note(attachments: list[dict[str, Any]], ident: str = "d-1") -> dict[str, Any]:
    return _subject(
        {
            "resourceType": "DocumentReference",
            "id": ident,
            "status": "current",
            "content": [{"attachment": attachment} for attachment in attachments],
        }
    )


def _inline(text: str, content_type: str, encoding: str = "utf-8") -> dict[str, Any]:
    return {"contentType": content_type, "data": base64.b64encode(text.encode(encoding)).decode()}


def _searchset(*resources: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{"resource": r, "search": {"mode": "match"}} for r in resources],
        **extra,
    }


def _outcome(severity: str, text: str) -> dict[str, Any]:
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": severity, "code": "processing", "diagnostics": text}],
    }


def _request(prefetch: dict[str, Any] | None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "hook": "patient-view",
        "hookInstance": str(uuid.uuid4()),
        "context": {"userId": "Practitioner/example", "patientId": PID},
        **extra,
    }
    if prefetch is not None:
        body["prefetch"] = prefetch
    return body


def _full_prefetch(notes: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "patient": {"resourceType": "Patient", "id": PID, "gender": "female"},
        "conditions": _searchset(_bone()),
        "observations": _searchset(),
        "questionnaireResponses": _searchset(),
        "notes": _searchset(*(notes or [])),
        "medicationStatements": _searchset(),
        "medicationRequests": _searchset(),
        "medicationAdministrations": _searchset(),
    }


def _chart_detail(cards: list[dict[str, Any]]) -> str:
    """The detail of the card that says what was read from the chart and what was not."""
    (chart,) = [card for card in cards if card["source"]["topic"]["code"] == "chart"]
    detail: str = chart["detail"]
    return detail


def _cards(client: TestClient, body: dict[str, Any]) -> list[dict[str, Any]]:
    response = client.post(SERVICE, json=body)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert_valid_response(response.json())
    cards: list[dict[str, Any]] = response.json()["cards"]
    return cards


def _cord_flagged(cards: list[dict[str, Any]]) -> bool:
    return (
        bool(cards)
        and cards[0]["indicator"] == "critical"
        and ("spinal cord" in cards[0]["summary"].lower())
    )


class FhirServer:
    """A FHIR server stub: searches (paged, failing on request), reads and Binaries."""

    def __init__(self, resources: list[dict[str, Any]], page_size: int = 50) -> None:
        self.resources = resources
        self.page_size = page_size
        self.failing: set[str] = set()
        self.binaries: dict[str, tuple[str, bytes]] = {}
        self.seen: list[str] = []
        self.auth: set[str] = set()

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/fhir/Binary/{ident}", self.binary),
                Route("/fhir/{kind}/{ident}", self.read),
                Route("/fhir/{kind}", self.search),
            ]
        )

    async def read(self, request: Request) -> JSONResponse:
        self.seen.append(request.url.path)
        kind, ident = request.path_params["kind"], request.path_params["ident"]
        for resource in self.resources:
            if resource["resourceType"] == kind and resource.get("id") == ident:
                return JSONResponse(resource)
        return JSONResponse(_outcome("error", "not found"), status_code=404)

    async def search(self, request: Request) -> JSONResponse:
        kind = request.path_params["kind"]
        self.seen.append(f"/fhir/{kind}")
        if kind in self.failing:
            return JSONResponse(_outcome("error", "unsupported search"), status_code=400)
        patient = request.query_params.get("patient", "")
        found = [
            r
            for r in self.resources
            if r["resourceType"] == kind
            and r.get("subject", {}).get("reference") == f"Patient/{patient}"
        ]
        page = int(request.query_params.get("_page", "0"))
        chunk = found[page * self.page_size : (page + 1) * self.page_size]
        links = []
        if (page + 1) * self.page_size < len(found):
            url = request.url.include_query_params(_page=page + 1)
            links.append({"relation": "next", "url": str(url)})
        warning = {"resource": _outcome("warning", "_sort ignored"), "search": {"mode": "outcome"}}
        body = _searchset(*chunk, link=links)
        body["entry"].append(warning)
        return JSONResponse(body)

    async def binary(self, request: Request) -> Response:
        ident = request.path_params["ident"]
        self.seen.append(f"/fhir/Binary/{ident}")
        self.auth.add(request.headers.get("authorization", ""))
        content_type, data = self.binaries[ident]
        if ident.startswith("json-"):
            payload = {
                "resourceType": "Binary",
                "contentType": content_type,
                "data": base64.b64encode(data).decode(),
            }
            return JSONResponse(payload, media_type="application/fhir+json")
        return Response(data, media_type=content_type)


@pytest.fixture
def fhir(serve_in_thread: Callable[[Any], str]) -> tuple[FhirServer, str]:
    server = FhirServer([{"resourceType": "Patient", "id": PID, "gender": "female"}, _bone()])
    return server, serve_in_thread(server.app()) + "/fhir"


# ---------------------------------------------------------------- requests


def test_spec_example_request_with_extensions_and_unknown_fields(
    dev_client: TestClient, shared_dir: Path
) -> None:
    """Spec §Calling a CDS Service example (fhirAuthorization with token_type, expires_in,
    scope, subject; context.encounterId; a UUID hookInstance) plus §Extensions'
    ``extension`` object and fields from later versions: tolerated, not refused."""
    example = json.loads(
        (shared_dir / "data/fhir-examples/cds-hooks/service-request-patient-view.json").read_text()
    )
    request = copy.deepcopy(example)
    del request["fhirServer"]
    request["fhirAuthorization"]["patient"] = request["context"]["patientId"]
    request["extension"] = {"com.example.timestamp": "2017-11-27T22:13:25Z"}
    request["context"]["com.example.unit"] = "oncology"
    request["prefetch"].update(
        {
            "conditions": _searchset(_subject(_bone(), "1288992")),
            "observations": None,
            "notes": _subject(_note([_inline("Routine visit.", "text/plain")]), "1288992"),
        }
    )
    _cards(dev_client, request)
    audit = dev_client.app.state.mbcnav.audit  # type: ignore[attr-defined]
    (record,) = audit.assessments()
    assert record["request_id"] == example["hookInstance"]
    known = [site["id"] for site in record["output"]["sites"] if site["known"]]
    assert known == ["site:bone"]


def test_null_prefetch_means_no_data_not_a_failure(dev_client: TestClient) -> None:
    """Spec §Prefetch: "If the CDS Client has no data to populate a template prefetch key, the
    prefetch template key MUST have a value of null" — so no 412 and no refetch."""
    prefetch = dict.fromkeys(PREFETCH)
    assert _cards(dev_client, _request(prefetch)) == []


def test_omitted_required_key_without_a_server_is_412(dev_client: TestClient) -> None:
    """Spec: an omitted key means the client could not prefetch; without fhirServer the
    service "SHALL respond with an HTTP 412 Precondition Failed status code"."""
    prefetch = _full_prefetch()
    del prefetch["conditions"]
    response = dev_client.post(SERVICE, json=_request(prefetch))
    assert response.status_code == 412 and response.json()["code"] == "MBC-E303"
    assert "missing: conditions" in response.json()["detail"]


def test_operation_outcome_prefetch_counts_as_not_prefetched(dev_client: TestClient) -> None:
    """Spec: "If the CDS Client encounters errors prefetching the requested data,
    OperationOutcome(s) SHOULD be used" — as the value, or inside the searchset."""
    for failed in (
        _outcome("error", "timeout"),
        _searchset(_outcome("fatal", "database down")),
        "<html>Apache Tomcat error report</html>",  # cds-hooks/docs#5: not FHIR at all
    ):
        prefetch = {**_full_prefetch(), "observations": failed}
        assert dev_client.post(SERVICE, json=_request(prefetch)).status_code == 412


def test_searchset_noise_is_tolerated(dev_client: TestClient) -> None:
    """Entries without a resource, search-mode outcome warnings, contained resources,
    extensions and primitive extensions do not stop the read."""
    bone = _bone()
    bone["extension"] = [{"url": "http://example.org/x", "valueString": "noise"}]
    bone["_recordedDate"] = {"extension": [{"url": "http://hl7.org/fhir/x", "valueCode": "u"}]}
    bone["contained"] = [{"resourceType": "Practitioner", "id": "pr"}]
    bone["code"]["coding"][0]["extension"] = [{"url": "http://example.org/y", "valueBoolean": 1}]
    conditions = _searchset(bone)
    conditions["entry"] += [
        {"fullUrl": "urn:uuid:gone"},
        {"resource": _outcome("warning", "_sort ignored"), "search": {"mode": "outcome"}},
    ]
    notes = _searchset(_note([_inline(CORD, "text/plain")]))
    prefetch = {**_full_prefetch(), "conditions": conditions, "notes": notes}
    assert _cord_flagged(_cards(dev_client, _request(prefetch)))


def test_single_resource_or_bundle_and_versioned_references(dev_client: TestClient) -> None:
    """Spec: a prefetch value is a resource, "in the case of searches … a searchset Bundle".
    Absolute and versioned references name the patient too; another patient's are dropped."""
    other = _subject(
        {
            "resourceType": "Condition",
            "code": {"coding": [{"system": "http://snomed.info/sct", "code": "94225005"}]},
        },
        "someone-else",
    )
    other["subject"]["reference"] = "https://ehr.example.org/fhir/Patient/someone-else/_history/3"
    bone = _bone()
    bone["subject"]["reference"] = f"https://ehr.example.org/fhir/Patient/{PID}/_history/2"
    note = _note([_inline(CORD, "text/plain")])
    prefetch = {**_full_prefetch(), "conditions": _searchset(bone, other), "notes": note}
    assert _cord_flagged(_cards(dev_client, _request(prefetch)))
    output = dev_client.app.state.mbcnav.audit.assessments()[0]["output"]  # type: ignore[attr-defined]
    known = {site["id"] for site in output["sites"] if site["known"]}
    assert known == {"site:bone"}


@pytest.mark.parametrize(
    "attachments",
    [
        [_inline(HTML_NOTE, "text/html")],
        [_inline(RTF_NOTE, "text/rtf")],
        [_inline("Seen by Dr Müller. " + CORD, "text/plain; charset=ISO-8859-1", "latin-1")],
        [_inline(RTF_NOTE, "application/rtf"), _inline(HTML_NOTE, "text/html; charset=utf-8")],
    ],
    ids=["html", "rtf", "latin-1", "two-renditions"],
)
def test_notes_in_the_formats_ehrs_send(
    dev_client: TestClient, attachments: list[dict[str, Any]]
) -> None:
    prefetch = _full_prefetch([_note(attachments)])
    assert _cord_flagged(_cards(dev_client, _request(prefetch)))
    output = dev_client.app.state.mbcnav.audit.assessments()[0]["output"]  # type: ignore[attr-defined]
    assert output["red_flags"]


def test_a_note_that_cannot_be_read_is_named_not_fatal(dev_client: TestClient) -> None:
    broken = _note([{"contentType": "text/plain", "data": "%%% not base64"}], "d-bad")
    good = _note([_inline(CORD, "text/plain")], "d-good")
    cards = _cards(dev_client, _request(_full_prefetch([broken, good])))
    assert _cord_flagged(cards)
    assert "DocumentReference d-bad" in _chart_detail(cards)


def test_missing_optional_keys_are_named_on_the_cards(dev_client: TestClient) -> None:
    """The clinician sees what was not read: here no notes, no questionnaires were sent."""
    prefetch = _full_prefetch()
    del prefetch["notes"], prefetch["questionnaireResponses"]
    prefetch["observations"] = _searchset(
        _subject(
            {
                "resourceType": "Observation",
                "status": "final",
                "code": {"coding": [{"system": "http://loinc.org", "code": "17861-6"}]},
                "valueQuantity": {"value": 13.9, "unit": "mg/dL", "code": "mg/dL"},
            }
        )
    )
    cards = _cards(dev_client, _request(prefetch))
    assert cards
    assert "clinical notes (DocumentReference): not sent by the EHR" in _chart_detail(cards)


# ---------------------------------------------------------------- reading from fhirServer


def test_sandbox_shape_open_server_no_prefetch(
    dev_client: TestClient, fhir: tuple[FhirServer, str]
) -> None:
    """The HL7 sandbox: hookInstance, hook, fhirServer, context {patientId, userId}; prefetch
    only for keys its server answered (here none); no fhirAuthorization on an open server."""
    server, base = fhir
    server.resources.append(_note([{"contentType": "text/html", "url": "Binary/raw-1"}]))
    server.binaries["raw-1"] = ("text/html; charset=utf-8", HTML_NOTE.encode())
    server.failing.add("QuestionnaireResponse")
    body = {
        "hookInstance": str(uuid.uuid4()),
        "hook": "patient-view",
        "fhirServer": base,
        "context": {"patientId": PID, "userId": "Practitioner/COREPRACTITIONER1"},
    }
    cards = _cards(dev_client, body)
    assert _cord_flagged(cards)
    assert "/fhir/Binary/raw-1" in server.seen
    assert (
        "symptom questionnaires (QuestionnaireResponse): the FHIR server did not answer"
        in _chart_detail(cards)
    )


def test_failed_required_search_is_412(
    dev_client: TestClient, fhir: tuple[FhirServer, str]
) -> None:
    server, base = fhir
    server.failing.add("Condition")
    response = dev_client.post(SERVICE, json=_request(None, fhirServer=base))
    assert response.status_code == 412 and "missing: conditions" in response.json()["detail"]


def test_paginated_prefetch_is_followed_on_the_server(
    dev_client: TestClient, fhir: tuple[FhirServer, str]
) -> None:
    """Spec: "a CDS Client MAY paginate prefetch results … the CDS Service will typically need
    to authenticate to retrieve the next page"."""
    server, base = fhir
    lung = _subject(
        {
            "resourceType": "Condition",
            "id": "c-lung",
            "code": {"coding": [{"system": "http://snomed.info/sct", "code": "94391008"}]},
        }
    )
    server.resources.append(lung)
    server.page_size = 1
    prefetch = _full_prefetch([_note([_inline("Routine follow-up.", "text/plain")])])
    next_url = f"{base}/Condition?patient={PID}&_page=1"
    prefetch["conditions"] = _searchset(_bone(), link=[{"relation": "next", "url": next_url}])
    _cards(dev_client, _request(prefetch, fhirServer=base))
    output = dev_client.app.state.mbcnav.audit.assessments()[0]["output"]  # type: ignore[attr-defined]
    assert {s["id"] for s in output["sites"] if s["known"]} == {"site:bone", "site:lung"}
    assert server.seen == ["/fhir/Condition"]


def test_notes_by_url_are_read_from_their_binary(
    dev_client: TestClient, fhir: tuple[FhirServer, str]
) -> None:
    """Epic and Oracle Health give notes as ``attachment.url`` to a Binary: read as FHIR JSON
    or raw content; a URL off fhirServer is never fetched."""
    server, base = fhir
    server.binaries["json-1"] = ("text/rtf", RTF_NOTE.encode())
    notes = [
        _note([{"contentType": "text/rtf", "url": f"{base}/Binary/json-1"}], "d-1"),
        _note([{"contentType": "text/html", "url": "https://elsewhere.example/Binary/2"}], "d-2"),
    ]
    authorization = {"access_token": "opaque", "token_type": "Bearer", "expires_in": 300}
    authorization |= {"scope": "user/Binary.read", "subject": "mbcnav"}
    request = _request(_full_prefetch(notes), fhirServer=base, fhirAuthorization=authorization)
    cards = _cards(dev_client, request)
    assert _cord_flagged(cards)
    assert server.seen == ["/fhir/Binary/json-1"] and server.auth == {"Bearer opaque"}
    assert "DocumentReference d-2 (note text by URL, not fetched)" in _chart_detail(cards)


# ---------------------------------------------------------------- responses, discovery, CORS


def test_cards_carry_a_source_topic_and_spec_fields(dev_client: TestClient) -> None:
    cards = _cards(dev_client, _request(_full_prefetch([_note([_inline(CORD, "text/plain")])])))
    for card in cards:
        topic = card["source"]["topic"]
        assert topic["system"] == "urn:mbcnav:card-topic" and topic["code"] and topic["display"]
        assert "suggestions" not in card and "selectionBehavior" not in card
        assert all(link["type"] == "absolute" for link in card["links"])
        assert all(reason["system"] and reason["display"] for reason in card["overrideReasons"])
    assert cards[0]["source"]["topic"]["code"] == "red-flag"


def test_discovery_is_the_spec_shape(dev_client: TestClient, shared_dir: Path) -> None:
    example = json.loads(
        (shared_dir / "data/fhir-examples/cds-hooks/discovery-response.json").read_text()
    )
    body = dev_client.get("/cds-services").json()
    assert set(body) == set(example)
    allowed = {key for service in example["services"] for key in service}
    for service in body["services"]:
        assert {"hook", "description", "id"} <= set(service) <= allowed
        assert all(isinstance(value, str) for value in service["prefetch"].values())


def test_sandbox_in_a_browser_passes_cors(
    tmp_path: Path, make_client: Callable[..., TestClient]
) -> None:
    """Spec §CORS: "CDS Services and browser-based CDS Clients will require CORS support"."""
    origin = "http://localhost:8080"
    client = make_client(Settings(dev=True, data_dir=tmp_path, cors_origins=origin))
    for method, path in (
        ("GET", "/cds-services"),
        ("POST", SERVICE),
        ("POST", SERVICE + "/feedback"),
    ):
        preflight = client.options(
            path,
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": method,
                "Access-Control-Request-Headers": "authorization,content-type",
            },
        )
        assert preflight.status_code == 200, path
        assert preflight.headers["access-control-allow-origin"] == origin
        allowed = preflight.headers["access-control-allow-headers"].lower()
        assert "authorization" in allowed and "content-type" in allowed
    failed = client.post(SERVICE, json=_request({}), headers={"Origin": origin})
    assert failed.status_code == 412  # the sandbox can show why
    assert failed.headers["access-control-allow-origin"] == origin


# ---------------------------------------------------------------- feedback


def test_feedback_spec_examples_and_unknown_cards(dev_client: TestClient, shared_dir: Path) -> None:
    """Spec §Feedback: 'overridden' without a reason, 'accepted' with acceptedSuggestions,
    several items at once; a card uuid this service never issued is stored, answered 200."""
    body = {
        "feedback": [
            {
                "card": "f6b95768-b1c8-40dc-8385-bf3504b82ffb",
                "outcome": "overridden",
                "outcomeTimestamp": "2020-12-11T00:00:00Z",
            },
            *json.loads(
                (shared_dir / "data/fhir-examples/cds-hooks/feedback-accepted.json").read_text()
            )["feedback"],
        ],
        "extension": {"com.example.client": "x"},
    }
    response = dev_client.post(SERVICE + "/feedback", json=body)
    assert response.status_code == 200 and response.json() == {}
    stored = dev_client.app.state.mbcnav.audit.feedback()  # type: ignore[attr-defined]
    assert [row["outcome"] for row in stored] == ["overridden", "accepted"]
    assert stored[1]["accepted_suggestions"] == [{"id": "e56e1945-20b3-4393-8503-a1a20fd73152"}]
    bad = dev_client.post(
        SERVICE + "/feedback", json={"feedback": [{"card": "x", "outcome": "ignored"}]}
    )
    assert bad.status_code == 422


def test_hl7_sandbox_end_to_end_without_dev_mode(
    tmp_path: Path,
    make_client: Callable[..., TestClient],
    fhir: tuple[FhirServer, str],
) -> None:
    """The sandbox as ecosystem.md measured it: a browser origin, an ES384 JWT from
    ``https://sandbox.cds-hooks.org`` with ``sub`` and a ``jku`` on the internet (never fetched:
    its JWKS is configured out of band), discovery then the call, prefetch of the keys its
    open FHIR server answered, and the rest read from that server."""
    import time

    import jwt
    from cryptography.hazmat.primitives.asymmetric import ec

    server, base = fhir
    server.resources.append(_note([_inline(CORD, "text/plain")]))
    key = ec.generate_private_key(ec.SECP384R1())
    kid = "44823f3d-0b01-4a6c-a80e-b9d3e8a7226f"
    public = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
    origin = "http://127.0.0.1:8080"
    settings = Settings(
        data_dir=tmp_path,
        cds_issuers="https://sandbox.cds-hooks.org",
        cds_jwks=json.dumps({"keys": [{**public, "kid": kid, "use": "sig", "alg": "ES384"}]}),
        fhir_servers=base,
        cors_origins=origin,
        public_url="https://mbc.example.org",
    )
    client = make_client(settings)

    def headers(path: str) -> dict[str, str]:
        now = int(time.time())
        claims = {
            "iss": "https://sandbox.cds-hooks.org",
            "sub": "48163c5e-88b5-4cb3-92d3-23b800caa927",
            "aud": "https://mbc.example.org" + path,
            "exp": now + 300,
            "iat": now,
            "jti": str(uuid.uuid4()),
        }
        jku = "https://sandbox.cds-hooks.org/.well-known/jwks.json"
        header = {"kid": kid, "typ": "JWT", "jku": jku}
        token = jwt.encode(claims, key, algorithm="ES384", headers=header)
        return {"Authorization": f"Bearer {token}", "Origin": origin, "Accept": "application/json"}

    listed = client.get("/cds-services", headers=headers("/cds-services"))
    assert listed.status_code == 200
    assert listed.headers["access-control-allow-origin"] == origin
    (service,) = listed.json()["services"]
    body = {
        "hookInstance": str(uuid.uuid4()),
        "hook": service["hook"],
        "fhirServer": base,
        "context": {"patientId": PID, "userId": "Practitioner/COREPRACTITIONER1"},
        "prefetch": {
            "patient": {"resourceType": "Patient", "id": PID, "gender": "female"},
            "conditions": _searchset(_bone()),
        },
    }
    path = f"/cds-services/{service['id']}"
    response = client.post(path, json=body, headers=headers(path))
    assert response.status_code == 200, response.text
    assert_valid_response(response.json())
    assert _cord_flagged(response.json()["cards"])
    assert sorted(server.seen) == [
        "/fhir/DocumentReference",
        "/fhir/MedicationAdministration",
        "/fhir/MedicationRequest",
        "/fhir/MedicationStatement",
        "/fhir/Observation",
        "/fhir/QuestionnaireResponse",
    ]
