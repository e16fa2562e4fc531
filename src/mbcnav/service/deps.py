"""Per-app state and the ``Depends`` aliases routes use: settings, knowledge, audit, caller.

Cheap dependencies are ``async def`` on purpose: FastAPI runs a sync dependency in the thread
pool, and a thread hop per dependency per request is a measurable share of a 5 ms request.

Knowledge and the audit database are opened lazily, on first use, so that the app starts (and
answers ``/healthz``) even when the knowledge base or the database is not yet reachable;
``/readyz`` reports which one is missing.
"""

from __future__ import annotations

import logging
import threading
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from mbcnav.errors import ServiceError
from mbcnav.interop.cds_hooks import HookRequest
from mbcnav.knowledge import Knowledge, load_knowledge
from mbcnav.service.assessing import WARM_UP_NOTE, assess_and_record, assess_cards
from mbcnav.service.audit import AuditStore, RawJSON
from mbcnav.service.engine_pool import EnginePool, assess_job, cards_job
from mbcnav.service.security import (
    DEV_CALLER,
    Caller,
    KeyStore,
    ReplayGuard,
    StoreReplayGuard,
    check_api_token,
    require_service_url,
    verify_cds_jwt,
)
from mbcnav.service.settings import Settings
from mbcnav.types import Patient

log = logging.getLogger("mbcnav.service")
FEEDBACK_SUFFIX = "/feedback"


class ServiceState:
    """Everything one app instance owns; tests build as many apps as they like."""

    def __init__(self, settings: Settings, knowledge: Knowledge | None = None) -> None:
        self.settings = settings
        self._knowledge = knowledge
        self._audit: AuditStore | None = None
        self._lock = threading.Lock()
        self.keys = KeyStore(settings)
        require_service_url(settings)
        self.replay: ReplayGuard = StoreReplayGuard(lambda: self.audit)
        self.pool: EnginePool | None = None

    @property
    def knowledge(self) -> Knowledge:
        if self._knowledge is None:
            with self._lock:
                if self._knowledge is None:
                    self._knowledge = load_knowledge(self.settings.knowledge_path)
        return self._knowledge

    @property
    def loaded_knowledge(self) -> Knowledge | None:
        """The knowledge if already loaded (no I/O), so async code can skip a thread hop."""
        return self._knowledge

    @property
    def audit(self) -> AuditStore:
        if self._audit is None:
            with self._lock:
                if self._audit is None:
                    store = AuditStore(self.settings.audit_url)
                    store.migrate()
                    self._audit = store
        return self._audit

    def start_engines(self) -> None:
        """Start the engine processes, if configured; without them assessments run here."""
        processes = self.settings.engine_processes
        if processes <= 0 or self.pool is not None:
            return
        pool = EnginePool(self.settings, processes)
        try:
            pool.warm_up()
        except Exception as exc:
            pool.close()
            log.warning("engine processes failed to start (%s); assessing in threads", exc)
            return
        self.pool = pool

    async def assess(
        self, patient: Patient, caller: Caller, request_id: str, channel: str
    ) -> tuple[RawJSON, str]:
        """Assess and audit one patient: in an engine process if there are any, else in a
        thread of this one. Returns the Assessment JSON and the audit record id."""
        if self.pool is not None:
            result: tuple[RawJSON, str] = await self.pool.run(
                assess_job, patient, caller, request_id, channel
            )
            return result
        _, output, audit_id = await run_in_threadpool(
            assess_and_record,
            self.knowledge,
            self.audit,
            self.settings,
            patient,
            caller,
            request_id,
            channel,
        )
        return output, audit_id

    async def cards(
        self,
        patient: Patient,
        hook: HookRequest,
        caller: Caller,
        link_base: str,
        unread: list[str],
    ) -> list[RawJSON]:
        """The CDS Hooks cards for one patient (serialised), audited, wherever engines run."""
        if self.pool is not None:
            texts: list[RawJSON] = await self.pool.run(
                cards_job, patient, hook, caller, link_base, unread
            )
            return texts
        return await run_in_threadpool(
            assess_cards,
            self.knowledge,
            self.audit,
            self.settings,
            patient,
            hook,
            caller,
            link_base,
            unread,
        )

    def warm_up(self) -> None:
        """Load the knowledge, open the database and run one assessment before the first
        request, so no caller pays for imports and caches; failures are left to ``/readyz``."""
        try:
            from mbcnav._api import assess

            assess({"text": WARM_UP_NOTE}, knowledge=self.knowledge)
            self.audit.ping()
        except Exception as exc:
            log.warning("warm-up failed (%s); /readyz will say what is missing", type(exc).__name__)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool = None
        if self._audit is not None:
            self._audit.close()
            self._audit = None


