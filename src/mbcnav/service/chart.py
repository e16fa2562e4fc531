"""The chart a CDS Hooks call brings, completed from the client's FHIR server (spec §Prefetch).

The prefetch is used as given: ``null`` means the client has no data; an omitted key, an
OperationOutcome or a non-FHIR value means it could not prefetch. Such keys, the later pages
of a paginated prefetch, and notes given by URL are read from ``fhirServer`` with the
``fhirAuthorization`` token, concurrently, but only from servers on the allowlist
(``MBCNAV_FHIR_SERVERS``; loopback too in ``--dev``), so a request cannot make the service call
an address of its choosing. Every URL is checked as the server would resolve it: a path with
``.`` or ``..`` segments (plain or percent-encoded) is never fetched, redirects are never
followed, so the token goes only to allowlisted bases. All reads of one call share one
deadline (``MBCNAV_FHIR_TIMEOUT_S``), so a server that trickles bytes cannot hold the call past
it. Required data that cannot be had is a 412; optional data that cannot be had is named on
the cards.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx

from mbcnav.errors import InteropError
from mbcnav.interop.cds_hooks import (
    PREFETCH,
    PREFETCH_LABELS,
    PREFETCH_TYPES,
    REQUIRED_PREFETCH,
    HookRequest,
    render_template,
)
from mbcnav.interop.fhir import iter_resources, outcome_errors, reference_target
from mbcnav.interop.notes import best_attachment
from mbcnav.service.settings import Settings

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
MAX_PAGES = 3
MAX_NOTES = 5
Resource = dict[str, Any]


def _escapes(path: str) -> bool:
    """True when a path has segments a server or client would resolve (``.``, ``..``, also
    percent-encoded) or a backslash some servers read as ``/``: it may leave the base."""
    decoded = unquote(unquote(path))
    return "\\" in decoded or any(part in (".", "..") for part in decoded.split("/"))


def under(url: str, base: str) -> bool:
    """True when ``url`` is ``base`` or below it: same scheme, host and port, path prefix by
    whole segments (so ``https://fhir.example.org.evil.com`` is not under ``…example.org``),
    and no dot segments (``…/fhir/../admin`` resolves outside ``…/fhir``)."""
    try:
        target, root = urlsplit(url), urlsplit(base)
        origins = (
            (target.scheme, target.hostname, target.port),
            (
                root.scheme,
                root.hostname,
                root.port,
            ),
        )
    except ValueError:  # a port that is not a number
        return False
    if origins[0] != origins[1] or _escapes(target.path) or _escapes(root.path):
        return False
    prefix = root.path.rstrip("/") + "/"
    return (target.path.rstrip("/") + "/").startswith(prefix)


def server_allowed(url: str, settings: Settings) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:  # "http://[::1/fhir": not a URL at all
        return False
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username:
        return False
    if _escapes(parts.path):
        return False
    if settings.dev and parts.hostname in LOOPBACK:
        return True
    return any(under(url, base) for base in settings.fhir_servers)


@dataclass
class Gathered:
    """The chart as the request brought it, key by key, and what could not be read."""

    found: dict[str, list[Resource]] = field(default_factory=dict)
    next_pages: dict[str, str] = field(default_factory=dict)
    unread: list[str] = field(default_factory=list)
    outcomes: dict[str, str] = field(default_factory=dict)

    def resources(self) -> list[Resource]:
        return [resource for resources in self.found.values() for resource in resources]


def _as_fhir(value: Any) -> dict[str, Any] | None:
    """A prefetch value as a FHIR resource; the 1.0 draft's ``{"resource": …}`` wrapper too."""
    if isinstance(value, dict) and "resourceType" not in value:
        value = value.get("resource")
    if isinstance(value, dict) and isinstance(value.get("resourceType"), str):
        return value
    return None


def prefetched(hook: HookRequest) -> Gathered:
    """Sort the prefetch by our keys (spec §Prefetch): ``null`` means the client has no data
    (an empty result); an omitted key, an OperationOutcome error or a value that is not FHIR
    means it could not prefetch, so the key stays missing. Values under other keys count by
    their resource type."""
    gathered = Gathered()
    by_type = {kind: key for key, kind in PREFETCH_TYPES.items()}
    for key, raw in (hook.prefetch or {}).items():
        if raw is None:
            if key in PREFETCH:
                gathered.found.setdefault(key, [])
            continue
        value = _as_fhir(raw)
        errors = outcome_errors(value)
        if value is None or errors:
            if key in PREFETCH:
                gathered.outcomes[key] = "; ".join(errors) or "not a FHIR resource"
            continue
        if key in PREFETCH:
            gathered.found.setdefault(key, []).extend(iter_resources(value))
            page = _next_link(value)
            if page:
                gathered.next_pages[key] = page
            continue
        for resource in iter_resources(value):
            ours = by_type.get(str(resource.get("resourceType")))
            if ours:
                gathered.found.setdefault(ours, []).append(resource)
    return gathered


def _next_link(bundle: Any) -> str | None:
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        return None
    for link in bundle.get("link") or ():
        if isinstance(link, dict) and link.get("relation") == "next" and link.get("url"):
            return str(link["url"])
    return None


class _FhirFailed(Exception):
    """A FHIR read that gave no usable answer (HTTP error, not JSON, an error outcome)."""


async def _fetch_pages(
    client: httpx.AsyncClient, url: str, base: str, headers: dict[str, str], pages: int
) -> list[Resource]:
    """Follow a search and its ``next`` links (only below ``base``) for up to ``pages`` pages."""
    out: list[Resource] = []
    next_url: str | None = url
    for _ in range(pages):
        if next_url is None:
            break
        if not under(next_url, base):
            raise _FhirFailed("not on fhirServer")
        try:
            response = await client.get(next_url, headers=headers)
            response.raise_for_status()
            body = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise _FhirFailed(type(exc).__name__) from exc
        if _as_fhir(body) is None:
            raise _FhirFailed("not FHIR")
        if outcome_errors(body):
            raise _FhirFailed("OperationOutcome")
        out.extend(iter_resources(body))
        next_url = _next_link(body)
        if next_url is not None and not under(next_url, base):
            next_url = None
    return out


async def _binary(
    client: httpx.AsyncClient, url: str, headers: dict[str, str], cap: int
) -> dict[str, Any]:
    """A note's Binary as an inline attachment: FHIR JSON (``data``) or the raw content."""
    body = bytearray()
    try:
        async with client.stream("GET", url, headers=headers) as response:
            response.raise_for_status()
            kind = response.headers.get("content-type", "")
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > cap:
                    raise _FhirFailed("too large")
    except httpx.HTTPError as exc:
        raise _FhirFailed(type(exc).__name__) from exc
    if "json" in kind:
        try:
            resource = json.loads(body)
        except ValueError as exc:
            raise _FhirFailed("not JSON") from exc
        if not isinstance(resource, dict) or resource.get("resourceType") != "Binary":
            raise _FhirFailed("not a Binary")
        return {"contentType": resource.get("contentType"), "data": resource.get("data")}
    return {"contentType": kind, "data": base64.b64encode(bytes(body)).decode()}


class _Fetcher:
    """Reads from the client's FHIR server with its token, concurrently, every read of the
    call within one deadline (``deadline``, event-loop time): httpx's timeout is per read, so
    a server sending a byte a second would otherwise hold the call for as long as it likes."""

    def __init__(
        self, client: httpx.AsyncClient, hook: HookRequest, settings: Settings, deadline: float
    ) -> None:
        self.client = client
        self.deadline = deadline
        self.base = str(hook.fhirServer).rstrip("/")
        self.settings = settings
        self.headers = {"Accept": "application/fhir+json"}
        if hook.fhirAuthorization is not None:
            self.headers["Authorization"] = f"Bearer {hook.fhirAuthorization.access_token}"

    def url(self, path: str) -> str | None:
        """An absolute URL on this server for a relative or absolute reference, else None
        (also when a relative one, such as ``../secret``, would resolve outside it)."""
        url = path if "://" in path else f"{self.base}/{path.lstrip('/')}"
        return url if under(url, self.base) else None

    async def search(self, path: str) -> list[Resource]:
        url = f"{self.base}/{path}"
        async with asyncio.timeout_at(self.deadline):
            return await _fetch_pages(self.client, url, self.base, self.headers, MAX_PAGES)

    async def rest(self, url: str) -> list[Resource]:
        """The pages after the first of a paginated prefetch (spec §Prefetch, pagination)."""
        if not under(url, self.base):
            raise _FhirFailed("next page is not on fhirServer")
        async with asyncio.timeout_at(self.deadline):
            return await _fetch_pages(self.client, url, self.base, self.headers, MAX_PAGES - 1)

    async def binary(self, url: str) -> dict[str, Any]:
        if not under(url, self.base):
            raise _FhirFailed("not on fhirServer")
        async with asyncio.timeout_at(self.deadline):
            return await _binary(self.client, url, self.headers, self.settings.max_body_bytes)


def _missing_data(absent: Iterable[str], allowed: str) -> InteropError:
    return InteropError(
        "The prefetch keys " + ", ".join(REQUIRED_PREFETCH),
        code="MBC-E303",
        allowed=allowed,
        got="missing: " + ", ".join(absent),
    )


async def _fill(fetcher: _Fetcher, hook: HookRequest, gathered: Gathered) -> None:
    """Fetch the missing keys and the rest of paginated ones; a failed optional key is noted."""
    missing = [key for key in PREFETCH if key not in gathered.found]
    context = hook.context.model_dump(exclude_none=True)
    searches = [fetcher.search(render_template(PREFETCH[key], context)) for key in missing]
    pages = list(gathered.next_pages.items())
    results = await asyncio.gather(
        *searches, *(fetcher.rest(url) for _, url in pages), return_exceptions=True
    )
    failed = []
    for key, result in zip(missing, results[: len(missing)], strict=True):
        if isinstance(result, BaseException):
            failed.append(key)
        else:
            gathered.found[key] = result
    for (key, _), result in zip(pages, results[len(missing) :], strict=True):
        if isinstance(result, BaseException):
            gathered.unread.append(f"{PREFETCH_LABELS[key]}: only the first page")
        else:
            gathered.found[key].extend(result)
    absent = [key for key in failed if key in REQUIRED_PREFETCH]
    if absent:
        raise _missing_data(absent, "prefetched, or returned by the fhirServer")
    gathered.unread += [f"{PREFETCH_LABELS[key]}: the FHIR server did not answer" for key in failed]


async def _inline_notes(fetcher: _Fetcher, gathered: Gathered) -> None:
    """Put the text of notes given by URL (a Binary on fhirServer) into their attachment."""
    targets: list[tuple[Resource, str]] = []
    for resources in gathered.found.values():
        for resource in resources:
            if resource.get("resourceType") != "DocumentReference":
                continue
            attachment = best_attachment(resource)
            if attachment is None:
                continue
            url = None if attachment.get("data") else fetcher.url(str(attachment.get("url")))
            if url is not None and len(targets) < MAX_NOTES:
                targets.append((resource, url))
    results = await asyncio.gather(
        *(fetcher.binary(url) for _, url in targets), return_exceptions=True
    )
    for (resource, _), result in zip(targets, results, strict=True):
        if isinstance(result, dict) and result.get("data"):
            resource["content"] = [{"attachment": result}]


def _wants_server(gathered: Gathered) -> bool:
    """True when something is left to read: a missing key, a next page, a note by URL."""
    if gathered.next_pages or any(key not in gathered.found for key in PREFETCH):
        return True
    return any(
        not attachment.get("data")
        for resource in gathered.found.get("notes", ())
        if (attachment := best_attachment(resource)) is not None
    )


async def gather_chart(hook: HookRequest, settings: Settings) -> Gathered:
    """The prefetch, completed from ``fhirServer`` when it is allowed and something is left
    to read; 412 when required data is missing and cannot be had."""
    gathered = prefetched(hook)
    server = hook.fhirServer
    if server and server_allowed(server, settings):
        if _wants_server(gathered):
            deadline = asyncio.get_running_loop().time() + settings.fhir_timeout_s
            timeout = httpx.Timeout(settings.fhir_timeout_s)
            async with httpx.AsyncClient(timeout=timeout, follow_redirects=False) as client:
                fetcher = _Fetcher(client, hook, settings, deadline)
                await _fill(fetcher, hook, gathered)
                await _inline_notes(fetcher, gathered)
        return gathered
    absent = [key for key in REQUIRED_PREFETCH if key not in gathered.found]
    if absent:
        raise _missing_data(
            absent, "prefetched, or readable from a fhirServer on this service's allowlist"
        )
    gathered.unread += [_not_sent(key, gathered) for key in PREFETCH if key not in gathered.found]
    gathered.unread += [
        f"{PREFETCH_LABELS[key]}: only the first page" for key in gathered.next_pages
    ]
    return gathered


def _not_sent(key: str, gathered: Gathered) -> str:
    """Why a key is missing: the EHR said it could not fetch it (an OperationOutcome), or it
    did not send it at all."""
    outcome = gathered.outcomes.get(key)
    if outcome is not None:
        return f"{PREFETCH_LABELS[key]}: the EHR could not fetch it ({outcome})"
    return f"{PREFETCH_LABELS[key]}: not sent by the EHR"


def for_patient(resources: Iterable[Resource], patient_id: str) -> list[Resource]:
    """Drop resources that name another patient (a careless prefetch must not mix charts)."""
    out = []
    for resource in resources:
        if resource.get("resourceType") == "Patient":
            if resource.get("id") in (None, patient_id):
                out.append(resource)
            continue
        subject = resource.get("subject") or resource.get("patient") or {}
        target = reference_target(subject.get("reference")) if isinstance(subject, dict) else None
        if target is None or target[0] != "Patient" or target[1] == patient_id:
            out.append(resource)
    return out


__all__ = ["Gathered", "for_patient", "gather_chart", "prefetched", "server_allowed", "under"]
