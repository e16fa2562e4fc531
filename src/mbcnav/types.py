"""The public shapes of CONTRACTS.md: a Patient goes in, an Assessment comes out.

Pydantic at the boundary, frozen, ``extra="forbid"``: a misspelt field is an error, never
silently ignored, because a clinician's input that is dropped without a word is a safety risk.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

ReceptorStatus = Literal["positive", "negative", "unknown"]
Her2Status = Literal["positive", "low", "ultralow", "zero", "negative", "unknown"]
Setting = Literal["surveillance", "suspected", "metastatic"]
Urgency = Literal["emergency", "urgent", "soon", "routine"]
Modality = Literal[
    "chemotherapy",
    "radiotherapy",
    "hormonal_therapy",
    "targeted_therapy",
    "immunotherapy",
    "surgery",
    "supportive_medication",
]
Subtype = Literal[
    "hr_pos_her2_neg", "hr_pos_her2_pos", "hr_neg_her2_pos", "triple_negative", "unknown"
]

URGENCY_ORDER: tuple[Urgency, ...] = ("emergency", "urgent", "soon", "routine")
MODALITIES: tuple[Modality, ...] = (
    "chemotherapy",
    "radiotherapy",
    "hormonal_therapy",
    "targeted_therapy",
    "immunotherapy",
    "surgery",
    "supportive_medication",
)
NOTICE = "Decision support for clinicians; it does not replace clinical judgement."
PATIENT_NOTICE = (
    "This handout supports, and does not replace, the judgement of your care team. "
    "Talk to them about what it means for you."
)

Probability = Annotated[float, Field(ge=0.0, le=1.0)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FindingInput(_Frozen):
    """A coded finding: a symptom or sign from the knowledge base, present or absent."""

    id: str = Field(pattern=r"^sym:[a-z0-9_]+$", examples=["sym:back_pain"])
    present: bool = Field(default=True, strict=True)


class Labs(_Frozen):
    """Laboratory values; either unit of a pair may be given, SI wins when both are. JSON
    numbers only: true or "2.9" is refused, never guessed."""

    calcium_corrected_mmol_l: float | None = Field(default=None, strict=True, gt=0, lt=10)
    calcium_mg_dl: float | None = Field(default=None, strict=True, gt=0, lt=40)
    bilirubin_umol_l: float | None = Field(default=None, strict=True, ge=0, lt=1500)
    bilirubin_mg_dl: float | None = Field(default=None, strict=True, ge=0, lt=90)
    bilirubin_uln_umol_l: float | None = Field(default=None, strict=True, gt=0, lt=100)
    alp_u_l: float | None = Field(default=None, strict=True, ge=0, lt=20000)
    alt_u_l: float | None = Field(default=None, strict=True, ge=0, lt=20000)
    ast_u_l: float | None = Field(default=None, strict=True, ge=0, lt=20000)
    albumin_g_l: float | None = Field(default=None, strict=True, gt=0, lt=100)
    sodium_mmol_l: float | None = Field(default=None, strict=True, gt=50, lt=250)


class Receptors(_Frozen):
    er: ReceptorStatus = "unknown"
    pr: ReceptorStatus = "unknown"
    her2: Her2Status = "unknown"


class Biomarkers(_Frozen):
    """Tumour and germline biomarkers. ``pik3ca_akt1_pten`` is the contract's pooled result
    (one panel, any of the three altered); ``pik3ca``, ``akt1`` and ``pten`` name the gene, which
    the labels need: alpelisib and inavolisib are for PIK3CA mutations only, capivasertib for
    any of the three."""

    esr1: Literal["mutated", "wildtype", "unknown"] = "unknown"
    pik3ca_akt1_pten: Literal["altered", "not_altered", "unknown"] = "unknown"
    gbrca: Literal["mutated", "negative", "unknown"] = "unknown"
    pd_l1_cps: float | None = Field(default=None, strict=True, ge=0, le=100)
    pik3ca: Literal["mutated", "wildtype", "unknown"] = "unknown"
    akt1: Literal["mutated", "wildtype", "unknown"] = "unknown"
    pten: Literal["altered", "not_altered", "unknown"] = "unknown"

    def facts(self) -> dict[str, str | float | None]:
        """The values the decision tables read. The pooled result follows the genes when they
        are given (altered if any is; not altered when all three are negative), so a caller
        may send either form; a pooled "altered" alone says nothing about which gene, so it
        never makes ``pik3ca`` mutated."""
        values: dict[str, str | float | None] = self.model_dump()
        genes = (self.pik3ca == "mutated", self.akt1 == "mutated", self.pten == "altered")
        negative = (self.pik3ca == "wildtype", self.akt1 == "wildtype", self.pten == "not_altered")
        if any(genes):
            values["pik3ca_akt1_pten"] = "altered"
        elif all(negative):
            values["pik3ca_akt1_pten"] = "not_altered"
        return values


def _something_known(schema: dict[str, Any]) -> None:
    """The assessable rule of CONTRACTS.md in the JSON Schema, so clients and generated code see
    it: something clinical (non-blank text, a finding, a lab, a known site, a receptor or
    biomarker other than unknown, a prior therapy); age, sex and setting alone are not enough."""

    def given(name: str, value: dict[str, Any]) -> dict[str, Any]:
        return {"required": [name], "properties": {name: value}}

    def any_field(model: type[BaseModel]) -> dict[str, Any]:
        choices = [given(name, {"not": {"enum": [None, "unknown"]}}) for name in model.model_fields]
        return {"anyOf": choices}

    schema["anyOf"] = [
        given("text", {"type": "string", "pattern": r"\S"}),
        given("findings", {"minItems": 1}),
        given("known_sites", {"minItems": 1}),
        given("prior_therapies", {"minItems": 1}),
        given("labs", any_field(Labs)),
        given("receptors", any_field(Receptors)),
        given("biomarkers", any_field(Biomarkers)),
    ]


class Patient(_Frozen):
    """One patient as CONTRACTS.md shows it. Ids are checked against the knowledge base later."""

    model_config = ConfigDict(json_schema_extra=_something_known)

    id: str | None = Field(default=None, max_length=200)
    text: str | None = None
    findings: tuple[FindingInput, ...] = ()
    labs: Labs = Field(default_factory=Labs)
    receptors: Receptors = Field(default_factory=Receptors)
    biomarkers: Biomarkers = Field(default_factory=Biomarkers)
    setting: Setting = "suspected"
    known_sites: tuple[str, ...] = ()
    prior_therapies: tuple[str, ...] = ()
    age: int | None = Field(default=None, ge=0, le=130, strict=True)
    sex: Literal["female", "male", "other", "unknown"] | None = None
    menopausal_status: Literal["premenopausal", "perimenopausal", "postmenopausal", "unknown"] = (
        Field(
            default="unknown",
            description="Decides ovarian function suppression with endocrine therapy; not "
            "inferred from age (menstrual history and hormone levels decide, and age alone "
            "settles it only from 60 in the NCCN definition)",
        )
    )


class Qualifiers(_Frozen):
    negated: bool = False
    historical: bool = False
    hypothetical: bool = False
    family: bool = False
    uncertain: bool = False


class Trigger(_Frozen):
    """The context cue that set a qualifier, with its character span in the text."""

    category: Literal["negated", "historical", "hypothetical", "family", "uncertain", "section"]
    text: str
    start: int
    end: int


class Finding(_Frozen):
    """A finding the assessment used: coded by the caller or read from text (with its span)."""

    id: str
    present: bool
    source: Literal["coded", "text", "lab"] = "coded"
    text: str | None = None
    start: int | None = None
    end: int | None = None
    qualifiers: Qualifiers = Field(default_factory=Qualifiers)
    triggers: tuple[Trigger, ...] = ()


class SiteMention(_Frozen):
    """A site of spread named in text ("osseous metastases"), known or only suspected."""

    site: str
    status: Literal["known", "suspected", "negated", "historical"]
    text: str
    start: int
    end: int


class Because(_Frozen):
    """One finding's contribution to a site's probability, in log-odds (positive pushes up)."""

    finding: str
    log_odds: float
    present: bool = True


class SitePosterior(_Frozen):
    id: str
    probability: Probability
    prior: Probability
    because: tuple[Because, ...] = ()
    route: str | None = None
    label: str
    plain_label: str
    known: bool = False


class RedFlag(_Frozen):
    id: str
    urgency: Urgency
    because: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    label: str = ""
    plain_label: str = ""
    plain_actions: tuple[str, ...] = ()


class WorkupItem(_Frozen):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    id: str
    urgency: Urgency
    for_: tuple[str, ...] = Field(default=(), alias="for")
    sources: tuple[str, ...] = ()
    label: str = ""
    plain_label: str = ""


class TreatmentOption(_Frozen):
    id: str
    modality: Modality
    intent: str
    line: int | None = None
    because: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    label: str = ""
    plain_label: str = ""
    combines_with: tuple[str, ...] = ()
    follows: tuple[str, ...] = ()
    for_sites: tuple[str, ...] = ()
    suspected: bool = False
    approval: str | None = None


class ConfirmingTest(_Frozen):
    """A test that would confirm the disease an option waits for (a workup row of the knowledge)."""

    id: str
    label: str = ""
    plain_label: str = ""


class DeferredOption(_Frozen):
    """A treatment row whose conditions hold but that is not offered yet: a gate of the
    knowledge (``treatment_gates.yaml``) withholds it until the disease it treats is confirmed.
    It is never in ``treatment_options``; ``reason`` says what must come first."""

    id: str
    modality: Modality
    label: str = ""
    plain_label: str = ""
    for_sites: tuple[str, ...] = ()
    gate: str
    reason: str
    plain_reason: str = ""
    confirm_with: tuple[ConfirmingTest, ...] = ()
    sources: tuple[str, ...] = ()


class Provenance(_Frozen):
    knowledge_version: str
    knowledge_hash: str
    algorithms: dict[str, str] = Field(default_factory=dict)


class Assessment(_Frozen):
    id: str | None = None
    sites: tuple[SitePosterior, ...] = ()
    red_flags: tuple[RedFlag, ...] = ()
    findings: tuple[Finding, ...] = ()
    site_mentions: tuple[SiteMention, ...] = ()
    workup: tuple[WorkupItem, ...] = ()
    treatment_options: tuple[TreatmentOption, ...] = ()
    after_confirmation: tuple[DeferredOption, ...] = Field(
        default=(),
        description="Options to consider once the spread is confirmed: withheld from "
        "treatment_options by a treatment gate, each with the reason and the confirming tests",
    )
    provenance: Provenance
    notice: str = NOTICE


__all__ = [
    "MODALITIES",
    "NOTICE",
    "PATIENT_NOTICE",
    "URGENCY_ORDER",
    "Assessment",
    "Because",
    "Biomarkers",
    "ConfirmingTest",
    "DeferredOption",
    "Finding",
    "FindingInput",
    "Her2Status",
    "Labs",
    "Modality",
    "Patient",
    "Probability",
    "Provenance",
    "Qualifiers",
    "ReceptorStatus",
    "Receptors",
    "RedFlag",
    "Setting",
    "SiteMention",
    "SitePosterior",
    "Subtype",
    "TreatmentOption",
    "Trigger",
    "Urgency",
    "WorkupItem",
]
