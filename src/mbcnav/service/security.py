"""Who may call: a bearer token for the REST API, a signed JWT for CDS Hooks (spec §Security).

CDS Hooks JWTs are checked as the 2.0 spec asks: an asymmetric signature (ES384/RS384 by default;
``none`` and HMAC are never accepted) by a key from the configured JWKS or from an allowlisted
``jku``; ``iss`` on the allowlist; ``aud`` equal to the URL called; ``exp`` in the future; a
``jti`` not seen before. The issuer is checked *before* any key is fetched, so a token cannot make
the service call an address of the token's choosing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import anyio.to_thread
import httpx
import jwt
from jwt import PyJWK, PyJWKSet

from mbcnav.errors import ServiceError
from mbcnav.service.audit import AuditStore
from mbcnav.service.settings import Settings

JKU_TTL_S = 300.0
_SYMMETRIC_OR_NONE = ("none", "HS256", "HS384", "HS512")


@dataclass(frozen=True)
class Caller:
    """An authenticated caller, as the audit trail names it (never a patient identifier)."""

    id: str
    kind: str
    tenant: str | None = None


DEV_CALLER = Caller(id="dev", kind="dev")


def _refuse(what: str, code: str = "MBC-E501") -> ServiceError:
    return ServiceError(what, code=code)


def token_fingerprint(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:16]


def check_api_token(token: str, settings: Settings) -> Caller:
    """Accept a REST bearer token that equals one configured in ``MBCNAV_API_TOKENS``."""
    given = token.encode()
    for secret in settings.api_tokens:
        if hmac.compare_digest(given, secret.get_secret_value().encode()):
            return Caller(id=f"token:{token_fingerprint(token)}", kind="token")
    raise _refuse("The bearer token is not one this service accepts")


class ReplayGuard(Protocol):
    """Remembers each (issuer, jti) until its token expires, so a captured token is useless."""

    def check_and_remember(self, issuer: str, jti: str, expires: float) -> None: ...


class StoreReplayGuard:
    """Token ids kept in the audit database: shared by every worker, kept across restarts."""

    def __init__(self, store: Callable[[], AuditStore]) -> None:
        self._store = store

    def check_and_remember(self, issuer: str, jti: str, expires: float) -> None:
        if not self._store().remember_token(issuer, jti, expires):
            raise _refuse("The token's 'jti' was already used; each call needs a new token")


def _load_jwks(source: str) -> PyJWKSet:
    """The configured JWKS (JSON text or a file); a bad one stops the service at start-up."""
    text = source.strip()
    try:
        if not text.startswith("{"):
            text = Path(text).read_text(encoding="utf-8")
        return PyJWKSet.from_dict(json.loads(text))
    except (OSError, ValueError, jwt.PyJWTError) as exc:
        raise ServiceError(
            "MBCNAV_CDS_JWKS must be a JWKS (JSON text or a readable file)",
            code="MBC-E501",
            got=type(exc).__name__,
        ) from exc


class KeyStore:
    """Public keys of trusted EHRs: the configured JWKS, plus allowlisted ``jku`` sets (cached)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._configured = _load_jwks(settings.cds_jwks) if settings.cds_jwks else None
        self._remote: dict[str, tuple[float, PyJWKSet]] = {}

    async def key_for(self, kid: str | None, jku: str | None) -> PyJWK:
        if jku is not None:
            if jku not in self._settings.cds_jku_allowlist:
                raise _refuse("The token's 'jku' is not on this service's allowlist")
            return _pick(await self._fetch(jku), kid)
        if self._configured is None:
            raise _refuse("No JWKS is configured and the token names no allowlisted 'jku'")
        return _pick(self._configured, kid)

    async def _fetch(self, url: str) -> PyJWKSet:
        cached = self._remote.get(url)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        try:
            async with httpx.AsyncClient(timeout=self._settings.fhir_timeout_s) as client:
                response = await client.get(url)
                response.raise_for_status()
                keys = PyJWKSet.from_dict(response.json())
        except (httpx.HTTPError, ValueError, jwt.PyJWTError) as exc:
            raise _refuse("The JWKS at the token's 'jku' could not be read") from exc
        self._remote[url] = (time.monotonic() + JKU_TTL_S, keys)
        return keys


def _pick(keys: PyJWKSet, kid: str | None) -> PyJWK:
    if kid is None:
        if len(keys.keys) == 1:
            return keys.keys[0]
        raise _refuse("The token has no 'kid' and the key set holds several keys")
    for key in keys.keys:
        if key.key_id == kid:
            return key
    raise _refuse("The token's 'kid' names no trusted key")


def _unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise _refuse("The bearer token is not a well-formed JWT") from exc
    return header, claims


def _check_header(header: dict[str, Any], settings: Settings) -> str:
    alg = str(header.get("alg", "none"))
    if alg in _SYMMETRIC_OR_NONE or alg not in settings.cds_algorithms:
        allowed = ", ".join(settings.cds_algorithms)
        raise _refuse(f"The JWT algorithm {alg!r} is refused; allowed: {allowed}")
    if header.get("typ", "JWT") != "JWT":
        raise _refuse("The JWT header 'typ' must be 'JWT'")
    return alg


async def verify_cds_jwt(
    token: str,
    *,
    audience: str,
    settings: Settings,
    keys: KeyStore,
    replay: ReplayGuard,
) -> Caller:
    """Verify one CDS Hooks JWT; raise a coded ``ServiceError`` (401) on any failure."""
    header, unverified = _unverified(token)
    alg = _check_header(header, settings)
    issuer = unverified.get("iss")
    if not isinstance(issuer, str) or issuer not in settings.cds_issuers:
        raise _refuse("The token's issuer ('iss') is not on this service's allowlist")
    key = await keys.key_for(header.get("kid"), header.get("jku"))
    audiences = [audience, audience.rstrip("/") + "/"] if audience else []
    try:
        claims = jwt.decode(
            token,
            key=key,
            algorithms=[alg],
            audience=audiences,
            issuer=issuer,
            leeway=settings.cds_leeway_s,
            options={"require": ["iss", "aud", "exp", "iat", "jti"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise _refuse("The token has expired ('exp')") from exc
    except jwt.InvalidAudienceError as exc:
        raise _refuse("The token's audience ('aud') is not this service's URL") from exc
    except jwt.PyJWTError as exc:
        raise _refuse(f"The token was refused: {type(exc).__name__}") from exc
    await anyio.to_thread.run_sync(
        replay.check_and_remember, issuer, str(claims["jti"]), float(claims["exp"])
    )
    tenant = claims.get("tenant")
    return Caller(id=issuer, kind="cds", tenant=str(tenant) if tenant else None)


def bearer_token(authorization: str | None) -> str:
    """The token of an ``Authorization: Bearer …`` header, or a 401."""
    if not authorization:
        raise ServiceError("This call needs an 'Authorization: Bearer …' header", code="MBC-E500")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ServiceError("The Authorization header must use the Bearer scheme", code="MBC-E500")
    return token.strip()


__all__ = [
    "DEV_CALLER",
    "Caller",
    "KeyStore",
    "ReplayGuard",
    "StoreReplayGuard",
    "bearer_token",
    "check_api_token",
    "token_fingerprint",
    "verify_cds_jwt",
]
