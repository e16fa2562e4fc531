"""The patient handout: plain words, the article's seven families, red flags, the notice."""

from __future__ import annotations

import pytest
from render_samples import ASSESSMENTS, brain_seizure, cord_compression, make_assessment, quiet

from mbcnav.knowledge import Knowledge
from mbcnav.render.handout import FAMILY_NAME, build_handout, handout_html
from mbcnav.render.readability import flesch_kincaid_grade
from mbcnav.types import PATIENT_NOTICE, Assessment, Finding


def _section(assessment: Assessment, knowledge: Knowledge, ident: str) -> str:
    handout = build_handout(assessment, knowledge)
    part = next(p for p in handout.sections if p.id == ident)
    return "\n".join([part.heading, *part.paragraphs, *part.items])


def test_red_flag_comes_first_in_lay_words(mini_knowledge: Knowledge) -> None:
    handout = build_handout(cord_compression(), mini_knowledge)
    first = handout.sections[0]
    assert first.id == "act-now" and first.urgent
    assert first.items == (
        "Now — Pressure on the spinal cord: Go to the emergency department now. "
        "Lie flat until seen.",
    )
    assert "Dexamethasone" not in handout.plain_text()  # clinician actions stay on the page


def test_emergencies_come_before_what_can_wait(mini_knowledge: Knowledge) -> None:
    """Field test: "need care soon" was printed above "go to the emergency department now"."""
    soon = {
        "id": "flag:hepatic_visceral_crisis",
        "urgency": "soon",
        "plain_label": "Liver trouble",
        "plain_actions": ["Call your team this week"],
    }
    emergency = {
        "id": "flag:seizure",
        "urgency": "emergency",
        "plain_label": "A fit",
        "plain_actions": ["Go to the emergency department now"],
    }
    for flags in ([soon, emergency], [emergency, soon]):
        handout = build_handout(make_assessment({"site:liver": 0.5}, flags=flags), mini_knowledge)
        part = handout.sections[0]
        assert part.id == "act-now"
        assert part.items == (
            "Now — A fit: Go to the emergency department now.",
            "Soon — Liver trouble: Call your team this week.",
        )
        assert "emergency" in part.paragraphs[0] and "soon" not in " ".join(part.paragraphs)
    only_soon = build_handout(make_assessment({"site:liver": 0.5}, flags=[soon]), mini_knowledge)
    assert only_soon.sections[0].paragraphs[0].startswith("Some of your signs need care soon")


def test_no_act_now_section_without_a_flag(mini_knowledge: Knowledge) -> None:
    ids = [p.id for p in build_handout(quiet(), mini_knowledge).sections]
    assert ids == ["about", "meaning", "tests", "care", "help-at-once"]


def test_when_to_get_help_lists_every_emergency_sign(mini_knowledge: Knowledge) -> None:
    words = _section(quiet(), mini_knowledge, "help-at-once")
    assert "A fit or seizure." in words
    assert "New weakness in your legs or trouble passing urine." in words
    assert "Yellow skin or eyes." in words  # urgent rules are listed too


def test_meaning_names_places_and_signs(mini_knowledge: Knowledge) -> None:
    words = _section(cord_compression(), mini_knowledge, "meaning")
    assert words.index("Backbone") < words.index("Bones")
    assert "pain in your back" in words
    known = _section(brain_seizure(), mini_knowledge, "meaning")
    assert "Your team already knows the cancer is in: bones." in known


def test_tests_come_with_plain_timing(mini_knowledge: Knowledge) -> None:
    words = _section(cord_compression(), mini_knowledge, "tests")
    assert "A scan of your whole back: today, do not wait." in words
    assert "A body scan: in the next week or two." in words


def test_care_names_the_seven_families_and_the_aims(mini_knowledge: Knowledge) -> None:
    words = _section(cord_compression(), mini_knowledge, "care")
    for name in FAMILY_NAME.values():
        assert f"{name}:" in words
    assert "alone, together, or one after the other" in words
    assert "control the disease, to ease symptoms, and to help you live longer" in words
    assert "Your team may talk with you about: radiotherapy to the back." in words


def test_html_has_notice_and_headings(mini_knowledge: Knowledge) -> None:
    html = handout_html(build_handout(cord_compression(), mini_knowledge))
    assert html.count("<h1>") == 1 and "<h2" in html
    assert PATIENT_NOTICE in html
    assert 'id="act-now" class="urgent"' in html and 'role="alert"' in html


@pytest.mark.parametrize("name", sorted(ASSESSMENTS))
def test_reading_grade_at_most_8(name: str, mini_knowledge: Knowledge) -> None:
    handout = build_handout(ASSESSMENTS[name](), mini_knowledge)
    assert flesch_kincaid_grade(handout.plain_text()) <= 8


def test_the_words_read_from_the_text_are_echoed_as_written(mini_knowledge: Knowledge) -> None:
    """The patient sees what was heard, in any script; markup in it stays text."""
    said = (
        Finding(id="sym:back_pain", present=True, source="text", text="Rücken <b>weh</b>, 乳腺癌"),
        Finding(id="sym:leg_weakness", present=False, source="text", text="no weak legs"),
        Finding(id="sym:headache", present=True, source="coded"),
        Finding(id="sym:seizure", present=True, source="text", text="x" * 200),
    )
    assessment = cord_compression().model_copy(update={"findings": said})
    handout = build_handout(assessment, mini_knowledge)
    meaning = next(p for p in handout.sections if p.id == "meaning")
    echo = next(p for p in meaning.paragraphs if p.startswith("What was written about you"))
    assert "“Rücken <b>weh</b>, 乳腺癌”" in echo and "no weak legs" not in echo
    assert "“" + "x" * 59 + "…”" in echo
    html = handout_html(handout)
    assert "Rücken &lt;b&gt;weh&lt;/b&gt;, 乳腺癌" in html and "<b>weh" not in html
