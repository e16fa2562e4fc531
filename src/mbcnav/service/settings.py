"""Service settings, read from ``MBCNAV_*`` environment variables (and nothing else).

Lists accept either JSON (``["a", "b"]``) or comma-separated text (``a,b``), because hospital IT
sets these in unit files and container specs where JSON quoting is a nuisance.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

StrList = Annotated[tuple[str, ...], NoDecode]


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "mbcnav"


def _split(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text.startswith("["):
        return tuple(json.loads(text))
    return tuple(part.strip() for part in text.split(",") if part.strip())


class Settings(BaseSettings):
    """Everything an operator can set; the defaults are safe (no caller is trusted)."""

    model_config = SettingsConfigDict(env_prefix="MBCNAV_", extra="ignore", frozen=True)

    dev: bool = Field(
        default=False, description="Accept unauthenticated calls (loopback binding only)."
    )
    public_docs: bool = Field(
        default=False,
        description="Serve /openapi.json, /docs and /redoc to anyone (default: API callers only).",
    )
    data_dir: Path = Field(default_factory=_default_data_dir)
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default: a SQLite file under data_dir."
    )
    knowledge_path: Path | None = None
    public_url: str | None = Field(
        default=None,
        description="The base URL callers use (JWT 'aud' and card links); default: request URL.",
    )
    web_url: str | None = Field(default=None, description="Base URL of the web page for links.")
    api_tokens: Annotated[tuple[SecretStr, ...], NoDecode] = ()
    cds_issuers: StrList = ()
    cds_jwks: str | None = Field(
        default=None, description="JWKS as JSON text, or a path to a JWKS JSON file."
    )
    cds_jku_allowlist: StrList = ()
    cds_issuer_keys: dict[str, str] = Field(
        default_factory=dict,
        description=(
            "Binds an issuer to its own keys, as JSON {iss: JWKS URL, JWKS JSON or file}: a token "
            "from a bound issuer verifies only with that issuer's keys, so one trusted EHR cannot "
            "sign as another (the spec asks services to allowlist 'iss' and 'jku' together)."
        ),
    )
    cds_algorithms: StrList = ("ES384", "RS384")
    cds_leeway_s: int = Field(default=30, ge=0, le=300)
    fhir_servers: StrList = Field(
        default=(), description="FHIR base URLs the service may fetch missing prefetch from."
    )
    cors_origins: StrList = Field(
        default=(), description="Browser origins allowed to call (e.g. a CDS Hooks sandbox)."
    )
    fhir_timeout_s: float = Field(default=5.0, gt=0, le=60)
    max_body_bytes: int = Field(default=1_000_000, ge=1_000, le=50_000_000)
    max_text_chars: int = Field(default=100_000, ge=100)
    threads: int = Field(
        default=2,
        ge=1,
        le=256,
        description=(
            "Threads for assessments per process. The work is CPU-bound under one GIL: a second "
            "thread overlaps database waits, more only lengthen every answer."
        ),
    )
    engine_processes: int = Field(
        default=0,
        ge=0,
        le=64,
        description=(
            "Engine processes behind the one HTTP process, fed from one queue (one per core "
            "is right); 0: assess in this process's threads."
        ),
    )
    max_in_flight: int = Field(
        default=32, ge=0, description="Requests in flight before answering 503 (0: no limit)."
    )
    header_timeout_s: float = Field(
        default=10.0,
        gt=0,
        le=300,
        description="Seconds a connection may take to send a request's headers (then closed).",
    )
    body_timeout_s: float = Field(
        default=10.0,
        gt=0,
        le=300,
        description="Seconds a request may take to send its whole body before a 408.",
    )

    @field_validator(
        "cds_issuers",
        "cds_jku_allowlist",
        "cds_algorithms",
        "fhir_servers",
        "cors_origins",
        mode="before",
    )
    @classmethod
    def _lists(cls, value: Any) -> Any:
        return _split(value)

    @field_validator("api_tokens", mode="before")
    @classmethod
    def _tokens(cls, value: Any) -> Any:
        return _split(value)

    @field_validator("cds_algorithms")
    @classmethod
    def _asymmetric_only(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        allowed = {"ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS384"}
        bad = [alg for alg in value if alg not in allowed]
        if bad:
            raise ValueError(f"only asymmetric JWT algorithms are allowed, got {bad}")
        return value

    @property
    def audit_url(self) -> str:
        """The audit database URL: the configured one, or a SQLite file under ``data_dir``."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'audit.sqlite3'}"

    @property
    def trusts_callers(self) -> bool:
        """True when some caller can authenticate: a REST token or a CDS Hooks issuer and keys."""
        has_keys = bool(self.cds_jwks or self.cds_jku_allowlist or self.cds_issuer_keys)
        return bool(self.api_tokens or self.cds_issuer_keys) or bool(self.cds_issuers and has_keys)


__all__ = ["Settings"]
