"""Context errors that real wording exposed: each fix with a positive and a near miss.

Case reports, patients' words and MTSamples notes read "no change in vision" as a vision
problem, "my voice has gone croaky" as no hoarseness, and carried a "history of breast cancer"
onto the fall that brought the patient in. The table asks ``qualify`` about a span (context
only); the readings below go through the real knowledge.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mbcnav.extract import qualify, read_text
from mbcnav.knowledge import Knowledge, load_knowledge

QUALIFIERS = ("negated", "historical", "hypothetical", "family", "uncertain")


def _span(text: str, target: str) -> tuple[int, int]:
    start = text.index(target)
    return start, start + len(target)


# text, target, qualifiers that must be set, qualifiers that must not be set
CASES = [
    # a pseudo-trigger the target starts inside does not shield it; one before it does
    ("No change in vision.", "change in vision", {"negated"}, set()),
    ("Headache, no change in speech.", "change in speech", {"negated"}, set()),
    ("Headache, no change in speech.", "Headache", set(), {"negated"}),
    ("She walks without difficulty breathing.", "difficulty breathing", {"negated"}, set()),
    ("No change in the mass.", "mass", set(), {"negated"}),
    ("There is no increase in the back pain.", "back pain", set(), {"negated"}),
    ("Fever: no. Change in vision noted.", "Change in vision", set(), {"negated"}),
    # "clear of", "free from"
    ("The chest is clear of pleural effusion.", "pleural effusion", {"negated"}, set()),
    ("She remains free from back pain.", "back pain", {"negated"}, set()),
    ("The chest is clear. She has back pain.", "back pain", set(), {"negated"}),
    # "has gone" + a state is became; "has gone" alone is gone
    ("Pins and needles in her hand and it has gone numb.", "Pins and needles", set(), {"negated"}),
    ("The fever has gone up to 39.", "fever", set(), {"negated"}),
    ("The back pain has gone.", "back pain", {"negated"}, set()),
    # what has not gone is current
    ("The back pain hasn't resolved.", "back pain", set(), {"negated", "historical"}),
    ("The cough that hasn't gone away.", "cough", set(), {"negated", "historical"}),
    ("Her headaches have not cleared.", "headaches", set(), {"negated", "historical"}),
    ("Her back pain has resolved.", "back pain", {"negated", "historical"}, set()),
    # "absent" naming a sign
    ("Absent breath sounds with dullness to percussion.", "dullness", set(), {"negated"}),
    ("Tingling in the neck, absent sweating on the left face.", "Tingling", set(), {"negated"}),
    ("Headache is absent.", "Headache", {"negated"}, set()),
    # history ends at a new clause of the current event
    (
        "A woman with a history of breast cancer fell and fractured her femur.",
        "femur",
        set(),
        {"historical"},
    ),
    (
        "History of breast cancer, found to have a lump in her axilla.",
        "lump",
        set(),
        {"historical"},
    ),
    ("She has a history of falls and a hip fracture.", "hip fracture", {"historical"}, set()),
    ("She had had intermittent headaches for a month.", "headaches", set(), {"historical"}),
    ("She had a hip fracture 12 years earlier.", "hip fracture", {"historical"}, set()),
    (
        "Seven years before she was treated for breast cancer.",
        "breast cancer",
        {"historical"},
        set(),
    ),
    (
        "History of hysterectomy, complained of urinary incontinence.",
        "urinary incontinence",
        set(),
        {"historical"},
    ),
    ("As per the history, she reported back pain.", "back pain", set(), {"historical"}),
    ("History of urinary incontinence.", "urinary incontinence", {"historical"}, set()),
    # the patient's "I" ends another person's scope
    ("My mother had breast cancer and I have back pain.", "back pain", set(), {"family"}),
    ("I was run down, as I had just lost my father.", "run down", set(), {"family"}),
    ("My mother told me she had back pain.", "back pain", {"family"}, set()),
    ("Her mother had back pain.", "back pain", {"family"}, set()),
    # doubt about a cause is no doubt about the complaint
    ("A tumour that is probably causing the double vision.", "double vision", set(), {"uncertain"}),
    ("Probably double vision.", "double vision", {"uncertain"}, set()),
    ("Rule out other causes such as encephalopathy.", "encephalopathy", {"uncertain"}, set()),
    # a list of risks is hypothetical, not negated by "not limited to"
    (
        "Risks include, but are not limited to, bleeding, infection and loss of vision.",
        "loss of vision",
        {"hypothetical"},
        {"negated"},
    ),
    ("Kaopectate did not really help with the diarrhea.", "diarrhea", set(), {"negated"}),
    ("She has not had diarrhea.", "diarrhea", {"negated"}, set()),
    # suddenness is no negation
    (
        "I lost my voice without warning, causing breathlessness.",
        "breathlessness",
        set(),
        {"negated"},
    ),
    ("She was without breathlessness.", "breathlessness", {"negated"}, set()),
    # a duration however worded dates a current complaint; a bare history stays past
    ("She gives a 1 week or so history of cough.", "cough", set(), {"historical"}),
    ("A week-long history of back pain.", "back pain", set(), {"historical"}),
    ("She has a history of back pain.", "back pain", {"historical"}, set()),
    # contracted auxiliaries negate as their full forms do; "can't" names an inability
    ("She doesn't have a cough.", "cough", {"negated"}, set()),
    ("She didnt have any back pain.", "back pain", {"negated"}, set()),
    ("She did not have any back pain.", "back pain", {"negated"}, set()),
    ("I can't catch my breath.", "catch my breath", set(), {"negated"}),
    # a contracted pseudo-trigger shields as its full form does
    ("It doesn't help my back pain.", "back pain", set(), {"negated"}),
    ("It hasn't improved my back pain.", "back pain", set(), {"negated"}),
    ("I don't know why my back hurts.", "back hurts", set(), {"negated"}),
]


@pytest.mark.parametrize(("text", "target", "must", "must_not"), CASES)
def test_context_of_real_wording(
    text: str, target: str, must: set[str], must_not: set[str]
) -> None:
    (result,) = qualify(text, [_span(text, target)])
    got = {name for name in QUALIFIERS if getattr(result, name)}
    assert must <= got, (text, target, got)
    assert not (must_not & got), (text, target, got)


PSEUDO = ["no change", "no interval change", "no significant change", "without difficulty"]
NEUTRAL = st.lists(st.sampled_from(["mild", "left", "x", "arm", "the", "on", "day"]), max_size=4)


@given(before=NEUTRAL, pseudo=st.sampled_from(PSEUDO), after=NEUTRAL)
def test_a_pseudo_trigger_shields_what_follows_it_not_what_starts_inside_it(
    before: list[str], pseudo: str, after: list[str]
) -> None:
    """The pseudo's negation word reaches a target starting inside the phrase; a target after
    the phrase stays unnegated, as before."""
    head = " ".join([*before, pseudo.split(" ", 1)[0]])
    rest = " ".join([pseudo.split(" ", 1)[1], *after, "finding"])
    text = f"{head} {rest}."
    inside = (len(head) + 1, len(text) - 1)
    following = (len(text) - len("finding."), len(text) - 1)
    in_result, after_result = qualify(text, [inside, following])
    assert in_result.negated
    assert in_result.triggers[0].text == pseudo.split(" ", 1)[0]
    assert not after_result.negated


@pytest.fixture(scope="module")
def kb() -> Knowledge:
    return load_knowledge()


def _read(text: str, kb: Knowledge) -> dict[str, bool]:
    return {f.id: f.present for f in read_text(text, kb).findings}


@pytest.mark.parametrize(
    ("text", "finding", "present"),
    [
        ("No change in vision.", "sym:blurred_vision", False),
        ("Headache, no change in speech.", "sym:speech_difficulty", False),
        ("Headache, no change in speech.", "sym:headache", True),
        ("my voice has gone croaky", "sym:hoarseness", True),
        ("My vision has gone blurry.", "sym:blurred_vision", True),
        ("the pain has gone from my hip", "sym:bone_pain", False),
        ("her legs are not weak", "sym:leg_weakness", False),
        ("Her spine X-ray was clear of any fractures.", "sym:fracture", False),
    ],
)
def test_readings_of_real_wording(text: str, finding: str, present: bool, kb: Knowledge) -> None:
    assert _read(text, kb).get(finding) is present


@pytest.mark.parametrize("text", ["No changes in her vision.", "Her vision has not changed."])
def test_unchanged_vision_is_no_vision_problem(text: str, kb: Knowledge) -> None:
    assert not any(present for ident, present in _read(text, kb).items() if "vision" in ident)


_NEGATED_CLAUSES = [
    ("She", "does", "have a"),
    ("I", "do", "have a"),
    ("She", "did", "have a"),
    ("There", "is", "a"),
    ("There", "was", "a"),
    ("There", "are", "any signs of a"),
    ("There", "were", "any signs of a"),
    ("She", "has", "had a"),
    ("I", "have", "had a"),
    ("She", "had", "had a"),
]


@given(st.sampled_from(_NEGATED_CLAUSES), st.sampled_from(["n't", "nt", "n\u2019t"]))
def test_a_contracted_negation_reads_as_its_full_form(
    clause: tuple[str, str, str], tail: str
) -> None:
    """Whatever auxiliary is contracted, and with whichever apostrophe, the cough after it is
    negated as after "<aux> not"."""
    subject, aux, rest = clause
    full = f"{subject} {aux} not {rest} cough."
    short = f"{subject} {aux}{tail} {rest} cough."
    [full_reading] = qualify(full, [_span(full, "cough")])
    [short_reading] = qualify(short, [_span(short, "cough")])
    assert full_reading.negated
    assert short_reading.negated
