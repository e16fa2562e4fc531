"""REST: assess a Patient or a FHIR Bundle, describe the knowledge, report health."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from mbcnav.errors import ServiceError
from mbcnav.interop.fhir import assessment_to_fhir, bundle_to_patient
from mbcnav.service.assessing import assess_and_record
from mbcnav.service.deps import (
    AppKnowledge,
    Audit,
    RequestId,
    RestCaller,
    State,
)
from mbcnav.service.json_body import StrictJSONRoute
from mbcnav.service.problems import PROBLEM_TYPE, problem_response
from mbcnav.types import Assessment, Patient

router = APIRouter(route_class=StrictJSONRoute)

PROBLEM_CONTENT = {"content": {PROBLEM_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
PROBLEMS: dict[int | str, dict[str, Any]] = {
    status: {"description": text, **PROBLEM_CONTENT}
    for status, text in (
        (400, "Malformed request"),
        (401, "Not authenticated"),
        (413, "Request too large"),
        (422, "Invalid input"),
        (503, "Knowledge base or database not ready"),
    )
}


class Problem(BaseModel):
    """RFC 9457 problem details with the mbcnav error code."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    field: str | None = None


class SourceOut(BaseModel):
    id: str
    citation: str
    url: str | None = None


class KnowledgeOut(BaseModel):
    name: str
    version: str
    hash: str
    released: str
    sources: list[SourceOut]


class Health(BaseModel):
    status: Literal["ok"]


class Ready(BaseModel):
    status: Literal["ready"]
    knowledge_version: str
    knowledge_hash: str


@router.post(
    "/v1/assess",
    response_model=Assessment,
    responses=PROBLEMS,
    tags=["assess"],
    summary="Assess one patient",
)
async def assess_patient(
    patient: Patient, state: State, caller: RestCaller, request_id: RequestId
) -> Response:
    """Patient in (CONTRACTS.md), Assessment out; every call is written to the audit trail."""
    output, audit_id = await state.assess(patient, caller, request_id, "rest")
    return Response(output, media_type="application/json", headers={"X-Audit-Id": audit_id})


@router.post(
    "/v1/fhir/assess",
    response_model=Assessment,
    responses=PROBLEMS,
    tags=["fhir"],
    summary="Assess a FHIR R4 / mCODE Bundle",
)
def assess_bundle(
    bundle: Annotated[dict[str, Any], Body(description="A FHIR R4 Bundle (mCODE profiles).")],
    state: State,
    caller: RestCaller,
    request_id: RequestId,
    output_format: Annotated[
        Literal["assessment", "fhir"],
        Query(alias="format", description="'fhir' returns a Bundle with a RiskAssessment."),
    ] = "assessment",
) -> Response:
    """Map the Bundle to a Patient (leniently), assess it, and answer in JSON or FHIR."""
    patient = bundle_to_patient(bundle, knowledge=state.knowledge)
    assessment, output, audit_id = assess_and_record(
        state.knowledge, state.audit, state.settings, patient, caller, request_id, "fhir"
    )
    headers = {"X-Audit-Id": audit_id}
    if output_format == "fhir":
        subject = _subject(bundle)
        return JSONResponse(
            assessment_to_fhir(assessment, subject=subject, knowledge=state.knowledge),
            headers=headers,
            media_type="application/fhir+json",
        )
    return Response(output, media_type="application/json", headers=headers)


def _subject(bundle: dict[str, Any]) -> str | None:
    entries = bundle.get("entry")
    for entry in entries if isinstance(entries, list) else ():
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if isinstance(resource, dict) and resource.get("resourceType") == "Patient":
            ident = resource.get("id")
            return f"Patient/{ident}" if isinstance(ident, str) else None
    return None


@router.get(
    "/v1/assessments/{audit_id}",
    responses={**PROBLEMS, 404: {"description": "No such assessment", **PROBLEM_CONTENT}},
    tags=["assess"],
    summary="An audited assessment, by the id of its audit record",
)
def stored_assessment(audit_id: str, audit: Audit, caller: RestCaller) -> dict[str, Any]:
    """What the service answered earlier (the web page shows it from a card's link)."""
    found = audit.read_assessment(audit_id, caller=caller.audit_name, channel="rest")
    if found is None:
        raise ServiceError("No audited assessment has this id", code="MBC-E503")
    return found


@router.get("/v1/knowledge", response_model=KnowledgeOut, responses=PROBLEMS, tags=["knowledge"])
def knowledge_info(knowledge: AppKnowledge, caller: RestCaller) -> KnowledgeOut:
    """The knowledge version and hash stamped on every assessment, and every source it cites."""
    return KnowledgeOut(
        name=knowledge.meta.name,
        version=knowledge.version,
        hash=knowledge.hash,
        released=knowledge.meta.released,
        sources=[
            SourceOut(id=source.id, citation=source.citation, url=source.url)
            for source in knowledge.sources.values()
        ],
    )


@router.get("/healthz", response_model=Health, tags=["health"])
def healthz() -> Health:
    """The process answers (no knowledge, database or caller needed)."""
    return Health(status="ok")


@router.get(
    "/readyz",
    response_model=Ready,
    responses={503: {"description": "Not ready", **PROBLEM_CONTENT}},
    tags=["health"],
)
async def readyz(state: State) -> Any:
    """Ready to assess: knowledge loaded, engine importable, audit database reachable."""
    try:
        knowledge = await run_in_threadpool(lambda: state.knowledge)
        await run_in_threadpool(state.audit.ping)
        from mbcnav._api import assess  # noqa: F401
    except Exception as exc:
        return problem_response("MBC-E504", f"Not ready: {type(exc).__name__}.", 503)
    return Ready(status="ready", knowledge_version=knowledge.version, knowledge_hash=knowledge.hash)


__all__ = ["PROBLEMS", "PROBLEM_CONTENT", "Problem", "router"]
