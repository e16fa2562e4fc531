"""Red flags raised on the wording case reports use, each beside a near miss.

Every positive is worded the way notes describe the problem rather than with the knowledge's
own labels; every near miss shares its words but not the guideline criterion (see the comments
in ``knowledge/data/red_flags.yaml``): a fracture is not a fracture long ago, calcium symptoms
are not a normal calcium, breathlessness with a raised venous pressure is not exertional
breathlessness, and so on.
"""

from __future__ import annotations

import pytest

from mbcnav import Knowledge, assess


def _flags(text: str, knowledge: Knowledge, **patient: object) -> dict[str, str]:
    result = assess({"text": text, **patient}, knowledge=knowledge)
    return {flag.id: flag.urgency for flag in result.red_flags}


BONE_KNOWN = {"known_sites": ["site:bone"], "setting": "metastatic"}

# (note, extra patient fields, flag, urgency)
POSITIVES: list[tuple[str, dict[str, object], str, str]] = [
    # Mirels / Plunkett: a fracture named in a bone, in any word order
    (
        "She fell from standing and fractured her right femur.",
        {},
        "flag:pathological_fracture",
        "urgent",
    ),
    ("X-ray showed a fracture of the left humerus.", {}, "flag:pathological_fracture", "urgent"),
    # vertebral collapse told as wedging or loss of height
    (
        "Acute back pain after lifting; the radiograph showed anterior wedging of L2.",
        {},
        "flag:pathological_fracture",
        "urgent",
    ),
    (
        "Loss of height of the T12 vertebral body on the lateral film.",
        {},
        "flag:pathological_fracture",
        "urgent",
    ),
    # impending fracture: functional pain (weight bearing, a limp) in known bone disease
    (
        "Increasing pain in the right hip when she puts weight on the leg.",
        BONE_KNOWN,
        "flag:pathological_fracture",
        "urgent",
    ),
    (
        "Thigh pain for a month and she now walks with a limp.",
        BONE_KNOWN,
        "flag:pathological_fracture",
        "urgent",
    ),
    # hypercalcaemia: a value in brackets, and the symptoms that track calcium
    ("Bloods showed calcium (3.3 mmol/L) and urea 12.", {}, "flag:hypercalcaemia", "urgent"),
    ("She was drowsy and constipated and very thirsty.", {}, "flag:hypercalcaemia", "urgent"),
    (
        "Lethargic and confused, with constipation for a week.",
        BONE_KNOWN,
        "flag:hypercalcaemia",
        "urgent",
    ),
    # ESC 2015: breathless with tachycardia and a raised venous pressure - same-day echo
    (
        "Increasing dyspnoea; pulse 124 and the jugular veins were distended.",
        {},
        "flag:respiratory_compromise",
        "urgent",
    ),
    # ... and with pulsus paradoxus or muffled heart sounds, tamponade
    (
        "Breathless; pulsus paradoxus of 20 mmHg and a heart rate of 120.",
        {},
        "flag:cardiac_tamponade",
        "emergency",
    ),
    (
        "Short of breath, heart rate 130, heart sounds were muffled and the JVP was raised.",
        {},
        "flag:cardiac_tamponade",
        "emergency",
    ),
    (
        "Echo: pericardial effusion with diastolic collapse of the right ventricle.",
        {},
        "flag:cardiac_tamponade",
        "emergency",
    ),
    # BTS 2023 / Wong 2009: breathlessness with the bedside signs of an effusion
    (
        "Breathless, with stony dullness and reduced breath sounds at the left base.",
        {},
        "flag:respiratory_compromise",
        "urgent",
    ),
    # AASLD 2011 / EASL 2017: jaundice with coagulopathy (an INR value or clotting in words)
    ("Deeply jaundiced with an INR of 2.3.", {}, "flag:hepatic_visceral_crisis", "emergency"),
    (
        "Her sclerae were yellow and the clotting was prolonged.",
        {},
        "flag:hepatic_visceral_crisis",
        "emergency",
    ),
    (
        "Jaundiced and encephalopathic on admission.",
        {},
        "flag:hepatic_visceral_crisis",
        "emergency",
    ),
    # ABC 5: a rising bilirubin in a hepatitic picture, even with new jaundice
    (
        "Jaundice with a rising bilirubin and deteriorating liver function tests.",
        {},
        "flag:hepatic_visceral_crisis",
        "urgent",
    ),
    # NG234 box 1: upper motor neurone signs with spinal pain
    (
        "Thoracic back pain with brisk knee reflexes and upgoing plantars.",
        {},
        "flag:spinal_cord_compression",
        "emergency",
    ),
    # CTCAE grade 2 on an ionised calcium (never read as a corrected one)
    ("Ionised calcium 1.62 mmol/L on the blood gas.", {}, "flag:hypercalcaemia", "urgent"),
    # a Glasgow Coma Scale of 13 with a headache: reduced consciousness of raised pressure
    ("New headache; GCS 13/15 on arrival.", {}, "flag:raised_intracranial_pressure", "emergency"),
    # NEWS2 / BTS: an oxygen requirement is hypoxia
    (
        "Breathless and needing supplemental oxygen overnight.",
        {},
        "flag:respiratory_compromise",
        "urgent",
    ),
    (
        "Breathless, with blunting of the right costophrenic angle on the film.",
        {},
        "flag:respiratory_compromise",
        "urgent",
    ),
    # liver failure named as its renal complication
    ("Hepatorenal syndrome developed.", {}, "flag:hepatic_visceral_crisis", "urgent"),
    # NG234 box 1 in case-report words: lower limb weakness, a sensory level told as lost
    # sensation, walking no longer possible
    ("She had lower limb weakness for a week.", {}, "flag:spinal_cord_compression", "emergency"),
    (
        "She was no longer able to walk and had lost sensation below the umbilicus.",
        {},
        "flag:spinal_cord_compression",
        "emergency",
    ),
    # a hip that cannot bear weight is a fracture sign
    (
        "Severe pain in the right hip and she could not weight bear.",
        {},
        "flag:pathological_fracture",
        "urgent",
    ),
    ("She was dyspnoeic at rest.", {}, "flag:respiratory_compromise", "urgent"),
    # ABC 5: a bilirubin rising rapidly in known liver metastases
    (
        "Her bilirubin rose rapidly to 15 mg/dL.",
        {"known_sites": ["site:liver"], "setting": "metastatic"},
        "flag:hepatic_visceral_crisis",
        "urgent",
    ),
    # a procedure that drains an effusion names it
    ("She required thoracentesis for breathlessness.", {}, "flag:respiratory_compromise", "urgent"),
    ("Obstructive hydrocephalus on CT.", {}, "flag:raised_intracranial_pressure", "emergency"),
    ("She had a convulsive episode at home.", {}, "flag:seizure", "emergency"),
    # posterior fossa: ataxia with vomiting
    (
        "Two weeks of truncal ataxia and repeated vomiting.",
        {},
        "flag:raised_intracranial_pressure",
        "emergency",
    ),
]


