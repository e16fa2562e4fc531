"""The emergencies published cases describe, raised by clinical criteria (issue 11, item 4).

Liver failure in a patient with breast cancer is an emergency whatever its cause and whether
or not liver metastases are known yet (AASLD 2011, EASL 2017: coagulopathy with
encephalopathy; EASL 2018: ascites, variceal bleeding, encephalopathy, jaundice mark
decompensation); hypercalcaemia named in words is hypercalcaemia; a named spinal fracture is a
pathological fracture until imaging shows otherwise; a pericardial effusion that makes the
patient breathless, or the signs of tamponade, need echocardiography the same day. Each rule has
positives worded as notes word them (not the knowledge base's labels) and near misses that
must not raise it. Criteria: the comments in ``knowledge/data/red_flags.yaml``.
"""

from __future__ import annotations

import pytest

from mbcnav import Knowledge, assess

HEPATIC = "flag:hepatic_visceral_crisis"
FRACTURE = "flag:pathological_fracture"


def _flags(text: str, knowledge: Knowledge, **patient: object) -> dict[str, str]:
    """Flag id -> urgency for one note read end to end."""
    result = assess({"text": text, **patient}, knowledge=knowledge)
    return {flag.id: flag.urgency for flag in result.red_flags}


# (note, flag that must be raised, its urgency)
POSITIVES = [
    # acute liver failure: jaundice with encephalopathy, no liver metastases known
    (
        "Ten days of yellow skin; her family say she has been muddled since the weekend.",
        HEPATIC,
        "emergency",
    ),
    ("Drowsy and deeply icteric on arrival.", HEPATIC, "emergency"),
    # jaundice with a coagulopathy of liver origin
    ("Icteric, with a prolonged prothrombin time and no anticoagulant.", HEPATIC, "emergency"),
    # decompensation: ascites with a raised bilirubin
    (
        "Her abdomen has swollen with fluid (shifting dullness) and the bilirubin was elevated.",
        HEPATIC,
        "urgent",
    ),
    # liver failure and its encephalopathy named
    ("Transferred with subacute hepatic failure of unknown cause.", HEPATIC, "urgent"),
    ("Hepatic encephalopathy this admission, treated with lactulose.", HEPATIC, "urgent"),
    # portal hypertension: variceal haemorrhage
    ("She vomited blood from ruptured varices overnight.", HEPATIC, "emergency"),
    # a rising bilirubin with hepatocellular injury, liver not yet known to be involved
    (
        "Over a fortnight the bilirubin kept rising and the liver enzymes were elevated.",
        HEPATIC,
        "urgent",
    ),
    # hypercalcaemia in words, including as the reason for a referral after a past history
    (
        "Known to the surgeons in the past; referred with a raised serum calcium.",
        "flag:hypercalcaemia",
        "urgent",
    ),
    (
        "Past history of asthma, sent in because her corrected calcium was high.",
        "flag:hypercalcaemia",
        "urgent",
    ),
    ("The GP found she was hypercalcaemic.", "flag:hypercalcaemia", "urgent"),
    # a spinal fracture named, in clinical and in lay words
    ("Plain films showed an L2 burst fracture.", FRACTURE, "urgent"),
    ("MRI: crush fractures at two thoracic levels.", FRACTURE, "urgent"),
    ("They told me there are fractures in my spine.", FRACTURE, "urgent"),
    # a breathless patient with a pericardial effusion; tamponade signs
    (
        "A pericardial effusion was seen; she has central chest pain.",
        "flag:respiratory_compromise",
        "urgent",
    ),
    (
        "Increasingly short of breath; echo showed a moderate pericardial effusion.",
        "flag:respiratory_compromise",
        "urgent",
    ),
    (
        "Hypotensive, with faint heart sounds and a paradoxical pulse.",
        "flag:cardiac_tamponade",
        "emergency",
    ),
]


@pytest.mark.parametrize(("text", "flag", "urgency"), POSITIVES)
def test_emergency_raised_by_its_criteria(
    text: str, flag: str, urgency: str, knowledge: Knowledge
) -> None:
    flags = _flags(text, knowledge)
    assert flags.get(flag) == urgency, flags


# (note, flags that must NOT be raised)
NEAR_MISSES = [
    # Gilbert syndrome explains an isolated raised bilirubin
    ("Gilbert's syndrome; bilirubin was elevated on a fasting sample.", {HEPATIC}),
    # one mildly raised bilirubin, nothing else
    ("Routine bloods: bilirubin is raised slightly, otherwise normal.", {HEPATIC}),
    # the cholestatic picture is the biliary flag, not liver failure
    ("Jaundice with pale stools, dark urine and itching for a week.", {HEPATIC}),
    # liver failure negated, or only a risk named
    ("No signs of liver failure; she is alert and not jaundiced.", {HEPATIC}),
    ("Consented for capecitabine; risks include liver failure.", {HEPATIC}),
    # confusion alone, with no liver sign
    ("Confused since yesterday, calcium awaited.", {HEPATIC}),
    # calcium mentioned without being high
    ("Serum calcium and albumin were checked and were normal.", {"flag:hypercalcaemia"}),
    # back pain alone, and a spinal fracture long past
    ("Aching low back after lifting the shopping.", {FRACTURE}),
    ("History of a wedge fracture in 2009, healed.", {FRACTURE}),
    ("MRI showed no vertebral fracture or collapse.", {FRACTURE}),
    # a small pericardial effusion found by chance, no symptoms
    (
        "An incidental small pericardial effusion; she feels well.",
        {"flag:respiratory_compromise", "flag:cardiac_tamponade"},
    ),
]


@pytest.mark.parametrize(("text", "absent"), NEAR_MISSES)
def test_near_miss_raises_no_such_flag(text: str, absent: set[str], knowledge: Knowledge) -> None:
    flags = _flags(text, knowledge)
    assert not absent & flags.keys(), flags


def test_cholestatic_jaundice_is_biliary_but_with_confusion_also_liver_failure(
    knowledge: Knowledge,
) -> None:
    """A new cholestatic jaundice is the biliary flag; confusion added makes it liver failure
    too (a cholestatic cause does not make encephalopathy safer)."""
    plain = _flags("New jaundice with pale stools.", knowledge)
    assert plain.get("flag:biliary_obstruction") == "urgent"
    assert HEPATIC not in plain
    confused = _flags("New jaundice with pale stools; now confused.", knowledge)
    assert confused.get(HEPATIC) == "emergency"


def test_liver_failure_fires_without_known_liver_metastases(knowledge: Knowledge) -> None:
    """The ABC branch needs liver metastases; the liver-failure branch does not."""
    flags = _flags("Jaundiced and drowsy.", knowledge, setting="suspected")
    assert flags.get(HEPATIC) == "emergency"


def test_pericardial_effusion_with_tamponade_signs_is_one_problem(knowledge: Knowledge) -> None:
    """Breathless with a pericardial effusion is respiratory compromise; with a raised JVP and
    a low blood pressure it is tamponade, and only tamponade."""
    breathless = _flags("Breathless; a pericardial effusion on echo.", knowledge)
    assert breathless.get("flag:respiratory_compromise") == "urgent"
    assert "flag:cardiac_tamponade" not in breathless
    shocked = _flags(
        "Breathless and hypotensive with a raised JVP; a pericardial effusion on echo.", knowledge
    )
    assert shocked.get("flag:cardiac_tamponade") == "emergency"
    assert "flag:respiratory_compromise" not in shocked
