"""Medication history → prior therapies: codes, names, references, status and setting."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mbcnav import assess
from mbcnav.interop.fhir import bundle_to_patient, summarise
from mbcnav.interop.medications import CLASS_THERAPIES, DRUG_CLASSES, drug_names
from mbcnav.knowledge import Knowledge

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
ATC = "http://www.whocc.no/atc"
FIRST_LINE_CDK = {"tx:ai_cdk46i", "tx:fulvestrant_cdk46i", "tx:cdk46i"}


def _bone(onset: str | None = None) -> dict[str, Any]:
    condition: dict[str, Any] = {
        "resourceType": "Condition",
        "code": {"coding": [{"system": "http://snomed.info/sct", "code": "94222008"}]},
    }
    if onset:
        condition["onsetDateTime"] = onset
    return condition


def _receptors() -> list[dict[str, Any]]:
    def marker(code: str, answer: str) -> dict[str, Any]:
        return {
            "resourceType": "Observation",
            "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": code}]},
            "valueCodeableConcept": {"coding": [{"system": "http://loinc.org", "code": answer}]},
        }

    return [
        marker("85337-4", "LA6576-8"),
        marker("85339-0", "LA6576-8"),
        marker("48676-1", "LA6577-6"),
    ]


def _statement(
    display: str, *, system: str = RXNORM, code: str = "1", **extra: Any
) -> dict[str, Any]:
    return {
        "resourceType": "MedicationStatement",
        "status": "completed",
        "medicationCodeableConcept": {
            "coding": [{"system": system, "code": code, "display": display}]
        },
        **extra,
    }


def _bundle(*resources: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": r} for r in resources],
    }


def _ids(*resources: dict[str, Any], knowledge: Knowledge) -> list[str]:
    return summarise(list(resources), knowledge=knowledge).prior_therapies


def test_every_class_maps_to_ids_the_knowledge_has(knowledge: Knowledge) -> None:
    for metastatic, early in CLASS_THERAPIES.values():
        for ident in (metastatic, early):
            assert ident is None or knowledge.is_therapy(ident), ident
    assert set(DRUG_CLASSES.values()) <= set(CLASS_THERAPIES)


def test_cdk46_inhibitor_with_partners_names_the_regimens(knowledge: Knowledge) -> None:
    ids = _ids(
        _bone(),
        _statement("palbociclib 125 MG Oral Capsule"),
        _statement("abemaciclib Oral Product"),
        _statement("fulvestrant Injectable Product"),
        _statement("letrozole 2.5 MG Oral Tablet"),
        knowledge=knowledge,
    )
    assert set(ids) >= FIRST_LINE_CDK
    assert "tx:prior_et_metastatic" not in ids  # "endocrine therapy alone" would mislabel it


@pytest.mark.parametrize(
    ("coding", "expected"),
    [
        ({"system": ATC, "code": "L01EF01"}, "tx:cdk46i"),
        ({"system": ATC, "code": "L01EF99"}, "tx:cdk46i"),  # a class member not listed
        ({"system": ATC, "code": "L01FD04"}, "tx:prior_t_dxd"),
        ({"system": ATC, "code": "L01EM03"}, "tx:alpelisib_fulvestrant"),
        (
            {"system": RXNORM, "code": "0", "display": "Ado-Trastuzumab Emtansine 100 MG"},
            "tx:t_dm1",
        ),
        (
            {"system": RXNORM, "code": "0", "display": "nab-Paclitaxel 100 MG"},
            "tx:prior_taxane_metastatic",
        ),
    ],
)
def test_atc_codes_and_names(coding: dict[str, str], expected: str, knowledge: Knowledge) -> None:
    statement = {"resourceType": "MedicationStatement", "status": "active"}
    statement["medicationCodeableConcept"] = {"coding": [coding]}  # type: ignore[assignment]
    assert expected in _ids(_bone(), statement, knowledge=knowledge)


def test_request_and_administration_with_referenced_medication(knowledge: Knowledge) -> None:
    medication = {
        "resourceType": "Medication",
        "id": "m1",
        "code": {"coding": [{"system": RXNORM, "code": "0", "display": "ribociclib 200 MG"}]},
    }
    request = {
        "resourceType": "MedicationRequest",
        "status": "active",
        "intent": "order",
        "medicationReference": {"reference": "Medication/m1"},
    }
    administration = {
        "resourceType": "MedicationAdministration",
        "status": "completed",
        "contained": [
            {"resourceType": "Medication", "id": "c", "code": {"text": "Fulvestrant 250 mg"}}
        ],
        "medicationReference": {"reference": "#c"},
    }
    ids = _ids(_bone(), request, administration, medication, knowledge=knowledge)
    assert "tx:fulvestrant_cdk46i" in ids and "tx:cdk46i" in ids


@pytest.mark.parametrize(
    "change",
    [{"status": "not-taken"}, {"status": "entered-in-error"}, {"status": "intended"}],
)
def test_drugs_not_given_are_not_prior_therapies(
    change: dict[str, str], knowledge: Knowledge
) -> None:
    assert _ids(_bone(), _statement("palbociclib", **change), knowledge=knowledge) == []


def test_a_proposed_order_is_not_a_prior_therapy(knowledge: Knowledge) -> None:
    proposal = {
        "resourceType": "MedicationRequest",
        "status": "active",
        "intent": "proposal",
        "medicationCodeableConcept": {"text": "palbociclib"},
    }
    assert _ids(_bone(), proposal, knowledge=knowledge) == []


def test_setting_follows_the_date_of_the_first_metastasis(knowledge: Knowledge) -> None:
    early = _statement("tamoxifen 20 MG", effectiveDateTime="2015-03-01")
    later = _statement("paclitaxel 6 MG/ML", effectivePeriod={"start": "2022-05-01"})
    ids = _ids(_bone("2021-01-10"), early, later, knowledge=knowledge)
    assert ids == ["tx:adjuvant_tamoxifen", "tx:prior_taxane_metastatic"]
    # no metastatic disease in the chart: the same drugs were for early disease
    assert _ids(early, later, knowledge=knowledge) == [
        "tx:adjuvant_tamoxifen",
        "tx:adjuvant_anthracycline_taxane",
    ]


def test_a_cancer_drug_without_an_id_is_reported(knowledge: Knowledge) -> None:
    summary = summarise([_bone(), _statement("lapatinib 250 MG")], knowledge=knowledge)
    assert summary.prior_therapies == []
    assert any("lapatinib" in item for item in summary.unmapped)
    unknown = _statement("", system=ATC, code="L01XX99")
    assert any("L01XX99" in item for item in summarise([unknown], knowledge=knowledge).unmapped)


def test_other_drugs_are_ignored(knowledge: Knowledge) -> None:
    summary = summarise([_bone(), _statement("ondansetron 8 MG")], knowledge=knowledge)
    assert summary.prior_therapies == [] and summary.unmapped == []


def test_no_first_line_cdk46_inhibitor_after_one(knowledge: Knowledge) -> None:
    """Field test: 11 prior drugs incl. palbociclib, abemaciclib and fulvestrant → first-line
    AI + CDK4/6 inhibitor was offered, the MedicationStatements unread."""
    bundle = _bundle(
        _bone(),
        *_receptors(),
        _statement("palbociclib"),
        _statement("abemaciclib Oral Product"),
        _statement("fulvestrant Injectable Product"),
    )
    patient = bundle_to_patient(bundle, knowledge=knowledge)
    options = {option.id for option in assess(patient, knowledge=knowledge).treatment_options}
    assert not options & (FIRST_LINE_CDK | {"tx:inavolisib_palbociclib_fulvestrant"})
    without = assess(patient.model_copy(update={"prior_therapies": ()}), knowledge=knowledge)
    assert {option.id for option in without.treatment_options} >= FIRST_LINE_CDK


@given(st.text(max_size=200))
def test_drug_names_are_listed_ingredients_found_in_the_text(text: str) -> None:
    for name in drug_names(text):
        assert name in DRUG_CLASSES
        assert name.split()[0] in " ".join(text.lower().replace("-", " ").split())


def test_drugs_without_dates_are_named_as_taken_for_metastatic_disease(
    knowledge: Knowledge,
) -> None:
    """Where the setting decides the id and a date is missing, the chart card says so: an
    adjuvant taxane read as metastatic withholds first-line chemo-immunotherapy."""
    summary = summarise(
        [
            _bone(),
            _statement("paclitaxel"),
            _statement("palbociclib"),
            _statement("zoledronic acid"),
        ],
        knowledge=knowledge,
    )
    assert summary.prior_therapies == [
        "tx:prior_taxane_metastatic",
        "tx:cdk46i",
        "tx:bisphosphonate_iv",
    ]
    (note,) = [item for item in summary.unmapped if item.startswith("medication dates")]
    assert "paclitaxel" in note and "palbociclib" not in note and "zoledronic" not in note
    dated = summarise(
        [_bone("2020-01-01"), _statement("paclitaxel", effectiveDateTime="2021-03-01")],
        knowledge=knowledge,
    )
    assert dated.unmapped == []


def test_pembrolizumab_before_the_first_metastasis_is_the_perioperative_term(
    knowledge: Knowledge,
) -> None:
    """(Neo)adjuvant pembrolizumab has its own term (knowledge 1.2.0): it makes a patient with
    TNBC a candidate for the first-line antibody-drug conjugates, not a pembrolizumab line."""
    pembrolizumab = _statement("pembrolizumab 25 MG/ML", effectiveDateTime="2023-02-01")
    assert _ids(_bone("2025-06-01"), pembrolizumab, knowledge=knowledge) == [
        "tx:perioperative_pd1_inhibitor"
    ]
    assert _ids(_bone("2022-06-01"), pembrolizumab, knowledge=knowledge) == [
        "tx:pembrolizumab_chemo"
    ]
