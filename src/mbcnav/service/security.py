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
import math
import time
from collections.abc import Callable, Sequence
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
JKU_REFRESH_S = 10.0
TENANT_MAX = 64
_SYMMETRIC_OR_NONE = ("none", "HS256", "HS384", "HS512")


@dataclass(frozen=True)
class Caller:
    """An authenticated caller, as the audit trail names it (never a patient identifier)."""

    id: str
    kind: str
    tenant: str | None = None

    @property
    def audit_name(self) -> str:
        """How audit records name the caller: the id, and the EHR's tenant when it gave one."""
        return self.id if self.tenant is None else f"{self.id}#{self.tenant}"


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


JwkSet = tuple[dict[str, Any], ...]


def _parse_jwks(data: Any) -> JwkSet:
    """The signing keys of a JWKS, as dicts; PyJWT checks they are usable keys."""
    PyJWKSet.from_dict(data)
    return tuple(
        dict(key)
        for key in data["keys"]
        if isinstance(key, dict) and key.get("use", "sig") == "sig" and key.get("kty") != "oct"
    )


def _is_url(source: str) -> bool:
    return source.strip().lower().startswith(("https://", "http://"))


def _load_jwks(source: str, setting: str = "MBCNAV_CDS_JWKS") -> JwkSet:
    """The configured JWKS (JSON text or a file); a bad one stops the service at start-up."""
    text = source.strip()
    try:
        if not text.startswith("{"):
            text = Path(text).read_text(encoding="utf-8")
        return _parse_jwks(json.loads(text))
    except (OSError, ValueError, KeyError, TypeError, jwt.PyJWTError) as exc:
        raise ServiceError(
            f"{setting} must be a JWKS (JSON text or a readable file)",
            code="MBC-E501",
            got=type(exc).__name__,
        ) from exc


class KeyStore:
    """Public keys of trusted EHRs: the configured JWKS, plus allowlisted ``jku`` sets (cached).

    A ``jku`` off the allowlist is never fetched: the token must then verify with a configured
    key (the sandbox's case: its ``jku`` is on the internet, its JWKS configured out of band).
    A ``kid`` missing from a cached ``jku`` set refetches it once (the EHR rotated its keys)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._configured = _load_jwks(settings.cds_jwks) if settings.cds_jwks else None
        self._remote: dict[str, tuple[float, JwkSet]] = {}
        self._bound_urls: dict[str, str] = {}
        self._bound_sets: dict[str, JwkSet] = {}
        for issuer, source in settings.cds_issuer_keys.items():
            if _is_url(source):
                self._bound_urls[issuer] = source.strip()
            else:
                self._bound_sets[issuer] = _load_jwks(source, f"MBCNAV_CDS_ISSUER_KEYS[{issuer!r}]")

    async def key_for(
        self, kid: str | None, jku: str | None, alg: str, issuer: str | None = None
    ) -> PyJWK:
        """The key that must have signed the token: a bound issuer's own keys only (its
        ``jku`` header is then ignored); else an allowlisted ``jku``, else the configured JWKS."""
        if issuer in self._bound_sets:
            return _pick(self._bound_sets[issuer], kid, alg)
        url = self._bound_urls.get(issuer or "")
        if url is None and jku is not None and jku in self._settings.cds_jku_allowlist:
            url = jku
        if url is not None:
            keys = await self._fetch(url)
            if kid is not None and not any(key.get("kid") == kid for key in keys):
                keys = await self._fetch(url, refresh=True)
            return _pick(keys, kid, alg)
        if self._configured is None:
            raise _refuse("No JWKS is configured and the token names no allowlisted 'jku'")
        return _pick(self._configured, kid, alg)

    async def _fetch(self, url: str, *, refresh: bool = False) -> JwkSet:
        """The set at ``url``, cached for ``JKU_TTL_S``; a refresh waits ``JKU_REFRESH_S``
        after the last fetch, so tokens naming unknown kids cannot make us fetch in a loop."""
        now = time.monotonic()
        cached = self._remote.get(url)
        if cached and now - cached[0] < (JKU_REFRESH_S if refresh else JKU_TTL_S):
            return cached[1]
        try:
            async with httpx.AsyncClient(timeout=self._settings.fhir_timeout_s) as client:
                response = await client.get(url)
                response.raise_for_status()
                keys = _parse_jwks(response.json())
        except (httpx.HTTPError, ValueError, KeyError, TypeError, jwt.PyJWTError) as exc:
            raise _refuse("The JWKS at the token's 'jku' could not be read") from exc
        self._remote[url] = (now, keys)
        return keys


# the algorithms a key type can verify; a JWK without 'alg' takes the token's (RFC 7517 §4.4)
_ALG_FITS = {
    ("RSA", None): ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512"),
    ("EC", "P-256"): ("ES256",),
    ("EC", "P-384"): ("ES384",),
    ("EC", "P-521"): ("ES512",),
}


def _pick(keys: JwkSet, kid: str | None, alg: str) -> PyJWK:
    """The key named by ``kid`` (or the only key), bound to the token's algorithm."""
    if kid is None:
        if len(keys) != 1:
            raise _refuse("The token has no 'kid' and the key set holds several keys")
        found = keys[0]
    else:
        named = [key for key in keys if key.get("kid") == kid]
        if not named:
            raise _refuse("The token's 'kid' names no trusted key")
        found = named[0]
    kty = str(found.get("kty"))
    fits = _ALG_FITS.get((kty, None if kty == "RSA" else str(found.get("crv"))), ())
    if alg not in fits or found.get("alg", alg) != alg:
        raise _refuse(f"The token's algorithm {alg!r} does not fit the key it names")
    try:
        return PyJWK(found, algorithm=alg)
    except jwt.PyJWTError as exc:
        raise _refuse("The trusted key could not be used") from exc


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
    # CDS Hooks 2.0 §Trusting CDS Clients: the header MUST carry typ ("JWT") and kid.
    if str(header.get("typ", "")).upper() not in ("JWT", "APPLICATION/JWT"):
        raise _refuse("The JWT header 'typ' must be 'JWT' (CDS Hooks 2.0 requires it)")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise _refuse("The JWT header needs a 'kid' naming the signing key (CDS Hooks 2.0)")
    return alg


