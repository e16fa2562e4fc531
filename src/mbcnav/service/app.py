"""``create_app()``: the HTTP service — REST API, CDS Hooks, and the web page's router.

A factory, not a module-level app, so tests and benchmarks build as many apps as they need,
each with its own settings, knowledge and audit database.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from mbcnav import __version__
from mbcnav.knowledge import Knowledge
from mbcnav.runtime import freeze_heap, single_threaded_native_libraries
from mbcnav.service.deps import ServiceState
from mbcnav.service.middleware import (
    BodyLimit,
    LoadShedder,
    ReadBody,
    RequestContext,
    TrailingSlash,
    TrustGate,
)
from mbcnav.service.openapi import complete
from mbcnav.service.problems import install_problem_handlers
from mbcnav.service.routes import assess, cds_hooks, docs
from mbcnav.service.settings import Settings

WEB_MODULE = "mbcnav.service.routes.web"
log = logging.getLogger("mbcnav.service")


def _mount_web(app: FastAPI) -> None:
    """Include the web page's router when that module exists (it is owned by 'web')."""
    try:
        module = importlib.import_module(WEB_MODULE)
    except ModuleNotFoundError as exc:
        if exc.name != WEB_MODULE:
            raise
        return
    install = getattr(module, "install", None)
    if callable(install):
        install(app)
    elif getattr(module, "router", None) is not None:
        app.include_router(module.router)


def _openapi_with_problem(app: FastAPI) -> Any:
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = original()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["Problem"] = assess.Problem.model_json_schema()
        app.openapi_schema = complete(schema)
        return schema

    return openapi


def create_app(settings: Settings | None = None, *, knowledge: Knowledge | None = None) -> FastAPI:
    """Build the service. Without ``--dev`` and with no trusted caller, only /healthz answers."""
    settings = settings or Settings()
    state = ServiceState(settings, knowledge)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threads
        single_threaded_native_libraries()
        await anyio.to_thread.run_sync(state.warm_up)
        await anyio.to_thread.run_sync(state.start_engines)
        freeze_heap()
        yield
        state.close()

    app = FastAPI(
        title="mbcnav",
        version=__version__,
        summary="Decision support for metastatic breast cancer: REST API and CDS Hooks service.",
        description="It supports, and does not replace, a clinician's judgement.",
        lifespan=lifespan,
        **docs.docs_urls(settings.public_docs),
    )
    app.state.mbcnav = state
    install_problem_handlers(app)
    app.include_router(assess.router)
    app.include_router(cds_hooks.router)
    _mount_web(app)
    docs.install(app, public=settings.public_docs)
    app.openapi = _openapi_with_problem(app)  # type: ignore[method-assign]
    app.add_middleware(
        LoadShedder,
        limit=settings.max_in_flight,
        tokens=[token.get_secret_value().encode() for token in settings.api_tokens],
        issuers={*settings.cds_issuers, *settings.cds_issuer_keys},
        dev=settings.dev,
    )
    app.add_middleware(ReadBody, seconds=settings.body_timeout_s)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(TrustGate, closed=not settings.dev and not settings.trusts_callers)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
            expose_headers=["X-Request-ID", "X-Audit-Id"],
            max_age=600,
        )
    app.add_middleware(TrailingSlash)
    app.add_middleware(RequestContext)
    if not settings.dev and not settings.trusts_callers:
        log.warning("no trusted caller configured: every call except /healthz is refused")
    return app


__all__ = ["create_app"]
