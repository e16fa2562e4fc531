"""Report and history phrases: imaging wording that only suggests spread names its site as
suspected, never known; the same wording confirmed, or stated negative, follows the usual rules.
History phrases map to the findings they describe."""

from __future__ import annotations

import pytest

from mbcnav.extract import read_text
from mbcnav.knowledge import Knowledge

# text, (site, status) pairs the reader must report for it
SUGGESTIVE = [
    (
        "The radiologist reported an opacity on the chest film, left mid zone.",
        ("site:lung", "suspected"),
    ),
    ("CT: scattered sclerotic foci in the pelvis.", ("site:bone", "suspected")),
    ("Plain films show a lucent lesion in the proximal femur.", ("site:bone", "suspected")),
    ("Ultrasound demonstrated a mass in the liver.", ("site:liver", "suspected")),
    ("Several small nodules in both lungs on staging CT.", ("site:lung", "suspected")),
    ("MRI: a ring of enhancement around a lesion in the brain.", ("site:brain", "suspected")),
    ("Incidental adrenal nodule, 12 mm.", ("site:adrenal", "suspected")),
    ("Sclerotic foci in L3 and L4.", ("site:spine", "suspected")),
]


@pytest.mark.parametrize(("text", "expected"), SUGGESTIVE)
def test_suggestive_report_phrase_is_suspected(
    text: str, expected: tuple[str, str], knowledge: Knowledge
) -> None:
    mentions = {(m.site, m.status) for m in read_text(text, knowledge).site_mentions}
    assert expected in mentions
    assert (expected[0], "known") not in mentions


def test_confirmed_report_phrase_is_known(knowledge: Knowledge) -> None:
    mentions = read_text("Liver lesions consistent with metastases.", knowledge).site_mentions
    assert {(m.site, m.status) for m in mentions} == {("site:liver", "known")}


def test_negated_report_phrase_is_negated(knowledge: Knowledge) -> None:
    mentions = read_text("No focal liver lesion on ultrasound.", knowledge).site_mentions
    assert {(m.site, m.status) for m in mentions} == {("site:liver", "negated")}


# text, finding the reader must report as present
HISTORY = [
    ("Her partner describes blackouts over the past month.", "sym:light_headedness"),
    ("Blackouts with jerking of the arms, then confusion.", "sym:seizure"),
    ("Examination revealed focal neurology.", "sym:one_sided_weakness"),
    ("She has noticed reduced vision in one eye.", "sym:vision_loss"),
    ("Right subcostal pain for two weeks.", "sym:ruq_pain"),
    ("Admitted in respiratory distress.", "sym:respiratory_distress"),
    ("She broke her wrist after a minor fall at home.", "sym:pathological_fracture"),
]


@pytest.mark.parametrize(("text", "finding"), HISTORY)
def test_history_phrase_is_read(text: str, finding: str, knowledge: Knowledge) -> None:
    present = {f.id for f in read_text(text, knowledge).findings if f.present}
    assert finding in present


def test_history_phrase_negated(knowledge: Knowledge) -> None:
    findings = read_text("No focal neurology.", knowledge).findings
    assert [(f.id, f.present) for f in findings] == [("sym:one_sided_weakness", False)]


# A spouse, partner or grown-up child telling what happened to the patient: the patient is
# the experiencer. A relative's own illness stays the relative's.
COLLATERAL = [
    ("Her partner says she has been having fits.", "sym:seizure", False),
    ("Her daughter noticed she was confused.", "sym:confusion", False),
    ("I keep zoning out, my husband says.", "sym:seizure", False),
    ("Her mother had seizures.", "sym:seizure", True),
    ("Her son had a seizure last year.", "sym:seizure", True),
]


@pytest.mark.parametrize(("text", "finding", "family"), COLLATERAL)
def test_collateral_history_belongs_to_the_patient(
    text: str, finding: str, family: bool, knowledge: Knowledge
) -> None:
    found = [f for f in read_text(text, knowledge).findings if f.id == finding]
    assert found
    assert all(f.qualifiers.family is family for f in found)
