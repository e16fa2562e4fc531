"""assess() and assess_many(): validate → read text → reason → recommend. No I/O.

``assess_many`` stacks every patient (and its leave-one-out explanation rows) into one
finding matrix and runs the batched inference once, so a thousand patients cost little more
than one numpy call; each patient still gets exactly the numbers ``assess`` would give.

``detail="screen"`` is the lean path cohort screening uses: the same findings, site
probabilities and red flags, but no leave-one-out rows (so no ``because``), no spread route,
no workup and no treatment options. (Its objects are still built validated: on pydantic 2.14
``model_construct`` is slower than validating these small models, measured 2.3 vs 1.3 µs.)
``assess_screened`` gives the same sites, red flags and findings without building the
Assessment at all, for screening rows.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple, TypeVar

import numpy as np
from pydantic import TypeAdapter, ValidationError

from mbcnav.errors import InputError, MbcnavError
from mbcnav.knowledge.loader import load_knowledge
from mbcnav.knowledge.model import Knowledge
from mbcnav.reason.evidence import Evidence, TextReadingLike, gather, observed_columns
from mbcnav.reason.explain import contribution_fields, likely_routes
from mbcnav.reason.inference import BoolArray, IntArray, infer_batch
from mbcnav.reason.network import FloatArray, NetworkTables, tables_for
from mbcnav.reason.red_flags import raised_flags
from mbcnav.recommend import treatment_plan, workup_items
from mbcnav.rules import Facts, Test, compiled_test, per_knowledge
from mbcnav.types import (
    Assessment,
    DeferredOption,
    Finding,
    Patient,
    Provenance,
    RedFlag,
    SitePosterior,
    TreatmentOption,
    WorkupItem,
)

MAX_TEXT_CHARS = 100_000
MAX_FINDINGS = 500
DIGITS = 6
REASON_ALGORITHM = "reason.noisy_or_exact.v1"
Detail = Literal["full", "screen"]
R = TypeVar("R")
_VALUE_ERRORS = {"literal_error", "enum", "string_pattern_mismatch", "bool_parsing"}


@dataclass(frozen=True)
class _Prepared:
    """One checked patient, ready for inference."""

    patient: Patient
    evidence: Evidence
    facts: Facts
    prior: FloatArray
    clamped: FloatArray
    observed: list[tuple[str, bool, int]]
    extract_algorithm: str | None


def _to_patient(data: Patient | Mapping[str, Any]) -> Patient:
    if isinstance(data, Patient):
        return data
    if not isinstance(data, Mapping):
        raise InputError("A patient must be a JSON object", allowed="an object", got=data)
    try:
        return Patient.model_validate(dict(data))
    except ValidationError as exc:
        raise _input_error(exc) from exc


def _input_error(exc: ValidationError) -> InputError:
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "patient"
    kind = first["type"]
    code = "MBC-E103" if kind in _VALUE_ERRORS else "MBC-E100"
    if where.startswith("labs.") and kind != "extra_forbidden":
        code = "MBC-E107"
    if kind == "extra_forbidden":
        return InputError(
            f"The field '{where}' is not part of a patient",
            code=code,
            allowed="one of the Patient fields (mbcnav schema patient)",
            got=first.get("input"),
            field=where,
        )
    expected = (first.get("ctx") or {}).get("expected")
    allowed = str(expected) if expected else first["msg"].lower()
    return InputError(
        f"The '{where}' value",
        code=code,
        allowed=allowed,
        got=first.get("input"),
        field=where,
    )


def _check_ids(patient: Patient, knowledge: Knowledge) -> None:
    groups = (
        ("findings", [f.id for f in patient.findings], knowledge.symptoms, "sym"),
        ("known_sites", list(patient.known_sites), knowledge.sites, "site"),
        ("prior_therapies", list(patient.prior_therapies), None, "tx"),
    )
    for field, idents, known, prefix in groups:
        for ident in idents:
            if not (ident in known if known is not None else knowledge.is_therapy(ident)):
                raise InputError(
                    f"The {field} id '{ident}'",
                    code="MBC-E102",
                    allowed=f"an id of the knowledge base matching ^{prefix}:[a-z0-9_]+$ "
                    "(list them with `mbcnav kb show`)",
                    got=ident,
                    field=field,
                )


def _check_size(patient: Patient) -> None:
    text = patient.text or ""
    if len(text) > MAX_TEXT_CHARS:
        raise InputError(
            "The patient text",
            code="MBC-E105",
            allowed=f"at most {MAX_TEXT_CHARS} characters",
            got=f"{len(text)} characters",
            field="text",
        )
    if len(patient.findings) > MAX_FINDINGS:
        raise InputError(
            "The list of findings",
            code="MBC-E105",
            allowed=f"at most {MAX_FINDINGS} long",
            got=len(patient.findings),
            field="findings",
        )
    if not _known_anything(patient):
        raise InputError(
            "The patient",
            code="MBC-E101",
            allowed="something clinical: text, findings, labs, known sites, receptors, "
            "biomarkers or prior therapies",
            got=patient.model_dump(exclude_defaults=True),
        )


def _known_anything(patient: Patient) -> bool:
    """CONTRACTS.md: a patient is assessable when anything clinical is known. Charts from EHRs
    often carry known sites, receptors and drugs without a note; known disease with no
    symptoms still has its restaging and treatment options. Age, sex and setting alone do not
    count: they describe the person, not the disease."""
    if (patient.text or "").strip() or patient.findings:
        return True  # most patients: no need to dump the profile
    values = (
        *patient.labs.model_dump().values(),
        *patient.receptors.model_dump().values(),
        *patient.biomarkers.model_dump().values(),
    )
    return bool(
        patient.known_sites
        or patient.prior_therapies
        or any(value not in (None, "unknown") for value in values)
    )


def _read(patient: Patient, knowledge: Knowledge) -> tuple[TextReadingLike | None, str | None]:
    """Read the text lazily, so the engine works (for coded input) without the text reader."""
    if not (patient.text or "").strip():
        return None, None
    from mbcnav.extract import read_text

    reading: TextReadingLike = read_text(patient.text or "", knowledge)
    algorithm = getattr(reading, "algorithm", None)
    return reading, str(algorithm) if algorithm else "extract"


def _subtype(knowledge: Knowledge, receptors: Mapping[str, str]) -> str:
    """The subtype rules read the receptors alone, and a few receptor profiles make up a whole
    cohort: each profile's subtype is worked out once per knowledge."""
    known = _subtypes(knowledge)
    key = tuple(receptors.items())
    subtype = known.get(key)
    if subtype is None:
        subtype = known[key] = _subtype_of(knowledge, receptors)
    return subtype


