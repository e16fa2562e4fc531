"""Pydantic models of the knowledge YAML files: the shape a clinician reviewer edits.

Every model forbids unknown keys, so a typo in a YAML file is reported, not ignored. Clinical
records carry ``sources`` (ids from ``sources.yaml``); numbers no study gives carry an
``estimate`` with its rationale and the nearest source instead of posing as facts.

Conditions (``when:``) are one small language shared by red flags, derived findings, workup
and treatment decision tables; ``mbcnav.rules`` evaluates them. Each condition is a mapping
with exactly one leading key::

    {all: [...]} {any: [...]} {not: {...}} {at_least: 2, of: [...]}
    {finding: sym:x}              finding present (coded, from text, or derived from labs)
    {absent: sym:x}               finding explicitly absent
    {lab: calcium_corrected_mmol_l, gt: 2.9}     numeric lab (gt/ge/lt/le)
    {receptor: er, in: [positive]}
    {biomarker: esr1, in: [mutated]} / {biomarker: pd_l1_cps, ge: 10}
    {setting: [metastatic, suspected]}
    {menopausal_status: [premenopausal, perimenopausal]}
    {site: site:liver, status: known_or_suspected}
    {flag: flag:hepatic_visceral_crisis}
    {prior_therapy: tx:ai_cdk46i} / {prior_modality: chemotherapy}

``prior_therapy`` ids are treatment rows (``treatments.yaml``) or prior-therapy terms
(``prior_therapies.yaml``: adjuvant and other non-option therapies).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

from mbcnav.types import URGENCY_ORDER, Modality, Subtype, Urgency

IdSite = Annotated[str, Field(pattern=r"^site:[a-z0-9_]+$")]
IdSymptom = Annotated[str, Field(pattern=r"^sym:[a-z0-9_]+$")]
IdFlag = Annotated[str, Field(pattern=r"^flag:[a-z0-9_]+$")]
IdWork = Annotated[str, Field(pattern=r"^work:[a-z0-9_]+$")]
IdTx = Annotated[str, Field(pattern=r"^tx:[a-z0-9_]+$")]
IdSource = Annotated[str, Field(pattern=r"^src:[a-z0-9_]+$")]
IdRoute = Annotated[str, Field(pattern=r"^route:[a-z0-9_]+$")]
IdGate = Annotated[str, Field(pattern=r"^gate:[a-z0-9_]+$")]
Prob = Annotated[float, Field(ge=0.0, le=1.0)]

LabName = Literal[
    "calcium_corrected_mmol_l",
    "bilirubin_umol_l",
    "bilirubin_x_uln",
    "alp_u_l",
    "alt_u_l",
    "ast_u_l",
    "albumin_g_l",
    "sodium_mmol_l",
    "haemoglobin_g_l",
    "platelets_10e9_l",
    "neutrophils_10e9_l",
    "ferritin_ug_l",
    "spo2_percent",
    "respiratory_rate_per_min",
    "heart_rate_per_min",
    "systolic_bp_mmhg",
    "diastolic_bp_mmhg",
    "temperature_c",
    "inr",
    "gcs",
    "calcium_ionised_mmol_l",
]
BodyArea = Literal[
    "head_brain",
    "eyes",
    "chest_lungs",
    "abdomen",
    "back_spine",
    "bones_joints",
    "nerves_limbs",
    "bladder_bowel",
    "lymph_nodes",
    "skin_chest_wall",
    "general",
    "labs",
]
BodyMapRegion = Literal[
    "head",
    "eye",
    "neck",
    "axilla",
    "chest_wall",
    "lungs",
    "pleura",
    "heart",
    "liver",
    "abdomen",
    "gi_tract",
    "adrenal",
    "pelvis",
    "ovary",
    "spine",
    "limbs",
    "skeleton",
    "meninges",
    "marrow",
]
Intent = Literal[
    "control_and_extend_life",
    "symptom_relief",
    "prevent_complications",
    "local_control",
    "emergency_relief",
]
ApprovalStatus = Literal["approved", "not_approved", "pending", "guideline_standard", "unconfirmed"]
"""``unconfirmed``: an approval reported only by a secondary source or recalled (fact sheet S/U),
not yet checked against the regulator's text; ``approved`` (with a date) needs that text (P)."""
PriorSetting = Literal["adjuvant", "metastatic", "any"]
WorkupKind = Literal["imaging", "lab", "biopsy", "biomarker", "clinical", "procedure"]


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class Estimate(Model):
    """A number no study gives directly: why we chose it and which source is nearest."""

    rationale: str = Field(min_length=10)
    nearest_source: IdSource


