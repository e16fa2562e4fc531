"""FHIR R4 / mCODE in, FHIR R4 out. Mapping only: no HTTP, no files, no clinical decisions.

In: read leniently from plain dicts (real data breaks strict models: ids with ``_``, two
``value[x]``, STU1 profile names). Secondary cancer conditions give known sites (SNOMED CT and
ICD-10-CM codes, body sites), tumour marker tests give ER/PR/HER2, labs give calcium and
bilirubin, QuestionnaireResponses give findings, DocumentReference text becomes the note, and
MedicationStatement/Request/Administration records give prior therapies (``medications``).
Out: an Assessment as a ``RiskAssessment`` plus one ``DetectedIssue`` per red flag, built as
dicts and validated with the ``fhir.resources.R4B`` models.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from mbcnav.errors import InteropError
from mbcnav.interop import codes, medications, notes
from mbcnav.interop.fhir_out import assessment_to_fhir
from mbcnav.knowledge import Knowledge
from mbcnav.types import FindingInput, Labs, Patient, Receptors

Resource = dict[str, Any]
_SKIP_STATUS = frozenset({"entered-in-error", "cancelled", "refuted", "inactive", "resolved"})
# a medication record that says the drug was not (yet) given
_NOT_GIVEN = frozenset({"not-taken", "not-done", "intended", "draft"})
_NOT_ORDERED = frozenset({"proposal", "plan", "option"})
MEDICATION_KINDS = frozenset(
    {"MedicationStatement", "MedicationRequest", "MedicationAdministration"}
)


@dataclass
class ChartSummary:
    """What the chart said, with what could not be mapped (for the card's detail and tests)."""

    known_sites: list[str] = field(default_factory=list)
    metastatic: bool = False
    receptors: dict[str, str] = field(default_factory=dict)
    labs: dict[str, float] = field(default_factory=dict)
    findings: dict[str, bool] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    disease_status: str | None = None
    prior_therapies: list[str] = field(default_factory=list)
    metastatic_since: str | None = None
    unmapped: list[str] = field(default_factory=list)
    note_errors: list[str] = field(default_factory=list)
    age: int | None = None
    sex: str | None = None
    patient_id: str | None = None


# ---------------------------------------------------------------- reading helpers


def iter_resources(data: Any) -> Iterator[Resource]:
    """Every resource in a resource, a Bundle (any type) or nested searchset Bundles.

    Entries without a ``resource`` (a server's ``fullUrl``-only or ``response``-only entries)
    are skipped, as are OperationOutcomes: they describe the search, not the patient."""
    if not isinstance(data, Mapping):
        return
    kind = data.get("resourceType")
    if kind == "Bundle":
        entries = data.get("entry")
        for entry in entries if isinstance(entries, list) else ():
            if isinstance(entry, Mapping):
                yield from iter_resources(entry.get("resource"))
        return
    if isinstance(kind, str) and kind != "OperationOutcome":
        yield dict(data)


def outcome_errors(data: Any) -> list[str]:
    """Error and fatal issues of an OperationOutcome, alone or in a Bundle's entries.

    A CDS client reports a prefetch it could not run this way (spec §Prefetch); servers add
    ``search.mode: outcome`` entries, where warnings (an ignored ``_sort``, say) are harmless."""
    if not isinstance(data, Mapping):
        return []
    if data.get("resourceType") == "Bundle":
        found: list[str] = []
        for entry in data.get("entry") or ():
            if isinstance(entry, Mapping):
                found += outcome_errors(entry.get("resource"))
        return found
    if data.get("resourceType") != "OperationOutcome":
        return []
    return [
        _issue_text(issue)
        for issue in data.get("issue") or ()
        if isinstance(issue, Mapping) and issue.get("severity") in ("error", "fatal")
    ]


def _issue_text(issue: Mapping[str, Any]) -> str:
    details = issue.get("details")
    text = details.get("text") if isinstance(details, Mapping) else None
    return str(issue.get("diagnostics") or text or issue.get("code") or "error")


def reference_target(reference: Any) -> tuple[str, str] | None:
    """``(type, id)`` of a literal reference: relative, absolute or versioned
    (``https://ehr/fhir/Patient/1/_history/2`` → ``("Patient", "1")``); None for ``#contained``
    and ``urn:`` references."""
    text = str(reference or "").split("?", 1)[0]
    if not text or text.startswith(("#", "urn:")):
        return None
    parts = [part for part in text.split("/") if part]
    if "_history" in parts:
        parts = parts[: parts.index("_history")]
    if len(parts) < 2 or not parts[-2][:1].isupper():
        return None
    return parts[-2], parts[-1]


def codings(concept: Any) -> list[tuple[str, str, str]]:
    """(system, code, display) of a CodeableConcept or Coding; tolerant of missing parts."""
    if not isinstance(concept, Mapping):
        return []
    items = concept.get("coding") if "coding" in concept else [concept]
    out = []
    for coding in items or ():
        if isinstance(coding, Mapping) and coding.get("code") is not None:
            out.append(
                (str(coding.get("system", "")), str(coding["code"]), str(coding.get("display", "")))
            )
    return out


def profiles(resource: Mapping[str, Any]) -> set[str]:
    """Profile names (last URL segment, version dropped), with old names mapped to current."""
    names: set[str] = set()
    for url in (resource.get("meta") or {}).get("profile") or ():
        name = str(url).split("|", 1)[0].rstrip("/").rsplit("/", 1)[-1]
        names.add(name)
        for current, old in codes.PROFILE_ALIASES.items():
            if name in old:
                names.add(current)
    return names


def _status_ok(resource: Mapping[str, Any]) -> bool:
    for key in ("status", "verificationStatus", "clinicalStatus"):
        value = resource.get(key)
        found = [code for _, code, _ in codings(value)] if isinstance(value, Mapping) else [value]
        if any(str(code) in _SKIP_STATUS for code in found if code):
            return False
    return True


def _when(resource: Mapping[str, Any]) -> str:
    for key in (
        "effectiveDateTime",
        "issued",
        "onsetDateTime",
        "recordedDate",
        "authored",
        "authoredOn",
        "dateAsserted",
        "date",
    ):
        value = resource.get(key)
        if isinstance(value, str):
            return value
    for key in ("effectivePeriod", "onsetPeriod"):
        period = resource.get(key)
        if isinstance(period, Mapping) and isinstance(period.get("start"), str):
            return str(period["start"])
    return ""


def _earliest(current: str | None, when: str) -> str | None:
    if not when:
        return current
    return when if current is None or when[:10] < current[:10] else current


# ---------------------------------------------------------------- code indexes


@dataclass(frozen=True)
class _SiteIndex:
    snomed: Mapping[str, str]
    icd10: Mapping[str, str]
    allowed: frozenset[str] | None

    def lookup(self, system: str, code: str) -> str | None:
        site: str | None = None
        if "snomed" in system or not system:
            site = self.snomed.get(code)
        if site is None and ("icd" in system or not system or re.match(r"^C\d", code)):
            site = _longest_prefix(self.icd10, code.upper())
        if site is not None and self.allowed is not None and site not in self.allowed:
            return None
        return site


def _longest_prefix(table: Mapping[str, str], code: str) -> str | None:
    for end in range(len(code), 2, -1):
        if code[:end] in table:
            return table[code[:end]]
    return None


def _site_index(knowledge: Knowledge | None) -> _SiteIndex:
    """Knowledge codes first (the first site naming a code keeps it: C79.51 is bone, not
    spine), then the reference tables for codes the knowledge does not list."""
    snomed: dict[str, str] = {}
    icd10: dict[str, str] = {}
    allowed = None
    if knowledge is not None:
        allowed = frozenset(knowledge.sites)
        for site in knowledge.sites.values():
            for code in site.codes.snomed:
                snomed.setdefault(code, site.id)
            for code in site.codes.icd10cm:
                icd10.setdefault(code, site.id)
    for code, site_id in codes.SNOMED_SECONDARY_SITES.items():
        snomed.setdefault(code, site_id)
    for code, site_id in codes.ICD10_SECONDARY_SITES.items():
        icd10.setdefault(code, site_id)
    return _SiteIndex(snomed=snomed, icd10=icd10, allowed=allowed)


def _normal(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def _symptom_terms(knowledge: Knowledge | None) -> dict[str, str]:
    """Normalised term → symptom id, from the knowledge lexicon (labels, clinical, lay words)."""
    if knowledge is None:
        return {}
    terms: dict[str, str] = {}
    for symptom in knowledge.symptoms.values():
        for term in (symptom.label, symptom.plain_label, *symptom.terms.all_terms()):
            terms.setdefault(_normal(term), symptom.id)
    return terms


def _symptom_codes(knowledge: Knowledge | None) -> dict[str, str]:
    if knowledge is None:
        return {}
    out: dict[str, str] = {}
    for symptom in knowledge.symptoms.values():
        for code in (*symptom.codes.snomed, *symptom.codes.loinc, *symptom.codes.icd10cm):
            out.setdefault(code, symptom.id)
    return out


_INDEXES: dict[str, tuple[_SiteIndex, dict[str, str], dict[str, str]]] = {}


def _indexes(knowledge: Knowledge | None) -> tuple[_SiteIndex, dict[str, str], dict[str, str]]:
    """Code and term indexes, built once per knowledge version (they cost milliseconds)."""
    key = knowledge.hash if knowledge is not None else ""
    found = _INDEXES.get(key)
    if found is None:
        found = (_site_index(knowledge), _symptom_terms(knowledge), _symptom_codes(knowledge))
        if len(_INDEXES) > 8:
            _INDEXES.clear()
        _INDEXES[key] = found
    return found


# ---------------------------------------------------------------- per-resource readers


def _read_condition(resource: Resource, index: _SiteIndex, summary: ChartSummary) -> None:
    names = profiles(resource)
    concept = codings(resource.get("code"))
    icd_secondary = any(
        code.upper().startswith(codes.ICD10_SECONDARY_PREFIXES) for _, code, _ in concept
    )
    snomed_secondary = any(
        code in codes.SNOMED_SECONDARY_SITES or code == codes.SNOMED_SECONDARY_GENERIC
        for _, code, _ in concept
    )
    mapped = [index.lookup(system, code) for system, code, _ in concept]
    sites = [site for site in mapped if site]
    secondary = "mcode-secondary-cancer-condition" in names or icd_secondary or snomed_secondary
    if not secondary and not sites:
        return
    summary.metastatic = True
    summary.metastatic_since = _earliest(summary.metastatic_since, _when(resource))
    for body_site in resource.get("bodySite") or ():
        sites += [s for s in (index.lookup(sy, c) for sy, c, _ in codings(body_site)) if s]
    if not sites:
        shown = ", ".join(f"{code} {display}".strip() for _, code, display in concept)
        summary.unmapped.append(f"Condition {shown or '(no code)'}")
    for site in sites:
        if site not in summary.known_sites:
            summary.known_sites.append(site)


def _answer_status(resource: Resource) -> str | None:
    for key in ("valueCodeableConcept", "valueCoding"):
        for _, code, display in codings(resource.get(key)):
            if code in codes.POSITIVE_CODES:
                return "positive"
            if code in codes.NEGATIVE_CODES:
                return "negative"
            status = _word_status(display)
            if status:
                return status
        concept = resource.get(key)
        if isinstance(concept, Mapping) and isinstance(concept.get("text"), str):
            status = _word_status(concept["text"])
            if status:
                return status
    value = resource.get("valueString")
    return _word_status(value) if isinstance(value, str) else None


def _word_status(text: str) -> str | None:
    word = text.strip().lower()
    if word in codes.POSITIVE_WORDS:
        return "positive"
    if word in codes.NEGATIVE_WORDS:
        return "negative"
    return None


def _quantity(resource: Resource) -> tuple[float, str] | None:
    quantity = resource.get("valueQuantity")
    if not isinstance(quantity, Mapping) or not isinstance(quantity.get("value"), int | float):
        return None
    unit = str(quantity.get("code") or quantity.get("unit") or "").lower().replace("µ", "u")
    return float(quantity["value"]), unit


@dataclass
class _Dated:
    when: str
    profiled: bool
    value: Any


def _read_observation(
    resource: Resource,
    receptors: dict[str, _Dated],
    labs: dict[str, _Dated],
    summary: ChartSummary,
) -> None:
    loincs = [code for system, code, _ in codings(resource.get("code")) if "loinc" in system]
    profiled = "mcode-tumor-marker-test" in profiles(resource)
    for code in loincs:
        _observe(code, resource, profiled, receptors, labs, summary)


def _observe(
    code: str,
    resource: Resource,
    profiled: bool,
    receptors: dict[str, _Dated],
    labs: dict[str, _Dated],
    summary: ChartSummary,
) -> None:
    when = _when(resource)
    if code in codes.RECEPTOR_LOINC:
        status = _answer_status(resource)
        if status:
            _keep_latest(receptors, codes.RECEPTOR_LOINC[code], _Dated(when, profiled, status))
    elif code in codes.LAB_LOINC:
        quantity = _quantity(resource)
        name = codes.LAB_LOINC[code].get(quantity[1]) if quantity else None
        if quantity and name:
            _keep_latest(labs, name, _Dated(when, True, quantity[0]))
    elif code == codes.DISEASE_STATUS_LOINC:
        found = codings(resource.get("valueCodeableConcept"))
        if found:
            summary.disease_status = found[0][2] or found[0][1]
    elif code in codes.STAGE_GROUP_LOINC:
        stages = {c.upper() for _, c, _ in codings(resource.get("valueCodeableConcept"))}
        if stages & codes.STAGE_IV_CODES:
            summary.metastatic = True
            summary.metastatic_since = _earliest(summary.metastatic_since, when)


def _keep_latest(table: dict[str, _Dated], key: str, item: _Dated) -> None:
    """The most recent result wins; on the same date a profiled (mCODE) result wins."""
    current = table.get(key)
    if current is None or (item.when, item.profiled) > (current.when, current.profiled):
        table[key] = item


_PRO_ITEM = re.compile(r"proctcae-(?:ae-)?(\d{2})")
_PRO_SCORE = re.compile(r"proctcae-(?:frequency|severity|interference|presence)-(\d)")


def _read_questionnaire(
    resource: Resource, terms: Mapping[str, str], by_code: Mapping[str, str], summary: ChartSummary
) -> None:
    for item in resource.get("item") or ():
        if isinstance(item, Mapping):
            _read_item(item, terms, by_code, summary)


def _read_item(
    item: Mapping[str, Any],
    terms: Mapping[str, str],
    by_code: Mapping[str, str],
    summary: ChartSummary,
) -> None:
    symptom = _item_symptom(item, terms, by_code)
    scores = list(_scores(item))
    if symptom and scores:
        present = max(scores) > 0
        summary.findings[symptom] = summary.findings.get(symptom, False) or present
        return
    if _PRO_ITEM.fullmatch(str(item.get("linkId", ""))):
        if not symptom and scores and max(scores) > 0:
            summary.unmapped.append(f"QuestionnaireResponse item {item.get('linkId')}")
        return
    for child in item.get("item") or ():
        if isinstance(child, Mapping):
            _read_item(child, terms, by_code, summary)


def _item_symptom(
    item: Mapping[str, Any], terms: Mapping[str, str], by_code: Mapping[str, str]
) -> str | None:
    for coding in item.get("code") or ():
        for _, code, display in codings(coding):
            found = by_code.get(code) or terms.get(_normal(display))
            if found:
                return found
    names = [str(item.get("text") or "")]
    match = _PRO_ITEM.fullmatch(str(item.get("linkId", "")))
    if match and match.group(1) in codes.PRO_CTCAE_ITEMS:
        names.insert(0, codes.PRO_CTCAE_ITEMS[match.group(1)])
    for name in names:
        parts = [name, *re.split(r" and | or ", name)] if name else []
        for part in parts:
            found = terms.get(_normal(part))
            if found:
                return found
    return None


def _scores(item: Mapping[str, Any]) -> Iterator[int]:
    """0–4 answer scores of an item and its sub-items (PRO-CTCAE codes, integers, booleans)."""
    for answer in item.get("answer") or ():
        if not isinstance(answer, Mapping):
            continue
        if isinstance(answer.get("valueBoolean"), bool):
            yield int(answer["valueBoolean"])
        elif isinstance(answer.get("valueInteger"), int):
            yield int(answer["valueInteger"])
        for _, code, _ in codings(answer.get("valueCoding")):
            match = _PRO_SCORE.fullmatch(code)
            if match:
                yield int(match.group(1))
    for child in item.get("item") or ():
        if isinstance(child, Mapping) and not _PRO_ITEM.fullmatch(str(child.get("linkId", ""))):
            yield from _scores(child)


def _read_document(resource: Resource, summary: ChartSummary) -> None:
    """One note per DocumentReference: its best rendition (several are one document)."""
    attachment = notes.best_attachment(resource)
    if attachment is None:
        return
    name = f"DocumentReference {resource.get('id', '(no id)')}"
    if not attachment.get("data"):
        summary.unmapped.append(f"{name} (note text by URL, not fetched)")
        return
    try:
        text = notes.attachment_text(attachment)
    except notes.NoteError as exc:
        summary.note_errors.append(f"{name}: {exc}")
        summary.unmapped.append(f"{name} ({exc})")
        return
    if text:
        summary.notes.append(text)


def _given(resource: Mapping[str, Any]) -> bool:
    """Whether a medication record says the drug was (or is being) given: not a plan, a
    proposal, a draft or a drug not taken."""
    if str(resource.get("status", "")) in _NOT_GIVEN:
        return False
    return str(resource.get("intent", "order")) not in _NOT_ORDERED


def _medication_concept(
    resource: Mapping[str, Any], medicines: Mapping[str, Mapping[str, Any]]
) -> Any:
    """The drug's CodeableConcept: inline, or from the Medication it references (contained,
    in the Bundle, or fetched with ``_include``)."""
    concept = resource.get("medicationCodeableConcept")
    if concept is not None:
        return concept
    reference = resource.get("medicationReference")
    target = reference.get("reference") if isinstance(reference, Mapping) else None
    if not isinstance(target, str):
        return reference.get("display") if isinstance(reference, Mapping) else None
    if target.startswith("#"):
        for contained in resource.get("contained") or ():
            if isinstance(contained, Mapping) and contained.get("id") == target[1:]:
                return contained.get("code")
        return None
    found = reference_target(target)
    medicine = medicines.get(found[1]) if found and found[0] == "Medication" else None
    if medicine is not None:
        return medicine.get("code")
    return reference.get("display") if isinstance(reference, Mapping) else None


def _drug(concept: Any, kind: str, started: str, unmapped: list[str]) -> list[medications.Drug]:
    """The drugs one medication record names: by ATC code, else by ingredient name."""
    found: dict[str, medications.Drug] = {}
    names: list[str] = []
    cancer_code = ""
    for system, code, display in codings(concept):
        if "atc" in system.lower() or "whocc" in system.lower():
            name, drug_class = medications.atc_class(code)
            if drug_class is not None:
                label = name or display or code
                found[label] = medications.Drug(label, drug_class, started, kind)
            elif medications.is_antineoplastic_atc(code):
                cancer_code = f"{code} {display}".strip()
        names.append(display)
    if isinstance(concept, Mapping) and isinstance(concept.get("text"), str):
        names.append(concept["text"])
    elif isinstance(concept, str):
        names.append(concept)
    for text in names:
        for name in medications.drug_names(text):
            if not any(name in known for known in found):
                found[name] = medications.Drug(name, medications.DRUG_CLASSES[name], started, kind)
    if not found and cancer_code:
        unmapped.append(f"{kind} {cancer_code} (cancer drug not recognised)")
    return list(found.values())


def _read_medications(
    records: Iterable[Resource], medicines: Mapping[str, Mapping[str, Any]], summary: ChartSummary
) -> None:
    drugs: list[medications.Drug] = []
    for resource in records:
        kind = str(resource.get("resourceType"))
        concept = _medication_concept(resource, medicines)
        drugs += _drug(concept, kind, _when(resource), summary.unmapped)
    ids, unused = medications.prior_therapies(
        drugs, metastatic=summary.metastatic, metastatic_since=summary.metastatic_since
    )
    summary.prior_therapies = ids
    summary.unmapped += unused


def _read_patient(resource: Resource, summary: ChartSummary) -> None:
    summary.patient_id = str(resource["id"]) if resource.get("id") else summary.patient_id
    gender = resource.get("gender")
    if gender in ("female", "male", "other", "unknown"):
        summary.sex = str(gender)
    birth = resource.get("birthDate")
    if isinstance(birth, str) and re.match(r"^\d{4}", birth):
        summary.age = None if resource.get("deceasedBoolean") else _age(birth)


def _age(birth: str) -> int | None:
    from datetime import date

    today = date.today()
    try:
        year = int(birth[:4])
        month = int(birth[5:7]) if len(birth) >= 7 else 1
        day = int(birth[8:10]) if len(birth) >= 10 else 1
    except ValueError:
        return None
    age = today.year - year - ((today.month, today.day) < (month, day))
    return age if 0 <= age <= 130 else None


# ---------------------------------------------------------------- public API


def summarise(resources: Iterable[Resource], *, knowledge: Knowledge | None = None) -> ChartSummary:
    """Read every resource once and collect what mbcnav can use from the chart."""
    index, terms, by_code = _indexes(knowledge)
    summary = ChartSummary()
    receptors: dict[str, _Dated] = {}
    labs: dict[str, _Dated] = {}
    given: list[Resource] = []
    medicines: dict[str, Resource] = {}
    for resource in resources:
        kind = resource.get("resourceType")
        if kind == "Patient":
            _read_patient(resource, summary)
        elif kind == "Medication" and resource.get("id"):
            medicines[str(resource["id"])] = resource
        elif not _status_ok(resource):
            continue
        elif kind in MEDICATION_KINDS:
            if _given(resource):
                given.append(resource)
        elif kind == "Condition":
            _read_condition(resource, index, summary)
        elif kind == "Observation":
            _read_observation(resource, receptors, labs, summary)
        elif kind == "QuestionnaireResponse":
            _read_questionnaire(resource, terms, by_code, summary)
        elif kind == "DocumentReference":
            _read_document(resource, summary)
    _read_medications(given, medicines, summary)
    summary.receptors = {name: str(item.value) for name, item in receptors.items()}
    summary.labs = _plausible_labs(
        {name: float(item.value) for name, item in labs.items()}, summary.unmapped
    )
    return summary


def _plausible_labs(values: dict[str, float], unmapped: list[str]) -> dict[str, float]:
    """Keep each lab the Patient model accepts; one implausible value (a unit mix-up, say)
    is reported, not allowed to sink the whole chart."""
    kept: dict[str, float] = {}
    for name, value in values.items():
        try:
            Labs.model_validate({name: value})
        except ValueError:
            unmapped.append(f"Observation {name}={value} (outside the accepted range)")
            continue
        kept[name] = value
    return kept


def summary_to_patient(summary: ChartSummary) -> Patient:
    """A Patient for the engine; known sites and a stage IV make the setting 'metastatic'."""
    try:
        return Patient(
            id=summary.patient_id,
            text="\n\n".join(summary.notes) or None,
            findings=tuple(
                FindingInput(id=ident, present=present)
                for ident, present in summary.findings.items()
            ),
            labs=Labs.model_validate(summary.labs),
            receptors=Receptors.model_validate(summary.receptors),
            setting="metastatic" if summary.metastatic else "suspected",
            known_sites=tuple(summary.known_sites),
            prior_therapies=tuple(summary.prior_therapies),
            age=summary.age,
            sex=summary.sex,
        )
    except ValueError as exc:
        raise InteropError(
            "The FHIR data maps to values mbcnav cannot accept", code="MBC-E300", got=str(exc)
        ) from exc


def bundle_to_patient(bundle: Any, *, knowledge: Knowledge | None = None) -> Patient:
    """A FHIR Bundle (or single resource) as an mbcnav Patient; lenient about profiles."""
    if not isinstance(bundle, Mapping) or not isinstance(bundle.get("resourceType"), str):
        raise InteropError(
            "The body",
            code="MBC-E300",
            allowed="a FHIR resource (a Bundle) with a 'resourceType'",
        )
    entries = bundle.get("entry")
    if bundle["resourceType"] == "Bundle" and entries is not None and not isinstance(entries, list):
        raise InteropError(
            "The Bundle's 'entry'", code="MBC-E300", allowed="a list", got=type(entries).__name__
        )
    try:
        summary = summarise(iter_resources(bundle), knowledge=knowledge)
    except (TypeError, AttributeError, ValueError, KeyError, OverflowError) as exc:
        # a field of a shape FHIR does not allow (a number where an object belongs, ...): the
        # mapping is lenient about profiles, not about JSON types, and says so with a code
        raise InteropError(
            "A resource in the Bundle has a field of the wrong JSON type",
            code="MBC-E300",
            got=type(exc).__name__,
        ) from exc
    if summary.note_errors:
        raise InteropError(
            "A DocumentReference attachment must be base64 text in the charset it names",
            code="MBC-E300",
            got="; ".join(summary.note_errors[:3]),
        )
    return summary_to_patient(summary)


__all__ = [
    "ChartSummary",
    "assessment_to_fhir",
    "bundle_to_patient",
    "codings",
    "iter_resources",
    "outcome_errors",
    "profiles",
    "reference_target",
    "summarise",
    "summary_to_patient",
]
