"""One assessment as every channel (REST, FHIR, CDS Hooks) runs it: limits, engine, audit.

These functions run in a worker thread of the HTTP process, or in an engine process
(``service.engine_pool``): they take what they need explicitly and return plain data.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from mbcnav.errors import InputError
from mbcnav.interop.cds_hooks import SERVICE_ID, HookRequest, build_cards, web_link
from mbcnav.knowledge import Knowledge
from mbcnav.service.audit import AssessmentEntry, AuditStore, RawJSON, dumps, input_hash
from mbcnav.service.security import Caller
from mbcnav.service.settings import Settings
from mbcnav.types import Assessment, Patient

WARM_UP_NOTE = "Back pain and a cough; no headache. Calcium 2.9 mmol/L."
"""Assessed once at start-up (HTTP and engine processes), so no caller pays for first use."""


def check_limits(patient: Patient, settings: Settings) -> None:
    if patient.text is not None and len(patient.text) > settings.max_text_chars:
        raise InputError(
            "The patient 'text'",
            code="MBC-E105",
            allowed=f"at most {settings.max_text_chars} characters",
            got=f"{len(patient.text)} characters",
            field="text",
        )


def run_engine(patient: Patient, knowledge: Knowledge) -> Assessment:
    """Call the pure engine (imported late: the service must start even if it cannot load)."""
    from mbcnav._api import assess

    return assess(patient, knowledge=knowledge)


def dump(assessment: Assessment) -> RawJSON:
    """The Assessment JSON of CONTRACTS.md (``for`` spelt as the contract spells it), serialised
    once: the same text is the response body and the audit record."""
    return RawJSON(assessment.model_dump_json(by_alias=True))


def record(
    audit: AuditStore,
    patient: Patient,
    output: RawJSON,
    assessment: Assessment,
    *,
    caller: Caller,
    request_id: str,
    channel: str,
    cards: Sequence[dict[str, Any]] = (),
    service_id: str = "",
    record_id: str | None = None,
    card_outputs: Sequence[RawJSON] = (),
) -> str:
    entry = AssessmentEntry(
        request_id=request_id,
        channel=channel,
        caller=caller.audit_name,
        knowledge_version=assessment.provenance.knowledge_version,
        knowledge_hash=assessment.provenance.knowledge_hash,
        input_hash=input_hash(patient.model_dump(mode="json")),
        output=output,
    )
    return audit.record_assessment(entry, cards, service_id, record_id, card_outputs)


def assess_and_record(
    knowledge: Knowledge,
    audit: AuditStore,
    settings: Settings,
    patient: Patient,
    caller: Caller,
    request_id: str,
    channel: str,
) -> tuple[Assessment, RawJSON, str]:
    """Assess one patient and write its audit record; the JSON is the response body."""
    check_limits(patient, settings)
    assessment = run_engine(patient, knowledge)
    output = dump(assessment)
    audit_id = record(
        audit, patient, output, assessment, caller=caller, request_id=request_id, channel=channel
    )
    return assessment, output, audit_id


def assess_cards(
    knowledge: Knowledge,
    audit: AuditStore,
    settings: Settings,
    patient: Patient,
    hook: HookRequest,
    caller: Caller,
    link_base: str,
    unread: list[str],
) -> list[RawJSON]:
    """The cards, each serialised once: the same text is the response and the audit record."""
    check_limits(patient, settings)
    try:
        assessment = run_engine(patient, knowledge)
    except InputError as exc:
        if exc.code != "MBC-E101":
            raise
        # Nothing clinical in the chart: no assessment, but what could not be read is said.
        empty = build_cards(None, knowledge, unread=unread, patient=patient)
        return [RawJSON(dumps(card)) for card in empty]
    audit_id = str(uuid.uuid4())
    link = web_link(link_base, patient_id=hook.context.patientId, assessment_id=audit_id)
    cards = build_cards(assessment, knowledge, link=link, unread=unread, patient=patient)
    texts = [RawJSON(dumps(card)) for card in cards]
    record(
        audit,
        patient,
        dump(assessment),
        assessment,
        caller=caller,
        request_id=hook.hookInstance,
        channel="cds",
        cards=cards,
        service_id=SERVICE_ID,
        record_id=audit_id,
        card_outputs=texts,
    )
    return texts


__all__ = [
    "WARM_UP_NOTE",
    "assess_and_record",
    "assess_cards",
    "check_limits",
    "dump",
    "record",
    "run_engine",
]
