"""The patient handout: the same assessment in plain words, at a reading grade of 8 or less.

Built as data first (:class:`Handout`: sections of short sentences and lists), then drawn as
HTML here and as a PDF in :mod:`mbcnav.render.pdf`, so both say exactly the same thing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from mbcnav.knowledge import Knowledge
from mbcnav.render.markup import Html, el
from mbcnav.render.spread import suspected_sites
from mbcnav.render.text import URGENCY_PLAIN, confirm_first, plain_label_of, urgency_rank
from mbcnav.types import MODALITIES, PATIENT_NOTICE, Assessment, Modality

FAMILY_NAME: dict[Modality, str] = {
    "chemotherapy": "Chemotherapy",
    "radiotherapy": "Radiotherapy",
    "hormonal_therapy": "Hormone therapy",
    "targeted_therapy": "Targeted therapy",
    "immunotherapy": "Immunotherapy",
    "surgery": "Surgery",
    "supportive_medication": "Supportive medicines",
}
FAMILY_TEXT: dict[Modality, str] = {
    "chemotherapy": "Drugs that kill cancer cells or stop them from growing.",
    "radiotherapy": "Strong x-ray beams aimed at one spot to shrink the cancer or ease pain.",
    "hormonal_therapy": "Medicines that block the hormones some breast cancers need to grow.",
    "targeted_therapy": "Medicines that act on one gene or protein in the cancer cells.",
    "immunotherapy": "Medicines that help your own body's defence system fight the cancer.",
    "surgery": "An operation to take out a growth or to make a weak bone strong.",
    "supportive_medication": "Medicines that ease pain and other problems and keep bones strong.",
}
INTRO = (
    "This sheet sums up what your care team put into a computer tool. "
    "It shows what your signs may mean, which tests may come next, and the kinds of care. "
    "It is not a diagnosis."
)
QUOTE_LIMIT, QUOTES_SHOWN = 60, 8
# The lead of "What to do now", by the most urgent raised flag: the flags' own plain actions say
# what to do; these only say how soon, so an emergency is never introduced as "soon".
ACT_LEAD: dict[str, tuple[str, ...]] = {
    "emergency": (
        "Some of your signs may be an emergency. Do what it says below now. Do not wait.",
        "If you cannot reach your care team, go to the emergency department or call for "
        "emergency help.",
    ),
    "urgent": (
        "Some of your signs need care today. Do what it says below today.",
        "Call your care team. If you cannot reach them, call for emergency help.",
    ),
    "soon": (
        "Some of your signs need care soon. Do what it says below.",
        "Call your care team. If you cannot reach them, call for emergency help.",
    ),
}
# How soon, in front of each flag's actions, so the order is plain even when read aloud.
ACT_WHEN: dict[str, str] = {
    "emergency": "Now",
    "urgent": "Today",
    "soon": "Soon",
    "routine": "At your next visit",
}
AIMS = (
    "There are seven main kinds of care. They can be used alone, together, or one after the "
    "other. The aims are to control the disease, to ease symptoms, and to help you live longer."
)


@dataclass(frozen=True)
class Section:
    """One part of the handout: a heading, a few short paragraphs, a list."""

    id: str
    heading: str
    paragraphs: tuple[str, ...] = ()
    items: tuple[str, ...] = ()
    urgent: bool = False


@dataclass(frozen=True)
class Handout:
    title: str
    sections: tuple[Section, ...]
    notice: str
    version: str

    def plain_text(self) -> str:
        """All words of the handout, one sentence or list item per line (for reading grade)."""
        lines = [self.title]
        for part in self.sections:
            lines += [part.heading, *part.paragraphs, *part.items]
        lines.append(self.notice)
        return "\n".join(lines)


def _sentence(text: str) -> str:
    text = text.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def _inline(text: str) -> str:
    """A label placed mid-sentence: lower-case first letter, unless it starts an acronym."""
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(item for item in items if item))


def _act_now(assessment: Assessment, knowledge: Knowledge | None) -> Section | None:
    """The raised flags, most urgent first, the lead sentence set by the most urgent one (the
    field test found "need care soon" above "go to the emergency department now")."""
    raised = sorted(assessment.red_flags, key=lambda f: urgency_rank(f.urgency))
    if not raised:
        return None
    items = [
        ACT_WHEN.get(flag.urgency, ACT_WHEN["routine"])
        + " — "
        + _sentence(
            f"{flag.plain_label or plain_label_of(knowledge, flag.id)}: "
            + " ".join(_sentence(a) for a in flag.plain_actions).rstrip(".")
        )
        for flag in raised
    ]
    lead = ACT_LEAD.get(raised[0].urgency, ACT_LEAD["soon"])
    return Section(
        id="act-now", heading="What to do now", paragraphs=lead, items=_unique(items), urgent=True
    )


def _signs_of(knowledge: Knowledge | None, flag_id: str, plain_label: str) -> str:
    """What a patient would notice (the rule's ``plain_signs``), else the problem's name."""
    rule = knowledge.red_flags.get(flag_id) if knowledge else None
    if rule is not None and rule.plain_signs:
        return " ".join(_sentence(sign) for sign in rule.plain_signs)
    return plain_label


def _help_at_once(assessment: Assessment, knowledge: Knowledge | None) -> Section:
    rules = knowledge.red_flags.values() if knowledge else ()
    signs = [
        _signs_of(knowledge, r.id, r.plain_label)
        for r in rules
        if r.urgency in ("emergency", "urgent")
    ]
    signs += [_signs_of(knowledge, f.id, f.plain_label) for f in assessment.red_flags]
    return Section(
        id="help-at-once",
        heading="When to get help at once",
        paragraphs=(
            "These problems need help at once. Call your care team, day or night, if you think "
            "you may have one of them.",
        ),
        items=_unique(_sentence(sign) for sign in signs if sign),
    )


def _written(assessment: Assessment) -> tuple[str, ...]:
    """The words of the note or of the patient that the reader took as present findings,
    quoted as written (the PDF now prints any script), so the patient sees what was heard."""
    spans = (
        " ".join(f.text.split())
        for f in assessment.findings
        if f.source == "text" and f.present and f.text and f.text.strip()
    )
    clipped = (
        span if len(span) <= QUOTE_LIMIT else span[: QUOTE_LIMIT - 1] + "…" for span in spans
    )
    return tuple(f"“{span}”" for span in _unique(clipped))[:QUOTES_SHOWN]


def _meaning(assessment: Assessment, knowledge: Knowledge | None) -> Section:
    sites = suspected_sites(assessment, knowledge)
    known = [_inline(plain_label_of(knowledge, s.id)) for s in sites if s.known]
    maybe = sorted((s for s in sites if not s.known), key=lambda s: -s.probability)
    items: list[str] = []
    for site in maybe:
        signs = [
            _inline(plain_label_of(knowledge, b.finding))
            for b in site.because
            if b.log_odds > 0 and b.present
        ]
        place = site.plain_label or plain_label_of(knowledge, site.id)
        linked = f", linked to: {', '.join(signs[:3])}" if signs else ""
        items.append(_sentence(f"{place}{linked}"))
    paragraphs = ["Breast cancer cells can spread to other parts of the body."]
    said = _written(assessment)
    if said:
        paragraphs.append("What was written about you: " + ", ".join(said) + ".")
    if maybe:
        paragraphs.append("Your signs may point to these places. The most likely comes first.")
    else:
        paragraphs.append(
            "Your signs do not point clearly to a new place. Your team will still "
            "check you with care."
        )
    if known:
        paragraphs.append(
            _sentence("Your team already knows the cancer is in: " + ", ".join(known))
        )
    absent = [
        _inline(plain_label_of(knowledge, f.id)) for f in assessment.findings if not f.present
    ]
    if absent:
        paragraphs.append(_sentence("You said you do not have: " + ", ".join(_unique(absent))))
    return Section(
        id="meaning",
        heading="What your signs may mean",
        paragraphs=tuple(paragraphs),
        items=_unique(items),
    )


def _tests(assessment: Assessment, knowledge: Knowledge | None) -> Section:
    ordered = sorted(assessment.workup, key=lambda w: urgency_rank(w.urgency))
    items = [
        _sentence(
            f"{w.plain_label or plain_label_of(knowledge, w.id)}: "
            f"{URGENCY_PLAIN.get(w.urgency, 'when your team says')}"
        )
        for w in ordered
    ]
    lead = (
        "Your team may want these tests. They help find out where the cancer is."
        if items
        else "No new test is suggested right now. Ask your team if this changes."
    )
    return Section(
        id="tests", heading="Tests that may come next", paragraphs=(lead,), items=_unique(items)
    )


def _care(assessment: Assessment, knowledge: Knowledge | None) -> Section:
    suggested: dict[str, list[str]] = {m: [] for m in MODALITIES}
    for option in assessment.treatment_options:
        suggested[option.modality].append(
            option.plain_label or plain_label_of(knowledge, option.id)
        )
    items = []
    for modality in MODALITIES:
        line = f"{FAMILY_NAME[modality]}: {FAMILY_TEXT[modality]}"
        if suggested[modality]:
            picks = _unique(_inline(label) for label in suggested[modality])
            line += " Your team may talk with you about: " + "; ".join(picks)
        items.append(_sentence(line))
    waiting = confirm_first(assessment, plain=True)
    paragraphs = (AIMS,) if waiting is None else (AIMS, waiting)
    return Section(id="care", heading="Kinds of care", paragraphs=paragraphs, items=tuple(items))


def build_handout(assessment: Assessment, knowledge: Knowledge | None = None) -> Handout:
    """The plain-language handout for one assessment."""
    return Handout(
        title="Your results in plain words",
        sections=tuple(
            part
            for part in (
                _act_now(assessment, knowledge),
                Section(id="about", heading="About this sheet", paragraphs=(INTRO,)),
                _meaning(assessment, knowledge),
                _tests(assessment, knowledge),
                _care(assessment, knowledge),
                _help_at_once(assessment, knowledge),
            )
            if part is not None
        ),
        notice=PATIENT_NOTICE,
        version=assessment.provenance.knowledge_version,
    )


def _section_html(part: Section) -> Html:
    return el(
        "section",
        el("h2", part.heading, id=f"h-{part.id}"),
        [el("p", text) for text in part.paragraphs],
        el("ul", [el("li", item) for item in part.items]) if part.items else None,
        id=part.id,
        class_="urgent" if part.urgent else None,
        aria_labelledby=f"h-{part.id}",
        role="alert" if part.urgent else None,
    )


def handout_html(handout: Handout) -> Html:
    """The handout as an HTML article (the page adds the print and PDF buttons)."""
    return el(
        "article",
        el("h1", handout.title),
        [_section_html(part) for part in handout.sections],
        el("p", handout.notice, class_="notice", id="patient-notice"),
        el("p", f"Knowledge version {handout.version}.", class_="small"),
        class_="handout",
    )
