"""What the web page's routes answer, for the OpenAPI description (field test: they were
documented as 200 only, ``/handout.pdf`` as JSON, with no form fields).

Pages answer errors as HTML pages (a refused caller, an unknown audit id, a form that cannot be
assessed); the JSON downloads answer problem JSON, except for a refused caller, which the
shared caller check answers with the HTML page; the middleware's refusals (413, busy 503) are
problem JSON everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

from fastapi.responses import JSONResponse, Response

from mbcnav.service.problems import PROBLEM_TYPE

HTML: dict[str, Any] = {"text/html": {"schema": {"type": "string"}}}
PROBLEM: dict[str, Any] = {PROBLEM_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
FORM_TYPE = "application/x-www-form-urlencoded"


def form_fields(choices: Mapping[str, Sequence[str]], numbers: Iterable[str]) -> dict[str, Any]:
    """The page's form fields as schema properties (all sent as text)."""
    return {
        "text": {"type": "string", "description": "The clinic note (at most 20,000 characters)."},
        "setting": {"type": "string", "enum": ["surveillance", "suspected", "metastatic"]},
        **{name: {"type": "string", "enum": list(values)} for name, values in choices.items()},
        **{name: {"type": "string", "description": "A finite number."} for name in numbers},
        "known_site": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Known metastatic sites (knowledge ids such as site:bone).",
        },
        "assessment": {
            "type": "string",
            "description": "An audit id: show that audited assessment instead of the form's.",
        },
    }


def _form_schema(fields: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": fields,
        "additionalProperties": {
            "type": "string",
            "description": "sym:<id> = present | absent: a symptom from the knowledge base.",
        },
    }


def _errors(json_downloads: bool) -> dict[int | str, dict[str, Any]]:
    coded = PROBLEM if json_downloads else HTML
    return {
        400: {"description": "Malformed form", "content": PROBLEM},
        401: {"description": "Not authenticated (an HTML error page)", "content": HTML},
        404: {"description": "No audited assessment has this id", "content": coded},
        413: {"description": "Request too large", "content": PROBLEM},
        422: {"description": "The form cannot be assessed (coded message)", "content": coded},
        503: {
            "description": "Audit database not reachable, or the service is busy",
            "content": {**coded, **PROBLEM},
        },
    }


def _input(fields: dict[str, Any], method: Literal["get", "post"]) -> dict[str, Any]:
    if method == "post":
        return {"requestBody": {"content": {FORM_TYPE: {"schema": _form_schema(fields)}}}}
    parameters = [
        {"name": name, "in": "query", "required": False, "schema": schema}
        for name, schema in fields.items()
    ]
    return {"parameters": parameters}


def page_doc(
    fields: dict[str, Any],
    method: Literal["get", "post"],
    ok: dict[str, Any],
    *,
    json_download: bool = False,
    more: dict[int | str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """``responses`` and ``openapi_extra`` for a page route: what it answers, and its form."""
    responses = {200: {"description": "OK", "content": ok}, **_errors(json_download)}
    responses.update(more or {})
    return {"responses": responses, "openapi_extra": _input(fields, method)}


PDF: dict[str, Any] = {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}
ASSESSMENT_JSON: dict[str, Any] = {
    "application/json": {"schema": {"$ref": "#/components/schemas/Assessment"}}
}
FHIR_JSON: dict[str, Any] = {"application/fhir+json": {"schema": {"type": "object"}}}
FHIR_UNAVAILABLE: dict[int | str, dict[str, Any]] = {
    501: {"description": "FHIR export not installed", "content": PROBLEM}
}


class PdfResponse(Response):
    """The handout PDF (declared so the description names its media type)."""

    media_type = "application/pdf"


class FhirResponse(JSONResponse):
    """A FHIR resource as ``application/fhir+json``."""

    media_type = "application/fhir+json"


__all__ = [
    "ASSESSMENT_JSON",
    "FHIR_JSON",
    "FHIR_UNAVAILABLE",
    "HTML",
    "PDF",
    "PROBLEM",
    "FhirResponse",
    "PdfResponse",
    "form_fields",
    "page_doc",
]
