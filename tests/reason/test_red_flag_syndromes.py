"""The red-flag syndromes fire on the wording real notes and patients use, end to end.

Each syndrome has positives worded the way case reports and patients describe it (not the
knowledge base's own labels) and near misses that must not raise it: back pain alone, the
one-sided weakness of a stroke, an injury with no sign of a fracture, jaundice named only as
history. The criteria are the guideline's (NICE NG234 for cord compression, NEWS2 for
respiratory compromise); see the comments in ``knowledge/data/red_flags.yaml``.
"""

from __future__ import annotations

import pytest

from mbcnav import Knowledge, assess

ACT_NOW = ("emergency", "urgent")


def _flags(text: str, knowledge: Knowledge, **patient: object) -> dict[str, str]:
    """Flag id -> urgency for one note read end to end."""
    result = assess({"text": text, **patient}, knowledge=knowledge)
    return {flag.id: flag.urgency for flag in result.red_flags}


# (note, flag that must be raised, its urgency)
POSITIVES = [
    # NG234 box 1 symptom with spinal pain
    (
        "Over the last three days her legs have become weak; she has had pain in the upper back "
        "since the summer.",
        "flag:spinal_cord_compression",
        "emergency",
    ),
    # cord signs without any pain: both legs weak
    (
        "Paralysis of both lower limbs for 48 hours. Past history of breast cancer treated with "
        "mastectomy.",
        "flag:spinal_cord_compression",
        "emergency",
    ),
    # cauda equina: saddle numbness alone
    (
        "She reports numbness between her legs when wiping.",
        "flag:spinal_cord_compression",
        "emergency",
    ),
    # a sensory level and retention
    (
        "On examination there was a sensory level at T8 and she was unable to pass urine.",
        "flag:spinal_cord_compression",
        "emergency",
    ),
    # NG234 box 2 pain with no neurology: urgent, not emergency
    (
        "Pain between her shoulder blades that wakes her at night.",
        "flag:suspected_spinal_metastasis",
        "urgent",
    ),
    # pathological fracture: minimal trauma, and the signs of a hip fracture
    (
        "She fractured her left humerus after minimal trauma while dressing.",
        "flag:pathological_fracture",
        "urgent",
    ),
    (
        "After stumbling at home she was unable to bear weight; the right leg lay shortened and "
        "externally rotated.",
        "flag:pathological_fracture",
        "urgent",
    ),
    # a fracture named in lay words
    ("Mum tripped on the stairs and broke her hip.", "flag:pathological_fracture", "urgent"),
    # impending fracture: functional pain with known bone disease, either way round
    (
        "Known bone metastases; pain on walking, felt in the right thigh.",
        "flag:pathological_fracture",
        "urgent",
    ),
    (
        "Bony metastases in the pelvis. Hip pain so bad she is unable to walk.",
        "flag:pathological_fracture",
        "urgent",
    ),
    # radicular girdle pain with back pain is a box 1 symptom
    (
        "Back pain radiating around the chest, worse over the past week.",
        "flag:spinal_cord_compression",
        "emergency",
    ),
    # SVC obstruction: swollen face and neck with distended neck veins
    (
        "Two weeks of swelling of the face and neck; the neck veins were distended and she was "
        "short of breath lying down.",
        "flag:svc_obstruction",
        "urgent",
    ),
    # respiratory compromise without the word "effusion"
    (
        "She was hypoxic and in respiratory distress on arrival.",
        "flag:respiratory_compromise",
        "urgent",
    ),
    (
        "Low oxygen saturations at rest; her lips turned blue.",
        "flag:respiratory_compromise",
        "urgent",
    ),
    # hypercalcaemia in words
    ("Her calcium was high on the bloods taken by the GP.", "flag:hypercalcaemia", "urgent"),
    # raised intracranial pressure and seizure in plain words
    (
        "A week of headache with vomiting, worst first thing.",
        "flag:raised_intracranial_pressure",
        "emergency",
    ),
    (
        "Her husband found her drowsy and the left side was weak.",
        "flag:raised_intracranial_pressure",
        "emergency",
    ),
    ("She describes blank spells lasting a few seconds.", "flag:seizure", "emergency"),
    ("An episode of loss of consciousness with jerking at home.", "flag:seizure", "emergency"),
    (
        "Too breathless to complete sentences, sitting forward.",
        "flag:respiratory_compromise",
        "urgent",
    ),
    ("Two blackouts with jerking of her limbs this week.", "flag:seizure", "emergency"),
]


@pytest.mark.parametrize(("text", "flag", "urgency"), POSITIVES)
def test_syndrome_raised_on_real_wording(
    text: str, flag: str, urgency: str, knowledge: Knowledge
) -> None:
    flags = _flags(text, knowledge)
    assert flags.get(flag) == urgency, flags


