"""CDS Hooks 2.0: discovery, the ``patient-view`` service, and feedback.

The chart comes from the prefetch, completed from ``fhirServer`` (``mbcnav.service.chart``);
data that cannot be had gives HTTP 412, as the spec says.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from mbcnav.errors import InteropError, ServiceError
from mbcnav.interop.cds_hooks import (
    SERVICE_ID,
    CardsResponse,
    Discovery,
    Feedback,
    HookRequest,
    discovery,
)
from mbcnav.interop.fhir import summarise, summary_to_patient
from mbcnav.service.chart import for_patient, gather_chart
from mbcnav.service.deps import CdsCaller, State
from mbcnav.service.json_body import StrictJSONRoute
from mbcnav.service.routes.assess import PROBLEM_CONTENT, PROBLEMS
from mbcnav.service.settings import Settings

router = APIRouter(tags=["cds-hooks"], route_class=StrictJSONRoute)
UNKNOWN_SERVICE: dict[int | str, dict[str, Any]] = {
    404: {"description": "No CDS service has this id", **PROBLEM_CONTENT}
}


@router.get("/cds-services", response_model=Discovery, responses=PROBLEMS)
def cds_discovery(caller: CdsCaller) -> JSONResponse:
    """The services this CDS Hooks endpoint offers, with their prefetch templates."""
    return JSONResponse(discovery().model_dump(mode="json", exclude_none=True))


def _known_service(service_id: str) -> None:
    if service_id != SERVICE_ID:
        raise ServiceError(
            "The CDS service id", code="MBC-E503", allowed=SERVICE_ID, got=service_id
        )


def _web_base(request: Request, settings: Settings) -> str:
    return settings.web_url or settings.public_url or str(request.base_url)


@router.post(
    "/cds-services/{service_id}",
    response_model=CardsResponse,
    responses={
        **PROBLEMS,
        **UNKNOWN_SERVICE,
        412: {"description": "FHIR data unavailable", **PROBLEM_CONTENT},
    },
)
async def cds_service(
    service_id: str,
    hook: HookRequest,
    request: Request,
    state: State,
    caller: CdsCaller,
) -> Response:
    """``patient-view``: read the chart, assess, answer with cards (``{"cards": []}`` if none)."""
    _known_service(service_id)
    if hook.hook != "patient-view":
        raise InteropError(
            "The hook", code="MBC-E302", allowed="'patient-view'", got=hook.hook, field="hook"
        )
    gathered = await gather_chart(hook, state.settings)
    knowledge = state.loaded_knowledge or await run_in_threadpool(lambda: state.knowledge)
    resources = for_patient(gathered.resources(), hook.context.patientId)
    chart = summarise(resources, knowledge=knowledge)
    patient = summary_to_patient(chart)
    cards = await state.cards(
        patient,
        hook,
        caller,
        _web_base(request, state.settings),
        [*gathered.unread, *chart.unmapped],
    )
    return Response('{"cards":[' + ",".join(cards) + "]}", media_type="application/json")


@router.post("/cds-services/{service_id}/feedback", responses={**PROBLEMS, **UNKNOWN_SERVICE})
def cds_feedback(
    service_id: str, body: Feedback, state: State, caller: CdsCaller
) -> dict[str, Any]:
    """Store what the clinician did with each card (accepted, overridden and why).

    The spec asks only for ``200 OK``. Feedback on a card uuid this service never issued is
    stored all the same (an EHR cannot act on an error here); the audit joins feedback to
    cards by uuid, so such rows stand out."""
    _known_service(service_id)
    items = [item.model_dump(mode="json", exclude_none=True) for item in body.feedback]
    who = caller.audit_name
    state.audit.record_feedback(service_id, who, items)
    return {}


__all__ = ["router"]
