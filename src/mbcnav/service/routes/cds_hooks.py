"""CDS Hooks 2.0: discovery, the ``patient-view`` service, and feedback.

Prefetched data is used as given; a missing key is fetched from ``fhirServer`` with the
``fhirAuthorization`` token, but only from servers on the allowlist (``MBCNAV_FHIR_SERVERS``;
loopback too in ``--dev``), so a request cannot make the service call an arbitrary address.
Data that cannot be had gives HTTP 412, as the spec says.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from mbcnav.errors import InputError, InteropError, ServiceError
from mbcnav.interop.cds_hooks import (
    PREFETCH,
    PREFETCH_TYPES,
    REQUIRED_PREFETCH,
    SERVICE_ID,
    CardsResponse,
    Discovery,
    Feedback,
    HookRequest,
    build_cards,
    discovery,
    render_template,
    web_link,
)
from mbcnav.interop.fhir import iter_resources, summarise, summary_to_patient
from mbcnav.service.assessing import check_limits, dump, record, run_engine
from mbcnav.service.deps import CdsCaller, ServiceState, State
from mbcnav.service.routes.assess import PROBLEM_CONTENT, PROBLEMS
from mbcnav.service.security import Caller
from mbcnav.service.settings import Settings
from mbcnav.types import Patient

router = APIRouter(tags=["cds-hooks"])
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
MAX_PAGES = 3


@router.get("/cds-services", response_model=Discovery, responses=PROBLEMS)
def cds_discovery(caller: CdsCaller) -> JSONResponse:
    """The services this CDS Hooks endpoint offers, with their prefetch templates."""
    return JSONResponse(discovery().model_dump(mode="json", exclude_none=True))


def _known_service(service_id: str) -> None:
    if service_id != SERVICE_ID:
        raise ServiceError(
            "No CDS service has this id", code="MBC-E503", allowed=SERVICE_ID, got=service_id
        )


def under(url: str, base: str) -> bool:
    """True when ``url`` is ``base`` or below it: same scheme, host and port, path prefix by
    whole segments (so ``https://fhir.example.org.evil.com`` is not under ``…example.org``)."""
    target, root = urlsplit(url), urlsplit(base)
    if (target.scheme, target.hostname, target.port) != (root.scheme, root.hostname, root.port):
        return False
    prefix = root.path.rstrip("/") + "/"
    return (target.path.rstrip("/") + "/").startswith(prefix)


def _server_allowed(url: str, settings: Settings) -> bool:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username:
        return False
    if settings.dev and parts.hostname in LOOPBACK:
        return True
    return any(under(url, base) for base in settings.fhir_servers)


def _prefetched(hook: HookRequest) -> dict[str, list[dict[str, Any]]]:
    """Group prefetched resources by our keys; values under other keys count by their type."""
    found: dict[str, list[dict[str, Any]]] = {}
    by_type = {kind: key for key, kind in PREFETCH_TYPES.items()}
    for key, value in (hook.prefetch or {}).items():
        if value is None:
            continue
        resources = list(iter_resources(value))
        if key in PREFETCH:
            found.setdefault(key, []).extend(resources)
            continue
        for resource in resources:
            ours = by_type.get(str(resource.get("resourceType")))
            if ours:
                found.setdefault(ours, []).append(resource)
    return found


async def _fetch(
    client: httpx.AsyncClient, base: str, path: str, headers: dict[str, str]
) -> list[dict[str, Any]]:
    url: str | None = f"{base.rstrip('/')}/{path}"
    out: list[dict[str, Any]] = []
    for _ in range(MAX_PAGES):
        if url is None:
            break
        response = await client.get(url, headers=headers)
        response.raise_for_status()
        body = response.json()
        out.extend(iter_resources(body))
        url = _next_page(body, base)
    return out


def _next_page(bundle: Any, base: str) -> str | None:
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        return None
    for link in bundle.get("link") or ():
        if isinstance(link, dict) and link.get("relation") == "next":
            target = str(link.get("url", ""))
            return target if under(target, base) else None
    return None


async def _complete(
    hook: HookRequest, found: dict[str, list[dict[str, Any]]], settings: Settings
) -> list[dict[str, Any]]:
    """Fetch missing prefetch keys from the FHIR server, or 412 when required data is missing."""
    missing = [key for key in PREFETCH if key not in found]
    server = hook.fhirServer
    if missing and server and _server_allowed(server, settings):
        headers = {"Accept": "application/fhir+json"}
        if hook.fhirAuthorization is not None:
            headers["Authorization"] = f"Bearer {hook.fhirAuthorization.access_token}"
        context = hook.context.model_dump(exclude_none=True)
        try:
            async with httpx.AsyncClient(timeout=settings.fhir_timeout_s) as client:
                for key in missing:
                    path = render_template(PREFETCH[key], context)
                    found[key] = await _fetch(client, server, path, headers)
        except (httpx.HTTPError, ValueError) as exc:
            raise InteropError(
                "The FHIR server did not return the data this service needs",
                code="MBC-E303",
                got=type(exc).__name__,
            ) from exc
    absent = [key for key in REQUIRED_PREFETCH if key not in found]
    if absent:
        raise InteropError(
            "Prefetch data is missing and no allowed FHIR server can supply it",
            code="MBC-E303",
            allowed="prefetch keys " + ", ".join(REQUIRED_PREFETCH),
            got=", ".join(absent),
        )
    return [resource for resources in found.values() for resource in resources]


def _for_patient(resources: Iterable[dict[str, Any]], patient_id: str) -> list[dict[str, Any]]:
    """Drop resources that name another patient (a careless prefetch must not mix charts)."""
    out = []
    for resource in resources:
        if resource.get("resourceType") == "Patient":
            if resource.get("id") in (None, patient_id):
                out.append(resource)
            continue
        subject = resource.get("subject") or resource.get("patient") or {}
        reference = subject.get("reference") if isinstance(subject, dict) else None
        if reference is None or str(reference).rsplit("/", 1)[-1] == patient_id:
            out.append(resource)
    return out


def _web_base(request: Request, settings: Settings) -> str:
    return settings.web_url or settings.public_url or str(request.base_url)


def _assess_cards(
    state: ServiceState,
    patient: Patient,
    hook: HookRequest,
    caller: Caller,
    link_base: str,
    unread: list[str],
) -> list[dict[str, Any]]:
    check_limits(patient, state.settings)
    try:
        assessment = run_engine(patient, state.knowledge)
    except InputError as exc:
        if exc.code == "MBC-E101":
            return []
        raise
    audit_id = str(uuid.uuid4())
    link = web_link(link_base, patient_id=hook.context.patientId, assessment_id=audit_id)
    cards = build_cards(assessment, state.knowledge, link=link, unread=unread)
    record(
        state.audit,
        patient,
        dump(assessment),
        assessment,
        caller=caller,
        request_id=hook.hookInstance,
        channel="cds",
        cards=cards,
        service_id=SERVICE_ID,
        record_id=audit_id,
    )
    return cards


@router.post(
    "/cds-services/{service_id}",
    response_model=CardsResponse,
    responses={**PROBLEMS, 412: {"description": "FHIR data unavailable", **PROBLEM_CONTENT}},
)
async def cds_service(
    service_id: str,
    hook: HookRequest,
    request: Request,
    state: State,
    caller: CdsCaller,
) -> JSONResponse:
    """``patient-view``: read the chart, assess, answer with cards (``{"cards": []}`` if none)."""
    _known_service(service_id)
    if hook.hook != "patient-view":
        raise InteropError(
            "The hook", code="MBC-E302", allowed="'patient-view'", got=hook.hook, field="hook"
        )
    resources = await _complete(hook, _prefetched(hook), state.settings)
    knowledge = state.loaded_knowledge or await run_in_threadpool(lambda: state.knowledge)
    chart = summarise(_for_patient(resources, hook.context.patientId), knowledge=knowledge)
    patient = summary_to_patient(chart)
    cards = await run_in_threadpool(
        _assess_cards,
        state,
        patient,
        hook,
        caller,
        _web_base(request, state.settings),
        chart.unmapped,
    )
    return JSONResponse({"cards": cards})


@router.post("/cds-services/{service_id}/feedback", responses=PROBLEMS)
def cds_feedback(
    service_id: str, body: Feedback, state: State, caller: CdsCaller
) -> dict[str, Any]:
    """Store what the clinician did with each card (accepted, overridden and why)."""
    _known_service(service_id)
    items = [item.model_dump(mode="json", exclude_none=True) for item in body.feedback]
    state.audit.record_feedback(service_id, caller.id, items)
    return {}


__all__ = ["router"]
