"""CDS Hooks 2.0 messages and cards. Mapping only: models, prefetch templates, card building.

Cards follow the spec and the team's conventions: ``critical`` for emergencies, ``warning`` for
other red flags, probable new sites and workup due, ``info`` for treatment options; a
one-sentence summary under 140 characters; the reasons and sources in Markdown ``detail``;
``source.label`` naming the knowledge version; a ``uuid`` on every card; override reasons so a
dismissal comes back through feedback; a link to the mbcnav page for the patient.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal
from urllib.parse import quote, urlencode

from pydantic import BaseModel, ConfigDict, Field

from mbcnav.interop import codes
from mbcnav.knowledge import Knowledge
from mbcnav.render.text import confirm_first, reason_label
from mbcnav.types import (
    Assessment,
    DeferredOption,
    RedFlag,
    SitePosterior,
    TreatmentOption,
    WorkupItem,
)

SERVICE_ID = "mbcnav-patient-view"
OVERRIDE_SYSTEM = "urn:mbcnav:override-reason"
TOPIC_SYSTEM = "urn:mbcnav:card-topic"
SUMMARY_MAX = 139
MIN_LOG_ODDS = 0.05
Indicator = Literal["info", "warning", "critical"]


class _Open(BaseModel):
    """CDS Hooks messages may carry fields added by later spec versions: keep, don't refuse."""

    model_config = ConfigDict(extra="allow")


class FhirAuthorization(_Open):
    access_token: str
    token_type: str = "Bearer"
    expires_in: int | None = None
    scope: str | None = None
    subject: str | None = None
    patient: str | None = None


class HookContext(_Open):
    userId: str | None = None
    patientId: str = Field(min_length=1, max_length=200)
    encounterId: str | None = None


class HookRequest(_Open):
    hook: str
    hookInstance: str = Field(min_length=1, max_length=64)
    context: HookContext
    fhirServer: str | None = None
    fhirAuthorization: FhirAuthorization | None = None
    prefetch: dict[str, Any] | None = None


class Coding(_Open):
    system: str | None = None
    code: str
    display: str | None = None


class OverrideReason(_Open):
    reason: Coding | None = None
    userComment: str | None = None


class AcceptedSuggestion(_Open):
    id: str


class FeedbackItem(_Open):
    card: str = Field(min_length=1, max_length=64)
    outcome: Literal["accepted", "overridden"]
    acceptedSuggestions: list[AcceptedSuggestion] | None = None
    overrideReason: OverrideReason | None = None
    outcomeTimestamp: str


class Feedback(_Open):
    feedback: list[FeedbackItem] = Field(min_length=1, max_length=100)


class Source(BaseModel):
    label: str
    url: str | None = None
    icon: str | None = None
    topic: Coding | None = None


class Link(BaseModel):
    label: str
    url: str
    type: Literal["absolute", "smart"] = "absolute"


class Card(BaseModel):
    uuid: str
    summary: str = Field(max_length=SUMMARY_MAX)
    detail: str | None = None
    indicator: Indicator
    source: Source
    links: list[Link] | None = None
    overrideReasons: list[Coding] | None = None


class CardsResponse(BaseModel):
    cards: list[Card]


class ServiceDescription(BaseModel):
    hook: str
    title: str
    description: str
    id: str
    prefetch: dict[str, str]
    usageRequirements: str | None = None


class Discovery(BaseModel):
    services: list[ServiceDescription]


def _observation_codes() -> str:
    loinc = [*codes.RECEPTOR_LOINC, *codes.LAB_LOINC, codes.DISEASE_STATUS_LOINC]
    return ",".join(f"{codes.LOINC}|{code}" for code in loinc)


PREFETCH: dict[str, str] = {
    "patient": "Patient/{{context.patientId}}",
    "conditions": "Condition?patient={{context.patientId}}",
    "observations": "Observation?patient={{context.patientId}}&code=" + _observation_codes(),
    "questionnaireResponses": (
        "QuestionnaireResponse?patient={{context.patientId}}&status=completed"
        "&_sort=-authored&_count=5"
    ),
    "notes": "DocumentReference?patient={{context.patientId}}&status=current&_sort=-date&_count=5",
}
REQUIRED_PREFETCH = ("patient", "conditions", "observations")
PREFETCH_LABELS: dict[str, str] = {
    "patient": "demographics (Patient)",
    "conditions": "conditions",
    "observations": "tumour markers and labs (Observation)",
    "questionnaireResponses": "symptom questionnaires (QuestionnaireResponse)",
    "notes": "clinical notes (DocumentReference)",
}
PREFETCH_TYPES: dict[str, str] = {
    "patient": "Patient",
    "conditions": "Condition",
    "observations": "Observation",
    "questionnaireResponses": "QuestionnaireResponse",
    "notes": "DocumentReference",
}