def require_service_url(settings: Settings) -> None:
    """Refuse to serve CDS Hooks without a configured service URL (``MBCNAV_PUBLIC_URL``)
    outside ``--dev``: a token's ``aud`` must name this service, and a URL built from the
    request's Host header is the caller's to choose."""
    trusts_cds = bool(settings.cds_issuers or settings.cds_issuer_keys)
    if trusts_cds and not settings.dev and not settings.public_url:
        raise ServiceError(
            "MBCNAV_PUBLIC_URL must be set to this service's base URL when CDS Hooks callers "
            "are trusted: JWT 'aud' is checked against it, never against the Host header "
            "(only --dev may leave it unset)",
            code="MBC-E504",
            allowed="an https URL such as https://mbcnav.example.org",
            got="unset",
        )


async def verify_cds_jwt(
    token: str,
    *,
    audience: str | Sequence[str],
    settings: Settings,
    keys: KeyStore,
    replay: ReplayGuard,
) -> Caller:
    """Verify one CDS Hooks JWT; raise a coded ``ServiceError`` (401) on any failure."""
    header, unverified = _unverified(token)
    alg = _check_header(header, settings)
    issuer = unverified.get("iss")
    trusted = (*settings.cds_issuers, *settings.cds_issuer_keys)
    if not isinstance(issuer, str) or issuer not in trusted:
        raise _refuse("The token's issuer ('iss') is not on this service's allowlist")
    key = await keys.key_for(_text(header.get("kid")), _text(header.get("jku")), alg, issuer)
    audiences = [
        form
        for url in ([audience] if isinstance(audience, str) else audience)
        for form in (url.rstrip("/"), url.rstrip("/") + "/")
    ]
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
        replay.check_and_remember, issuer, str(claims["jti"]), _expiry(claims["exp"])
    )
    return Caller(id=issuer, kind="cds", tenant=_tenant(claims.get("tenant")))


def _expiry(value: Any) -> float:
    """``exp`` as seconds since the epoch; a number no clock can reach (``10**400``) is refused
    with the other token errors, not left to overflow."""
    try:
        expiry = float(value)
    except (TypeError, ValueError, OverflowError):
        expiry = math.inf
    if not math.isfinite(expiry):
        raise _refuse("The token's expiry ('exp') is not a usable time")
    return expiry


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _tenant(value: Any) -> str | None:
    """The optional ``tenant`` claim (an opaque string); a long one is kept as a fingerprint,
    so that the audit's caller column always holds it."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise _refuse("The token's 'tenant' must be a string")
    return value if len(value) <= TENANT_MAX else f"sha256:{token_fingerprint(value)}"


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
    "require_service_url",
    "token_fingerprint",
    "verify_cds_jwt",
]
