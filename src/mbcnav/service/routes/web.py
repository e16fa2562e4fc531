"""The web page: a form, the clinician's results, the patient handout, and downloads.

Server-rendered HTML that works without JavaScript: the form posts to ``/`` and the answer
comes back as a page. Downloads (handout, PDF, JSON, FHIR) are posted from a form of hidden
fields, so a patient's words never travel in a URL; the same endpoints also accept ``GET``
with the same fields in the query string, for links and scripts.

``assessment=<audit id>`` (what CDS Hooks card links carry) shows an audited assessment from the
audit store instead of assessing the form. Audited assessments hold patient data, so outside
``--dev`` every page goes through the REST API's caller check (a bearer token, which the
hospital's authenticating proxy adds); refusals and unknown ids are coded HTML pages.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, get_args

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from mbcnav.errors import InputError, MbcnavError, ServiceError
from mbcnav.knowledge import Knowledge, load_knowledge
from mbcnav.render import build_handout, handout_html, handout_pdf, results_html
from mbcnav.service.assessing import dump
from mbcnav.service.audit import AssessmentEntry, input_hash
from mbcnav.service.deps import ServiceState, State, rest_caller
from mbcnav.service.json_body import StrictJSONRoute
from mbcnav.service.problems import problem_response, status_for
from mbcnav.service.routes.web_doc import (
    ASSESSMENT_JSON,
    FHIR_JSON,
    FHIR_UNAVAILABLE,
    HTML,
    PDF,
    FhirResponse,
    PdfResponse,
    form_fields,
    page_doc,
)
from mbcnav.service.security import Caller
from mbcnav.types import Assessment, Biomarkers, Her2Status, Patient, ReceptorStatus

HERE = Path(__file__).resolve().parent.parent
TEXT_LIMIT = 20_000
BODY_AREAS: dict[str, str] = {
    "head_brain": "Head and brain",
    "eyes": "Eyes",
    "chest_lungs": "Chest and lungs",
    "abdomen": "Abdomen",
    "back_spine": "Back and spine",
    "bones_joints": "Bones and joints",
    "nerves_limbs": "Nerves, arms and legs",
    "bladder_bowel": "Bladder and bowel",
    "lymph_nodes": "Lymph nodes",
    "skin_chest_wall": "Skin and chest wall",
    "general": "General",
}
SETTING_LABEL: dict[str, str] = {
    "suspected": "Suspected spread (new symptoms)",
    "surveillance": "Surveillance after curative treatment",
    "metastatic": "Known metastatic disease",
}
BIOMARKER_CHOICES = ("esr1", "pik3ca_akt1_pten", "pik3ca", "akt1", "pten", "gbrca")
CHOICE_FIELDS: dict[str, tuple[str, ...]] = {
    "er": get_args(ReceptorStatus),
    "pr": get_args(ReceptorStatus),
    "her2": get_args(Her2Status),
    **{name: get_args(Biomarkers.model_fields[name].annotation) for name in BIOMARKER_CHOICES},
    "menopausal_status": get_args(Patient.model_fields["menopausal_status"].annotation),
}
NUMBER_FIELDS = {
    "pd_l1_cps": "biomarkers",
    "calcium_corrected_mmol_l": "labs",
    "bilirubin_umol_l": "labs",
    "age": "",
}
FORM = form_fields(CHOICE_FIELDS, NUMBER_FIELDS)
STATIC_TYPES = {".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml"}
AUDIT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,63}")
CHANNEL_LABEL = {
    "cds": "a CDS Hooks card",
    "rest": "the REST API",
    "fhir": "the FHIR API",
    "page": "the web page",
}
PRIVATE = {"Cache-Control": "no-store"}
# Results and handout pages answer a POST (a patient's words never go in a URL). With
# ``no-store`` the browser keeps no copy, so Back gives ERR_CACHE_MISS (field test). Kept by this
# browser only (``private``: never a shared cache) and revalidated on every ordinary load
# (``no-cache``); history navigation shows the kept copy again. A GET is simply fetched again
# on Back, so GET pages (an audited assessment's link) and files stay ``no-store``.
PAGE_CACHE = {"Cache-Control": "private, no-cache"}


def _page_cache(request: Request) -> dict[str, str]:
    return PAGE_CACHE if request.method == "POST" else PRIVATE


PERSON_FIELDS = frozenset({"setting", "age", "menopausal_status"})

Assessor = Callable[[dict[str, Any], Knowledge], Assessment]

_bearer = HTTPBearer(auto_error=False, description="An API token from MBCNAV_API_TOKENS.")


class PageError(Exception):
    """A coded error shown as an HTML page (the REST API answers problem JSON instead)."""

    def __init__(self, error: MbcnavError) -> None:
        super().__init__(str(error))
        self.error = error


async def web_caller(
    request: Request,
    state: State,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller:
    """The REST API's own check: anyone in ``--dev``, else a token from MBCNAV_API_TOKENS
    (forwarded by the hospital's authenticating proxy, see docs/service.md). Kept on the
    request, so reading an audited assessment records who read it."""
    try:
        caller = await rest_caller(state, credentials)
    except ServiceError as exc:
        raise PageError(exc) from exc
    request.state.caller = caller
    return caller


router = APIRouter(tags=["web"], dependencies=[Depends(web_caller)], route_class=StrictJSONRoute)
assets = APIRouter(include_in_schema=False)


@lru_cache(maxsize=1)
def _templates() -> Jinja2Templates:
    env = Environment(
        loader=FileSystemLoader(str(HERE / "templates")),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return Jinja2Templates(env=env)


def web_knowledge(request: Request) -> Knowledge:
    """The app's knowledge when the service provides one, else the packaged knowledge."""
    state = getattr(request.app.state, "mbcnav", None)
    knowledge = getattr(state, "knowledge", None)
    return knowledge if isinstance(knowledge, Knowledge) else load_knowledge()


def _engine(patient: dict[str, Any], knowledge: Knowledge) -> Assessment:
    from mbcnav._api import assess

    return assess(patient, knowledge=knowledge)


def web_assessor() -> Assessor:
    """The engine; a dependency so that tests can put a stand-in in its place."""
    return _engine


WebKnowledge = Annotated[Knowledge, Depends(web_knowledge)]
WebAssessor = Annotated[Assessor, Depends(web_assessor)]


@dataclass
class FormState:
    """What the user entered, kept as (name, value) pairs to re-fill the form and hidden fields."""

    pairs: list[tuple[str, str]]

    def get(self, name: str, default: str = "") -> str:
        return next((value for key, value in self.pairs if key == name), default)

    def all(self, name: str) -> list[str]:
        return [value for key, value in self.pairs if key == name]

    @property
    def has_input(self) -> bool:
        """Anything clinical known (CONTRACTS.md, the engine's own rule): text, a symptom, a
        known site, a receptor, a biomarker or a lab. The setting, the age and the menopausal
        status describe the person, not the disease, so they alone leave the form empty."""
        return any(value.strip() for name, value in self.pairs if name not in PERSON_FIELDS)


def _keep(name: str, value: str, knowledge: Knowledge) -> bool:
    """Only fields the form knows, so hidden fields never echo arbitrary input."""
    if name.startswith("sym:"):
        return name in knowledge.symptoms and value in ("present", "absent")
    if name == "known_site":
        return value in knowledge.sites
    return name in CHOICE_FIELDS or name in NUMBER_FIELDS or name in ("text", "setting")


def form_state(items: Iterable[tuple[str, Any]], knowledge: Knowledge) -> FormState:
    pairs = [(str(k), str(v)) for k, v in items if isinstance(v, str)]
    return FormState([(k, v) for k, v in pairs if v.strip() and _keep(k, v, knowledge)])


def _number(name: str, raw: str) -> float:
    """A form number: finite, so that ``nan``, ``inf`` or ``1e400`` are a coded error, not a 500
    where an age is made an integer."""
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise InputError(
            f"The '{name}' field", code="MBC-E103", allowed="a finite number", got=raw, field=name
        )
    return value


def patient_dict(state: FormState) -> dict[str, Any]:
    """The Patient JSON of CONTRACTS.md from the form fields."""
    text = state.get("text").strip()
    patient: dict[str, Any] = {
        "findings": [
            {"id": k, "present": v == "present"} for k, v in state.pairs if k.startswith("sym:")
        ],
        "receptors": {k: state.get(k) for k in ("er", "pr", "her2") if state.get(k)},
        "biomarkers": {k: state.get(k) for k in BIOMARKER_CHOICES if state.get(k)},
        "labs": {},
        "known_sites": state.all("known_site"),
    }
    if text:
        patient["text"] = text
    if state.get("setting"):
        patient["setting"] = state.get("setting")
    if state.get("menopausal_status"):
        patient["menopausal_status"] = state.get("menopausal_status")
    for name, group in NUMBER_FIELDS.items():
        if state.get(name):
            value = _number(name, state.get(name))
            target = patient[group] if group else patient
            target[name] = round(value) if name == "age" else value
    return patient


def _checked(state: FormState) -> dict[str, Any]:
    """The patient dict, with the page's text limit; the engine validates the rest."""
    if len(state.get("text")) > TEXT_LIMIT:
        raise InputError(
            "The free text",
            code="MBC-E105",
            allowed=f"at most {TEXT_LIMIT} characters",
            got=f"{len(state.get('text'))} characters",
            field="text",
        )
    return patient_dict(state)


async def _fields(request: Request) -> list[tuple[str, Any]]:
    """The posted form, or the query string of a GET (Starlette caches the parsed form)."""
    if request.method == "POST":
        return list((await request.form()).multi_items())
    return list(request.query_params.multi_items())


async def _state(request: Request, knowledge: Knowledge) -> FormState:
    return form_state(await _fields(request), knowledge)


async def _stored_id(request: Request) -> str | None:
    """The ``assessment`` field (an audit id, as CDS Hooks card links carry it), if given."""
    value = next((v for k, v in await _fields(request) if k == "assessment"), None)
    return value.strip() if isinstance(value, str) and value.strip() else None


@dataclass(frozen=True)
class Stored:
    """An audited assessment: the audit record (time, channel, knowledge) and its output."""

    audit_id: str
    record: dict[str, Any]
    assessment: Assessment


def _not_found() -> PageError:
    return PageError(ServiceError("No audited assessment has this id", code="MBC-E503"))


async def _stored(request: Request, audit_id: str) -> Stored:
    """Read one audited assessment through the service's audit store, or raise a coded page."""
    if not AUDIT_ID.fullmatch(audit_id):
        raise _not_found()
    state: ServiceState = request.app.state.mbcnav
    try:
        reader: Caller = request.state.caller
        record = await run_in_threadpool(
            lambda: state.audit.read_assessment(audit_id, caller=reader.audit_name, channel="page")
        )
    except SQLAlchemyError as exc:
        error = ServiceError("The audit database is not reachable", code="MBC-E504")
        raise PageError(error) from exc
    if record is None:
        raise _not_found()
    try:
        assessment = Assessment.model_validate(record["output"])
    except ValidationError as exc:
        error = ServiceError("This version cannot read the stored assessment", code="MBC-E505")
        raise PageError(error) from exc
    return Stored(audit_id, record, assessment)


@dataclass(frozen=True)
class Answer:
    """What a page shows: an assessment of the form, or an audited one (``stored``)."""

    state: FormState
    assessment: Assessment
    stored: Stored | None = None
    audit_id: str | None = None

    @property
    def audit_headers(self) -> dict[str, str]:
        """``X-Audit-Id`` of a new assessment, as the REST API sends it."""
        return {"X-Audit-Id": self.audit_id} if self.audit_id else {}


async def _assess(
    request: Request, knowledge: Knowledge, assessor: Assessor
) -> tuple[FormState, Assessment, str | None]:
    state = await _state(request, knowledge)
    if not state.has_input:
        raise InputError(
            "The form is empty",
            code="MBC-E101",
            allowed="something clinical: text, a symptom, a known site, a receptor, "
            "a biomarker or a lab value",
        )
    patient = _checked(state)
    assessment = await run_in_threadpool(assessor, patient, knowledge)
    audit_id = await _record(request, patient, assessment)
    return state, assessment, audit_id


def _audit_entry(
    request: Request, patient: dict[str, Any], assessment: Assessment
) -> AssessmentEntry:
    caller: Caller = request.state.caller
    return AssessmentEntry(
        request_id=str(getattr(request.state, "request_id", "") or "-"),
        channel="page",
        caller=caller.audit_name,
        knowledge_version=assessment.provenance.knowledge_version,
        knowledge_hash=assessment.provenance.knowledge_hash,
        input_hash=input_hash(Patient.model_validate(patient).model_dump(mode="json")),
        output=dump(assessment),
    )


async def _record(request: Request, patient: dict[str, Any], assessment: Assessment) -> str | None:
    """Write the page's assessment to the audit trail as every channel does (who, when,
    channel ``page``); an assessment that cannot be audited is not shown. None only when the
    page runs without the service (no audit store)."""
    state: ServiceState | None = getattr(request.app.state, "mbcnav", None)
    if state is None:
        return None
    entry = _audit_entry(request, patient, assessment)
    try:
        return await run_in_threadpool(state.audit.record_assessment, entry)
    except SQLAlchemyError as exc:
        error = ServiceError("The audit database is not reachable", code="MBC-E504")
        raise PageError(error) from exc


async def _answer(request: Request, knowledge: Knowledge, assessor: Assessor) -> Answer:
    """The audited assessment when ``assessment=`` names one, else the form's assessment,
    written to the audit trail."""
    audit_id = await _stored_id(request)
    if audit_id is not None:
        stored = await _stored(request, audit_id)
        return Answer(FormState([]), stored.assessment, stored)
    state, assessment, recorded = await _assess(request, knowledge, assessor)
    return Answer(state, assessment, audit_id=recorded)


def _symptom_groups(knowledge: Knowledge) -> list[tuple[str, str, list[Any]]]:
    groups: dict[str, list[Any]] = {area: [] for area in BODY_AREAS}
    for symptom in knowledge.symptoms.values():
        if symptom.kind != "lab" and symptom.derive_from is None and symptom.body_area in groups:
            groups[symptom.body_area].append(symptom)
    return [(area, BODY_AREAS[area], items) for area, items in groups.items() if items]


def _page(request: Request, knowledge: Knowledge, state: FormState, **extra: Any) -> HTMLResponse:
    context = {
        "state": state,
        "groups": _symptom_groups(knowledge),
        "sites": list(knowledge.sites.values()),
        "choices": CHOICE_FIELDS,
        "settings": SETTING_LABEL,
        "knowledge": knowledge,
        "base": request.scope.get("root_path", ""),
        **extra,
    }
    status = 422 if extra.get("error") else 200
    headers = _page_cache(request) if extra.get("assessment") else None
    return _templates().TemplateResponse(
        request, "index.html", context, status_code=status, headers=headers
    )


@router.get("/", response_class=HTMLResponse, name="web_index", **page_doc(FORM, "get", HTML))
@router.post("/", response_class=HTMLResponse, name="web_index", **page_doc(FORM, "post", HTML))
async def index(request: Request, knowledge: WebKnowledge, assessor: WebAssessor) -> HTMLResponse:
    """The form; with input (posted, or in the query string) the results beside it; with
    ``assessment=<audit id>`` (a card's link) the audited assessment's results."""
    state = await _state(request, knowledge)
    if request.method == "GET" and not state.has_input and await _stored_id(request) is None:
        return _page(request, knowledge, state)
    try:
        answer = await _answer(request, knowledge, assessor)
    except MbcnavError as exc:
        return _page(request, knowledge, state, error=exc)
    page = _page(
        request,
        knowledge,
        answer.state,
        assessment=answer.assessment,
        results=results_html(answer.assessment, knowledge),
        stored=answer.stored,
        channels=CHANNEL_LABEL,
    )
    page.headers.update(answer.audit_headers)
    return page


async def _error_page(request: Request, knowledge: Knowledge, exc: MbcnavError) -> HTMLResponse:
    """The form again, filled as it was sent, with the coded message on top."""
    return _page(request, knowledge, await _state(request, knowledge), error=exc)


@router.get(
    "/handout", response_class=HTMLResponse, name="web_handout", **page_doc(FORM, "get", HTML)
)
@router.post(
    "/handout", response_class=HTMLResponse, name="web_handout", **page_doc(FORM, "post", HTML)
)
async def handout(request: Request, knowledge: WebKnowledge, assessor: WebAssessor) -> Response:
    """The same assessment (or the audited one) in plain language, printable."""
    try:
        answer = await _answer(request, knowledge, assessor)
    except MbcnavError as exc:
        return await _error_page(request, knowledge, exc)
    article = handout_html(build_handout(answer.assessment, knowledge))
    context = {
        "state": answer.state,
        "stored": answer.stored,
        "article": article,
        "base": request.scope.get("root_path", ""),
    }
    headers = {**_page_cache(request), **answer.audit_headers}
    return _templates().TemplateResponse(request, "handout.html", context, headers=headers)


def _attachment(body: bytes, media_type: str, filename: str, answer: Answer) -> Response:
    return Response(
        body,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            **PRIVATE,
            **answer.audit_headers,
        },
    )


