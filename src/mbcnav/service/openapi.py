"""The OpenAPI description, completed with what the middleware answers on every route.

FastAPI documents what a route's own code declares. The middleware in front of every route
answers too: the trust gate (401 when no caller is configured), the body limit (413) and the
load shedder (503 when busy), always as problem JSON; only ``/healthz`` passes the gate and the
shedder. Without this the description would promise a route never says 401 or 503.
"""

from __future__ import annotations

from typing import Any

from mbcnav.service.middleware import OPEN_PATHS
from mbcnav.service.problems import PROBLEM_TYPE

PROBLEM_SCHEMA = {"schema": {"$ref": "#/components/schemas/Problem"}}
GATE = {
    401: "Not authenticated",
    413: "Request too large",
    503: "Busy or not ready",
}
OPEN = {413: "Request too large"}
METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options"})


def complete(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the middleware's problem responses to every operation (in place; returned)."""
    for path, operations in schema.get("paths", {}).items():
        statuses = OPEN if path in OPEN_PATHS else GATE
        for method, operation in operations.items():
            if method not in METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for status, text in statuses.items():
                response = responses.setdefault(str(status), {"description": text})
                response.setdefault("content", {})[PROBLEM_TYPE] = PROBLEM_SCHEMA
    return schema


__all__ = ["complete"]