async def get_state(request: Request) -> ServiceState:
    state: ServiceState = request.app.state.mbcnav
    return state


State = Annotated[ServiceState, Depends(get_state)]


async def get_settings(state: State) -> Settings:
    return state.settings


def get_knowledge(state: State) -> Knowledge:
    return state.knowledge


def get_audit(state: State) -> AuditStore:
    return state.audit


_bearer = HTTPBearer(auto_error=False, description="An API token from MBCNAV_API_TOKENS.")
_cds_bearer = HTTPBearer(
    auto_error=False, scheme_name="cdsHooksJwt", description="The EHR's signed CDS Hooks JWT."
)


async def rest_caller(
    state: State,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller:
    """The REST caller: any caller in ``--dev`` mode, else a configured bearer token."""
    if credentials is None:
        if state.settings.dev:
            return DEV_CALLER
        raise ServiceError("This call needs an 'Authorization: Bearer …' token", code="MBC-E500")
    if state.settings.dev and not state.settings.api_tokens:
        return DEV_CALLER
    return check_api_token(credentials.credentials, state.settings)


def public_url(request: Request, settings: Settings) -> str:
    """The URL of this call as the JWT ``aud`` must name it: the configured service URL and
    the path. Only ``--dev`` (loopback) falls back to the request's own URL; elsewhere the Host
    header never decides it (the service refuses to start without the setting)."""
    if settings.public_url:
        return settings.public_url.rstrip("/") + request.url.path
    if not settings.dev:
        raise ServiceError(
            "This service has no MBCNAV_PUBLIC_URL to check the token's 'aud' against",
            code="MBC-E501",
        )
    return str(request.url.replace(query=None, fragment=None))


def cds_audiences(url: str) -> list[str]:
    """The ``aud`` values a call to ``url`` accepts: the URL itself (spec §Trusting CDS
    Clients); for a feedback call also the service's URL, which some clients send (the spec
    names only discovery and service URLs; the token's ``jti`` still cannot be reused)."""
    base = url.rstrip("/")
    if base.endswith(FEEDBACK_SUFFIX):
        return [base, base.removesuffix(FEEDBACK_SUFFIX)]
    return [base]


async def cds_caller(
    request: Request,
    state: State,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_cds_bearer)],
) -> Caller:
    """The EHR calling a CDS Hooks endpoint: a verified JWT, or anyone in ``--dev`` mode."""
    settings = state.settings
    if credentials is None:
        if settings.dev:
            return DEV_CALLER
        raise ServiceError("CDS Hooks calls need a signed JWT bearer token", code="MBC-E500")
    if settings.dev and not (settings.cds_issuers or settings.cds_issuer_keys):
        return DEV_CALLER
    return await verify_cds_jwt(
        credentials.credentials,
        audience=cds_audiences(public_url(request, settings)),
        settings=settings,
        keys=state.keys,
        replay=state.replay,
    )


RestCaller = Annotated[Caller, Depends(rest_caller)]
CdsCaller = Annotated[Caller, Depends(cds_caller)]
AppSettings = Annotated[Settings, Depends(get_settings)]
AppKnowledge = Annotated[Knowledge, Depends(get_knowledge)]
Audit = Annotated[AuditStore, Depends(get_audit)]


async def request_id(request: Request) -> str:
    value: Any = getattr(request.state, "request_id", None)
    return str(value) if value else "-"


RequestId = Annotated[str, Depends(request_id)]

__all__ = [
    "AppKnowledge",
    "AppSettings",
    "Audit",
    "CdsCaller",
    "RequestId",
    "RestCaller",
    "ServiceState",
    "State",
    "cds_audiences",
    "cds_caller",
    "get_state",
    "public_url",
    "rest_caller",
]