# (note, flags that must NOT be raised)
NEAR_MISSES = [
    # plain low back pain: no NG234 pattern, no neurology
    (
        "Low back pain after gardening, eased by ibuprofen.",
        {"flag:spinal_cord_compression", "flag:suspected_spinal_metastasis"},
    ),
    # a stroke pattern: one-sided weakness with slurred speech is not cord compression
    (
        "Sudden weakness of the right arm and leg with slurred speech this morning.",
        {"flag:spinal_cord_compression"},
    ),
    (
        "Right-sided weakness affecting the arm and leg, and she cannot find her words.",
        {"flag:spinal_cord_compression"},
    ),
    # numbness alone (e.g. chemotherapy neuropathy) with no spinal pain or cord sign
    (
        "Numbness and tingling in her fingers and toes since paclitaxel.",
        {"flag:spinal_cord_compression"},
    ),
    # an injury with no fracture sign and no minimal-trauma wording
    ("She bruised her shin on a table; walking normally.", {"flag:pathological_fracture"}),
    # a swollen arm alone (lymphoedema) is not SVC obstruction
    ("Swollen arm since axillary clearance, worse in the heat.", {"flag:svc_obstruction"}),
    # breathless on exertion with nothing else
    ("A little out of breath climbing hills.", {"flag:respiratory_compromise"}),
    # calcium stated normal
    ("Calcium was normal; no thirst.", {"flag:hypercalcaemia"}),
    # a headache alone, and a faint on standing
    (
        "Occasional tension headache at the end of the working day.",
        {"flag:raised_intracranial_pressure"},
    ),
    ("She felt light-headed on standing up quickly.", {"flag:seizure"}),
    # a band-like tension headache is not radicular pain
    ("Tension headache like a band around the head.", {"flag:spinal_cord_compression"}),
    # walking is hard for a reason other than bone pain, with no bone disease known
    ("Her knee osteoarthritis makes it hard to walk.", {"flag:pathological_fracture"}),
    # seizure negated
    ("No fits, faints or blank spells.", {"flag:seizure"}),
]


@pytest.mark.parametrize(("text", "absent"), NEAR_MISSES)
def test_near_miss_raises_no_such_flag(text: str, absent: set[str], knowledge: Knowledge) -> None:
    flags = _flags(text, knowledge)
    assert not absent & flags.keys(), flags


def test_cord_signs_outrank_suspected_spinal_metastasis(knowledge: Knowledge) -> None:
    """One flag per problem: once a box 1 sign is present the urgent flag gives way."""
    flags = _flags(
        "Back pain worse at night for a month; now her legs give way and she cannot pass urine.",
        knowledge,
    )
    assert flags.get("flag:spinal_cord_compression") == "emergency"
    assert "flag:suspected_spinal_metastasis" not in flags


def test_flags_cite_their_guideline(knowledge: Knowledge) -> None:
    """Both spinal flags cite NICE NG234; respiratory compromise cites NEWS2."""
    cited = {ident: set(flag.sources) for ident, flag in knowledge.red_flags.items()}
    assert "src:nice_ng234" in cited["flag:spinal_cord_compression"]
    assert "src:nice_ng234" in cited["flag:suspected_spinal_metastasis"]
    assert "src:rcp_news2" in cited["flag:respiratory_compromise"]


# patients' own words
LAY = [
    ("My bum feels numb when I sit on the toilet.", "flag:spinal_cord_compression", "emergency"),
    (
        "I've been struggling to get up the stairs and my lower back is getting worse.",
        "flag:spinal_cord_compression",
        "emergency",
    ),
    ("My thigh snapped when I turned over in bed.", "flag:pathological_fracture", "urgent"),
    (
        "My face and neck puffed up and the veins on my chest stand out.",
        "flag:svc_obstruction",
        "urgent",
    ),
    (
        "My head is splitting every morning and I throw up.",
        "flag:raised_intracranial_pressure",
        "emergency",
    ),
    ("My calcium was really high and I'm so thirsty.", "flag:hypercalcaemia", "urgent"),
    ("I keep zoning out and my husband says I go blank.", "flag:seizure", "emergency"),
]


@pytest.mark.parametrize(("text", "flag", "urgency"), LAY)
def test_syndrome_raised_in_patients_words(
    text: str, flag: str, urgency: str, knowledge: Knowledge
) -> None:
    assert _flags(text, knowledge).get(flag) == urgency


def test_mind_going_blank_is_not_a_seizure(knowledge: Knowledge) -> None:
    """Losing one's thread is a memory complaint, not the blank spells of a seizure."""
    assert "flag:seizure" not in _flags("When I'm asked a question my mind goes blank.", knowledge)


NAMED = [
    ("Echocardiogram confirmed cardiac tamponade.", "flag:cardiac_tamponade", "emergency"),
    (
        "CT chest: superior vena cava obstruction by a mediastinal mass.",
        "flag:svc_obstruction",
        "urgent",
    ),
    ("She was hypercalcaemic on admission.", "flag:hypercalcaemia", "urgent"),
    (
        "On examination there were signs of raised intracranial pressure.",
        "flag:raised_intracranial_pressure",
        "emergency",
    ),
    (
        "Worsening breathlessness on the ward; she needed intubation.",
        "flag:respiratory_compromise",
        "urgent",
    ),
]


@pytest.mark.parametrize(("text", "flag", "urgency"), NAMED)
def test_named_syndrome_raises_its_flag(
    text: str, flag: str, urgency: str, knowledge: Knowledge
) -> None:
    """A note that names the emergency itself raises it, without listing its signs."""
    assert _flags(text, knowledge).get(flag) == urgency


def test_jaundice_words_are_read(knowledge: Knowledge) -> None:
    """Jaundice in words and a climbing bilirubin are read (the hepatic flag's own thresholds
    decide what follows)."""
    result = assess(
        {"text": "Yellowing of the eyes over a fortnight; the bilirubin is climbing."},
        knowledge=knowledge,
    )
    present = {f.id for f in result.findings if f.present}
    assert {"sym:jaundice", "sym:raised_bilirubin"} <= present