@router.get(
    "/handout.pdf", response_class=PdfResponse, name="web_handout_pdf", **page_doc(FORM, "get", PDF)
)
@router.post(
    "/handout.pdf",
    response_class=PdfResponse,
    name="web_handout_pdf",
    **page_doc(FORM, "post", PDF),
)
async def handout_pdf_download(
    request: Request, knowledge: WebKnowledge, assessor: WebAssessor
) -> Response:
    """The handout as a PDF file."""
    try:
        answer = await _answer(request, knowledge, assessor)
    except MbcnavError as exc:
        return await _error_page(request, knowledge, exc)
    pdf = await run_in_threadpool(handout_pdf, build_handout(answer.assessment, knowledge))
    return _attachment(pdf, "application/pdf", "mbcnav-handout.pdf", answer)


@router.get(
    "/assessment.json",
    name="web_json",
    **page_doc(FORM, "get", ASSESSMENT_JSON, json_download=True),
)
@router.post(
    "/assessment.json",
    name="web_json",
    **page_doc(FORM, "post", ASSESSMENT_JSON, json_download=True),
)
async def assessment_json(
    request: Request, knowledge: WebKnowledge, assessor: WebAssessor
) -> Response:
    """The Assessment JSON of CONTRACTS.md (an audited one as stored), as a file."""
    try:
        answer = await _answer(request, knowledge, assessor)
    except MbcnavError as exc:
        return _problem(exc)
    except PageError as exc:
        return _problem(exc.error)
    data = (
        answer.stored.record["output"]
        if answer.stored
        else answer.assessment.model_dump(mode="json", by_alias=True)
    )
    body = json.dumps(data, indent=2)
    return _attachment(body.encode(), "application/json", "mbcnav-assessment.json", answer)


