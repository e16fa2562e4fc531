"""One assessment as every channel (REST, FHIR, CDS Hooks) runs it: limits, engine, audit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mbcnav.errors import InputError
from mbcnav.knowledge import Knowledge
from mbcnav.service.audit import AssessmentEntry, AuditStore, RawJSON, input_hash
from mbcnav.service.security import Caller
from mbcnav.service.settings import Settings
from mbcnav.types import Assessment, Patient


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


__all__ = ["check_limits", "dump", "record", "run_engine"]