OVERRIDE_REASONS: tuple[Coding, ...] = tuple(
    Coding(system=OVERRIDE_SYSTEM, code=code, display=display)
    for code, display in (
        ("already-addressed", "Already addressed"),
        ("not-relevant", "Not relevant for this patient"),
        ("chart-data-wrong", "Chart data used is wrong or out of date"),
        ("patient-declined", "Patient declined"),
        ("disagree", "Disagree with the assessment"),
    )
)

# source.topic: lets an EHR group, filter or order mbcnav's cards (spec §Source)
TOPICS: tuple[Coding, ...] = tuple(
    Coding(system=TOPIC_SYSTEM, code=code, display=display)
    for code, display in (
        ("red-flag", "Red flag"),
        ("probable-sites", "Probable sites of spread"),
        ("workup", "Workup due"),
        ("treatment-options", "Treatment options"),
        ("after-confirmation", "Treatment once the spread is confirmed"),
    )
)


def discovery() -> Discovery:
    return Discovery(
        services=[
            ServiceDescription(
                hook="patient-view",
                title="mbcnav: metastatic breast cancer navigator",
                description=(
                    "Where has the cancer probably spread, is anything an emergency, what should "
                    "be checked next, and which treatments fit, with reasons and sources."
                ),
                id=SERVICE_ID,
                prefetch=dict(PREFETCH),
                usageRequirements=(
                    "Needs the patient, conditions and observations prefetch keys, or "
                    "fhirServer and fhirAuthorization to read them (else HTTP 412). Notes are "
                    "read from inline text, HTML or RTF, or from their Binary on fhirServer. "
                    "A key sent as null means no data; an omitted key or an OperationOutcome "
                    "means the client could not prefetch it."
                ),
            )
        ]
    )


def render_template(template: str, context: Mapping[str, Any]) -> str:
    """Fill ``{{context.x}}`` tokens (root-level primitives only, URL-quoted)."""
    out = template
    for key, value in context.items():
        if isinstance(value, str | int | float):
            out = out.replace("{{context." + key + "}}", quote(str(value), safe=""))
    return out


def web_link(
    base_url: str, *, patient_id: str | None = None, assessment_id: str | None = None
) -> str:
    """The mbcnav page for a patient: ``{base}/?patient=…&assessment=…`` (the audit id).

    The web page loads the stored Assessment with ``GET /v1/assessments/{assessment}``.
    """
    params = {
        key: value
        for key, value in (("patient", patient_id), ("assessment", assessment_id))
        if value
    }
    query = urlencode(params)
    return base_url.rstrip("/") + "/" + (f"?{query}" if query else "")


# ---------------------------------------------------------------- cards


def clip(text: str, limit: int = SUMMARY_MAX) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip(" ,;:") + "…"


class _Labels:
    def __init__(self, knowledge: Knowledge) -> None:
        self.k = knowledge

    def symptom(self, ident: str) -> str:
        found = self.k.symptoms.get(ident)
        return found.label if found else ident

    def flag(self, flag: RedFlag) -> str:
        found = self.k.red_flags.get(flag.id)
        return flag.label or (found.label if found else flag.id)

    def workup(self, item: WorkupItem) -> str:
        found = self.k.workup.get(item.id)
        return item.label or (found.label if found else item.id)

    def treatment(self, option: TreatmentOption) -> str:
        found = self.k.treatments.get(option.id)
        return option.label or (found.label if found else option.id)

    def site(self, ident: str) -> str:
        found = self.k.sites.get(ident)
        return found.label if found else ident

    def any(self, token: str) -> str:
        """A label for any knowledge id (site, symptom, flag, workup, option), else as given."""
        for table in (
            self.k.sites,
            self.k.symptoms,
            self.k.red_flags,
            self.k.workup,
            self.k.treatments,
        ):
            found = table.get(token)
            if found is not None:
                return str(found.label)
        return token

    def sources(self, ids: Iterable[str]) -> str:
        lines = []
        for ident in dict.fromkeys(ids):
            source = self.k.sources.get(ident)
            if source is None:
                lines.append(f"- `{ident}`")
                continue
            citation = clip(source.citation, 200)
            lines.append(f"- [{citation}]({source.url})" if source.url else f"- {citation}")
        return "\n".join(lines)


