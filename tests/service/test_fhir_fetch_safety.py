"""Reading from an EHR's FHIR server: only below the allowlisted base, never by redirect, and
within one deadline per call (field test, December 2026: ``..`` escapes carried the bearer
token outside the base; a Binary sent at 1 byte/s held a call 45 s under a 5 s timeout)."""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from mbcnav.errors import InteropError
from mbcnav.interop.cds_hooks import HookRequest
from mbcnav.service import Settings
from mbcnav.service.chart import gather_chart, server_allowed, under

PID = "p1"
TOKEN = "secret-token"


class Server:
    """A FHIR server stub that remembers every path it was asked for, with its token."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/admin", self.record),
                Route("/secret-rel", self.record),
                Route("/fhir/Binary/slow", self.slow),
                Route("/fhir/Binary/moved", self.moved),
                Route("/fhir/{kind}", self.search),
                Route("/{rest:path}", self.record),
            ]
        )

    def _note(self, request: Request) -> None:
        self.seen.append((request.url.path, request.headers.get("authorization", "")))

    async def record(self, request: Request) -> Response:
        self._note(request)
        return JSONResponse({"resourceType": "Binary", "contentType": "text/plain", "data": ""})

    async def moved(self, request: Request) -> Response:
        self._note(request)
        return RedirectResponse("/admin", status_code=302)

    async def slow(self, request: Request) -> Response:
        """A Binary that trickles: one byte every 0.2 s, each read well inside the timeout."""
        self._note(request)

        async def trickle() -> AsyncIterator[bytes]:
            for byte in b"Known bone metastases. New severe headache and vomiting." * 4:
                await asyncio.sleep(0.2)
                yield bytes([byte])

        return StreamingResponse(trickle(), media_type="text/plain")

    async def search(self, request: Request) -> Response:
        self._note(request)
        return JSONResponse({"resourceType": "Bundle", "type": "searchset", "entry": []})


@pytest.fixture
def fhir(serve_in_thread: Callable[[Any], str]) -> tuple[Server, str]:
    server = Server()
    return server, serve_in_thread(server.app()) + "/fhir"


def _note(ident: str, url: str) -> dict[str, Any]:
    return {
        "resourceType": "DocumentReference",
        "id": ident,
        "status": "current",
        "subject": {"reference": f"Patient/{PID}"},
        "content": [{"attachment": {"contentType": "text/plain", "url": url}}],
    }


def _hook(base: str, notes: list[dict[str, Any]], **prefetch: Any) -> HookRequest:
    bundle = {"resourceType": "Bundle", "type": "searchset"}
    return HookRequest.model_validate(
        {
            "hook": "patient-view",
            "hookInstance": "h-1",
            "context": {"patientId": PID, "userId": "Practitioner/1"},
            "fhirServer": base,
            "fhirAuthorization": {
                "access_token": TOKEN,
                "token_type": "Bearer",
                "expires_in": 300,
                "scope": "user/*.read",
                "subject": "mbcnav",
            },
            "prefetch": {
                "patient": {"resourceType": "Patient", "id": PID},
                "conditions": bundle,
                "observations": bundle,
                "questionnaireResponses": bundle,
                "medicationStatements": bundle,
                "medicationRequests": bundle,
                "medicationAdministrations": bundle,
                "notes": {**bundle, "entry": [{"resource": note} for note in notes]},
                **prefetch,
            },
        }
    )


@pytest.mark.parametrize(
    "url",
    [
        "https://fhir.example.org/r4/../admin",
        "https://fhir.example.org/r4/%2e%2e/admin",
        "https://fhir.example.org/r4/%2E%2E%2Fadmin",
        "https://fhir.example.org/r4/%252e%252e/admin",
        "https://fhir.example.org/r4/./Patient",
        "https://fhir.example.org/r4/..\\admin",
        "https://fhir.example.org:notaport/r4",
        "http://[::1/r4",
    ],
)
def test_dot_segments_are_not_under_the_base(url: str) -> None:
    settings = Settings(fhir_servers="https://fhir.example.org/r4")
    assert not under(url, "https://fhir.example.org/r4")
    assert not server_allowed(url, settings)
    assert not server_allowed(url, Settings(dev=True, data_dir="/nonexistent"))


def test_a_fhir_server_that_is_not_a_url_is_a_coded_answer(
    make_client: Callable[..., Any], tmp_path: Any
) -> None:
    client = make_client(Settings(dev=True, data_dir=tmp_path))
    hook = _hook("http://[::1/fhir", []).model_dump()
    del hook["prefetch"]["conditions"]
    response = client.post("/cds-services/mbcnav-patient-view", json=hook)
    assert response.status_code == 412 and response.json()["code"] == "MBC-E303"


def test_fhir_server_with_dot_segments_is_never_called(fhir: tuple[Server, str]) -> None:
    """Field test: ``fhirServer`` ".../fhir/../admin" was fetched, carrying the token."""
    server, base = fhir
    settings = Settings(fhir_servers=base)
    hook = _hook(base + "/../admin", [])
    hook.prefetch = None  # everything must be fetched, so a permitted server would be called
    with pytest.raises(InteropError) as refused:
        asyncio.run(gather_chart(hook, settings))
    assert refused.value.code == "MBC-E303"
    assert server.seen == []


def test_relative_note_url_cannot_leave_the_base(fhir: tuple[Server, str]) -> None:
    """Field test: a note URL "../secret-rel" was fetched outside the base with the token."""
    server, base = fhir
    notes = [_note("d-rel", "../secret-rel"), _note("d-enc", "%2e%2e/admin")]
    gathered = asyncio.run(gather_chart(_hook(base, notes), Settings(fhir_servers=base)))
    assert server.seen == []
    assert all("url" in n["content"][0]["attachment"] for n in gathered.found["notes"])


def test_redirects_are_not_followed(fhir: tuple[Server, str]) -> None:
    server, base = fhir
    gathered = asyncio.run(
        gather_chart(_hook(base, [_note("d-1", "Binary/moved")]), Settings(fhir_servers=base))
    )
    assert server.seen == [("/fhir/Binary/moved", f"Bearer {TOKEN}")]
    assert "data" not in gathered.found["notes"][0]["content"][0]["attachment"]


def test_one_deadline_per_call_not_per_read(fhir: tuple[Server, str]) -> None:
    """Each byte arrives within the per-read timeout, but the call ends at its deadline; the
    note is left unread (and so named on the chart card), never waited for."""
    server, base = fhir
    settings = Settings(fhir_servers=base, fhir_timeout_s=1.0)
    started = time.monotonic()
    gathered = asyncio.run(gather_chart(_hook(base, [_note("d-slow", "Binary/slow")]), settings))
    elapsed = time.monotonic() - started
    assert ("/fhir/Binary/slow", f"Bearer {TOKEN}") in server.seen
    assert elapsed < 2.5, elapsed
    attachment = gathered.found["notes"][0]["content"][0]["attachment"]
    assert "data" not in attachment


def test_a_slow_note_is_named_on_the_chart_card(
    fhir: tuple[Server, str], make_client: Callable[..., Any], tmp_path: Any
) -> None:
    """Through the service: the slow note does not hold the call, and the card says it was not
    read (never silent)."""
    _, base = fhir
    client = make_client(Settings(dev=True, data_dir=tmp_path, fhir_timeout_s=1.0))
    hook = _hook(base, [_note("d-slow", "Binary/slow")])
    text = "Known bone metastases."
    data = base64.b64encode(text.encode()).decode()
    good = {**_note("d-ok", ""), "content": [{"attachment": {"contentType": "text/plain"}}]}
    good["content"][0]["attachment"] = {"contentType": "text/plain", "data": data}
    assert hook.prefetch is not None
    hook.prefetch["notes"]["entry"].append({"resource": good})
    started = time.monotonic()
    response = client.post("/cds-services/mbcnav-patient-view", json=hook.model_dump())
    assert time.monotonic() - started < 3
    assert response.status_code == 200, response.text
    (chart,) = [c for c in response.json()["cards"] if c["source"]["topic"]["code"] == "chart"]
    assert "d-slow" in chart["detail"] and "not fetched" in chart["detail"]
