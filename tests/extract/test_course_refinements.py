"""A complaint told with its course or its hour is the more specific finding (NG234's
progressive and nocturnal spinal pain; the headache that wakes the patient), when the words
belong to the complaint itself, not to something else in the sentence."""

from __future__ import annotations

import pytest

from mbcnav.extract import read_text
from mbcnav.knowledge import Knowledge


def _present(text: str, knowledge: Knowledge) -> set[str]:
    return {f.id for f in read_text(text, knowledge).findings if f.present}


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        ("Her lower back pain has been progressively worsening over 3 weeks.", "progressive"),
        ("Progressive low back pain for a month.", "progressive"),
        ("The back pain kept getting worse despite physiotherapy.", "progressive"),
        ("Back pain that wakes him at night.", "nocturnal"),
        ("Lumbar pain which keeps her awake.", "nocturnal"),
        ("Occipital headaches which were awakening her in the early morning.", "headache"),
        ("Headaches that have been waking him.", "headache"),
    ],
)
def test_the_course_or_hour_of_a_complaint_makes_it_specific(
    text: str, finding: str, knowledge: Knowledge
) -> None:
    wanted = {
        "progressive": "sym:progressive_lumbar_pain",
        "nocturnal": "sym:nocturnal_spinal_pain",
        "headache": "sym:morning_headache",
    }[finding]
    found = _present(text, knowledge)
    assert wanted in found
    assert not found & {"sym:back_pain", "sym:headache"}


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        ("Back pain, and her cough is getting worse.", "sym:back_pain"),
        ("She has back pain and wakes at night to urinate.", "sym:back_pain"),
        ("Headache. She wakes up at 6 am and walks.", "sym:headache"),
        ("Mild headache; she woke early for the appointment.", "sym:headache"),
    ],
)
def test_the_words_of_something_else_leave_the_complaint_as_it_is(
    text: str, finding: str, knowledge: Knowledge
) -> None:
    found = _present(text, knowledge)
    assert finding in found
    assert not found & {
        "sym:progressive_lumbar_pain",
        "sym:nocturnal_spinal_pain",
        "sym:morning_headache",
    }


def test_a_denied_waking_back_pain_stays_denied(knowledge: Knowledge) -> None:
    (finding,) = read_text("No back pain which wakes her.", knowledge).findings
    assert finding.id == "sym:nocturnal_spinal_pain"
    assert not finding.present