def _problem(error: MbcnavError) -> Response:
    """A download's error as problem JSON, as the REST API answers it (a page shows HTML)."""
    status = status_for(error.code)
    return problem_response(error.code, error.detail, status, headers=PRIVATE, field=error.field)


def fhir_export() -> Callable[..., Any] | None:
    """The FHIR mapping of ``mbcnav.interop.fhir`` when it is installed and provides one."""
    try:
        from mbcnav.interop import fhir
    except ImportError:
        return None
    found = getattr(fhir, "assessment_to_fhir", None)
    return found if callable(found) else None


@router.get(
    "/assessment.fhir.json",
    response_class=FhirResponse,
    name="web_fhir",
    **page_doc(FORM, "get", FHIR_JSON, json_download=True, more=FHIR_UNAVAILABLE),
)
@router.post(
    "/assessment.fhir.json",
    response_class=FhirResponse,
    name="web_fhir",
    **page_doc(FORM, "post", FHIR_JSON, json_download=True, more=FHIR_UNAVAILABLE),
)
async def assessment_fhir(
    request: Request, knowledge: WebKnowledge, assessor: WebAssessor
) -> Response:
    """The assessment as FHIR (RiskAssessment and DetectedIssues), as a file."""
    export = fhir_export()
    if export is None:
        return problem_response("MBC-E301", "FHIR export is not available.", 501)
    try:
        answer = await _answer(request, knowledge, assessor)
        resource = export(answer.assessment, knowledge=knowledge)
    except MbcnavError as exc:
        return _problem(exc)
    except PageError as exc:
        return _problem(exc.error)
    data = resource if isinstance(resource, dict) else json.loads(resource.model_dump_json())
    body = json.dumps(data, indent=2).encode()
    return _attachment(body, "application/fhir+json", "mbcnav-assessment.fhir.json", answer)