def _subtype_of(knowledge: Knowledge, receptors: Mapping[str, str]) -> str:
    facts = Facts(receptors=receptors)
    for subtype, holds in _subtype_rules(knowledge):
        if holds(facts):
            return subtype
    return "unknown"


@per_knowledge
def _subtypes(knowledge: Knowledge) -> dict[tuple[tuple[str, str], ...], str]:
    return {}


@per_knowledge
def _subtype_rules(knowledge: Knowledge) -> list[tuple[str, Test]]:
    return [(rule.subtype, compiled_test(rule.when)) for rule in knowledge.network.subtypes]


def _setting(patient: Patient, evidence: Evidence) -> str:
    """CONTRACTS.md: "metastatic" means spread already known; a patient with known sites whose
    setting was not given explicitly is in that setting, not the default "suspected"."""
    if evidence.known_sites and "setting" not in patient.model_fields_set:
        return "metastatic"
    return patient.setting


def _prepare(data: Patient | Mapping[str, Any], knowledge: Knowledge) -> _Prepared:
    patient = _to_patient(data)
    _check_size(patient)
    _check_ids(patient, knowledge)
    reading, extract_algorithm = _read(patient, knowledge)
    evidence = gather(knowledge, patient, reading)
    tables = tables_for(knowledge)
    receptors = patient.receptors.model_dump()
    subtype = _subtype(knowledge, receptors)
    setting = _setting(patient, evidence)
    prior = tables.prior(subtype, setting).copy()
    clamped = np.zeros(tables.n_sites, dtype=bool)
    for site in evidence.known_sites:
        clamped[tables.site_index[site]] = True
    facts = Facts(
        present=frozenset(evidence.present),
        absent=frozenset(evidence.absent),
        labs=evidence.labs,
        receptors=receptors,
        biomarkers=patient.biomarkers.facts(),
        setting=setting,
        subtype=subtype,
        menopausal_status=patient.menopausal_status,
        known_sites=frozenset(evidence.known_sites),
        prior_therapies=frozenset(patient.prior_therapies),
        prior_modalities=knowledge.prior_modalities(patient.prior_therapies),
    )
    observed = observed_columns(evidence, tables.column_index)
    return _Prepared(patient, evidence, facts, prior, clamped, observed, extract_algorithm)


