"""An Assessment as FHIR R4: one ``RiskAssessment`` (a prediction per site) and one
``DetectedIssue`` per red flag, in a ``collection`` Bundle, each checked by the R4B models."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from mbcnav.errors import InteropError
from mbcnav.interop.codes import FLAG_SNOMED, SNOMED
from mbcnav.knowledge import Knowledge
from mbcnav.types import Assessment, RedFlag, SitePosterior

SITE_SYSTEM = "urn:mbcnav:site"
FLAG_SYSTEM = "urn:mbcnav:flag"
FINDING_SYSTEM = "urn:mbcnav:finding"
SOURCE_SYSTEM = "urn:mbcnav:source"
ALGORITHM_SYSTEM = "urn:mbcnav:algorithm"
SEVERITY = {"emergency": "high", "urgent": "high", "soon": "moderate", "routine": "low"}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _prediction(site: SitePosterior) -> dict[str, Any]:
    reasons = ", ".join(f"{b.finding} ({b.log_odds:+.2f})" for b in site.because[:5])
    out: dict[str, Any] = {
        "outcome": {
            "coding": [{"system": SITE_SYSTEM, "code": site.id, "display": site.label}],
            "text": site.label,
        },
        "probabilityDecimal": round(site.probability, 4),
    }
    if site.known:
        out["qualitativeRisk"] = {"text": "known site"}
    if reasons:
        out["rationale"] = f"Log-odds contributions: {reasons}"
    return out


def _risk_assessment(assessment: Assessment, subject: dict[str, str], when: str) -> dict[str, Any]:
    provenance = assessment.provenance
    algorithm = provenance.algorithms.get("reason", "mbcnav")
    resource: dict[str, Any] = {
        "resourceType": "RiskAssessment",
        "id": str(uuid.uuid4()),
        "status": "final",
        "subject": subject,
        "occurrenceDateTime": when,
        "method": {
            "coding": [
                {
                    "system": ALGORITHM_SYSTEM,
                    "code": algorithm,
                    "version": provenance.knowledge_version,
                    "display": f"mbcnav knowledge {provenance.knowledge_version}",
                }
            ],
            "text": f"mbcnav knowledge {provenance.knowledge_version} "
            f"({provenance.knowledge_hash})",
        },
        "note": [{"text": assessment.notice}],
    }
    if assessment.sites:
        resource["prediction"] = [_prediction(site) for site in assessment.sites]
    return resource


def _sentence(text: str) -> str:
    """One clean sentence: no trailing ';' or '.' pile-up (the field test saw ".;" joins)."""
    text = " ".join(text.split()).rstrip(" ;.,")
    return text + "." if text else ""


def _flag_code(flag: RedFlag, label: str) -> dict[str, Any]:
    coding = [{"system": FLAG_SYSTEM, "code": flag.id, "display": label}]
    if flag.id in FLAG_SNOMED:
        code, display = FLAG_SNOMED[flag.id]
        coding.append({"system": SNOMED, "code": code, "display": display})
    return {"coding": coding, "text": label}


def _evidence(flag: RedFlag, knowledge: Knowledge | None) -> list[dict[str, Any]]:
    """One ``evidence`` per finding behind the flag, then one per source (by citation)."""
    items: list[dict[str, Any]] = []
    for finding in dict.fromkeys(flag.because):
        symptom = knowledge.symptoms.get(finding) if knowledge else None
        label = symptom.label if symptom else finding
        coding = {"system": FINDING_SYSTEM, "code": finding, "display": label}
        items.append({"code": [{"coding": [coding], "text": label}]})
    for ident in dict.fromkeys(flag.sources):
        source = knowledge.sources.get(ident) if knowledge else None
        citation = source.citation if source else ident
        items.append({"detail": [{"display": citation}]})
    return items


def _detected_issue(
    flag: RedFlag, subject: dict[str, str], when: str, knowledge: Knowledge | None
) -> dict[str, Any]:
    """A red flag as a DetectedIssue: both codes, clean-text detail, one evidence per item and
    ``reference`` (a single URI in R4) the first source's address."""
    label = flag.label or (
        knowledge.red_flags[flag.id].label
        if knowledge and flag.id in knowledge.red_flags
        else flag.id
    )
    actions = " ".join(_sentence(action) for action in flag.actions)
    detail = f"{_sentence(label)[:-1]} (urgency: {flag.urgency}). {actions}".strip()
    resource: dict[str, Any] = {
        "resourceType": "DetectedIssue",
        "id": str(uuid.uuid4()),
        "status": "final",
        "code": _flag_code(flag, label),
        "severity": SEVERITY[flag.urgency],
        "identifiedDateTime": when,
        "detail": detail,
    }
    if "reference" in subject:
        resource["patient"] = subject
    evidence = _evidence(flag, knowledge)
    if evidence:
        resource["evidence"] = evidence
    if flag.sources:
        first = knowledge.sources.get(flag.sources[0]) if knowledge else None
        url = first.url if first is not None else None
        resource["reference"] = url or f"{SOURCE_SYSTEM}:{flag.sources[0]}"
    return resource


def _validate(resource: dict[str, Any]) -> dict[str, Any]:
    from fhir.resources.R4B.detectedissue import DetectedIssue
    from fhir.resources.R4B.riskassessment import RiskAssessment

    model: dict[str, Any] = {"RiskAssessment": RiskAssessment, "DetectedIssue": DetectedIssue}
    try:
        model[resource["resourceType"]].model_validate(resource)
    except ValidationError as exc:
        raise InteropError(
            f"mbcnav built an invalid FHIR {resource['resourceType']}", code="MBC-E300"
        ) from exc
    return resource


def assessment_to_fhir(
    assessment: Assessment, *, subject: str | None = None, knowledge: Knowledge | None = None
) -> dict[str, Any]:
    """A ``collection`` Bundle: the RiskAssessment first, then one DetectedIssue per flag."""
    reference = {"reference": subject} if subject else {"display": "unidentified patient"}
    when = _now()
    resources = [_validate(_risk_assessment(assessment, reference, when))]
    resources += [
        _validate(_detected_issue(flag, reference, when, knowledge))
        for flag in assessment.red_flags
    ]
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": when,
        "entry": [
            {"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource}
            for resource in resources
        ],
    }


__all__ = ["assessment_to_fhir"]
