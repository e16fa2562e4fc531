"""Pure ASGI middleware: request ids and quiet logs, the trust gate, the body-size limit.

Logs carry method, path (never the query string, which may hold a patient id), status and
time — no bodies, no headers, nothing about the patient.
"""

from __future__ import annotations

import asyncio
import base64
import hmac
import json
import logging
import time
import uuid
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mbcnav.service.problems import PROBLEM_TYPE, problem_body

log = logging.getLogger("mbcnav.service.access")
OPEN_PATHS = frozenset({"/healthz"})


async def send_problem(
    send: Send, code: str, detail: str, status: int, headers: dict[str, str] | None = None
) -> None:
    body = json.dumps(problem_body(code, detail, status)).encode()
    raw_headers = [
        (b"content-type", PROBLEM_TYPE.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    raw_headers += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})


def printable(text: str) -> str:
    """``text`` with control and other unprintable characters escaped (``\\r`` → ``\\x0d``),
    so a path such as ``/nope%0d%0aFAKE`` cannot start a forged line in the log."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)


class RequestContext:
    """Gives every request an id (``X-Request-ID``), logs one line, turns crashes into a 500."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers") or ()).get(b"x-request-id", b"").decode("latin-1")
        rid = incoming if 0 < len(incoming) <= 64 and incoming.isprintable() else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = rid
        started = time.perf_counter()
        status: dict[str, Any] = {"code": 500, "sent": False}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                status["sent"] = True
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            log.error("unhandled %s request_id=%s", type(exc).__name__, rid)
            if not status["sent"]:
                await send_problem(
                    send_with_id, "MBC-E505", "The service failed to answer this request.", 500
                )
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            log.info(
                "%s %s %s %.1fms request_id=%s",
                printable(scope["method"]),
                printable(scope["path"]),
                status["code"],
                elapsed,
                rid,
            )


class TrailingSlash:
    """Serves ``/cds-services/x/`` as ``/cds-services/x``: a redirect would not do, because an
    EHR need not follow a 307 for a POST, and would show no cards."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and len(path) > 1 and path.endswith("/"):
            trimmed = path.rstrip("/") or "/"
            scope = {**scope, "path": trimmed, "raw_path": trimmed.encode()}
        await self.app(scope, receive, send)


class TrustGate:
    """Without ``--dev`` and with no trusted caller configured, only ``/healthz`` answers."""

    def __init__(self, app: ASGIApp, *, closed: bool) -> None:
        self.app = app
        self.closed = closed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.closed and scope["type"] == "http" and scope["path"] not in OPEN_PATHS:
            await send_problem(
                send,
                "MBC-E500",
                "No trusted caller is configured (set MBCNAV_API_TOKENS or "
                "MBCNAV_CDS_ISSUERS with MBCNAV_CDS_JWKS), so this service refuses every call.",
                401,
                {"WWW-Authenticate": "Bearer"},
            )
            return
        await self.app(scope, receive, send)


class BodyLimit:
    """Refuses bodies over ``max_bytes`` (declared or streamed) with a 413 problem."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or ()).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse(send)
            return
        seen = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _TooLarge(
                        413, f"The request body must be at most {self.max_bytes} bytes."
                    )
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _TooLarge:
            if not started:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        detail = f"The request body must be at most {self.max_bytes} bytes."
        await send_problem(send, "MBC-E502", detail, 413)


class ReadBody:
    """Reads the whole request body, within ``seconds``, before anything inside runs.

    A client that sends its body a byte at a time would otherwise hold an in-flight slot (and a
    thread) for as long as it likes; here it holds only its socket, and after ``seconds`` it gets
    a 408 (MBC-E510). Bodies are small (``BodyLimit`` sits outside), so buffering costs little.
    """

    def __init__(self, app: ASGIApp, *, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        try:
            async with asyncio.timeout(self.seconds):
                while True:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        return
                    chunks.append(message.get("body", b""))
                    if not message.get("more_body", False):
                        break
        except TimeoutError:
            detail = f"The request body must arrive within {self.seconds:g} seconds."
            await send_problem(send, "MBC-E510", detail, 408, {"Connection": "close"})
            return
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: wait for the disconnect, as servers do

        await self.app(scope, replay, send)


def plausible_caller(headers: dict[bytes, bytes], tokens: list[bytes], issuers: set[str]) -> bool:
    """Whether a request carries a credential worth a slot: a configured API token, or a JWT
    whose (unverified) issuer is on the allowlist. Verification proper comes later, in the
    route's dependency; this only keeps strangers from taking the slots callers need."""
    auth = headers.get(b"authorization", b"")
    scheme, _, credential = auth.partition(b" ")
    if scheme.lower() != b"bearer" or not credential or len(credential) > 16_384:
        return False
    credential = credential.strip()
    if any(hmac.compare_digest(credential, token) for token in tokens):
        return True
    parts = credential.split(b".")
    if len(parts) != 3 or not issuers:
        return False
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + b"=" * (-len(parts[1]) % 4)))
    except ValueError:
        return False
    return isinstance(payload, dict) and payload.get("iss") in issuers


class LoadShedder:
    """Answers 503 at once when ``limit`` requests are already in flight.

    The work is CPU-bound: past a few requests per core, more concurrency only lengthens every
    answer. An EHR waits about 500 ms for cards, so a fast "busy" beats a late answer. Only
    requests with a plausible credential (``plausible_caller``) take a slot, so unauthenticated
    connections cannot starve authenticated callers; the routes refuse them at once (401).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        limit: int,
        tokens: list[bytes] | None = None,
        issuers: set[str] | None = None,
        dev: bool = True,
    ) -> None:
        self.app = app
        self.limit = limit
        self.in_flight = 0
        self.tokens = tokens or []
        self.issuers = issuers or set()
        self.dev = dev

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.limit <= 0 or scope["path"] in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        if not self.dev and not plausible_caller(
            dict(scope.get("headers") or ()), self.tokens, self.issuers
        ):
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.limit:
            await send_problem(
                send,
                "MBC-E509",
                f"The service is busy ({self.limit} requests in flight); retry shortly.",
                503,
                {"Retry-After": "1"},
            )
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1


class _TooLarge(HTTPException):
    """Raised while streaming; FastAPI passes HTTP exceptions through to the problem handler."""


__all__ = [
    "OPEN_PATHS",
    "BodyLimit",
    "LoadShedder",
    "ReadBody",
    "RequestContext",
    "TrailingSlash",
    "TrustGate",
    "plausible_caller",
    "printable",
    "send_problem",
]
