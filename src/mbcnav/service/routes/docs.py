"""The OpenAPI description and its viewers (``/openapi.json``, ``/docs``, ``/redoc``).

They describe no patient, but they map every route and its inputs for whoever asks, so by
default they sit behind the REST API's own caller check (anyone in ``--dev``, else a bearer
token). ``MBCNAV_PUBLIC_DOCS=true`` serves them to anyone, as FastAPI would.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse

from mbcnav.service.deps import RestCaller

OPENAPI_URL = "/openapi.json"
router = APIRouter(include_in_schema=False)


def _openapi_url(request: Request) -> str:
    return str(request.scope.get("root_path", "")) + OPENAPI_URL


@router.get(OPENAPI_URL)
def openapi(request: Request, _caller: RestCaller) -> JSONResponse:
    schema: dict[str, Any] = request.app.openapi()
    return JSONResponse(schema)


@router.get("/docs")
def swagger(request: Request, _caller: RestCaller) -> HTMLResponse:
    return get_swagger_ui_html(openapi_url=_openapi_url(request), title="mbcnav API")


@router.get("/redoc")
def redoc(request: Request, _caller: RestCaller) -> HTMLResponse:
    return get_redoc_html(openapi_url=_openapi_url(request), title="mbcnav API")


def docs_urls(public: bool) -> dict[str, Any]:
    """FastAPI's own (open) documentation routes when public, else none (``install`` adds the
    guarded ones)."""
    if public:
        return {"openapi_url": OPENAPI_URL, "docs_url": "/docs", "redoc_url": "/redoc"}
    return {"openapi_url": None, "docs_url": None, "redoc_url": None}


def install(app: FastAPI, *, public: bool) -> None:
    if not public:
        app.include_router(router)


__all__ = ["OPENAPI_URL", "docs_urls", "install", "router"]