def _rows(
    prepared: _Prepared, tables: NetworkTables, explain: bool = True
) -> tuple[BoolArray, BoolArray, FloatArray]:
    """The patient's evidence row followed (if ``explain``) by one leave-one-out row per
    observed finding."""
    count = len(prepared.observed) + 1 if explain else 1
    width = len(tables.columns)
    present = np.zeros((count, width), dtype=bool)
    absent = np.zeros((count, width), dtype=bool)
    for index, (_, is_present, column) in enumerate(prepared.observed):
        target = present if is_present else absent
        target[:, column] = True
        if explain:
            target[index + 1, column] = False
    prior = np.where(prepared.clamped, 1.0, prepared.prior)
    return present, absent, np.repeat(prior[None, :], count, axis=0)


def _stacked(
    blocks: list[tuple[BoolArray, BoolArray, FloatArray]],
) -> tuple[BoolArray, BoolArray, FloatArray, IntArray, list[int]]:
    """All patients' rows as one batch, each row's parent (its patient's first row; -1 for
    that row itself) and where each patient's rows start (and the end)."""
    sizes = [block[0].shape[0] for block in blocks]
    bounds = [0, *itertools.accumulate(sizes)]
    parent = np.repeat(np.array(bounds[:-1], dtype=np.intp), sizes)
    parent[bounds[:-1]] = -1
    if len(blocks) == 1:
        return (*blocks[0], parent, bounds)
    present, absent, prior = (np.concatenate([b[i] for b in blocks]) for i in range(3))
    return present, absent, prior, parent, bounds


def _sites(
    prepared: _Prepared, knowledge: Knowledge, tables: NetworkTables, post: FloatArray
) -> tuple[SitePosterior, ...]:
    findings = [(ident, present) for ident, present, _ in prepared.observed]
    clamped = prepared.clamped.tolist()
    because = contribution_fields(findings, post[0], post[1:], clamped)
    probability = dict(zip(tables.sites, post[0].tolist(), strict=True))
    return _site_list(
        prepared, knowledge, tables, post, because, likely_routes(knowledge, probability)
    )


def _screen_sites(
    prepared: _Prepared, knowledge: Knowledge, tables: NetworkTables, post: FloatArray
) -> tuple[SitePosterior, ...]:
    """As :func:`_sites` without explanations: no ``because``, no ``route``."""
    return _site_list(prepared, knowledge, tables, post, None, {})


def _site_list(
    prepared: _Prepared,
    knowledge: Knowledge,
    tables: NetworkTables,
    post: FloatArray,
    because: list[list[dict[str, object]]] | None,
    routes: Mapping[str, str | None],
) -> tuple[SitePosterior, ...]:
    """Every site, most probable first (ties: knowledge order: the sort is stable)."""
    probabilities = [round(p, DIGITS) for p in post[0].tolist()]
    priors = [round(p, DIGITS) for p in prepared.prior.tolist()]
    clamped = prepared.clamped.tolist()
    labels = _site_labels(knowledge, tables.sites)
    made = _SITES(
        [
            {
                "id": site,
                "probability": probabilities[i],
                "prior": priors[i],
                "because": because[i] if because is not None else (),
                "route": routes.get(site),
                "label": label,
                "plain_label": plain_label,
                "known": clamped[i],
            }
            for i, (site, label, plain_label) in enumerate(labels)
        ]
    )
    ranked = sorted(range(len(made)), key=lambda i: -probabilities[i])
    return tuple([made[i] for i in ranked])


_SITES = TypeAdapter(tuple[SitePosterior, ...]).validator.validate_python
"""Every site of a patient validated in one call (one call per site cost a third more)."""


