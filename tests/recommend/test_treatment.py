"""The treatment table interpreter: conditions, site rows, suspected marks, modality order."""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType
from typing import Any

from mbcnav.knowledge import Knowledge
from mbcnav.knowledge.schema import Treatment
from mbcnav.recommend.treatment import treatment_options, treatment_plan
from mbcnav.rules import Facts
from mbcnav.types import MODALITIES


def _row(ident: str, modality: str, when: dict[str, Any], **extra: Any) -> Treatment:
    return Treatment.model_validate(
        {
            "id": ident,
            "label": ident,
            "plain_label": ident,
            "modality": modality,
            "regimen_class": "test",
            "intent": "control_and_extend_life",
            "when": when,
            "approval": {"status": "approved"},
            "sources": ["src:test"],
            **extra,
        }
    )


def _with_rows(knowledge: Knowledge, *rows: Treatment) -> Knowledge:
    return replace(knowledge, treatments=MappingProxyType({r.id: r for r in rows}))


def test_rows_are_selected_by_their_conditions_and_grouped_by_modality(knowledge) -> None:
    table = _with_rows(
        knowledge,
        _row("tx:b_support", "supportive_medication", {"setting": ["metastatic"]}),
        _row("tx:a_chemo", "chemotherapy", {"subtype": ["triple_negative"]}, line=1),
        _row("tx:c_hormone", "hormonal_therapy", {"receptor": "er", "in": ["positive"]}),
        _row("tx:d_late", "chemotherapy", {"setting": ["metastatic"]}, rank=90),
    )
    facts = Facts(setting="metastatic", subtype="triple_negative", receptors={"er": "negative"})
    options = treatment_options(table, facts)
    assert [o.id for o in options] == ["tx:a_chemo", "tx:d_late", "tx:b_support"]
    assert [MODALITIES.index(o.modality) for o in options] == sorted(
        MODALITIES.index(o.modality) for o in options
    )
    assert options[0].because == ("subtype=triple_negative",)


def test_site_rows_need_the_site_and_wait_for_a_suspected_one(knowledge) -> None:
    table = _with_rows(
        knowledge,
        _row("tx:rt", "radiotherapy", {"setting": ["metastatic"]}, for_sites=["site:bone"]),
    )
    nothing = treatment_plan(table, Facts(setting="metastatic"))
    known = treatment_options(
        table, Facts(setting="metastatic", known_sites=frozenset({"site:bone"}))
    )
    suspected = treatment_plan(
        table, Facts(setting="metastatic", suspected_sites=frozenset({"site:bone"}))
    )
    assert nothing.options == () and nothing.after_confirmation == ()
    assert known[0].for_sites == ("site:bone",) and not known[0].suspected
    assert suspected.options == ()
    (waiting,) = suspected.after_confirmation
    assert waiting.id == "tx:rt" and waiting.for_sites == ("site:bone",)
    assert waiting.reason.startswith("confirm first")


def test_a_flag_measure_on_a_suspected_site_is_offered_and_marked(knowledge) -> None:
    flag = next(iter(knowledge.red_flags))
    when = {"all": [{"flag": flag}, {"site": "site:bone", "status": "known_or_suspected"}]}
    table = _with_rows(knowledge, _row("tx:measure", "radiotherapy", when))
    facts = Facts(
        setting="suspected", suspected_sites=frozenset({"site:bone"}), flags=frozenset({flag})
    )
    (option,) = treatment_options(table, facts)
    assert option.id == "tx:measure" and option.suspected
