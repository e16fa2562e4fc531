"""A finding's sentence may say where it is: a fracture of a named bone is not a spinal one."""

from __future__ import annotations

import pytest

from mbcnav.extract import read_text
from mbcnav.extract.sites import refinable_findings, refine_finding
from mbcnav.knowledge import Knowledge


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Pathological fracture of the left femur.", "sym:appendicular_fracture"),
        ("Pathologic fracture through a lytic rib lesion.", "sym:appendicular_fracture"),
        ("Pathological fracture of T12 with retropulsion.", "sym:vertebral_fracture"),
        ("Pathological fracture.", "sym:pathological_fracture"),
        # The place must be in the same sentence.
        (
            "Pathological fracture. The femur was normal on the last scan.",
            "sym:pathological_fracture",
        ),
    ],
)
def test_a_fracture_takes_the_place_its_sentence_names(
    knowledge: Knowledge, text: str, expected: str
) -> None:
    ids = [f.id for f in read_text(text, knowledge).findings]
    assert ids == [expected]


def test_a_negated_fracture_stays_negated_where_it_is(knowledge: Knowledge) -> None:
    (finding,) = read_text("No pathological fracture of the femur.", knowledge).findings
    assert finding.id == "sym:appendicular_fracture" and not finding.present


def test_only_findings_with_rules_are_refined() -> None:
    assert "sym:pathological_fracture" in refinable_findings()
    text = "Back pain at T12."
    assert refine_finding("sym:back_pain", text, (0, len(text))) == "sym:back_pain"
