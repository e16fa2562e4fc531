"""CDS Hooks 2.0 messages and cards. Mapping only: models, prefetch templates, card building.

Cards follow the spec and the team's conventions: ``critical`` for emergencies, ``warning`` for
other red flags, probable new sites and workup due, ``info`` for treatment options; a
one-sentence summary under 140 characters; the reasons and sources in Markdown ``detail``;
``source.label`` naming the knowledge version; a ``uuid`` on every card; override reasons so a
dismissal comes back through feedback; a link to the mbcnav page for the patient.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal
from urllib.parse import quote, urlencode

from pydantic import BaseModel, ConfigDict, Field

from mbcnav.interop import codes
from mbcnav.knowledge import Knowledge
from mbcnav.render.text import confirm_first, readable, reason_label
from mbcnav.types import (
    NOTICE,
    Assessment,
    DeferredOption,
    Patient,
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
    expires_in: int | None = Field(default=None, strict=True)
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
    "medicationStatements": "MedicationStatement?patient={{context.patientId}}",
    "medicationRequests": (
        "MedicationRequest?patient={{context.patientId}}&_include=MedicationRequest:medication"
    ),
    "medicationAdministrations": (
        "MedicationAdministration?patient={{context.patientId}}"
        "&_include=MedicationAdministration:medication"
    ),
}
REQUIRED_PREFETCH = ("patient", "conditions", "observations")
PREFETCH_LABELS: dict[str, str] = {
    "patient": "demographics (Patient)",
    "conditions": "conditions",
    "observations": "tumour markers and labs (Observation)",
    "questionnaireResponses": "symptom questionnaires (QuestionnaireResponse)",
    "notes": "clinical notes (DocumentReference)",
    "medicationStatements": "medication history (MedicationStatement)",
    "medicationRequests": "medication orders (MedicationRequest)",
    "medicationAdministrations": "medications given (MedicationAdministration)",
}
PREFETCH_TYPES: dict[str, str] = {
    "patient": "Patient",
    "conditions": "Condition",
    "observations": "Observation",
    "questionnaireResponses": "QuestionnaireResponse",
    "notes": "DocumentReference",
    "medicationStatements": "MedicationStatement",
    "medicationRequests": "MedicationRequest",
    "medicationAdministrations": "MedicationAdministration",
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
        ("chart", "What was read from the chart"),
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
                    "read from inline text, HTML or RTF, or from their Binary on fhirServer; "
                    "prior therapies from MedicationStatement, MedicationRequest and "
                    "MedicationAdministration (RxNorm or ATC). "
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
        return found.label if found else readable(self.k, ident)

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

    def prior(self, ident: str) -> str:
        found = self.k.treatments.get(ident) or self.k.prior_therapies.get(ident)
        return short(found.label) if found else ident

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
        return readable(self.k, token)

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
    """Text as literal Markdown: one line, no emphasis, links, headings, HTML or code. Card
    text may come from the chart (a Condition's display), so nothing in it may render."""
    flat = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return _MD_SPECIAL.sub(lambda match: "\\" + match.group(0), flat)


_MD_SPECIAL = re.compile(r"[\\`*_\[\]<>#&~|!]")
FIRST_ACTIONS = 3
FIRST_ITEMS = 4
FIRST_SOURCES = 2


def _more(count: int, what: str) -> str:
    return f"\n\n_{count} more {what} in mbcnav (Open in mbcnav)._" if count > 0 else ""


def _flag_card(flag: RedFlag, labels: _Labels) -> tuple[Indicator, str, str]:
    """Summary, why, the first actions and sources; the rest is one click away (the link)."""
    label = labels.flag(flag)
    indicator: Indicator = "critical" if flag.urgency == "emergency" else "warning"
    summary = clip(f"{flag.urgency.capitalize()}: {label}")
    parts = [f"**{_md_escape(label)}** — urgency: **{flag.urgency}**."]
    if flag.because:
        parts.append(
            "**Why:** " + ", ".join(_md_escape(labels.symptom(b)) for b in flag.because) + "."
        )
    actions = list(flag.actions)
    if actions:
        parts.append(
            "**What to do:**\n" + "\n".join(f"- {_md_escape(a)}" for a in actions[:FIRST_ACTIONS])
        )
    sources = list(dict.fromkeys(flag.sources))
    if sources:
        parts.append("**Sources:**\n" + labels.sources(sources[:FIRST_SOURCES]))
    rest = max(0, len(actions) - FIRST_ACTIONS) + max(0, len(sources) - FIRST_SOURCES)
    return indicator, summary, "\n\n".join(parts) + _more(rest, "actions and sources")


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
    shown = sites[:FIRST_ITEMS]
    sources = list(
        dict.fromkeys(
            src for s in shown if s.id in knowledge.sites for src in knowledge.sites[s.id].sources
        )
    )
    detail = (
        "Probability of involvement given the findings (log-odds contributions):\n\n"
        + "\n".join(_site_line(site, labels) for site in shown)
    )
    if sources:
        detail += "\n\n**Sources:**\n" + labels.sources(sources[:FIRST_SOURCES])
    rest = len(sites) - len(shown) + max(0, len(sources) - FIRST_SOURCES)
    return "warning", summary, detail + _more(rest, "sites and sources")


def _workup_card(items: list[WorkupItem], labels: _Labels) -> tuple[Indicator, str, str]:
    first = items[0]
    more = f" and {len(items) - 1} more" if len(items) > 1 else ""
    summary = clip(f"Workup due: {short(labels.workup(first))} ({first.urgency}){more}")
    lines = []
    shown = items[:FIRST_ITEMS]
    for item in shown:
        sites = ", ".join(labels.any(s) for s in item.for_)
        lines.append(
            f"- **{_md_escape(labels.workup(item))}** — {item.urgency}"
            + (f", for {_md_escape(sites)}" if sites else "")
        )
    sources = list(dict.fromkeys(src for item in shown for src in item.sources))
    detail = "\n".join(lines)
    if sources:
        detail += "\n\n**Sources:**\n" + labels.sources(sources[:FIRST_SOURCES])
    rest = len(items) - len(shown) + max(0, len(sources) - FIRST_SOURCES)
    return "warning", summary, detail + _more(rest, "tests and sources")


def _treatment_card(options: list[TreatmentOption], labels: _Labels) -> tuple[Indicator, str, str]:
    modalities = ", ".join(dict.fromkeys(o.modality.replace("_", " ") for o in options))
    summary = clip(f"{len(options)} treatment options to discuss ({modalities})")
    lines = []
    shown = options[:FIRST_ITEMS]
    for option in shown:
        line_no = f", line {option.line}" if option.line else ""
        reasons = "; ".join(labels.any(reason) for reason in option.because)
        why = f" — {_md_escape(reasons)}" if reasons else ""
        lines.append(
            f"- **{_md_escape(labels.treatment(option))}** ({option.modality.replace('_', ' ')}"
            f"{line_no}, {option.intent.replace('_', ' ')}){why}"
        )
    sources = list(dict.fromkeys(src for option in shown for src in option.sources))
    detail = "Options, not directives; the choice stays with the care team and the patient.\n\n"
    detail += "\n".join(lines)
    if sources:
        detail += "\n\n**Sources:**\n" + labels.sources(sources[:FIRST_SOURCES])
    rest = len(options) - len(shown) + max(0, len(sources) - FIRST_SOURCES)
    return "info", summary, detail + _more(rest, "options and sources")


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
    sources = list(dict.fromkeys(src for option in options for src in option.sources))
    detail = f"**{_md_escape(confirm_first(assessment) or '')}**\n\n" + "\n\n".join(blocks)
    if sources:
        detail += "\n\n**Sources:**\n" + labels.sources(sources[:FIRST_SOURCES])
    return "info", summary, detail + _more(len(sources) - FIRST_SOURCES, "sources")


UNREAD_SHOWN = 10


def _receptor_text(patient: Patient) -> str:
    names = {"er": "ER", "pr": "PR", "her2": "HER2"}
    known = [
        f"{names[key]} {value}"
        for key, value in patient.receptors.model_dump().items()
        if value != "unknown"
    ]
    return ", ".join(known)


def _chart_card(
    patient: Patient | None, unread: Sequence[str], labels: _Labels
) -> tuple[Indicator, str, str] | None:
    """What mbcnav took from the chart, and what it could not read. Never silent: present
    whenever part of the chart was not read, or the chart shows known disease (so such a
    chart always gets a card, even with nothing else to say)."""
    known = bool(patient and (patient.known_sites or patient.setting == "metastatic"))
    unread = list(dict.fromkeys(unread))
    if not unread and not known:
        return None
    lines: list[str] = []
    heads: list[str] = []
    if patient is not None:
        sites = ", ".join(labels.site(site) for site in patient.known_sites)
        if known:
            heads.append("metastatic disease" + (f" ({sites})" if sites else ""))
            lines.append("- **Known metastatic disease:** " + _md_escape(sites or "site not coded"))
        receptors = _receptor_text(patient)
        if receptors:
            heads.append(receptors)
            lines.append("- **Receptors:** " + _md_escape(receptors))
        if patient.prior_therapies:
            heads.append(f"{len(patient.prior_therapies)} prior therapies")
            therapies = "; ".join(labels.prior(ident) for ident in patient.prior_therapies)
            lines.append("- **Prior therapies (medication history):** " + _md_escape(therapies))
    if unread:
        count = len(unread)
        heads.append(f"{count} item{'s' if count > 1 else ''} could not be read")
        shown = "\n".join(f"  - {_md_escape(clip(item, 200))}" for item in unread[:UNREAD_SHOWN])
        more = f"\n  - and {count - UNREAD_SHOWN} more" if count > UNREAD_SHOWN else ""
        lines.append("- **Not read from the chart:**\n" + shown + more)
    indicator: Indicator = "warning" if unread and not known else "info"
    summary = clip("From the chart: " + "; ".join(heads))
    return indicator, summary, "\n".join(lines)


def source_label(knowledge: Knowledge) -> str:
    return f"mbcnav knowledge {knowledge.version} ({knowledge.hash[:19]})"


def build_cards(
    assessment: Assessment | None,
    knowledge: Knowledge,
    *,
    link: str | None = None,
    unread: Sequence[str] = (),
    patient: Patient | None = None,
) -> list[dict[str, Any]]:
    """Cards for one assessment, most urgent first, as spec JSON (no nulls, no empty lists).

    ``unread`` names chart items that could not be read or mapped and ``patient`` is what was
    read: both go in the chart card, so the clinician sees the limits. ``assessment`` is None
    when nothing clinical was found (only the chart card then, if it has anything to say).
    """
    labels = _Labels(knowledge)
    bodies: list[tuple[Coding, tuple[Indicator, str, str]]] = []
    if assessment is not None:
        threshold = knowledge.network.thresholds.suspected_site
        bodies += [(TOPICS[0], _flag_card(f, labels)) for f in assessment.red_flags]
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
    chart = _chart_card(patient, unread, labels)
    if chart is not None:
        bodies.append((TOPICS[5], chart))
    label = source_label(knowledge)
    links = [Link(label="Open in mbcnav", url=link)] if link else None
    notice = f"\n\n_{assessment.notice if assessment is not None else NOTICE}_"
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
    "source_label",
    "web_link",
]