SourceKind = Literal["guideline", "trial", "study", "label", "review", "other"]
# Kinds written before knowledge 1.1.0: still parsed, so that an old file reads, but
# ``kb check`` (MBC-E211) asks for one of ``SourceKind`` instead.
LegacySourceKind = Literal["primary", "secondary", "derived", "regulator"]
SOURCE_KINDS: tuple[str, ...] = ("guideline", "trial", "study", "label", "review", "other")


class Source(Model):
    """Where a fact was read. ``publisher`` is the journal or the body that issued it (NICE,
    ESMO, FDA...), so a reader can judge it before opening the link; ``kind`` says what it is:
    a guideline or consensus, a trial report, another study (cohort, series), a drug label or
    regulator's notice, a review or textbook, or other (vocabularies, data sets)."""

    id: IdSource
    citation: str
    publisher: str | None = None
    url: str | None = None
    doi: str | None = None
    pmid: str | None = Field(default=None, pattern=r"^\d{1,9}$")
    accessed: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    kind: SourceKind | LegacySourceKind = "other"
    note: str | None = None


class DeniedDomain(Model):
    """A web domain no source may be served from, and why (SEO spam, AI summariser...)."""

    domain: str = Field(pattern=r"^[a-z0-9.-]+\.[a-z]{2,}$")
    reason: str = Field(min_length=1)


class AuthoritativeDomain(Model):
    """A domain whose pages are primary or authoritative: a guideline body, a regulator, a
    journal or its index (PubMed, PMC, doi.org). Only the source report reads this list."""

    domain: str = Field(pattern=r"^[a-z0-9.-]+\.[a-z]{2,}$")
    body: Literal["guideline body", "regulator", "journal", "index", "label"]


class RetiredSource(Model):
    """A source taken out of ``sources.yaml`` (a secondary summary, a mirror, a news report) and
    the sources that replace it. ``kb check`` names the replacements when a record still cites
    the old id, and ``scripts/repoint_retired_sources.py`` rewrites such citations, e.g. after
    merging a branch written before the retirement. No replacement: cite the original."""

    id: IdSource
    replaced_by: tuple[IdSource, ...] = ()
    reason: str = Field(min_length=1)


class SourceRules(Model):
    """What ``kb check`` asks of every source (``source_rules.yaml``): data, not code."""

    denied: tuple[DeniedDomain, ...] = ()
    authoritative: tuple[AuthoritativeDomain, ...] = ()
    retired: tuple[RetiredSource, ...] = ()


class Lexicon(Model):
    """The words the text reader matches: clinicians' terms, patients' words, short forms."""

    clinical: tuple[str, ...] = ()
    lay: tuple[str, ...] = ()
    abbreviations: tuple[str, ...] = ()
    misspellings: tuple[str, ...] = ()

    def all_terms(self) -> tuple[str, ...]:
        return self.clinical + self.lay + self.abbreviations + self.misspellings


class Codes(Model):
    snomed: tuple[str, ...] = ()
    icd10cm: tuple[str, ...] = ()
    loinc: tuple[str, ...] = ()


# ---------------------------------------------------------------- conditions


class AllOf(Model):
    all: tuple[Condition, ...]


class AnyOf(Model):
    any: tuple[Condition, ...]


class Not(Model):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True, populate_by_name=True)
    not_: Condition = Field(alias="not")


class AtLeast(Model):
    at_least: int = Field(ge=1)
    of: tuple[Condition, ...]


class FindingPresent(Model):
    finding: IdSymptom


class FindingAbsent(Model):
    absent: IdSymptom


class _Compare(Model):
    gt: float | None = None
    ge: float | None = None
    lt: float | None = None
    le: float | None = None