@pytest.mark.parametrize(("text", "patient", "flag", "urgency"), POSITIVES)
def test_flag_raised_on_real_wording(
    text: str, patient: dict[str, object], flag: str, urgency: str, knowledge: Knowledge
) -> None:
    flags = _flags(text, knowledge, **patient)
    assert flags.get(flag) == urgency, flags


# (note, extra patient fields, flags that must not be raised)
NEAR_MISSES: list[tuple[str, dict[str, object], set[str]]] = [
    ("She fractured her wrist skiing ten years ago.", {}, {"flag:pathological_fracture"}),
    ("Mild ache in the right hip at rest.", BONE_KNOWN, {"flag:pathological_fracture"}),
    ("She has put weight on since starting tamoxifen.", BONE_KNOWN, {"flag:pathological_fracture"}),
    (
        "Calcium (2.4 mmol/L) was normal; drowsy and constipated.",
        BONE_KNOWN,
        {"flag:hypercalcaemia"},
    ),
    ("Constipated since starting codeine.", BONE_KNOWN, {"flag:hypercalcaemia"}),
    ("Thirsty in the hot weather.", {}, {"flag:hypercalcaemia"}),
    # a fast pulse and breathlessness without any sign of raised venous pressure
    ("Breathless on the stairs with a pulse of 110.", {}, {"flag:cardiac_tamponade"}),
    # a raised JVP with breathlessness and a fast pulse in heart failure is not tamponade
    (
        "Known cardiomyopathy; breathless, JVP raised, pulse 112.",
        {},
        {"flag:cardiac_tamponade"},
    ),
    # incontinence beside a chemotherapy neuropathy is not cauda equina
    (
        "Stress urinary incontinence; numbness in the fingers since paclitaxel.",
        {},
        {"flag:spinal_cord_compression"},
    ),
    ("Short of breath climbing stairs; heart sounds normal.", {}, {"flag:respiratory_compromise"}),
    # a normal clotting screen with jaundice is not liver failure on its own words
    ("Jaundice noted; INR 1.0 and clotting normal.", {}, {"flag:hepatic_visceral_crisis"}),
    ("Mild unsteadiness after a fall, no vomiting.", {}, {"flag:raised_intracranial_pressure"}),
    ("Headache; GCS 15/15 and no vomiting.", {}, {"flag:raised_intracranial_pressure"}),
    (
        "Thoracentesis in 2019 for an effusion; no breathlessness now.",
        {},
        {"flag:respiratory_compromise"},
    ),
    ("Numbness of the nipple since her mastectomy.", {}, {"flag:spinal_cord_compression"}),
    (
        "Her bilirubin was stable at 25 umol/L.",
        {"known_sites": ["site:liver"], "setting": "metastatic"},
        {"flag:hepatic_visceral_crisis"},
    ),
    ("Ionised calcium 1.25 mmol/L; drowsy and constipated.", BONE_KNOWN, {"flag:hypercalcaemia"}),
    ("Brisk reflexes in both arms, no back pain.", {}, {"flag:spinal_cord_compression"}),
    # one weak arm with a Horner syndrome and neck pain: the apical / lower plexus pattern
    (
        "Weakness of the left hand and arm, a left Horner syndrome and pain in the neck.",
        {},
        {"flag:spinal_cord_compression"},
    ),
    # both legs weak with a cranial-nerve palsy and no spinal pain: leptomeningeal pattern
    (
        "Her legs became weak and she developed double vision from a sixth nerve palsy.",
        {},
        {"flag:spinal_cord_compression"},
    ),
]


