"""CDS Hooks JWT verification (spec §Security): every bad token is refused with 401."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fastapi.testclient import TestClient
from service_support import BASE, ISSUER, KID, Signer

from mbcnav.interop.cds_hooks import PREFETCH
from mbcnav.service import Settings

SERVICE = "/cds-services/mbcnav-patient-view"
DISCOVERY = "/cds-services"


@pytest.fixture
def client(tmp_path: Path, signer: Signer, make_client: Callable[..., TestClient]) -> TestClient:
    settings = Settings(
        data_dir=tmp_path,
        cds_issuers=(ISSUER,),
        cds_jwks=json.dumps(signer.jwks),
        public_url=BASE,
    )
    return make_client(settings)


def _call(client: TestClient, token: str | None, path: str = DISCOVERY) -> int:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = client.get(path, headers=headers)
    if response.status_code == 401:
        assert response.json()["code"] in ("MBC-E500", "MBC-E501")
        assert response.headers["content-type"].startswith("application/problem+json")
    return response.status_code


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_valid_token_is_accepted(client: TestClient, signer: Signer) -> None:
    assert _call(client, signer.token(BASE + DISCOVERY)) == 200


def test_missing_token_is_refused(client: TestClient) -> None:
    assert _call(client, None) == 401


def test_unsigned_token_is_refused(client: TestClient) -> None:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": BASE + DISCOVERY, "iat": now, "exp": now + 300, "jti": "u1"}
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT', 'kid': KID})}.{_b64(claims)}."
    assert _call(client, unsigned) == 401


def test_hmac_signed_token_is_refused(client: TestClient, signer: Signer) -> None:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": BASE + DISCOVERY, "iat": now, "exp": now + 300, "jti": "h1"}
    public_pem = signer.key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    signing_input = f"{_b64({'alg': 'HS384', 'typ': 'JWT', 'kid': KID})}.{_b64(claims)}"
    for secret in (b"a-shared-secret" * 4, public_pem):
        mac = hmac.new(secret, signing_input.encode(), hashlib.sha384).digest()
        signature = base64.urlsafe_b64encode(mac).rstrip(b"=").decode()
        assert _call(client, f"{signing_input}.{signature}") == 401


def test_expired_token_is_refused(client: TestClient, signer: Signer) -> None:
    past = int(time.time()) - 3600
    assert _call(client, signer.token(BASE + DISCOVERY, iat=past - 300, exp=past)) == 401


def test_token_without_exp_is_refused(client: TestClient, signer: Signer) -> None:
    assert _call(client, signer.token(BASE + DISCOVERY, exp=None)) == 401


def test_wrong_audience_is_refused(client: TestClient, signer: Signer) -> None:
    assert _call(client, signer.token("https://other.example.org/cds-services")) == 401
    assert _call(client, signer.token(BASE + SERVICE)) == 401


def test_unknown_issuer_is_refused(client: TestClient, signer: Signer) -> None:
    assert _call(client, signer.token(BASE + DISCOVERY, iss="https://evil.example.org")) == 401


def test_replayed_jti_is_refused(client: TestClient, signer: Signer) -> None:
    token = signer.token(BASE + DISCOVERY)
    assert _call(client, token) == 200
    assert _call(client, token) == 401


def test_token_signed_by_an_unknown_key_is_refused(client: TestClient) -> None:
    stranger = ec.generate_private_key(ec.SECP384R1())
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": BASE + DISCOVERY, "iat": now, "exp": now + 300, "jti": "s1"}
    token = jwt.encode(claims, stranger, algorithm="ES384", headers={"kid": KID})
    assert _call(client, token) == 401


def _jwks_server(
    jwks: dict[str, Any], serve_in_thread: Callable[[Any], str]
) -> tuple[str, list[str]]:
    """A JWKS endpoint that counts its hits; the set it serves can be swapped by the test."""
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    hits: list[str] = []

    async def serve(_: Any) -> JSONResponse:
        hits.append("jwks")
        return JSONResponse(jwks)

    return serve_in_thread(Starlette(routes=[Route("/jwks.json", serve)])) + "/jwks.json", hits


def test_jku_off_the_allowlist_is_never_fetched(
    client: TestClient, signer: Signer, serve_in_thread: Callable[[Any], str]
) -> None:
    """Spec: services SHOULD allowlist jku; an unlisted jku is not fetched, and the token must
    verify with the out-of-band JWKS (as the sandbox's, whose jku is on the internet)."""
    stranger = ec.generate_private_key(ec.SECP384R1())
    public = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(stranger.public_key()))
    jku, hits = _jwks_server({"keys": [{**public, "kid": "evil"}]}, serve_in_thread)
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": BASE + DISCOVERY, "iat": now, "exp": now + 300}
    forged = jwt.encode(
        {**claims, "jti": "j1"}, stranger, algorithm="ES384", headers={"kid": "evil", "jku": jku}
    )
    assert _call(client, forged) == 401
    trusted = jwt.encode(
        {**claims, "jti": "j2"}, signer.key, algorithm="ES384", headers={"kid": KID, "jku": jku}
    )
    assert _call(client, trusted) == 200
    assert hits == []