def short(label: str) -> str:
    """The head of a knowledge label, for summaries ("Whole-spine MRI (sagittal …)" → …)."""
    return label.split(" (", 1)[0].split(";", 1)[0].strip()


def site_name(site_id: str) -> str:
    return site_id.split(":", 1)[-1].replace("_", " ")


def _md_escape(text: str) -> str:
    return text.replace("*", "\\*").replace("_", "\\_").replace("[", "\\[").replace("]", "\\]")


def _flag_card(flag: RedFlag, labels: _Labels) -> tuple[Indicator, str, str]:
    label = labels.flag(flag)
    indicator: Indicator = "critical" if flag.urgency == "emergency" else "warning"
    summary = clip(f"{flag.urgency.capitalize()}: {label}")
    parts = [f"**{_md_escape(label)}** — urgency: **{flag.urgency}**."]
    if flag.because:
        parts.append(
            "**Why:** " + ", ".join(_md_escape(labels.symptom(b)) for b in flag.because) + "."
        )
    if flag.actions:
        parts.append("**What to do:**\n" + "\n".join(f"- {_md_escape(a)}" for a in flag.actions))
    if flag.sources:
        parts.append("**Sources:**\n" + labels.sources(flag.sources))
    return indicator, summary, "\n\n".join(parts)


def _site_line(site: SitePosterior, labels: _Labels) -> str:
    reasons = ", ".join(
        f"{_md_escape(reason_label(labels.k, b.finding, b.present))} "
        f"({'+' if b.log_odds >= 0 else ''}"
        f"{b.log_odds:.2f})"
        for b in sorted(site.because, key=lambda b: -abs(b.log_odds))[:4]
        if abs(b.log_odds) >= MIN_LOG_ODDS
    )
    line = (
        f"- **{_md_escape(site.label)}**: {site.probability:.0%} "
        f"(before findings: {site.prior:.0%})"
    )
    return line + (f" — because of {reasons}" if reasons else "")


def _sites_card(
    sites: list[SitePosterior], labels: _Labels, knowledge: Knowledge
) -> tuple[Indicator, str, str]:
    names = ", ".join(f"{site_name(s.id)} ({s.probability:.0%})" for s in sites)
    summary = clip(f"Possible spread to {names}")
    sources = [
        src for s in sites if s.id in knowledge.sites for src in knowledge.sites[s.id].sources
    ]
    detail = (
        "Probability of involvement given the findings (log-odds contributions):\n\n"
        + "\n".join(_site_line(site, labels) for site in sites)
    )
    if sources:
        detail += "\n\n**Sources:**\n" + labels.sources(sources)
    return "warning", summary, detail


def _workup_card(items: list[WorkupItem], labels: _Labels) -> tuple[Indicator, str, str]:
    first = items[0]
    more = f" and {len(items) - 1} more" if len(items) > 1 else ""
    summary = clip(f"Workup due: {short(labels.workup(first))} ({first.urgency}){more}")
    lines = []
    for item in items:
        sites = ", ".join(labels.any(s) for s in item.for_)
        lines.append(
            f"- **{_md_escape(labels.workup(item))}** — {item.urgency}"
            + (f", for {_md_escape(sites)}" if sites else "")
        )
    sources = [src for item in items for src in item.sources]
    detail = "\n".join(lines) + ("\n\n**Sources:**\n" + labels.sources(sources) if sources else "")
    return "warning", summary, detail


