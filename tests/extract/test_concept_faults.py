"""Findings the reader used to miss or misread (issue 11, concept faults): each class read from
realistic wording, with a near miss that must not be read as it."""

from __future__ import annotations

import pytest

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
        "One side of my face droops when I smile.",
        "A drooping left upper eyelid for two weeks.",
        "Right ptosis was noted.",
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
    assert "sym:cranial_nerve_palsy" in found
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
