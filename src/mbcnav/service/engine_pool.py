"""Assessments in a pool of engine processes behind the one HTTP process.

With uvicorn's ``--workers``, each process accepts its own connections and a client keeps its
pooled connections with the process that accepted them: one process can queue requests while
another idles, and inside each, the event loop and the assessment threads share one GIL. Here
one HTTP process parses, authenticates and answers, and every assessment goes through one
shared queue to the first free engine process (one per core), which runs the engine and writes
the audit record itself. Requests cross as pickled pydantic models; answers come back as the
JSON text that is both the response body and the audit record.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from mbcnav.errors import ServiceError
from mbcnav.interop.cds_hooks import HookRequest
from mbcnav.knowledge import Knowledge, load_knowledge
from mbcnav.runtime import die_with_parent, freeze_heap, single_threaded_native_libraries
from mbcnav.service.assessing import WARM_UP_NOTE, assess_and_record, assess_cards
from mbcnav.service.audit import AuditStore, RawJSON
from mbcnav.service.security import Caller
from mbcnav.service.settings import Settings
from mbcnav.types import Patient

log = logging.getLogger("mbcnav.service")
_WORKER: dict[str, Any] = {}


def _start(settings: Settings, parent: int) -> None:
    """Runs once in each engine process: knowledge, database, a warm-up, a frozen heap; the
    process ends with the HTTP process that started it, even one killed with -9."""
    die_with_parent(parent)
    single_threaded_native_libraries()
    knowledge = load_knowledge(settings.knowledge_path)
    from mbcnav._api import assess

    assess({"text": WARM_UP_NOTE}, knowledge=knowledge)
    _WORKER.update(knowledge=knowledge, audit=AuditStore(settings.audit_url), settings=settings)
    freeze_heap()


def _parts() -> tuple[Knowledge, AuditStore, Settings]:
    return _WORKER["knowledge"], _WORKER["audit"], _WORKER["settings"]


def assess_job(
    patient: Patient, caller: Caller, request_id: str, channel: str
) -> tuple[RawJSON, str]:
    _, output, audit_id = assess_and_record(*_parts(), patient, caller, request_id, channel)
    return output, audit_id


def cards_job(
    patient: Patient, hook: HookRequest, caller: Caller, link_base: str, unread: list[str]
) -> list[RawJSON]:
    return assess_cards(*_parts(), patient, hook, caller, link_base, unread)


class EnginePool:
    """A fixed number of engine processes fed from one queue; rebuilt if one dies."""

    def __init__(self, settings: Settings, processes: int) -> None:
        self._settings = settings
        self._processes = processes
        self._executor = self._spawn()

    def _spawn(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self._processes,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start,
            initargs=(self._settings, os.getpid()),
        )

    async def run(self, job: Any, *args: Any) -> Any:
        """Run ``job(*args)`` in a free engine process; coded errors come back as raised."""
        executor = self._executor
        try:
            return await asyncio.get_running_loop().run_in_executor(executor, job, *args)
        except BrokenProcessPool as exc:
            if executor is self._executor:
                log.error("an engine process stopped; starting a new pool")
                executor.shutdown(wait=False, cancel_futures=True)
                self._executor = self._spawn()
            raise ServiceError(
                "An engine process stopped while assessing; retry", code="MBC-E509"
            ) from exc

    def warm_up(self) -> None:
        """Start every process now (each loads the knowledge), not on the first requests."""
        futures = [self._executor.submit(_ready) for _ in range(self._processes * 2)]
        for future in futures:
            future.result()

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


def _ready() -> bool:
    return bool(_WORKER)


__all__ = ["EnginePool", "assess_job", "cards_job"]