class LabCompare(_Compare):
    lab: LabName


class ReceptorIn(Model):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True, populate_by_name=True)
    receptor: Literal["er", "pr", "her2"]
    in_: tuple[str, ...] = Field(alias="in")


class BiomarkerCompare(_Compare):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True, populate_by_name=True)
    biomarker: Literal["esr1", "pik3ca_akt1_pten", "pik3ca", "akt1", "pten", "gbrca", "pd_l1_cps"]
    in_: tuple[str, ...] | None = Field(default=None, alias="in")


class SettingIn(Model):
    setting: tuple[Literal["surveillance", "suspected", "metastatic"], ...]


class MenopausalIn(Model):
    menopausal_status: tuple[
        Literal["premenopausal", "perimenopausal", "postmenopausal", "unknown"], ...
    ]


class SiteStatus(Model):
    site: IdSite
    status: Literal["known", "suspected", "known_or_suspected"] = "known_or_suspected"


class FlagRaised(Model):
    flag: IdFlag


class PriorTherapy(Model):
    prior_therapy: IdTx


class PriorModality(Model):
    prior_modality: Modality


class SubtypeIn(Model):
    subtype: tuple[Subtype, ...]


_CONDITION_KEYS = (
    "all",
    "any",
    "not",
    "at_least",
    "finding",
    "absent",
    "lab",
    "receptor",
    "biomarker",
    "setting",
    "menopausal_status",
    "site",
    "flag",
    "prior_therapy",
    "prior_modality",
    "subtype",
)


def _condition_tag(value: Any) -> str | None:
    if isinstance(value, dict):
        for key in _CONDITION_KEYS:
            if key in value:
                return key
        return None
    for key in _CONDITION_KEYS:
        attr = "not_" if key == "not" else key
        if hasattr(value, attr):
            return key
    return None


Condition = Annotated[
    Union[  # noqa: UP007 (tagged union members carry Annotated tags)
        Annotated[AllOf, Tag("all")],
        Annotated[AnyOf, Tag("any")],
        Annotated[Not, Tag("not")],
        Annotated[AtLeast, Tag("at_least")],
        Annotated[FindingPresent, Tag("finding")],
        Annotated[FindingAbsent, Tag("absent")],
        Annotated[LabCompare, Tag("lab")],
        Annotated[ReceptorIn, Tag("receptor")],
        Annotated[BiomarkerCompare, Tag("biomarker")],
        Annotated[SettingIn, Tag("setting")],
        Annotated[MenopausalIn, Tag("menopausal_status")],
        Annotated[SiteStatus, Tag("site")],
        Annotated[FlagRaised, Tag("flag")],
        Annotated[PriorTherapy, Tag("prior_therapy")],
        Annotated[PriorModality, Tag("prior_modality")],
        Annotated[SubtypeIn, Tag("subtype")],
    ],
    Discriminator(_condition_tag),
]

for _model in (AllOf, AnyOf, Not, AtLeast):
    _model.model_rebuild()


# ---------------------------------------------------------------- concepts (reading)

IdConceptPart = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]


class Head(Model):
    """A complaint word family the reader composes with body parts ("pain", "weakness").

    ``words`` are lemmas (base forms): the reader adds their inflections, British/American
    spellings and misspellings from a generated table, so "hurts", "aching" and "weakened"
    need no entry of their own.
    """

    id: IdConceptPart
    words: tuple[str, ...] = Field(min_length=1)


class BodyPart(Model):
    """A body part with its clinical and lay words, the region rules name, and the sites it
    lies over (documentation for reviewers; sites are reached through the findings)."""

    id: IdConceptPart
    region: IdConceptPart
    clinical: tuple[str, ...] = ()
    lay: tuple[str, ...] = ()
    sites: tuple[IdSite, ...] = ()

    def words(self) -> tuple[str, ...]:
        return self.clinical + self.lay


class ConceptRule(Model):
    """(head × region) → finding: a complaint word and a body part of one of ``regions`` in
    one clause read as ``finding`` ("my ribs hurt" → bone pain)."""

    head: IdConceptPart
    regions: tuple[IdConceptPart, ...] = Field(min_length=1)
    finding: IdSymptom
    sources: tuple[IdSource, ...] = Field(min_length=1)
    note: str | None = None


