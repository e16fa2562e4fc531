"""Findings the reader used to miss or misread (issue 11, concept faults): each class read from
realistic wording, with a near miss that must not be read as it."""

from __future__ import annotations

import pytest

from mbcnav import assess
from mbcnav.extract import read_text
from mbcnav.knowledge import Knowledge


def _present(text: str, knowledge: Knowledge) -> set[str]:
    return {f.id for f in read_text(text, knowledge).findings if f.present}


# -------------------------------------------------------- the face is a cranial nerve's
@pytest.mark.parametrize(
    "text",
    [
        "She had weakness of the left side of the face.",
        "A facial droop of peripheral type on the right.",
        "Her face was weak on the left.",
        "There was a Bell's palsy-like weakness of the face.",
        "Examination showed a lower motor neurone facial palsy.",
        "A drooping left upper eyelid with double vision.",
        "Right ptosis and she could not move the right eye outwards.",
    ],
)
def test_face_and_eyelid_weakness_is_a_cranial_nerve_palsy(text: str, knowledge: Knowledge) -> None:
    found = _present(text, knowledge)
    assert "sym:cranial_nerve_palsy" in found
    assert "sym:one_sided_weakness" not in found
    assert "sym:proptosis" not in found


@pytest.mark.parametrize(
    "text",
    [
        "One side of my face droops when I smile.",
        "She has a facial droop and slurred speech.",
        "Her face dropped on one side this morning.",
    ],
)
def test_a_drooping_face_is_the_face_arm_speech_sign(text: str, knowledge: Knowledge) -> None:
    """The drooping face of the face-arm-speech test is a brain lesion's sign unless called
    peripheral: read as one-sided weakness (flag:acute_focal_deficit), not a nerve palsy."""
    found = _present(text, knowledge)
    assert "sym:one_sided_weakness" in found
    assert "sym:cranial_nerve_palsy" not in found


@pytest.mark.parametrize(
    "text",
    [
        "Right ptosis was noted.",
        "A drooping left upper eyelid for two weeks.",
        "Blepharoplasty for bilateral upper lid ptosis and dermatochalasis.",
    ],
)
def test_a_drooping_eyelid_alone_is_ptosis_and_raises_no_flag(
    text: str, knowledge: Knowledge
) -> None:
    """Alone, a drooping lid is most often the eyelid of age or eye surgery: sym:ptosis, no
    cranial-nerve palsy and so no leptomeningeal flag."""
    found = _present(text, knowledge)
    assert "sym:ptosis" in found
    assert not found & {"sym:cranial_nerve_palsy", "sym:one_sided_weakness", "sym:proptosis"}
    assert not assess({"text": text}, knowledge=knowledge).red_flags


@pytest.mark.parametrize(
    "text",
    [
        "Weakness of the left side of the body.",
        "She has weakness on the right side.",
        "Left-sided weakness since this morning.",
    ],
)
def test_weakness_of_a_side_of_the_body_stays_hemiparesis(text: str, knowledge: Knowledge) -> None:
    found = _present(text, knowledge)
    assert "sym:one_sided_weakness" in found
    assert "sym:cranial_nerve_palsy" not in found


def test_a_history_of_bells_palsy_is_not_a_palsy_now(knowledge: Knowledge) -> None:
    assert "sym:cranial_nerve_palsy" not in _present("History of Bell's palsy in 2010.", knowledge)


@pytest.mark.parametrize(
    "text",
    [
        "Absent sweating on the left half of the face and a drooping left upper eyelid.",
        "The left side of her face did not sweat.",
        "A drooping eyelid with a small pupil on the same side.",
        "Right ptosis; the right pupil was smaller.",
    ],
)
def test_ptosis_with_a_small_pupil_or_no_sweating_is_horner(
    text: str, knowledge: Knowledge
) -> None:
    found = _present(text, knowledge)
    assert "sym:horner_syndrome" in found
    assert not found & {"sym:one_sided_weakness", "sym:cranial_nerve_palsy"}


