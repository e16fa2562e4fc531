"""Bedside signs the knowledge added: each read from a realistic sentence and negated."""

from __future__ import annotations

import pytest

from mbcnav import assess
from mbcnav.extract import read_text
from mbcnav.knowledge import Knowledge

SIGNS = [
    ("On examination there was a left ophthalmoplegia with ptosis.", "sym:ophthalmoplegia"),
    ("Eye movements: restricted eye movements on left gaze.", "sym:ophthalmoplegia"),
    ("Reflexes were brisk in both legs with upgoing plantars.", "sym:upper_motor_neurone_signs"),
    ("She had sustained ankle clonus bilaterally.", "sym:upper_motor_neurone_signs"),
    ("There was a sensory level at T6 to pinprick.", "sym:sensory_level"),
    ("Stony dullness to percussion at the right base.", "sym:dullness_to_percussion"),
    ("Reduced breath sounds on the left.", "sym:reduced_breath_sounds"),
    ("Air entry was reduced at the left base.", "sym:reduced_breath_sounds"),
    ("The right leg was shortened and externally rotated.", "sym:shortened_rotated_leg"),
    ("There was focal bony tenderness over the left femur.", "sym:focal_bone_tenderness"),
    ("The liver was palpable 4 cm below the costal margin.", "sym:hepatomegaly"),
    ("A palpable supraclavicular lymph node on the right.", "sym:lymph_node_lump"),
    ("She looked cachectic and had temporal wasting.", "sym:weight_loss"),
    ("The abdomen was distended with shifting dullness.", "sym:ascites"),
    ("She was tachypnoeic and hypoxic.", "sym:tachypnoea"),
    ("She was tachypnoeic and hypoxic.", "sym:hypoxia"),
    ("She has been hot and shivery with rigors.", "sym:fever"),
    ("Labs showed hyponatraemia.", "sym:hyponatraemia"),
    ("Firm red plaques with thickened skin over the chest wall.", "sym:skin_lesion"),
    ("A non-healing lesion on the skin of the left shoulder.", "sym:skin_lesion"),
    ("Examination showed a left hypoglossal nerve palsy.", "sym:cranial_nerve_palsy"),
    ("A partial third cranial nerve palsy on the right.", "sym:cranial_nerve_palsy"),
    ("She had swelling of the eyelid and pain on eye movement.", "sym:proptosis"),
    ("Examination showed a left Horner's syndrome.", "sym:horner_syndrome"),
    ("She was jaundiced with asterixis.", "sym:asterixis"),
    ("A hard bony swelling over the left sixth rib.", "sym:focal_bone_tenderness"),
    ("Nystagmus on lateral gaze and past pointing.", "sym:loss_of_balance"),
    ("A positive pronator drift on the right.", "sym:upper_motor_neurone_signs"),
]

NEGATED = [
    ("No ophthalmoplegia.", "sym:ophthalmoplegia"),
    ("Plantars downgoing, no clonus.", "sym:upper_motor_neurone_signs"),
    ("There was no sensory level.", "sym:sensory_level"),
    ("No dullness to percussion.", "sym:dullness_to_percussion"),
    ("Chest clear with no reduced breath sounds.", "sym:reduced_breath_sounds"),
    ("The leg was not shortened and externally rotated.", "sym:shortened_rotated_leg"),
    ("There was no bony tenderness.", "sym:focal_bone_tenderness"),
    ("No hepatomegaly.", "sym:hepatomegaly"),
    ("She denies fever or rigors.", "sym:fever"),
    ("Not hypoxic on air.", "sym:hypoxia"),
    ("No skin thickening or erythematous plaques.", "sym:skin_lesion"),
    ("No asterixis.", "sym:asterixis"),
    ("Not tachypnoeic at rest.", "sym:tachypnoea"),
    ("There was no hyponatraemia.", "sym:hyponatraemia"),
    ("No Horner syndrome.", "sym:horner_syndrome"),
]


def _read(text: str, knowledge: Knowledge) -> dict[str, bool]:
    return {f.id: f.present for f in read_text(text, knowledge).findings}


@pytest.mark.parametrize(("text", "finding"), SIGNS)
def test_sign_is_read(text: str, finding: str, knowledge: Knowledge) -> None:
    assert _read(text, knowledge).get(finding) is True


@pytest.mark.parametrize(("text", "finding"), NEGATED)
def test_sign_is_negated(text: str, finding: str, knowledge: Knowledge) -> None:
    assert _read(text, knowledge).get(finding) is False


@pytest.mark.parametrize(
    ("text", "site"),
    [
        (
            "Stony dullness to percussion and reduced breath sounds at the right base.",
            "site:pleura",
        ),
        ("Brisk reflexes and a sensory level at T8 with thoracic back pain.", "site:spine"),
        ("Ophthalmoplegia of the left eye with proptosis.", "site:eye_orbit"),
        ("Firm red plaques and skin induration across the right chest.", "site:skin_chest_wall"),
    ],
)
def test_signs_point_to_their_site(text: str, site: str) -> None:
    result = assess({"text": text, "setting": "metastatic"})
    with_signs = {s.id: s.probability for s in result.sites}
    baseline = assess({"text": "Seen in clinic today.", "setting": "metastatic"})
    without = {s.id: s.probability for s in baseline.sites}
    assert with_signs[site] > 2 * without[site]


def test_a_sensory_level_counts_for_cord_compression() -> None:
    result = assess(
        {"text": "Back pain for a month; a sensory level at T10.", "setting": "metastatic"}
    )
    assert "flag:spinal_cord_compression" in {flag.id for flag in result.red_flags}


def test_asterixis_with_liver_failure_is_an_emergency() -> None:
    result = assess(
        {
            "text": "Deeply jaundiced with asterixis.",
            "known_sites": ["site:liver"],
            "setting": "metastatic",
        }
    )
    urgency = {flag.id: flag.urgency for flag in result.red_flags}
    assert urgency.get("flag:hepatic_visceral_crisis") == "emergency"