class Concepts(Model):
    """``concepts.yaml``: heads, the anatomy table and the rules composing them."""

    heads: tuple[Head, ...] = ()
    anatomy: tuple[BodyPart, ...] = ()
    rules: tuple[ConceptRule, ...] = ()


# ---------------------------------------------------------------- records


class Meta(Model):
    name: str
    version: str = Field(pattern=r"^\d+\.\d+\.\d+$")
    released: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    description: str


class Thresholds(Model):
    """Probabilities that turn a posterior into action; chosen, so each carries its reason."""

    suspected_site: Prob
    workup_site: Prob
    treat_suspected_site: Prob = Field(
        description="An unconfirmed site this probable lists its site-directed options under "
        "Assessment.after_confirmation; it never makes them offered (treatment_gates.yaml)"
    )
    workup_odds_ratio: float = Field(
        default=1.0,
        ge=1.0,
        description="Site-directed workup also needs the findings to multiply the site's prior "
        "odds by at least this much, so a high prior alone (known spread elsewhere) orders no "
        "symptom-directed tests",
    )
    rationale: str


class Route(Model):
    id: IdRoute
    label: str
    plain_explanation: str
    reaches: tuple[IdSite, ...]
    order: int = Field(ge=0, description="Distance from the breast: 0 local, 1 nodes, 2 organs")
    sources: tuple[IdSource, ...]


class Site(Model):
    id: IdSite
    label: str
    plain_label: str
    body_map: BodyMapRegion
    codes: Codes = Codes()
    routes: tuple[IdRoute, ...]
    terms: Lexicon = Lexicon()
    plain_explanation: str | None = None
    sources: tuple[IdSource, ...]


class Symptom(Model):
    """A finding the reader and the rules know. ``kind: context`` marks a fact about treatment
    or course (recent chemotherapy, an antibody-drug conjugate being given) that red flags ask
    about but that says nothing about where the cancer has spread: it is no network column, so
    it has no link and no leak."""

    id: IdSymptom
    label: str
    plain_label: str
    body_area: BodyArea
    kind: Literal["symptom", "sign", "lab", "context"] = "symptom"
    terms: Lexicon = Lexicon()
    codes: Codes = Codes()
    derive_from: Condition | None = None
    estimate: Estimate | None = Field(
        default=None, description="Why a derive_from threshold no source states was chosen"
    )
    article: bool = Field(default=False, description="Named in the patient article")
    lasting: bool = Field(
        default=False,
        description=(
            "A trait that does not pass (the tumour's histology): a statement of it in the "
            "history still describes the patient now, so a historical mention counts as present."
        ),
    )
    sources: tuple[IdSource, ...]

    @property
    def in_network(self) -> bool:
        """Whether the site network weighs this finding (every kind but ``context``)."""
        return self.kind != "context"


class Prior(Model):
    """P(site involved | metastatic disease, subtype), with the cohort's denominator."""

    site: IdSite
    metastatic: dict[Subtype, Prob]
    denominator: str
    sources: tuple[IdSource, ...]
    estimate: Estimate | None = None


class SettingScale(Model):
    """Multiplier from metastatic-setting priors to another setting's priors."""

    setting: Literal["surveillance", "suspected", "metastatic"]
    scale: Annotated[float, Field(gt=0.0, le=1.0)]
    sources: tuple[IdSource, ...]
    estimate: Estimate | None = None


class Link(Model):
    """P(symptom | only this site involved): one noisy-OR arc."""

    site: IdSite
    symptom: IdSymptom
    p: Prob
    sources: tuple[IdSource, ...]
    estimate: Estimate | None = None


class Leak(Model):
    """P(symptom | no site involved): the background rate from every other cause."""

    symptom: IdSymptom
    leak: Annotated[float, Field(gt=0.0, lt=1.0)]
    sources: tuple[IdSource, ...]
    estimate: Estimate | None = None


class SubtypeRule(Model):
    """How receptors define a subtype; rules are tried in order and the first match wins."""

    subtype: Subtype
    when: Condition
    sources: tuple[IdSource, ...]


