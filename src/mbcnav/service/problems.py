"""Every error leaves as ``application/problem+json`` (RFC 9457) carrying an mbcnav error code.

The ``detail`` never echoes patient data back beyond what the error template already shows, and
nothing here logs a request body.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from mbcnav.errors import ERROR_TITLES, MbcnavError

PROBLEM_TYPE = "application/problem+json"
log = logging.getLogger("mbcnav.service")

_STATUS_BY_CODE: dict[str, int] = {
    "MBC-E105": 413,
    "MBC-E106": 400,
    "MBC-E303": 412,
    "MBC-E500": 401,
    "MBC-E501": 401,
    "MBC-E502": 413,
    "MBC-E503": 404,
    "MBC-E504": 503,
    "MBC-E505": 500,
    "MBC-E506": 405,
    "MBC-E507": 415,
    "MBC-E508": 403,
    "MBC-E509": 503,
    "MBC-E510": 408,
    "MBC-E600": 413,
}
_STATUS_BY_RANGE = {"1": 422, "2": 503, "3": 422, "4": 422, "5": 400, "6": 422}
_CODE_BY_STATUS = {
    400: "MBC-E106",
    401: "MBC-E500",
    403: "MBC-E508",
    404: "MBC-E503",
    405: "MBC-E506",
    413: "MBC-E502",
    415: "MBC-E507",
    503: "MBC-E504",
}


def status_for(code: str) -> int:
    """The HTTP status an error code maps to (input 422, knowledge 503, auth 401, …)."""
    if code in _STATUS_BY_CODE:
        return _STATUS_BY_CODE[code]
    return _STATUS_BY_RANGE.get(code[5:6], 400)


def problem_body(code: str, detail: str, status: int | None = None, **extra: Any) -> dict[str, Any]:
    status = status or status_for(code)
    body: dict[str, Any] = {
        "type": f"urn:mbcnav:problem:{code}",
        "title": ERROR_TITLES.get(code, "error"),
        "status": status,
        "detail": detail,
        "code": code,
    }
    body.update({key: value for key, value in extra.items() if value is not None})
    return body


def problem_response(
    code: str,
    detail: str,
    status: int | None = None,
    *,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body = problem_body(code, detail, status, **extra)
    return JSONResponse(body, status_code=body["status"], media_type=PROBLEM_TYPE, headers=headers)


def _auth_headers(status: int) -> dict[str, str] | None:
    return {"WWW-Authenticate": "Bearer"} if status == 401 else None


async def _on_mbcnav_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, MbcnavError)
    status = status_for(exc.code)
    return problem_response(
        exc.code, exc.detail, status, headers=_auth_headers(status), field=exc.field
    )


def _first_error(errors: list[Any]) -> tuple[str, str, str | None]:
    """Turn pydantic's first validation error into (code, message, field) without echoing input."""
    if not errors:
        return "MBC-E100", "The request body is not valid.", None
    error = errors[0]
    loc = [str(part) for part in error.get("loc", ()) if part not in ("body",)]
    field = ".".join(loc) or None
    kind = str(error.get("type", ""))
    if kind == "json_invalid":
        return "MBC-E106", "The request body is not valid JSON.", None
    if field is None or field.isdigit():
        return "MBC-E106", "The request body must be a JSON object of the documented shape.", None
    if kind in ("missing", "extra_forbidden"):
        what = "is required" if kind == "missing" else "is not a known field"
        return "MBC-E100", f"The field '{field}' {what}.", field
    message = str(error.get("msg", "is not valid")).rstrip(".")
    return "MBC-E103", f"The field '{field}' is not valid: {message}.", field


async def _on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    code, detail, field = _first_error(list(exc.errors()))
    return problem_response(code, detail, status_for(code), field=field)


async def _on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = getattr(exc, "code", None) or _CODE_BY_STATUS.get(
        exc.status_code, "MBC-E505" if exc.status_code >= 500 else "MBC-E100"
    )
    detail = exc.detail if isinstance(exc.detail, str) else ERROR_TITLES.get(code, "error")
    headers = dict(exc.headers or {}) or _auth_headers(exc.status_code)
    return problem_response(code, detail, exc.status_code, headers=headers)


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(MbcnavError, _on_mbcnav_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)


__all__ = [
    "PROBLEM_TYPE",
    "install_problem_handlers",
    "problem_body",
    "problem_response",
    "status_for",
]
