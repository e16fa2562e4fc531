"""Service fixtures: app factories, EC P-384 keys and signed JWTs, a real PostgreSQL server.

The PostgreSQL server is started by the suite itself (one per xdist worker): ``initdb`` into a
fresh directory, ``pg_ctl start`` on a free loopback port, stopped at the end. As root it runs
as ``nobody``, because PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import FastAPI
from fastapi.testclient import TestClient
from service_support import KID, PgServer, Signer, _as_db_user, _pg_bin, free_port

from mbcnav.knowledge import Knowledge
from mbcnav.service import Settings, create_app


@pytest.fixture(scope="session")
def signer() -> Signer:
    key = ec.generate_private_key(ec.SECP384R1())
    public = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
    public.update({"kid": KID, "alg": "ES384", "use": "sig"})
    return Signer(key=key, jwks={"keys": [public]})


@pytest.fixture
def dev_settings(tmp_path: Path) -> Settings:
    return Settings(dev=True, data_dir=tmp_path / "data")


@pytest.fixture
def make_client(
    knowledge: Knowledge,
) -> Iterator[Callable[..., TestClient]]:
    """Build a TestClient for an app with the given settings (shared, preloaded knowledge)."""
    clients: list[TestClient] = []

    def build(settings: Settings, app: FastAPI | None = None) -> TestClient:
        client = TestClient(app or create_app(settings, knowledge=knowledge))
        client.__enter__()
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def dev_client(dev_settings: Settings, make_client: Callable[..., TestClient]) -> TestClient:
    return make_client(dev_settings)


# ---------------------------------------------------------------- PostgreSQL


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """A throwaway PostgreSQL cluster on a free loopback port, for this test process."""
    bindir = _pg_bin()
    if bindir is None:
        reason = "no PostgreSQL server binaries (initdb/pg_ctl) on PATH, /usr/local/bin or "
        reason += "/usr/lib/postgresql/*/bin; run scripts/ensure-system-deps.sh"
        print(reason)
        pytest.skip(reason)
    datadir = Path(tempfile.mkdtemp(prefix="mbcnav-pg-"))
    if os.geteuid() == 0:
        shutil.chown(datadir, "nobody", "nogroup")
    env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
    subprocess.run(
        _as_db_user(
            [
                str(bindir / "initdb"),
                "-D",
                str(datadir / "db"),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-sync",
            ]
        ),
        check=True,
        capture_output=True,
        env=env,
    )
    port = free_port()
    options = f"-p {port} -k {datadir} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        _as_db_user(
            [
                str(bindir / "pg_ctl"),
                "-D",
                str(datadir / "db"),
                "-o",
                options,
                "-l",
                str(datadir / "log"),
                "-w",
                "-t",
                "30",
                "start",
            ]
        ),
        check=True,
        capture_output=True,
        env=env,
    )
    try:
        yield PgServer(port=port, datadir=datadir)
    finally:
        subprocess.run(
            _as_db_user(
                [str(bindir / "pg_ctl"), "-D", str(datadir / "db"), "-m", "fast", "-w", "stop"]
            ),
            capture_output=True,
            env=env,
        )
        shutil.rmtree(datadir, ignore_errors=True)


# ---------------------------------------------------------------- a real server in a thread


@pytest.fixture
def serve_in_thread() -> Iterator[Callable[[Any], str]]:
    """Run an ASGI app under uvicorn on a free loopback port; returns its base URL."""
    import threading

    import uvicorn

    servers: list[tuple[uvicorn.Server, threading.Thread]] = []

    def start(app: Any) -> str:
        port = free_port()
        config = uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", lifespan="off", access_log=False
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.01)
        assert server.started, "uvicorn did not start"
        servers.append((server, thread))
        return f"http://127.0.0.1:{port}"

    yield start
    for server, thread in servers:
        server.should_exit = True
        thread.join(timeout=10)