class MentionEvidence(Model):
    """How much a site named as *suspected* in text ("?liver metastases") says: a virtual
    noisy-OR finding of that site, P(mention | site involved) = ``p``, otherwise ``leak``."""

    p: Prob
    leak: Annotated[float, Field(gt=0.0, lt=1.0)]
    sources: tuple[IdSource, ...] = ()
    estimate: Estimate | None = None


class NegationEvidence(Model):
    """How much a site named as *free of disease* in text ("no evidence of liver metastases")
    says against it: the virtual finding "a report shows disease at this site", observed
    absent, with P(report shows disease | site involved) = ``p`` (the sensitivity of what was
    said). Observed absent, a noisy-OR finding multiplies the site's odds by exactly ``1 - p``
    whatever its leak, so it has none."""

    p: Prob
    sources: tuple[IdSource, ...] = ()
    estimate: Estimate | None = None


class Network(Model):
    thresholds: Thresholds
    subtypes: tuple[SubtypeRule, ...]
    settings: tuple[SettingScale, ...]
    priors: tuple[Prior, ...]
    links: tuple[Link, ...]
    leaks: tuple[Leak, ...]
    suspected_mention: MentionEvidence | None = None
    negated_mention: NegationEvidence | None = None


class Escalation(Model):
    """If the flag is raised and ``when`` also holds, raise its urgency to ``urgency`` (never
    lower it) and append these actions; one rule per problem instead of a second flag."""

    urgency: Urgency
    when: Condition
    actions: tuple[str, ...] = ()
    plain_actions: tuple[str, ...] = ()


class RedFlagRule(Model):
    """``plain_label`` names the problem; ``plain_signs`` say what a patient would notice (short
    sentences, reading grade 6 or less), for the handout's "get help at once" list."""

    id: IdFlag
    label: str
    plain_label: str
    plain_signs: tuple[str, ...] = ()
    urgency: Urgency
    when: Condition
    actions: tuple[str, ...]
    plain_actions: tuple[str, ...]
    workup: tuple[IdWork, ...] = ()
    sites: tuple[IdSite, ...] = ()
    escalations: tuple[Escalation, ...] = ()
    sources: tuple[IdSource, ...]

    @model_validator(mode="after")
    def _escalations_raise(self) -> RedFlagRule:
        base = URGENCY_ORDER.index(self.urgency)
        for escalation in self.escalations:
            if URGENCY_ORDER.index(escalation.urgency) > base:
                raise ValueError(
                    f"an escalation may not lower the urgency ({escalation.urgency} is less "
                    f"urgent than {self.urgency})"
                )
        return self

    def escalated(
        self, holds: Callable[[Condition], bool]
    ) -> tuple[Urgency, tuple[str, ...], tuple[str, ...], tuple[int, ...]]:
        """Apply the escalations to a raised flag: ``holds(condition)`` says whether a condition
        is true for the patient. Returns the urgency (the most urgent of the rule's and of every
        escalation that holds), the rule's actions followed by those escalations' actions (in
        file order), the same for plain actions, and the indexes of the escalations applied."""
        applied = tuple(i for i, esc in enumerate(self.escalations) if holds(esc.when))
        chosen = [self.urgency, *(self.escalations[i].urgency for i in applied)]
        urgency = min(chosen, key=URGENCY_ORDER.index)
        actions = self.actions + tuple(a for i in applied for a in self.escalations[i].actions)
        plain = self.plain_actions + tuple(
            a for i in applied for a in self.escalations[i].plain_actions
        )
        return urgency, actions, plain, applied


class SiteWorkup(Model):
    site: IdSite
    urgency: Urgency = "soon"


class Workup(Model):
    """A test. ``when`` selects an item without ``for_sites`` (biomarker tests); on a
    site-directed item it is a gate the patient must also meet (first metastasis only)."""

    id: IdWork
    label: str
    plain_label: str
    kind: WorkupKind
    for_sites: tuple[SiteWorkup, ...] = ()
    when: Condition | None = None
    urgency: Urgency = "soon"
    sources: tuple[IdSource, ...]


class Approval(Model):
    status: ApprovalStatus
    region: str = "US"
    date: str | None = None
    note: str | None = None