def _site_labels(knowledge: Knowledge, sites: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """Each site with its labels, in ``sites`` order (the network's: fixed per knowledge)."""
    cached = _labelled(knowledge)
    if cached[0] != sites:
        labels = _labels(knowledge)
        return [(site, *labels[site]) for site in sites]
    return cached[1]


@per_knowledge
def _labelled(knowledge: Knowledge) -> tuple[tuple[str, ...], list[tuple[str, str, str]]]:
    sites = tables_for(knowledge).sites
    labels = _labels(knowledge)
    return sites, [(site, *labels[site]) for site in sites]


@per_knowledge
def _labels(knowledge: Knowledge) -> dict[str, tuple[str, str]]:
    return {ident: (site.label, site.plain_label) for ident, site in knowledge.sites.items()}


def _above(sites: Sequence[SitePosterior | RankedSite], threshold: float) -> frozenset[str]:
    return frozenset(s.id for s in sites if not s.known and s.probability >= threshold)


def _flags(
    prepared: _Prepared, knowledge: Knowledge, sites: Sequence[SitePosterior | RankedSite]
) -> tuple[Facts, tuple[RedFlag, ...]]:
    """Red flags (shared by both paths, so screening raises exactly the same ones)."""
    threshold = knowledge.network.thresholds.suspected_site
    suspected = _above(sites, threshold) | set(prepared.evidence.mentioned_suspected)
    facts = prepared.facts.but(suspected_sites=suspected)
    flags = raised_flags(knowledge, facts)
    return facts.but(flags=frozenset(f.id for f in flags)), flags


def _provenance(prepared: _Prepared, knowledge: Knowledge) -> Provenance:
    algorithms = {"reason": REASON_ALGORITHM}
    if prepared.extract_algorithm:
        from mbcnav.extract.hpo import vocabulary_id

        algorithms["extract"] = prepared.extract_algorithm
        algorithms["vocabulary"] = vocabulary_id()
    return Provenance(
        knowledge_version=knowledge.version,
        knowledge_hash=knowledge.hash,
        algorithms=algorithms,
    )


def _finish_screen(
    prepared: _Prepared, knowledge: Knowledge, tables: NetworkTables, post: FloatArray
) -> Assessment:
    sites = _screen_sites(prepared, knowledge, tables, post)
    _, flags = _flags(prepared, knowledge, sites)
    return _assessment(prepared, knowledge, sites, flags)


class RankedSite(NamedTuple):
    """A site's rounded posterior as :class:`SitePosterior` has it, without labels or reasons."""

    id: str
    probability: float
    known: bool


@dataclass(frozen=True, slots=True)
class Screened:
    """What cohort screening writes of a patient: the same sites (most probable first), red
    flags and findings as ``assess_many(..., detail="screen")``'s Assessment, without building
    one (sixteen validated site models and the Assessment itself were a fifth of a screening
    worker's time after reading)."""

    id: str | None
    sites: tuple[RankedSite, ...]
    red_flags: tuple[RedFlag, ...]
    findings: tuple[Finding, ...]


def _finish_screened(
    prepared: _Prepared, knowledge: Knowledge, tables: NetworkTables, post: FloatArray
) -> Screened:
    """As :func:`_finish_screen`: the same rounding, order (stable: ties in network order) and
    red flags."""
    probabilities = [round(p, DIGITS) for p in post[0].tolist()]
    clamped = prepared.clamped.tolist()
    made = [RankedSite(site, probabilities[i], clamped[i]) for i, site in enumerate(tables.sites)]
    sites = tuple(sorted(made, key=lambda site: -site.probability))
    _, flags = _flags(prepared, knowledge, sites)
    return Screened(prepared.patient.id, sites, flags, prepared.evidence.findings)


def _assessment(
    prepared: _Prepared,
    knowledge: Knowledge,
    sites: tuple[SitePosterior, ...],
    flags: tuple[RedFlag, ...],
    workup: tuple[WorkupItem, ...] = (),
    options: tuple[TreatmentOption, ...] = (),
    after_confirmation: tuple[DeferredOption, ...] = (),
) -> Assessment:
    """The one place an Assessment is put together, for the full and the screening paths."""
    return Assessment(
        id=prepared.patient.id,
        sites=sites,
        red_flags=flags,
        findings=prepared.evidence.findings,
        site_mentions=prepared.evidence.site_mentions,
        workup=workup,
        treatment_options=options,
        after_confirmation=after_confirmation,
        provenance=_provenance(prepared, knowledge),
    )


def _treatment_setting(facts: Facts) -> str:
    """The setting the treatment table and its gates read. A known site (given, or stated as
    established in the text) is confirmed spread, which is what "metastatic" means
    (CONTRACTS.md), even when a form sent its default "suspected": the gates then ask whether the
    disease is confirmed, not which radio button was left as it was. "surveillance" beside a
    known site contradicts itself and stays as given (nothing systemic is offered). Priors keep
    the caller's setting."""
    if facts.setting == "suspected" and facts.known_sites:
        return "metastatic"
    return facts.setting


def _finish(
    prepared: _Prepared, knowledge: Knowledge, tables: NetworkTables, post: FloatArray
) -> Assessment:
    sites = _sites(prepared, knowledge, tables, post)
    thresholds = knowledge.network.thresholds
    mentioned = set(prepared.evidence.mentioned_suspected)
    probability = {s.id: s.probability for s in sites}
    facts, flags = _flags(prepared, knowledge, sites)
    priors = {s.id: s.prior for s in sites}
    # Workup asks the posterior itself (threshold and evidence); "suspected" there means named
    # as suspected in text, not a prior that is high because spread is known elsewhere.
    workup_facts = facts.but(suspected_sites=frozenset(mentioned))
    workup = workup_items(knowledge, workup_facts, probability, flags, priors)
    # A site that is only suspected never brings site-directed treatment (the treatment gates
    # withhold it); it lists that treatment as "once confirmed" when named as suspected in the
    # text or when its posterior reaches thresholds.treat_suspected_site.
    listed = _above(sites, thresholds.treat_suspected_site) | mentioned
    treat_facts = facts.but(suspected_sites=frozenset(listed), setting=_treatment_setting(facts))
    plan = treatment_plan(knowledge, treat_facts)
    return _assessment(
        prepared, knowledge, sites, flags, workup, plan.options, plan.after_confirmation
    )


def assess(
    patient: Patient | Mapping[str, Any], *, knowledge: Knowledge | None = None
) -> Assessment:
    """Assess one patient; bad input raises a coded :class:`~mbcnav.errors.InputError`."""
    result = assess_many([patient], knowledge=knowledge)[0]
    if isinstance(result, MbcnavError):
        raise result
    return result


def assess_many(
    patients: Iterable[Patient | Mapping[str, Any]],
    *,
    knowledge: Knowledge | None = None,
    detail: Detail = "full",
) -> list[Assessment | MbcnavError]:
    """Assess many patients with one batched inference; a bad patient yields its error.

    ``detail="screen"``: findings, site probabilities and red flags only (see module doc).
    """
    if detail not in ("full", "screen"):
        raise InputError("The detail level", allowed="'full' or 'screen'", got=detail)
    explain = detail == "full"
    return _batched(patients, knowledge, explain, _finish if explain else _finish_screen)


def assess_screened(
    patients: Iterable[Patient | Mapping[str, Any]], *, knowledge: Knowledge | None = None
) -> list[Screened | MbcnavError]:
    """``assess_many(..., detail="screen")`` reduced to what a screening row holds: per patient
    its sites (rounded probability, most probable first), red flags and findings."""
    return _batched(patients, knowledge, False, _finish_screened)


def _batched(
    patients: Iterable[Patient | Mapping[str, Any]],
    knowledge: Knowledge | None,
    explain: bool,
    finish: Callable[[_Prepared, Knowledge, NetworkTables, FloatArray], R],
) -> list[R | MbcnavError]:
    knowledge = knowledge or load_knowledge()
    tables = tables_for(knowledge)
    prepared: list[_Prepared | MbcnavError] = []
    for patient in patients:
        try:
            prepared.append(_prepare(patient, knowledge))
        except MbcnavError as exc:
            prepared.append(exc)
    good = [p for p in prepared if isinstance(p, _Prepared)]
    if not good:
        return [p for p in prepared if isinstance(p, MbcnavError)]
    present, absent, prior, parent, bounds = _stacked([_rows(p, tables, explain) for p in good])
    post = infer_batch(tables, present, absent, prior, parent=parent if explain else None)
    results = iter(
        finish(p, knowledge, tables, post[bounds[i] : bounds[i + 1]]) for i, p in enumerate(good)
    )
    return [p if isinstance(p, MbcnavError) else next(results) for p in prepared]


__all__ = ["RankedSite", "Screened", "assess", "assess_many", "assess_screened"]
