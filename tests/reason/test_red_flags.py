"""Red flags are rules: they fire on their conditions, chain on other flags, and sort by urgency."""

from __future__ import annotations

from kbfactory import make_knowledge

from mbcnav.reason.red_flags import raised_flags
from mbcnav.rules import Facts

SRC = ["src:test"]


def _flag(ident: str, urgency: str, when: dict) -> dict:
    return {
        "id": ident,
        "label": ident,
        "plain_label": ident,
        "urgency": urgency,
        "when": when,
        "actions": [f"act on {ident}"],
        "plain_actions": ["see your team"],
        "sources": SRC,
    }


KNOWLEDGE = make_knowledge(
    3,
    4,
    red_flags=[
        _flag("flag:soon_one", "soon", {"finding": "sym:f0"}),
        _flag(
            "flag:chained",
            "emergency",
            {"all": [{"flag": "flag:urgent_one"}, {"finding": "sym:f1"}]},
        ),
        _flag("flag:urgent_one", "urgent", {"lab": "calcium_corrected_mmol_l", "gt": 2.9}),
    ],
)


def test_flags_fire_chain_and_sort_most_urgent_first() -> None:
    facts = Facts(present=frozenset({"sym:f0", "sym:f1"}), labs={"calcium_corrected_mmol_l": 3.2})
    flags = raised_flags(KNOWLEDGE, facts)
    assert [f.id for f in flags] == ["flag:chained", "flag:urgent_one", "flag:soon_one"]
    chained = flags[0]
    assert chained.because == ("flag:urgent_one", "sym:f1")
    assert chained.actions == ("act on flag:chained",) and chained.sources == tuple(SRC)


def test_no_flag_without_its_condition() -> None:
    facts = Facts(present=frozenset({"sym:f1"}), labs={"calcium_corrected_mmol_l": 2.5})
    assert raised_flags(KNOWLEDGE, facts) == ()


def test_escalation_raises_urgency_and_adds_actions() -> None:
    rule = _flag("flag:calcium", "urgent", {"lab": "calcium_corrected_mmol_l", "gt": 2.9})
    rule["escalations"] = [
        {"urgency": "emergency", "when": {"finding": "sym:f2"}, "actions": ["go now"]},
        {"urgency": "urgent", "when": {"finding": "sym:f3"}, "actions": ["also this"]},
    ]
    knowledge = make_knowledge(3, 4, red_flags=[rule])
    labs = {"calcium_corrected_mmol_l": 3.1}
    plain = raised_flags(knowledge, Facts(labs=labs))[0]
    assert plain.urgency == "urgent" and plain.actions == ("act on flag:calcium",)
    worse = raised_flags(knowledge, Facts(labs=labs, present=frozenset({"sym:f2", "sym:f3"})))[0]
    assert worse.urgency == "emergency"
    assert worse.actions == ("act on flag:calcium", "go now", "also this")
    assert "sym:f2" in worse.because
    assert raised_flags(knowledge, Facts(present=frozenset({"sym:f2"}))) == ()
