"""Helpers the service tests import by name (conftest modules cannot be imported reliably:
several test folders have one, and which "conftest" Python finds depends on import order)."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import ec

ISSUER = "https://ehr.example.org"
KID = "test-key-1"
BASE = "http://testserver"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Signer:
    """An EHR's signing key and its public JWKS, as a CDS client would hold them."""

    key: ec.EllipticCurvePrivateKey
    jwks: dict[str, Any]

    def token(self, aud: str, **overrides: Any) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "aud": aud,
            "iat": now,
            "exp": now + 300,
            "jti": str(uuid.uuid4()),
        }
        claims.update(overrides)
        claims = {k: v for k, v in claims.items() if v is not None}
        return jwt.encode(claims, self.key, algorithm="ES384", headers={"kid": KID, "typ": "JWT"})


def _pg_bin() -> Path | None:
    for name in ("pg_ctl",):
        found = shutil.which(name)
        if found:
            return Path(found).resolve().parent
    for candidate in ("/usr/local/bin", *sorted(glob.glob("/usr/lib/postgresql/*/bin"))[::-1]):
        if (Path(candidate) / "pg_ctl").exists() and (Path(candidate) / "initdb").exists():
            return Path(candidate)
    return None


def _as_db_user(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "nobody", "--", *cmd]
    return cmd


@dataclass
class PgServer:
    port: int
    datadir: Path

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


@contextmanager
def serving(
    tmp_path: Path, *args: str, pids: list[int] | None = None, env: dict[str, str] | None = None
) -> Iterator[str]:
    """`mbcnav serve` as a real process on a free loopback port; yields its base URL."""
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MBCNAV_")}
    environment["MBCNAV_DATA_DIR"] = str(tmp_path / "data")
    environment.update(env or {})
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from mbcnav.cli import main; main()",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            *args,
        ],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    if pids is not None:
        pids.append(process.pid)
    try:
        deadline = time.monotonic() + 180  # engine processes warm up slowly on a loaded machine
        while True:
            assert process.poll() is None, process.stdout.read().decode() if process.stdout else ""
            assert time.monotonic() < deadline, "the server did not answer /healthz in time"
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        output = process.communicate(timeout=15)[0].decode()
        assert "Zebedee" not in output