def _treatment_card(options: list[TreatmentOption], labels: _Labels) -> tuple[Indicator, str, str]:
    modalities = ", ".join(dict.fromkeys(o.modality.replace("_", " ") for o in options))
    summary = clip(f"{len(options)} treatment options to discuss ({modalities})")
    lines = []
    for option in options:
        line_no = f", line {option.line}" if option.line else ""
        reasons = "; ".join(labels.any(reason) for reason in option.because)
        why = f" — {_md_escape(reasons)}" if reasons else ""
        lines.append(
            f"- **{_md_escape(labels.treatment(option))}** ({option.modality.replace('_', ' ')}"
            f"{line_no}, {option.intent.replace('_', ' ')}){why}"
        )
    sources = [src for option in options for src in option.sources]
    detail = (
        "Options, not directives; the choice stays with the care team and the patient.\n\n"
        + "\n".join(lines)
        + ("\n\n**Sources:**\n" + labels.sources(sources) if sources else "")
    )
    return "info", summary, detail


def _after_confirmation_card(
    assessment: Assessment, options: list[DeferredOption], labels: _Labels
) -> tuple[Indicator, str, str]:
    """The options a treatment gate withholds until the spread is confirmed, tests first."""
    tests = [short(test.label or test.id) for o in options for test in o.confirm_with]
    first = ", ".join(dict.fromkeys(tests)) or "imaging or a biopsy"
    summary = clip(f"Confirm the spread first: {first}")
    by_reason: dict[str, list[str]] = {}
    for option in options:
        by_reason.setdefault(option.reason, []).append(option.label or option.id)
    blocks = [
        f"{_md_escape(reason[:1].upper() + reason[1:])}:\n"
        + "\n".join(f"- {_md_escape(name)}" for name in names)
        for reason, names in by_reason.items()
    ]
    sources = [src for option in options for src in option.sources]
    detail = (
        f"**{_md_escape(confirm_first(assessment) or '')}**\n\n"
        + "\n\n".join(blocks)
        + ("\n\n**Sources:**\n" + labels.sources(sources) if sources else "")
    )
    return "info", summary, detail


def _unread(items: Sequence[str]) -> str:
    shown = "; ".join(_md_escape(item) for item in items[:3])
    more = f" and {len(items) - 3} more" if len(items) > 3 else ""
    return f"\n\n**Not read from the chart:** {shown}{more}."


def build_cards(
    assessment: Assessment,
    knowledge: Knowledge,
    *,
    link: str | None = None,
    unread: Sequence[str] = (),
) -> list[dict[str, Any]]:
    """Cards for one assessment, most urgent first, as spec JSON (no nulls, no empty lists).

    ``unread`` names chart items that could not be mapped, so the clinician sees the limits.
    """
    labels = _Labels(knowledge)
    threshold = knowledge.network.thresholds.suspected_site
    bodies = [(TOPICS[0], _flag_card(f, labels)) for f in assessment.red_flags]
    probable = [s for s in assessment.sites if not s.known and s.probability >= threshold]
    if probable:
        bodies.append((TOPICS[1], _sites_card(probable, labels, knowledge)))
    if assessment.workup:
        bodies.append((TOPICS[2], _workup_card(list(assessment.workup), labels)))
    if assessment.treatment_options:
        bodies.append((TOPICS[3], _treatment_card(list(assessment.treatment_options), labels)))
    if assessment.after_confirmation:
        waiting = list(assessment.after_confirmation)
        bodies.append((TOPICS[4], _after_confirmation_card(assessment, waiting, labels)))
    provenance = assessment.provenance
    label = f"mbcnav knowledge {provenance.knowledge_version} ({provenance.knowledge_hash[:19]})"
    links = [Link(label="Open in mbcnav", url=link)] if link else None
    notice = (_unread(unread) if unread else "") + f"\n\n_{assessment.notice}_"
    cards = [
        Card(
            uuid=str(uuid.uuid4()),
            summary=summary,
            detail=detail + notice,
            indicator=indicator,
            source=Source(label=label, topic=topic),
            links=links,
            overrideReasons=list(OVERRIDE_REASONS),
        )
        for topic, (indicator, summary, detail) in bodies
    ]
    return [card.model_dump(mode="json", exclude_none=True) for card in cards]


__all__ = [
    "OVERRIDE_REASONS",
    "PREFETCH",
    "PREFETCH_LABELS",
    "PREFETCH_TYPES",
    "REQUIRED_PREFETCH",
    "SERVICE_ID",
    "TOPICS",
    "Card",
    "CardsResponse",
    "Discovery",
    "Feedback",
    "FeedbackItem",
    "HookRequest",
    "build_cards",
    "clip",
    "discovery",
    "render_template",
    "web_link",
]
