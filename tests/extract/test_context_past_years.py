"""A year clearly before the note's latest year dates what stands beside it as history.

"Pericardiocentesis in 2019 ... in 2023 she presented with breathlessness": the procedure is
past, the breathlessness current. A lone year, a year close to the latest, a year after "since"
and a number that is no date leave the reading as it was.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mbcnav.extract import qualify


def _historical(text: str, target: str) -> bool:
    start = text.index(target)
    (result,) = qualify(text, [(start, start + len(target))])
    return result.historical


CASES = [
    # a trailing past year dates what precedes it; the later year's complaint stays current
    (
        "She had a pericardiocentesis in 2019. In 2023 she presented with cough.",
        "pericardiocentesis",
        True,
    ),
    ("She had a pericardiocentesis in 2019. In 2023 she presented with cough.", "cough", False),
    ("Breast cancer in 2015, back pain in 2017 and jaundice in 2024.", "back pain", True),
    ("Breast cancer in 2015, back pain in 2017 and jaundice in 2024.", "jaundice", False),
    ("Pericardiocentesis in May of 2013. Jaundice in June 2023.", "Pericardiocentesis", True),
    ("Pericardiocentesis in early 2013. Jaundice in 2023.", "Pericardiocentesis", True),
    # a fronted past year dates what follows it in its clause
    ("In 2015, pericardiocentesis for an effusion. In 2024 jaundice.", "pericardiocentesis", True),
    ("In 2015, pericardiocentesis for an effusion. In 2024 jaundice.", "jaundice", False),
    # near misses: no later year, too close a year, an ongoing start, a number that is no date
    ("She had a pericardiocentesis in 2019.", "pericardiocentesis", False),
    ("Pericardiocentesis in 2022. In 2023 she presented with cough.", "Pericardiocentesis", False),
    ("Back pain since 2015. Seen in 2023.", "Back pain", False),
    ("Pericardiocentesis in 1995. Blood loss 2000 mL.", "Pericardiocentesis", False),
    ("Pericardiocentesis in 1995 at 12019 Main Street.", "Pericardiocentesis", False),
    ("Jaundice after 2015 and in 2023.", "Jaundice", False),
]


@pytest.mark.parametrize(("text", "target", "historical"), CASES)
def test_a_past_year_dates_its_finding(text: str, target: str, historical: bool) -> None:
    assert _historical(text, target) is historical, (text, target)


@given(
    st.integers(min_value=1950, max_value=2030),
    st.integers(min_value=0, max_value=10),
    st.sampled_from(["in", "during", "in March", "in late"]),
)
def test_only_a_year_at_least_two_before_the_latest_is_history(
    year: int, gap: int, preposition: str
) -> None:
    text = f"Pericardiocentesis {preposition} {year}. Cough in {year + gap}."
    assert _historical(text, "Pericardiocentesis") is (gap >= 2)
    assert not _historical(text, "Cough")


DURATIONS = [
    # "the past N weeks" is a duration reaching to now: the finding is current
    ("Knee pain with increased intensity in the past several months.", "Knee pain", False),
    ("She reports no seizures in the past several years.", "seizures", False),
    ("He has lost weight in the past year.", "lost weight", False),
    ("Three falls in the past 6 months.", "falls", False),
    # near misses: "in the past" alone is history, and so is a remote past
    ("She has had seizures in the past.", "seizures", True),
    ("Hip fracture in the past, now back pain.", "Hip fracture", True),
]


@pytest.mark.parametrize(("text", "target", "historical"), DURATIONS)
def test_a_duration_to_now_is_no_history(text: str, target: str, historical: bool) -> None:
    assert _historical(text, target) is historical, (text, target)


@given(
    st.sampled_from(["few", "several", "couple of", "two", "three", "six", "2", "3", "12"]),
    st.sampled_from(["days", "weeks", "months", "years"]),
)
def test_the_past_n_units_is_current_however_counted(count: str, unit: str) -> None:
    text = f"Worsening back pain in the past {count} {unit}."
    assert not _historical(text, "back pain")


HEADINGS = [
    # a heading's trigger word does not reach back onto the heading's own topic
    (
        "CHIEF COMPLAINT: Headaches.\nHEADACHE HISTORY: She describes a gradual onset.",
        "HEADACHE",
        False,
    ),
    (
        "Sexually active.\nPELVIC PAIN HISTORY: She complains of a gradual onset.",
        "PELVIC PAIN",
        False,
    ),
    # near misses: a past-history section still dates what it says, and a trigger in running
    # text still reaches back
    ("SURGICAL HISTORY: hip fracture fixation.", "hip fracture", True),
    ("Headaches in childhood, now back pain.", "Headaches", True),
]


@pytest.mark.parametrize(("text", "target", "historical"), HEADINGS)
def test_a_heading_trigger_leaves_its_topic(text: str, target: str, historical: bool) -> None:
    assert _historical(text, target) is historical, (text, target)


def _qualifiers(text: str, target: str) -> set[str]:
    start = text.index(target)
    (result,) = qualify(text, [(start, start + len(target))])
    return {name for name in ("negated", "historical", "family") if getattr(result, name)}


@pytest.mark.parametrize(
    ("text", "target", "expected"),
    [
        # a new negated item about the patient ends a history or a relative's scope
        ("No personal or family history of cancer, and no fever.", "fever", {"negated"}),
        (
            "No change in her history since the last visit and denies any fever.",
            "fever",
            {"negated"},
        ),
        # near misses: the history itself, and a list under one history trigger
        (
            "No personal or family history of cancer, and no fever.",
            "cancer",
            {"negated", "historical", "family"},
        ),
        ("History of diabetes, hypertension and stroke.", "stroke", {"historical"}),
    ],
)
def test_a_new_negated_item_ends_a_history(text: str, target: str, expected: set[str]) -> None:
    assert _qualifiers(text, target) == expected


ACCOUNTS = [
    # the history as an account, or the patient now, is no past
    ("She cannot provide an accurate history of the seizure.", "seizure", set()),
    ("History dates back to six months of shortness of breath.", "shortness of breath", set()),
    ("Bypass in 1971, suffering a right hip fracture.", "hip fracture", set()),
    ("Her levels in the past were normal and she has a microcytosis.", "microcytosis", set()),
    # near misses: a history of the thing, and a negation the patient's clause still ends
    ("She has a history of seizures.", "seizures", {"historical"}),
    ("She has no headaches and she has mild joint pains.", "joint pains", set()),
    ("She has no headaches or joint pains.", "joint pains", {"negated"}),
]


@pytest.mark.parametrize(("text", "target", "expected"), ACCOUNTS)
def test_an_account_or_the_patient_now_is_no_past(
    text: str, target: str, expected: set[str]
) -> None:
    assert _qualifiers(text, target) == expected
