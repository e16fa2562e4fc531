"""A complaint whose subject is a pronoun pairs with the body part it refers back to.

People name the part and then complain about it ("my hip ... it hurts"). The follow is kept
conservative: the pronoun opens the complaint's clause, the part is the last thing named before
it (one sentence back at most, never across a paragraph), nothing but a negation as context
between, and only a head with no body part of its own follows.
"""

from __future__ import annotations

import pytest

from mbcnav.extract import read_text
from mbcnav.knowledge import Knowledge


def _read(text: str, knowledge: Knowledge) -> list[tuple[str, bool, str]]:
    return [(f.id, f.present, f.text) for f in read_text(text, knowledge).findings]


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        ("My hip, it hurts.", "sym:bone_pain"),
        ("I keep thinking about my hip. It hurts at night.", "sym:bone_pain"),
        ("My ribs. They really ache.", "sym:bone_pain"),
        ("My lower back has been bad for weeks. Now it aches all the time.", "sym:back_pain"),
        ("The lump under my arm: it is sore.", "sym:lymph_node_pain"),
        ("My left leg and it has got weaker", "sym:leg_weakness"),
    ],
)
def test_a_pronoun_subject_follows_the_part_named_before(
    knowledge: Knowledge, text: str, finding: str
) -> None:
    assert any(ident == finding and present for ident, present, _ in _read(text, knowledge))


def test_the_finding_spans_the_pronoun_clause_only(knowledge: Knowledge) -> None:
    """The concept covers the pronoun and the complaint (one clause: context applies there)."""
    text = "I keep thinking about my hip. It hurts at night."
    spans = [surface for ident, _, surface in _read(text, knowledge) if ident == "sym:bone_pain"]
    assert spans == ["It hurts"]


def test_a_negation_in_the_pronoun_clause_negates(knowledge: Knowledge) -> None:
    found = _read("My hip is fine. It does not hurt.", knowledge)
    assert ("sym:bone_pain", False, "It does not hurt") in found
    assert not any(present for ident, present, _ in found if ident == "sym:bone_pain")


@pytest.mark.parametrize(
    "text",
    [
        # the pronoun refers to what was named after the part
        "I had my wrist strapped for lifting the heavy box. It was painful to carry.",
        # a paragraph break ends the reference
        "My hip.\n\nIt hurts.",
        # two sentences back
        "My hip was replaced. I was well. It hurts.",
        # someone else's hip
        "My mother had a hip replaced. It hurts.",
        # after a reporting verb the pronoun names the thing just described
        "Her hip looked fine on the scan. She says that it is really painful.",
        # "back" in another sense is no body part
        "I came back from holiday. It hurts.",
        # too far back
        "My hip was checked at the clinic in the spring by a very kind doctor. It hurts.",
    ],
)
def test_near_misses_do_not_follow(knowledge: Knowledge, text: str) -> None:
    found = {ident for ident, _, _ in _read(text, knowledge)}
    assert not found & {"sym:bone_pain", "sym:back_pain", "sym:joint_pain"}


def test_a_head_with_its_own_part_does_not_follow(knowledge: Knowledge) -> None:
    """'it hurts in my chest' pairs in its own clause, not with the hip before it."""
    found = {ident for ident, _, _ in _read("My hip is fine. It hurts in my chest.", knowledge)}
    assert "sym:chest_pain" in found and "sym:bone_pain" not in found