def test_a_droop_after_and_describes_the_next_part(knowledge: Knowledge) -> None:
    """'the face and a drooping eyelid': the eyelid droops, the face is named for something
    else; the tie between the two parts goes to the one after the conjunction."""
    found = _present("Tingling of the face and a drooping eyelid.", knowledge)
    assert "sym:ptosis" in found
    spans = {
        f.text for f in read_text("Tingling of the face and a drooping eyelid.", knowledge).findings
    }
    assert "drooping eyelid" in spans


@pytest.mark.parametrize("text", ["She has dry lips.", "Night sweats and a red face."])
def test_dry_or_sweaty_face_is_not_horner(text: str, knowledge: Knowledge) -> None:
    assert "sym:horner_syndrome" not in _present(text, knowledge)


# -------------------------------------------------------- "faint" the feeling, not the shade
@pytest.mark.parametrize(
    "text",
    [
        "She felt faint on standing.",
        "Episodes of faintness for a week.",
        "She fainted twice at home.",
        "Two syncopal episodes.",
    ],
)
def test_feeling_faint_is_light_headedness(text: str, knowledge: Knowledge) -> None:
    assert "sym:light_headedness" in _present(text, knowledge)


@pytest.mark.parametrize(
    "text",
    [
        "Chest film: faint opacification in the right lower zone.",
        "A faint rash on the forearm.",
        "A faint line was seen.",
    ],
)
def test_faint_as_an_adjective_reads_nothing(text: str, knowledge: Knowledge) -> None:
    assert "sym:light_headedness" not in _present(text, knowledge)


# -------------------------------------------------------- limbs, feet and bones
@pytest.mark.parametrize(
    "text",
    [
        "Severe pain in both lower legs for a month.",
        "The heel was tender to touch.",
        "My feet hurt when I stand.",
        "Pain in her left arm at night.",
        "Aching in both legs.",
    ],
)
def test_pain_in_a_limb_with_no_bone_named_is_limb_pain(text: str, knowledge: Knowledge) -> None:
    found = _present(text, knowledge)
    assert "sym:limb_pain" in found
    assert "sym:bone_pain" not in found


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        ("Pain in the shins for weeks.", "sym:bone_pain"),
        ("Bone tenderness over the sternum.", "sym:focal_bone_tenderness"),
        ("Her left clavicle was tender to palpation.", "sym:focal_bone_tenderness"),
        ("The tibia was tender.", "sym:focal_bone_tenderness"),
        ("Pain in her right knee.", "sym:joint_pain"),
        ("Pain radiating down her left leg.", "sym:radicular_pain"),
    ],
)
def test_a_named_bone_joint_or_radiation_keeps_its_own_finding(
    text: str, finding: str, knowledge: Knowledge
) -> None:
    found = _present(text, knowledge)
    assert finding in found
    assert "sym:limb_pain" not in found


@pytest.mark.parametrize(
    "text",
    [
        "Her feet were hot and swollen.",  # swelling, not pain
        "No pain in her legs.",  # negated
        "Her legs were weak.",  # weakness
    ],
)
def test_swollen_feet_negated_pain_or_weak_legs_are_no_limb_pain(
    text: str, knowledge: Knowledge
) -> None:
    assert "sym:limb_pain" not in _present(text, knowledge)


def test_leg_pain_and_weakness_are_both_read(knowledge: Knowledge) -> None:
    found = _present("Weakness and pain in the left leg.", knowledge)
    assert {"sym:leg_weakness", "sym:limb_pain"} <= found