def test_service_call_needs_the_service_url_as_audience(client: TestClient, signer: Signer) -> None:
    body = {
        "hook": "patient-view",
        "hookInstance": "h-1",
        "context": {"patientId": "p"},
        "prefetch": {
            "patient": {"resourceType": "Patient", "id": "p"},
            "conditions": {"resourceType": "Bundle", "type": "searchset"},
            "observations": {"resourceType": "Bundle", "type": "searchset"},
        },
    }
    bad = client.post(
        SERVICE, json=body, headers={"Authorization": f"Bearer {signer.token(BASE + DISCOVERY)}"}
    )
    assert bad.status_code == 401
    good = client.post(
        SERVICE, json=body, headers={"Authorization": f"Bearer {signer.token(BASE + SERVICE)}"}
    )
    assert good.status_code == 200 and "could not be read" in good.json()["cards"][0]["summary"]


def test_allowlisted_jku_is_fetched_and_trusted(
    tmp_path: Path,
    signer: Signer,
    make_client: Callable[..., TestClient],
    serve_in_thread: Callable[[Any], str],
) -> None:
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def jwks(_: Any) -> JSONResponse:
        return JSONResponse(signer.jwks)

    jku = serve_in_thread(Starlette(routes=[Route("/jwks.json", jwks)])) + "/jwks.json"
    settings = Settings(
        data_dir=tmp_path, cds_issuers=(ISSUER,), cds_jku_allowlist=(jku,), public_url=BASE
    )
    client = make_client(settings)
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": BASE + DISCOVERY, "iat": now, "exp": now + 300, "jti": "k1"}
    token = jwt.encode(claims, signer.key, algorithm="ES384", headers={"kid": KID, "jku": jku})
    assert _call(client, token) == 200
    assert _call(client, signer.token(BASE + DISCOVERY)) == 401  # no jku, no configured JWKS


def test_replay_is_caught_across_workers_sharing_the_database(
    tmp_path: Path, signer: Signer, make_client: Callable[..., TestClient]
) -> None:
    settings = Settings(
        data_dir=tmp_path, cds_issuers=(ISSUER,), cds_jwks=json.dumps(signer.jwks), public_url=BASE
    )
    first, second = make_client(settings), make_client(settings)
    token = signer.token(BASE + DISCOVERY)
    assert _call(first, token) == 200
    assert _call(second, token) == 401


def test_a_bad_jwks_setting_stops_the_service_at_start(tmp_path: Path) -> None:
    from mbcnav.errors import ServiceError
    from mbcnav.service import create_app

    for bad in (str(tmp_path / "missing.json"), '{"keys": [{"kty": "nope"}]}'):
        with pytest.raises(ServiceError, match="MBCNAV_CDS_JWKS"):
            create_app(Settings(data_dir=tmp_path, cds_issuers=(ISSUER,), cds_jwks=bad))


# ---------------------------------------------------------------- spec §Trusting CDS Clients


