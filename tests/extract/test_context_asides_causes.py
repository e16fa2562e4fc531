"""Two context faults real text exposed: a negated cause read as a negated finding, and a
negation inside brackets reaching findings outside them.

"That back pain was not (as I had feared) from the cancer" is back pain with a cause denied;
"(14 axillary nodes negative, margins clear) and bone pain" is bone pain. Each class has
positives and near misses; the table asks ``qualify`` about a span (context only).
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


def _negated(text: str, target: str) -> bool:
    (result,) = qualify(text, [_span(text, target)])
    return result.negated


# text, target, negated?
CAUSES = [
    # the negation denies the cause: the finding before it stands
    ("That back pain was not (as I had feared) from the cancer.", "back pain", False),
    ("The cough is not due to lung metastases.", "cough", False),
    ("The cough is not due to lung metastases.", "lung metastases", True),
    ("Her weakness wasn't related to the chemotherapy.", "weakness", False),
    ("Her weakness wasn\u2019t related to the chemotherapy.", "weakness", False),
    ("The headache is not caused by the tumour.", "headache", False),
    ("The headache is not caused by the tumour.", "tumour", True),
    ("Hip pain not secondary to bone metastases.", "bone metastases", True),
    ("The jaundice was never the result of liver spread.", "jaundice", False),
    ("The swelling is not, I think, from the node.", "swelling", True),  # no bracket: unchanged
    # "not associated with": the cause phrase no longer ends the negation's reach
    ("The pain was not associated with nausea or vomiting.", "vomiting", True),
    ("The pain was not associated with nausea or vomiting.", "pain", False),
    # near misses: a negation with no cause after it still negates what precedes it
    ("The back pain was not (as I had feared) severe.", "back pain", True),
    ("The back pain is not present.", "back pain", True),
    ("The cough is not productive.", "cough", True),
    # only a negating particle puts the cause in focus: a cleared rash is still gone
    ("The rash has cleared from her arms.", "rash", True),
    ("No pain due to the fall.", "pain", True),
]


@pytest.mark.parametrize(("text", "target", "negated"), CAUSES)
def test_a_negated_cause_leaves_the_finding(text: str, target: str, negated: bool) -> None:
    assert _negated(text, target) is negated, (text, target)


BRACKETS = [
    # a scope that starts inside brackets ends at the closing bracket
    (
        "Breast cancer (14 axillary nodes negative, margins clear) and bone pain.",
        "bone pain",
        False,
    ),
    ("Breast cancer (14 axillary nodes negative, margins clear) and bone pain.", "margins", True),
    ("Back pain (no fever) and jaundice.", "jaundice", False),
    ("Back pain (no fever) and jaundice.", "fever", True),
    ("Back pain [no fever] and jaundice.", "jaundice", False),
    ("Bone lesions (no change) and back pain.", "back pain", False),
    ("Bone lesions (no new lesions) and back pain.", "back pain", False),
    # ... and a backward trigger inside with words of its own before it stays inside
    ("Breast cancer (nodes negative) with back pain.", "back pain", False),
    ("Breast cancer (nodes negative) with back pain.", "Breast cancer", False),
    ("Breast cancer (nodes negative) with back pain.", "nodes", True),
    # near misses: a trigger outside still reaches in and beyond
    ("No fever (38.0) or jaundice.", "jaundice", True),
    ("No fever (38.0) or jaundice.", "fever", True),
    ("Denies (per her daughter) headache or vomiting.", "vomiting", True),
    # a bracket holding only the trigger comments on what precedes it
    ("Hepatitis screen (negative).", "Hepatitis screen", True),
    ("Bone pain (resolved) and cough.", "Bone pain", True),
    # an unclosed bracket bounds nothing
    ("Back pain (no fever and jaundice.", "jaundice", True),
]


@pytest.mark.parametrize(("text", "target", "negated"), BRACKETS)
def test_a_negation_in_brackets_stays_in_them(text: str, target: str, negated: bool) -> None:
    assert _negated(text, target) is negated, (text, target)


WORDS = st.lists(st.sampled_from(["mild", "left", "x", "arm", "the", "day", "2", "cm"]), max_size=5)


@given(inside_before=WORDS, inside_after=WORDS, outside=WORDS)
def test_a_forward_negation_in_brackets_ends_at_the_bracket(
    inside_before: list[str], inside_after: list[str], outside: list[str]
) -> None:
    """Whatever words surround it, "no" inside brackets negates a target inside after it and
    nothing after the closing bracket; the same "no" before the brackets reaches past them."""
    inner = " ".join([*inside_before, "no", *inside_after, "target"])
    text = f"Cough ({inner}) {' '.join([*outside, 'finding'])}."
    inside, after = _span(text, "target"), _span(text, "finding")
    in_result, after_result = qualify(text, [inside, after])
    assert in_result.negated
    assert not after_result.negated
    outer = f"No cough ({' '.join([*inside_before, 'target'])}) {' '.join(outside)} finding."
    assert qualify(outer, [_span(outer, "finding")])[0].negated


ATTRIBUTES = [
    # "negative" or "absent" before a noun negates that noun, not what precedes it
    ("Neck pain of unclear cause with a negative spinal tap.", "Neck pain", False),
    ("Neck pain of unclear cause with a negative spinal tap.", "spinal tap", True),
    ("Chest pain with negative cardiac workup.", "Chest pain", False),
    ("Respiratory distress and absent femoral pulses.", "Respiratory distress", False),
    ("Respiratory distress and absent femoral pulses.", "femoral pulses", True),
    # near misses: predicative use still reaches back
    ("The spinal tap was negative.", "spinal tap", True),
    ("The swelling was absent.", "swelling", True),
    # "none of" and "otherwise negative" negate what follows, not what was already named
    ("Pain at the medial joint line, none of the lateral joint line.", "Pain", False),
    ("She has none of the following: fever or cough.", "cough", True),
    ("Has had vomiting, has had diarrhea, otherwise negative.", "diarrhea", False),
    ("Otherwise negative for fever, cough or chest pain.", "chest pain", True),
    # a complaint not better, not too bad, not alleviated is present
    ("If her shoulder pain is not any better, refer her.", "shoulder pain", False),
    ("An occasional headache that is not too bad.", "headache", False),
    (
        "Respiratory distress that was not alleviated by the nebulizer.",
        "Respiratory distress",
        False,
    ),
    ("The headache is not present.", "headache", True),
    # a denied explanation or contribution leaves the complaint it would explain
    ("She did not have a good explanation for the weight loss.", "weight loss", False),
    ("I do not think this would account for the gross hematuria.", "gross hematuria", False),
    ("She has had no falls that would contribute to a compression fracture.", "fracture", False),
    ("She has had no falls and no compression fracture.", "fracture", True),
    # not feeling well is a complaint; a new clause ends the negation
    ("She is not feeling well, with fatigue and nausea.", "nausea", False),
    ("She is not having fatigue or nausea.", "nausea", True),
    ("It did not help her and made her feel dizzy.", "dizzy", False),
    # a scan's technique is no finding
    ("MRI OF THE LEFT KNEE WITHOUT CONTRAST,CLINICAL:,Left knee pain.", "knee pain", False),
    ("Left knee without swelling.", "swelling", True),
    # doubt, not exclusion
    ("Fractures in these bones cannot be completely excluded.", "Fractures", False),
    ("Fractures in these bones are excluded.", "Fractures", True),
]


@pytest.mark.parametrize(("text", "target", "negated"), ATTRIBUTES)
def test_a_negation_that_qualifies_something_else(text: str, target: str, negated: bool) -> None:
    assert _negated(text, target) is negated, (text, target)


def test_a_fracture_not_completely_excluded_is_uncertain() -> None:
    text = "Fractures in these bones cannot be completely excluded."
    (result,) = qualify(text, [_span(text, "Fractures")])
    assert result.uncertain


@pytest.fixture(scope="module")
def kb() -> Knowledge:
    return load_knowledge()


@pytest.mark.parametrize(
    ("text", "finding", "present"),
    [
        ("YES! That back pain was not (as I had feared) from the cancer.", "sym:back_pain", True),
        ("The cough isn't due to the tumour.", "sym:cough", True),
        ("The cough isn't productive.", "sym:cough", False),
        ("Breast cancer (nodes negative) and jaundice.", "sym:jaundice", True),
        ("Breast cancer and no jaundice.", "sym:jaundice", False),
    ],
)
def test_readings(text: str, finding: str, present: bool, kb: Knowledge) -> None:
    assert {f.id: f.present for f in read_text(text, kb).findings}.get(finding) is present


def test_a_denied_cause_site_reads_negated(kb: Knowledge) -> None:
    """The denied cause is itself read: a site named as the cause that was ruled out."""
    text = "The cough is not due to lung metastases."
    assert {m.site: m.status for m in read_text(text, kb).site_mentions} == {"site:lung": "negated"}


# -------------------------------------------------------- a consent discussion's risk list
@pytest.mark.parametrize(
    ("text", "target"),
    [
        (
            "The risks and benefits of glaucoma surgery were discussed at length with the "
            "patient including bleeding, infection, diplopia, ptosis and loss of vision.",
            "diplopia",
        ),
        (
            "Risks, benefits and alternatives were explained, including infection and weakness "
            "of the leg.",
            "weakness of the leg",
        ),
    ],
)
def test_a_consent_discussion_lists_what_might_happen(
    text: str, target: str, knowledge: Knowledge
) -> None:
    start, end = _span(text, target)
    assert qualify(text, [(start, end)])[0].hypothetical
    assert not any(
        f.present and not f.qualifiers.hypothetical
        for f in read_text(text, knowledge).findings
        if f.start >= start
    )


def test_a_benefit_seen_after_the_risk_sentence_is_current(knowledge: Knowledge) -> None:
    text = "The risks and benefits were discussed. She has double vision today."
    start, end = _span(text, "double vision")
    assert not qualify(text, [(start, end)])[0].hypothetical
