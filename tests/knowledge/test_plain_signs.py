"""Red flags in the patient's words: what a patient would notice, at reading grade 6 or less."""

from __future__ import annotations

from mbcnav import assess
from mbcnav.knowledge import Knowledge
from mbcnav.render.handout import build_handout
from mbcnav.render.readability import flesch_kincaid_grade

MAX_GRADE = 6.0
MAX_WORDS = 14


def test_every_red_flag_has_short_plain_signs(knowledge: Knowledge) -> None:
    for rule in knowledge.red_flags.values():
        assert rule.plain_signs, rule.id
        for sign in rule.plain_signs:
            assert sign.endswith("."), (rule.id, sign)
            assert len(sign.split()) <= MAX_WORDS, (rule.id, sign)
        assert flesch_kincaid_grade(" ".join(rule.plain_signs)) <= MAX_GRADE, rule.id


def test_the_handout_lists_signs_not_conditions(knowledge: Knowledge) -> None:
    result = assess({"labs": {"calcium_corrected_mmol_l": 3.6}}, knowledge=knowledge)
    help_now = next(s for s in build_handout(result, knowledge).sections if s.id == "help-at-once")
    text = " ".join(help_now.items)
    assert "You are very thirsty and pass a lot of urine." in text
    assert "New back or neck pain with weak, numb or heavy legs." in text
    assert knowledge.red_flags["flag:hypercalcaemia"].plain_label not in text
