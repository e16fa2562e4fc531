"""A tiny FHIR server for tests: read and search over a fixed set of resources."""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


def fhir_stub(resources: list[dict[str, Any]], token: str | None = None) -> Starlette:
    """Serve ``GET /{type}/{id}`` and ``GET /{type}?patient=…``; remember what was asked."""
    seen: list[dict[str, str]] = []

    async def read(request: Request) -> JSONResponse:
        seen.append({"path": request.url.path, "auth": request.headers.get("authorization", "")})
        if token and request.headers.get("authorization") != f"Bearer {token}":
            return JSONResponse({"resourceType": "OperationOutcome"}, status_code=401)
        kind, ident = request.path_params["kind"], request.path_params["ident"]
        for resource in resources:
            if resource["resourceType"] == kind and resource.get("id") == ident:
                return JSONResponse(resource)
        return JSONResponse({"resourceType": "OperationOutcome"}, status_code=404)

    async def search(request: Request) -> JSONResponse:
        seen.append({"path": request.url.path, "auth": request.headers.get("authorization", "")})
        if token and request.headers.get("authorization") != f"Bearer {token}":
            return JSONResponse({"resourceType": "OperationOutcome"}, status_code=401)
        kind = request.path_params["kind"]
        patient = request.query_params.get("patient", "")
        found = [
            r
            for r in resources
            if r["resourceType"] == kind
            and (r.get("subject") or {}).get("reference", "").endswith(f"/{patient}")
        ]
        return JSONResponse(
            {
                "resourceType": "Bundle",
                "type": "searchset",
                "total": len(found),
                "entry": [{"resource": r} for r in found],
            }
        )

    app = Starlette(routes=[Route("/{kind}/{ident}", read), Route("/{kind}", search)])
    app.state.seen = seen
    return app