def _claims(aud: Any, **extra: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": aud, "iat": now, "exp": now + 300, "jti": str(uuid.uuid4())}
    claims.update(extra)
    return claims


def test_rs384_with_a_jwk_that_names_no_alg(
    tmp_path: Path, make_client: Callable[..., TestClient]
) -> None:
    """RS384 is RECOMMENDED; a JWK's 'alg' is optional (RFC 7517), and without one PyJWT would
    bind an RSA key to RS256 and refuse every RS384 token."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    public.update({"kid": "rsa-1", "use": "sig"})
    settings = Settings(
        data_dir=tmp_path,
        cds_issuers=(ISSUER,),
        cds_jwks=json.dumps({"keys": [public]}),
        public_url=BASE,
    )
    client = make_client(settings)
    token = jwt.encode(_claims(BASE + DISCOVERY), key, algorithm="RS384", headers={"kid": "rsa-1"})
    assert _call(client, token) == 200
    weaker = jwt.encode(_claims(BASE + DISCOVERY), key, algorithm="RS256", headers={"kid": "rsa-1"})
    assert _call(client, weaker) == 401  # not in MBCNAV_CDS_ALGORITHMS


def test_token_alg_must_fit_the_key(client: TestClient, signer: Signer) -> None:
    """An EC P-384 key verifies ES384 only; a header claiming RS384 for it is refused."""
    header = {"alg": "RS384", "typ": "JWT", "kid": KID}
    body = _b64(_claims(BASE + DISCOVERY))
    assert _call(client, f"{_b64(header)}.{body}.c2lnbmF0dXJl") == 401


def test_spec_example_header_with_allowlisted_jku_and_tenant(
    tmp_path: Path,
    signer: Signer,
    make_client: Callable[..., TestClient],
    serve_in_thread: Callable[[Any], str],
    shared_dir: Path,
) -> None:
    """The spec's JWT example: header {alg ES384, typ JWT, kid, jku}, payload with tenant and an
    issuer with a trailing slash; the tenant is kept with the caller in the audit."""
    example = json.loads(
        (shared_dir / "data/fhir-examples/cds-hooks/jwt-payload-example.json").read_text()
    )
    jku, hits = _jwks_server(signer.jwks, serve_in_thread)
    settings = Settings(
        data_dir=tmp_path,
        cds_issuers=(example["iss"],),
        cds_jku_allowlist=(jku,),
        public_url=BASE,
        dev=False,
    )
    client = make_client(settings)
    service = BASE + "/cds-services/mbcnav-patient-view"
    claims = _claims(service, iss=example["iss"], tenant=example["tenant"])
    token = jwt.encode(
        claims, signer.key, algorithm="ES384", headers={"kid": KID, "typ": "JWT", "jku": jku}
    )
    response = client.post(
        "/cds-services/mbcnav-patient-view",
        json=_empty_chart_request(),
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200 and response.json() == {"cards": []}
    assert hits == ["jwks"]


def _empty_chart_request() -> dict[str, Any]:
    return {
        "hook": "patient-view",
        "hookInstance": str(uuid.uuid4()),
        "context": {"userId": "Practitioner/1", "patientId": "p"},
        "prefetch": {
            "patient": {"resourceType": "Patient", "id": "p"},
            **dict.fromkeys(key for key in PREFETCH if key != "patient"),
        },
    }


def test_rotated_key_is_found_by_refetching_the_jku(
    tmp_path: Path,
    signer: Signer,
    make_client: Callable[..., TestClient],
    serve_in_thread: Callable[[Any], str],
) -> None:
    """An EHR rotates keys: a kid missing from the cached set refetches it (at most once per
    JKU_REFRESH_S), instead of refusing until the cache expires."""
    from mbcnav.service import security

    old_key = ec.generate_private_key(ec.SECP384R1())
    old_public = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(old_key.public_key()))
    served: dict[str, Any] = {"keys": [{**old_public, "kid": "old"}]}
    jku, hits = _jwks_server(served, serve_in_thread)
    settings = Settings(
        data_dir=tmp_path, cds_issuers=(ISSUER,), cds_jku_allowlist=(jku,), public_url=BASE
    )
    client = make_client(settings)
    headers = {"kid": "old", "jku": jku}
    assert _call(client, jwt.encode(_claims(BASE + DISCOVERY), old_key, "ES384", headers)) == 200
    served["keys"] = [*served["keys"], *signer.jwks["keys"]]
    state = client.app.state.mbcnav  # type: ignore[attr-defined]
    state.keys._remote[jku] = (
        time.monotonic() - security.JKU_REFRESH_S - 1,
        state.keys._remote[jku][1],
    )
    new = jwt.encode(_claims(BASE + DISCOVERY), signer.key, "ES384", {"kid": KID, "jku": jku})
    assert _call(client, new) == 200
    unknown = jwt.encode(_claims(BASE + DISCOVERY), signer.key, "ES384", {"kid": "x", "jku": jku})
    assert _call(client, unknown) == 401
    assert hits == ["jwks", "jwks"]  # the unknown kid came too soon after the refresh


@pytest.mark.parametrize(
    ("iat_shift", "exp_shift", "status"),
    [
        (20, 300, 200),  # the EHR's clock is 20 s ahead: within the 30 s leeway
        (-300, -20, 200),  # expired 20 s ago: within the leeway
        (120, 300, 401),  # issued two minutes in the future
        (-400, -120, 401),  # expired two minutes ago
    ],
)
def test_clock_skew_leeway(
    client: TestClient, signer: Signer, iat_shift: int, exp_shift: int, status: int
) -> None:
    now = int(time.time())
    token = signer.token(BASE + DISCOVERY, iat=now + iat_shift, exp=now + exp_shift)
    assert _call(client, token) == status


def test_aud_as_an_array_and_lowercase_typ(client: TestClient, signer: Signer) -> None:
    """Spec: 'aud' is a string or an array of strings; RFC 7515 compares 'typ' case-blind."""
    token = jwt.encode(_claims([BASE + DISCOVERY]), signer.key, "ES384", {"kid": KID, "typ": "jwt"})
    assert _call(client, token) == 200


def test_a_tenant_that_is_not_a_string_is_refused(client: TestClient, signer: Signer) -> None:
    assert _call(client, signer.token(BASE + DISCOVERY, tenant={"id": 1})) == 401


def test_feedback_accepts_its_own_url_or_the_service_url_as_audience(
    client: TestClient, signer: Signer, shared_dir: Path
) -> None:
    body = json.loads(
        (shared_dir / "data/fhir-examples/cds-hooks/feedback-accepted.json").read_text()
    )
    feedback = SERVICE + "/feedback"
    for aud, status in ((BASE + feedback, 200), (BASE + SERVICE, 200), (BASE + DISCOVERY, 401)):
        token = signer.token(aud, tenant="t-1")
        response = client.post(feedback, json=body, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == status, aud
    stored = client.app.state.mbcnav.audit.feedback()  # type: ignore[attr-defined]
    assert [row["caller"] for row in stored] == [f"{ISSUER}#t-1"] * 2


def _other_ehr() -> tuple[ec.EllipticCurvePrivateKey, dict[str, Any]]:
    key = ec.generate_private_key(ec.SECP384R1())
    public = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
    public.update({"kid": "other-ehr-key", "alg": "ES384", "use": "sig"})
    return key, {"keys": [public]}


def _signed(key: ec.EllipticCurvePrivateKey, kid: str, issuer: str, **headers: str) -> str:
    now = int(time.time())
    claims = {
        "iss": issuer,
        "aud": BASE + DISCOVERY,
        "iat": now,
        "exp": now + 300,
        "jti": str(uuid.uuid4()),
    }
    return jwt.encode(claims, key, algorithm="ES384", headers={"kid": kid, **headers})


def test_a_bound_issuer_verifies_only_with_its_own_keys(
    tmp_path: Path, signer: Signer, make_client: Callable[..., TestClient]
) -> None:
    """Two EHRs trusted by one service: neither can sign as the other (spec: allowlist iss
    together with its keys)."""
    other_key, other_jwks = _other_ehr()
    other = "https://other-ehr.example.org"
    shared = {"keys": [*signer.jwks["keys"], *other_jwks["keys"]]}
    settings = Settings(
        data_dir=tmp_path,
        cds_issuers=(ISSUER,),
        cds_jwks=json.dumps(shared),
        cds_issuer_keys={other: json.dumps(other_jwks)},
        public_url=BASE,
    )
    client = make_client(settings)
    assert _call(client, _signed(other_key, "other-ehr-key", other)) == 200
    assert _call(client, _signed(signer.key, KID, other)) == 401, "signed with the wrong EHR's key"
    assert _call(client, _signed(signer.key, KID, ISSUER)) == 200, "unbound issuer: shared keys"


def test_a_bound_issuer_ignores_the_jku_in_its_tokens(
    tmp_path: Path,
    signer: Signer,
    make_client: Callable[..., TestClient],
    serve_in_thread: Callable[[Any], str],
) -> None:
    bound, bound_hits = _jwks_server(signer.jwks, serve_in_thread)
    stranger_key, stranger_jwks = _other_ehr()
    elsewhere, elsewhere_hits = _jwks_server(stranger_jwks, serve_in_thread)
    settings = Settings(
        data_dir=tmp_path,
        cds_issuer_keys={ISSUER: bound},
        cds_jku_allowlist=(elsewhere,),
        public_url=BASE,
    )
    client = make_client(settings)
    assert _call(client, _signed(signer.key, KID, ISSUER, jku=elsewhere)) == 200
    assert _call(client, _signed(stranger_key, "other-ehr-key", ISSUER, jku=elsewhere)) == 401
    assert bound_hits and not elsewhere_hits


def test_a_bad_issuer_key_setting_names_the_issuer(tmp_path: Path) -> None:
    from mbcnav.errors import ServiceError
    from mbcnav.service import create_app

    settings = Settings(data_dir=tmp_path, cds_issuer_keys={ISSUER: "{not json"})
    with pytest.raises(ServiceError, match="MBCNAV_CDS_ISSUER_KEYS"):
        create_app(settings)


@pytest.mark.parametrize("missing", ["typ", "kid"])
def test_a_token_without_typ_or_kid_is_refused(
    client: TestClient, signer: Signer, missing: str
) -> None:
    """CDS Hooks 2.0: the JWT header MUST carry ``typ`` and ``kid`` (field test: accepted)."""
    header: dict[str, Any] = {"typ": None} if missing == "typ" else {}  # PyJWT drops a None typ
    if missing != "kid":
        header["kid"] = KID
    claims = _claims(BASE + DISCOVERY)
    token = jwt.encode(claims, signer.key, "ES384", header)
    assert missing not in jwt.get_unverified_header(token)
    response = client.get(DISCOVERY, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401, response.text
    assert missing in response.json()["detail"]
    complete = jwt.encode(claims | {"jti": "other"}, signer.key, "ES384", {"kid": KID})
    assert client.get(DISCOVERY, headers={"Authorization": f"Bearer {complete}"}).status_code == 200


def test_aud_never_follows_the_host_header(tmp_path: Path, signer: Signer) -> None:
    """Field test: with MBCNAV_PUBLIC_URL unset the ``aud`` check followed the Host header. Now
    the service refuses to start that way outside --dev, and the configured URL decides."""
    from mbcnav.errors import ServiceError
    from mbcnav.service import create_app

    jwks = json.dumps(signer.jwks)
    with pytest.raises(ServiceError, match="MBCNAV_PUBLIC_URL") as refused:
        create_app(Settings(data_dir=tmp_path, cds_issuers=(ISSUER,), cds_jwks=jwks))
    assert refused.value.code == "MBC-E504"
    app = create_app(
        Settings(data_dir=tmp_path, cds_issuers=(ISSUER,), cds_jwks=jwks, public_url=BASE)
    )
    with TestClient(app, base_url="https://attacker.example") as client:
        forged = signer.token("https://attacker.example" + DISCOVERY)
        headers = {"Authorization": f"Bearer {forged}"}
        assert client.get(DISCOVERY, headers=headers).status_code == 401
        token = signer.token(BASE + DISCOVERY)
        headers = {"Authorization": f"Bearer {token}"}
        assert client.get(DISCOVERY, headers=headers).status_code == 200
