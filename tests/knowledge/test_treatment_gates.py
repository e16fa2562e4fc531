"""treatment_gates.yaml: the schema refuses a gate that gates nothing, `kb check` resolves every
id a gate names, and each gate's principle reaches the options through the engine."""

from __future__ import annotations

from typing import Any

from kb_fixtures import broken_in_memory

from mbcnav.knowledge import Knowledge
from mbcnav.recommend.treatment import treatment_plan
from mbcnav.rules import Facts

SYSTEMIC = "gate:systemic_needs_confirmed_metastasis"


def _set(gate: str, field: str, value: Any) -> dict[str, Any]:
    path = ["treatment_gates", {"id": gate}, field]
    return {"file": "treatment_gates.yaml", "set": {"path": path, "value": value}}


def test_the_packaged_gates_are_sound() -> None:
    assert broken_in_memory([]).problems == []


def test_a_gate_must_require_something() -> None:
    kb = broken_in_memory([_set(SYSTEMIC, "requires", None)])
    assert [(p.code, p.record) for p in kb.problems] == [("MBC-E202", SYSTEMIC)]


def test_every_id_a_gate_names_must_exist() -> None:
    kb = broken_in_memory(
        [
            _set(SYSTEMIC, "confirm_with", ["work:nowhere"]),
            _set(SYSTEMIC, "requires", {"flag": "flag:nowhere"}),
            _set(SYSTEMIC, "sources", ["src:nowhere"]),
        ]
    )
    wrong = {(p.field, p.message.split()[0]) for p in kb.problems}
    assert ("confirm_with", "work:nowhere") in wrong
    assert ("requires", "flag:nowhere") in wrong
    assert any("src:nowhere" in p.message for p in kb.problems)


def test_scope_ids_must_exist() -> None:
    gate = "gate:uncomplicated_bone_pain_rt_not_with_complication"
    kb = broken_in_memory([_set(gate, "scope", {"treatments": ["tx:nowhere"]})])
    assert [(p.field, p.code) for p in kb.problems] == [("scope.treatments", "MBC-E204")]


def test_systemic_rows_wait_outside_the_metastatic_setting(knowledge: Knowledge) -> None:
    hr_positive = {"er": "positive", "pr": "positive", "her2": "negative"}
    facts = Facts(subtype="hr_pos_her2_neg", receptors=hr_positive)
    suspected = treatment_plan(knowledge, facts.but(setting="suspected"))
    metastatic = treatment_plan(knowledge, facts.but(setting="metastatic"))
    assert "tx:ai_cdk46i" in {o.id for o in metastatic.options}
    assert "tx:ai_cdk46i" not in {o.id for o in suspected.options}
    waiting = {o.id: o for o in suspected.after_confirmation}
    assert waiting["tx:ai_cdk46i"].gate == SYSTEMIC
    assert waiting["tx:ai_cdk46i"].sources == knowledge.treatment_gates[SYSTEMIC].sources


def test_a_replaced_row_is_dropped_not_listed(knowledge: Knowledge) -> None:
    facts = Facts(
        setting="metastatic",
        known_sites=frozenset({"site:spine"}),
        present=frozenset({"sym:back_pain"}),
        flags=frozenset({"flag:spinal_cord_compression"}),
    )
    plan = treatment_plan(knowledge, facts)
    everything = {o.id for o in plan.options} | {o.id for o in plan.after_confirmation}
    assert "tx:rt_bone_single_fraction" not in everything
    assert "tx:rt_mscc" in {o.id for o in plan.options}
    calm = treatment_plan(knowledge, facts.but(flags=frozenset()))
    assert "tx:rt_bone_single_fraction" in {o.id for o in calm.options}