class Treatment(Model):
    """One row of the treatment decision table: an option and the conditions that select it."""

    id: IdTx
    label: str
    plain_label: str
    modality: Modality
    regimen_class: str
    intent: Intent
    line: int | None = Field(default=None, ge=1, le=5)
    when: Condition
    for_sites: tuple[IdSite, ...] = ()
    combines_with: tuple[IdTx, ...] = ()
    follows: tuple[IdTx, ...] = ()
    approval: Approval
    rank: int = Field(default=50, ge=0, le=100, description="Lower shows first within a modality")
    sources: tuple[IdSource, ...]


class GateScope(Model):
    """Which selected treatment rows a gate looks at: every criterion given must hold.

    ``site_directed``: rows aimed at a site (they name ``for_sites``, or were selected through
    a site that is only suspected). ``flag_measures``: whether rows selected because a red flag
    was raised are in scope; emergency measures do not wait for confirmation, so most gates
    leave them out."""

    modalities: tuple[Modality, ...] = ()
    treatments: tuple[IdTx, ...] = ()
    for_sites: tuple[IdSite, ...] = ()
    site_directed: bool = False
    flag_measures: bool = False


class TreatmentGate(Model):
    """A rule every selected treatment row in the gate's scope must also pass to be offered.

    One gate states one clinical principle for many rows (systemic therapy needs confirmed
    metastatic disease; a site-directed procedure needs its site confirmed), so the rows
    themselves need not repeat it. ``requires`` is a condition on the patient;
    ``requires_known_site`` asks that one of the row's sites be known (given, or stated as
    established in the text), never merely probable. A row that fails is withheld; with
    ``after_confirmation`` it is listed as an option to consider once the disease is confirmed,
    with ``reason`` and the tests that would confirm it (``confirm_with``, plus, for a site
    gate, the site's tests of the kinds ``confirm_kinds``)."""

    id: IdGate
    label: str
    scope: GateScope
    requires: Condition | None = None
    requires_known_site: bool = False
    after_confirmation: bool = True
    reason: str = Field(min_length=10)
    plain_reason: str = Field(min_length=10)
    confirm_with: tuple[IdWork, ...] = ()
    confirm_kinds: tuple[WorkupKind, ...] = ()
    sources: tuple[IdSource, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _gates_something(self) -> TreatmentGate:
        if self.requires is None and not self.requires_known_site:
            raise ValueError("a gate needs 'requires', 'requires_known_site' or both")
        return self


class PriorTherapyTerm(Model):
    """A therapy a patient may have had that is not an option of the decision table (adjuvant
    treatment, a generic earlier line). Patients name it in ``prior_therapies``; conditions
    test it with ``{prior_therapy: id}``. Only ``metastatic`` and ``any`` terms count towards
    ``{prior_modality: …}`` (a line given for metastatic disease); adjuvant terms match by id."""

    id: IdTx
    label: str
    plain_label: str | None = None
    modality: Modality
    setting: PriorSetting
    note: str | None = None
    sources: tuple[IdSource, ...]


__all__ = [
    "AllOf",
    "AnyOf",
    "Approval",
    "AtLeast",
    "BiomarkerCompare",
    "BodyPart",
    "Codes",
    "ConceptRule",
    "Concepts",
    "Condition",
    "Escalation",
    "Estimate",
    "FindingAbsent",
    "FindingPresent",
    "FlagRaised",
    "GateScope",
    "Head",
    "LabCompare",
    "Leak",
    "Lexicon",
    "Link",
    "MentionEvidence",
    "Meta",
    "Model",
    "NegationEvidence",
    "Network",
    "Not",
    "Prior",
    "PriorModality",
    "PriorTherapy",
    "PriorTherapyTerm",
    "ReceptorIn",
    "RedFlagRule",
    "Route",
    "SettingIn",
    "SettingScale",
    "Site",
    "SiteStatus",
    "SiteWorkup",
    "Source",
    "SubtypeIn",
    "SubtypeRule",
    "Symptom",
    "Thresholds",
    "Treatment",
    "TreatmentGate",
    "Workup",
    "WorkupKind",
]
