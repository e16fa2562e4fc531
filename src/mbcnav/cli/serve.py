"""`mbcnav serve`: the HTTP API, CDS Hooks service and web page, under uvicorn."""

from __future__ import annotations

import ipaddress
import logging
import os
from typing import Annotated

import typer

from mbcnav.cli._app import EXIT_BAD_DATA, EXIT_USAGE, app

LOOPBACK_NAMES = frozenset({"localhost"})


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and 'localhost'; anything else may be reachable from outside."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port (0: any free port).")] = 8000,
    dev: Annotated[
        bool, typer.Option("--dev", help="Accept unauthenticated calls; loopback only.")
    ] = False,
    workers: Annotated[int, typer.Option(min=1, max=64, help="HTTP worker processes.")] = 1,
    engine_processes: Annotated[
        int | None,
        typer.Option(
            min=0,
            max=64,
            help="Engine processes behind each HTTP process, fed from one queue (one per core);"
            " 0: assess in threads. Default: MBCNAV_ENGINE_PROCESSES, else 0.",
        ),
    ] = None,
) -> None:
    """Serve the REST API, the CDS Hooks service and the web page.

    Settings come from MBCNAV_* environment variables. Without --dev and with no trusted
    caller configured, the service still starts but refuses every call except /healthz.
    """
    import uvicorn

    from mbcnav.service.settings import Settings

    if engine_processes is not None:
        os.environ["MBCNAV_ENGINE_PROCESSES"] = str(engine_processes)
    settings = Settings(dev=True) if dev else Settings()
    if settings.dev and not is_loopback(host):
        typer.echo(
            f"--dev (or MBCNAV_DEV) accepts unauthenticated calls, so it binds only to "
            f"loopback (127.0.0.1, ::1, localhost). Got {host!r} instead.",
            err=True,
        )
        raise typer.Exit(EXIT_USAGE)
    from mbcnav.errors import MbcnavError
    from mbcnav.service.security import require_service_url

    try:
        require_service_url(settings)
    except MbcnavError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(EXIT_USAGE) from exc
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    from mbcnav.service.protocol import HeaderDeadlineProtocol as protocol

    if workers > 1:
        os.environ["MBCNAV_DEV"] = "true" if dev else os.environ.get("MBCNAV_DEV", "false")
        uvicorn.run(
            "mbcnav.service.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            access_log=False,
            log_level="info",
            http=protocol,
        )
        return
    from mbcnav.service.app import create_app

    try:
        service = create_app(settings)
    except MbcnavError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(EXIT_BAD_DATA) from exc
    uvicorn.run(service, host=host, port=port, access_log=False, log_level="info", http=protocol)