@pytest.mark.parametrize(("text", "patient", "absent"), NEAR_MISSES)
def test_near_miss_raises_no_such_flag(
    text: str, patient: dict[str, object], absent: set[str], knowledge: Knowledge
) -> None:
    flags = _flags(text, knowledge, **patient)
    assert not absent & flags.keys(), flags


def test_leptomeningeal_pattern_still_gets_its_own_flag(knowledge: Knowledge) -> None:
    """Cord compression gives way to the leptomeningeal flag, which images the whole neuraxis."""
    flags = _flags("Her legs became weak and she developed double vision.", knowledge)
    assert flags.get("flag:leptomeningeal_disease") == "urgent"


def test_cord_compression_kept_when_the_spine_hurts(knowledge: Knowledge) -> None:
    """A cranial-nerve sign never silences leg weakness with spinal pain (NG234 box 1)."""
    flags = _flags(
        "Pain in the upper back for a month; her legs became weak and she sees double.",
        knowledge,
    )
    assert flags.get("flag:spinal_cord_compression") == "emergency"


def test_arm_weakness_without_horner_with_spinal_pain_is_cord_compression(
    knowledge: Knowledge,
) -> None:
    """The Horner exception is narrow: a weak arm with neck pain still raises MSCC."""
    flags = _flags("Weakness of the left arm and pain in the cervical spine.", knowledge)
    assert flags.get("flag:spinal_cord_compression") == "emergency"


def test_symptom_hypercalcaemia_never_escalates_without_a_calcium(knowledge: Knowledge) -> None:
    """Symptoms alone ask for a calcium today (urgent); only a measured or named high calcium
    makes the flag an emergency."""
    flags = _flags("Very thirsty, constipated and confused.", knowledge, **BONE_KNOWN)
    assert flags.get("flag:hypercalcaemia") == "urgent"


def test_new_triggers_cite_their_guideline(knowledge: Knowledge) -> None:
    cited = {ident: set(flag.sources) for ident, flag in knowledge.red_flags.items()}
    assert "src:esc2015_pericardial" in cited["flag:cardiac_tamponade"]
    assert "src:wong2009_effusion" in cited["flag:respiratory_compromise"]
    assert {"src:aasld_alf2011", "src:easl_alf2017"} <= cited["flag:hepatic_visceral_crisis"]
    assert "src:pdq_hypercalcaemia" in cited["flag:hypercalcaemia"]
    assert "src:mirels1989" in cited["flag:pathological_fracture"]
    assert "src:eano_esmo2017_lm" in cited["flag:spinal_cord_compression"]


# patients' own words for the same criteria
LAY = [
    ("It hurts to put any weight on my left leg.", BONE_KNOWN, "flag:pathological_fracture"),
    ("My legs went numb and I couldn't pee.", {}, "flag:spinal_cord_compression"),
    (
        "I couldn't breathe lying down and they drained fluid from my lung.",
        {},
        "flag:respiratory_compromise",
    ),
    ("My head was pounding and I kept being sick.", {}, "flag:raised_intracranial_pressure"),
    ("I was so thirsty, constipated and sleepy all the time.", {}, "flag:hypercalcaemia"),
]


@pytest.mark.parametrize(("text", "patient", "flag"), LAY)
def test_flag_raised_in_patients_words(
    text: str, patient: dict[str, object], flag: str, knowledge: Knowledge
) -> None:
    assert flag in _flags(text, knowledge, **patient)


def test_unable_to_stop_passing_urine_is_not_retention(knowledge: Knowledge) -> None:
    """ "Couldn't stop weeing" is frequency: no retention, so numb legs do not make it MSCC."""
    result = assess({"text": "My legs feel numb and I couldn't stop weeing."}, knowledge=knowledge)
    assert "sym:urinary_retention" not in {f.id for f in result.findings}
    assert "flag:spinal_cord_compression" not in {f.id for f in result.red_flags}