# -------------------------------------------------------- the mastectomy side and the belly
@pytest.mark.parametrize(
    ("text", "finding"),
    [
        ("My mastectomy side had swollen up and hardened.", "sym:skin_lesion"),
        ("The skin over my reconstruction is red and hard.", "sym:skin_lesion"),
        ("My reconstructed breast went red.", "sym:skin_lesion"),
        ("A lump on my scar.", "sym:skin_nodule"),
        ("A lump on my mastectomy side.", "sym:breast_lump"),
        ("My belly swelled up over a fortnight.", "sym:abdominal_bloating"),
        ("Her abdomen became increasingly distended.", "sym:abdominal_bloating"),
        ("I looked pregnant.", "sym:abdominal_bloating"),
    ],
)
def test_lay_chest_wall_and_belly_wording(text: str, finding: str, knowledge: Knowledge) -> None:
    assert finding in _present(text, knowledge)


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        # the intact breast's skin is the primary tumour's, not a chest-wall recurrence
        ("Discolouration of her right breast.", "sym:skin_lesion"),
        ("A raised rash on her tummy.", "sym:abdominal_bloating"),
        ("JVP raised at 5 cm.", "sym:abdominal_bloating"),
    ],
)
def test_near_misses_on_the_breast_and_belly(text: str, finding: str, knowledge: Knowledge) -> None:
    assert finding not in _present(text, knowledge)


# -------------------------------------------------------- misses found on the odd dev records
@pytest.mark.parametrize(
    ("text", "finding"),
    [
        ("Weakness and numbness in both legs.", "sym:leg_weakness"),
        ("Weakness, numbness and tingling in her legs.", "sym:leg_weakness"),
        (
            "A sudden headache and weakness and loss of sensation on the left side.",
            "sym:one_sided_weakness",
        ),
        ("Gradually developing weakness of all four limbs.", "sym:leg_weakness"),
        ("Low back pain spreading into both legs.", "sym:radicular_pain"),
        ("Abnormal sensation over the left side of the forehead.", "sym:cranial_nerve_palsy"),
        ("Headaches and a frontal behavioural syndrome.", "sym:behaviour_change"),
        ("A dry cough and disturbed vision.", "sym:blurred_vision"),
        ("Breathlessness on lying flat.", "sym:orthopnoea"),
        ("Inflammation of several joints and a rash.", "sym:joint_pain"),
        ("The thenar muscles were wasted.", "sym:limb_weakness"),
        ("The left eye could not move inwards or upwards.", "sym:ophthalmoplegia"),
        ("Restricted movement of the right eye.", "sym:ophthalmoplegia"),
        ("She could not move her left arm.", "sym:limb_weakness"),
        ("I can't move my toes.", "sym:leg_weakness"),
        ("She is itchy all the time.", "sym:pruritus"),
    ],
)
def test_wording_the_reader_used_to_miss(text: str, finding: str, knowledge: Knowledge) -> None:
    assert finding in _present(text, knowledge)


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        # a complaint term not joined to the head by 'and' / a comma still ends the pairing
        ("Weakness with numbness in both legs.", "sym:leg_weakness"),
        # a spreading rash is no nerve-root pain
        ("A rash spreading down her legs.", "sym:radicular_pain"),
        ("Her legs were weak, no numbness in the legs.", "sym:numbness"),
        ("Muscle wasting of both legs with weight loss.", "sym:leg_weakness"),  # cachexia
        ("Itchy eyes from hay fever.", "sym:pruritus"),
        ("She could not see out of her left eye.", "sym:ophthalmoplegia"),
    ],
)
def test_near_misses_of_the_new_wording(text: str, finding: str, knowledge: Knowledge) -> None:
    assert finding not in _present(text, knowledge)


# -------------------------------------------------------- where in the abdomen
@pytest.mark.parametrize(
    "text",
    [
        "Sudden pain in the right lower abdomen.",
        "Tenderness in the left iliac fossa.",
        "My lower belly hurts all the time.",
    ],
)
def test_pain_low_in_the_abdomen_is_pelvic_not_liver(text: str, knowledge: Knowledge) -> None:
    found = _present(text, knowledge)
    assert "sym:pelvic_pain" in found
    assert not found & {"sym:abdominal_pain", "sym:ruq_pain"}


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        ("Pain in the right upper abdomen.", "sym:ruq_pain"),
        ("Pain in her abdomen for a week.", "sym:abdominal_pain"),
        ("Pain in the lower back since May.", "sym:back_pain"),
    ],
)
def test_pain_elsewhere_in_the_abdomen_keeps_its_finding(
    text: str, finding: str, knowledge: Knowledge
) -> None:
    found = _present(text, knowledge)
    assert "sym:pelvic_pain" not in found
    assert finding in found