@lru_cache(maxsize=16)
def _static(name: str) -> bytes | None:
    path = HERE / "static" / name
    if "/" in name or "\\" in name or Path(name).suffix not in STATIC_TYPES or not path.is_file():
        return None
    return path.read_bytes()


@assets.get("/static/web/{name}", name="web_static")
def static(name: str) -> Response:
    """The page's own CSS, JS and SVG: served locally, never from a CDN."""
    body = _static(name)
    if body is None:
        return Response("Not found", status_code=404, media_type="text/plain")
    return Response(
        body,
        media_type=STATIC_TYPES[Path(name).suffix],
        headers={"Cache-Control": "public, max-age=3600"},
    )


async def _on_page_error(request: Request, exc: Exception) -> Response:
    """A coded error page: title, code and problem text, never a traceback."""
    assert isinstance(exc, PageError)
    status = status_for(exc.error.code)
    headers = {**PRIVATE, **({"WWW-Authenticate": "Bearer"} if status == 401 else {})}
    context = {"error": exc.error, "status": status, "base": request.scope.get("root_path", "")}
    return _templates().TemplateResponse(
        request, "error.html", context, status_code=status, headers=headers
    )


def install(app: FastAPI) -> None:
    """Mount the page and its assets, with HTML error pages (``create_app`` calls this)."""
    app.include_router(router)
    app.include_router(assets)
    app.add_exception_handler(PageError, _on_page_error)
