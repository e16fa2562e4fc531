"""CDS Hooks JWT verification (spec §Security): every bad token is refused with 401."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi.testclient import TestClient
from service_support import BASE, ISSUER, KID, Signer

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


def test_jku_off_the_allowlist_is_refused(client: TestClient, signer: Signer) -> None:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": BASE + DISCOVERY, "iat": now, "exp": now + 300, "jti": "j1"}
    token = jwt.encode(
        claims,
        signer.key,
        algorithm="ES384",
        headers={"kid": KID, "jku": "http://127.0.0.1:9/jwks.json"},
    )
    assert _call(client, token) == 401


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
    assert good.status_code == 200 and good.json() == {"cards": []}


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
