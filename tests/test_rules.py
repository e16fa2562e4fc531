"""The condition interpreter: every condition kind, and the reasons it reports."""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

import rules_reference as reference
from mbcnav.knowledge.schema import Condition
from mbcnav.rules import Facts, candidates, compiled_test, evaluate, needed, referenced_ids

CONDITION: TypeAdapter[Any] = TypeAdapter(Condition)

FACTS = Facts(
    present=frozenset({"sym:back_pain", "sym:leg_weakness"}),
    absent=frozenset({"sym:headache"}),
    labs={"calcium_corrected_mmol_l": 3.1},
    receptors={"er": "positive", "pr": "negative", "her2": "low"},
    biomarkers={"esr1": "mutated", "pd_l1_cps": 12.0},
    setting="metastatic",
    subtype="hr_pos_her2_neg",
    known_sites=frozenset({"site:bone"}),
    suspected_sites=frozenset({"site:liver"}),
    flags=frozenset({"flag:hypercalcaemia"}),
    prior_therapies=frozenset({"tx:ai_cdk46i"}),
    prior_modalities=frozenset({"hormonal_therapy"}),
)


def check(raw: dict[str, Any]) -> tuple[bool, tuple[str, ...]]:
    match = evaluate(CONDITION.validate_python(raw), FACTS)
    return match.matched, match.because


@pytest.mark.parametrize(
    ("raw", "matched"),
    [
        ({"finding": "sym:back_pain"}, True),
        ({"finding": "sym:headache"}, False),
        ({"absent": "sym:headache"}, True),
        ({"absent": "sym:back_pain"}, False),
        ({"lab": "calcium_corrected_mmol_l", "gt": 2.9}, True),
        ({"lab": "calcium_corrected_mmol_l", "gt": 2.9, "le": 3.0}, False),
        ({"lab": "bilirubin_umol_l", "gt": 0}, False),
        ({"receptor": "her2", "in": ["low", "ultralow"]}, True),
        ({"biomarker": "esr1", "in": ["mutated"]}, True),
        ({"biomarker": "pd_l1_cps", "ge": 10}, True),
        ({"biomarker": "pd_l1_cps", "ge": 20}, False),
        ({"setting": ["metastatic"]}, True),
        ({"subtype": ["triple_negative"]}, False),
        ({"site": "site:bone", "status": "known"}, True),
        ({"site": "site:liver", "status": "known"}, False),
        ({"site": "site:liver"}, True),
        ({"flag": "flag:hypercalcaemia"}, True),
        ({"prior_therapy": "tx:ai_cdk46i"}, True),
        ({"prior_modality": "chemotherapy"}, False),
        ({"not": {"finding": "sym:headache"}}, True),
        ({"all": [{"finding": "sym:back_pain"}, {"finding": "sym:seizure"}]}, False),
        ({"any": [{"finding": "sym:seizure"}, {"finding": "sym:back_pain"}]}, True),
        ({"at_least": 2, "of": [{"finding": "sym:back_pain"}, {"finding": "sym:seizure"}]}, False),
    ],
)
def test_each_condition_kind(raw: dict[str, Any], matched: bool) -> None:
    assert check(raw)[0] is matched


def test_reasons_name_what_made_the_condition_hold() -> None:
    matched, because = check(
        {
            "all": [
                {"any": [{"finding": "sym:leg_weakness"}, {"finding": "sym:seizure"}]},
                {"finding": "sym:back_pain"},
                {"finding": "sym:back_pain"},
                {"site": "site:liver"},
            ]
        }
    )
    assert matched
    assert because == ("sym:leg_weakness", "sym:back_pain", "site:liver (suspected)")


def test_referenced_ids() -> None:
    raw = {"any": [{"finding": "sym:a"}, {"not": {"flag": "flag:b"}}, {"site": "site:c"}]}
    assert referenced_ids(CONDITION.validate_python(raw)) == {"sym:a", "flag:b", "site:c"}


FINDINGS = ("sym:a", "sym:b", "sym:c")
SITES = ("site:a", "site:b")
FLAGS = ("flag:a", "flag:b")
THERAPIES = ("tx:a", "tx:b")
LABS = ("calcium_corrected_mmol_l", "sodium_mmol_l")
SETTINGS = ("surveillance", "suspected", "metastatic")
SUBTYPES = ("hr_pos_her2_neg", "triple_negative", "unknown")
MODALITIES = ("chemotherapy", "hormonal_therapy")
BOUNDS = st.sampled_from([2.5, 2.6, 3.0, 130.0, 135])


def _bounds(draw: Any) -> dict[str, float]:
    ops = draw(st.sets(st.sampled_from(["gt", "ge", "lt", "le"]), max_size=2))
    return {op: draw(BOUNDS) for op in ops}


@st.composite
def leaves(draw: Any) -> dict[str, Any]:
    kind = draw(st.integers(0, 12))
    pick = lambda options: draw(st.sampled_from(options))  # noqa: E731
    if kind == 0:
        return {"finding": pick(FINDINGS)}
    if kind == 1:
        return {"absent": pick(FINDINGS)}
    if kind == 2:
        return {"lab": pick(LABS), **_bounds(draw)}
    if kind == 3:
        values = ("positive", "negative", "low", "unknown")
        return {
            "receptor": pick(("er", "her2")),
            "in": sorted(draw(st.sets(st.sampled_from(values)))),
        }
    if kind == 4:
        values = ("mutated", "wildtype", "unknown")
        return {"biomarker": "esr1", "in": sorted(draw(st.sets(st.sampled_from(values))))}
    if kind == 5:
        return {"biomarker": "pd_l1_cps", **_bounds(draw)}
    if kind == 6:
        return {"setting": sorted(draw(st.sets(st.sampled_from(SETTINGS))))}
    if kind == 7:
        return {"subtype": sorted(draw(st.sets(st.sampled_from(SUBTYPES))))}
    if kind == 8:
        status = pick(("known", "suspected", "known_or_suspected"))
        return {"site": pick(SITES), "status": status}
    if kind == 9:
        return {"flag": pick(FLAGS)}
    if kind == 10:
        return {"prior_therapy": pick(THERAPIES)}
    if kind == 11:
        return {"prior_modality": pick(MODALITIES)}
    return {"biomarker": "pd_l1_cps", "in": ["12"]}


conditions = st.recursive(
    leaves(),
    lambda inner: st.one_of(
        st.builds(lambda parts: {"all": parts}, st.lists(inner, max_size=4)),
        st.builds(lambda parts: {"any": parts}, st.lists(inner, max_size=4)),
        st.builds(lambda part: {"not": part}, inner),
        st.builds(
            lambda parts, n: {"at_least": n, "of": parts},
            st.lists(inner, max_size=4),
            st.integers(1, 3),
        ),
    ),
    max_leaves=12,
)


def _leaf_examples() -> list[dict[str, Any]]:
    """Every leaf kind with every option of the small vocabulary (bounds: one of each)."""
    out: list[dict[str, Any]] = []
    out += [{"finding": f} for f in FINDINGS] + [{"absent": f} for f in FINDINGS]
    for op in ("gt", "ge", "lt", "le"):
        for bound in (2.6, 130):
            out += [{"lab": lab, op: bound} for lab in LABS]
            out.append({"biomarker": "pd_l1_cps", op: bound / 10})
    out += [{"lab": LABS[0], "gt": 2.5, "le": 3.0}, {"biomarker": "pd_l1_cps"}]
    out += [{"receptor": r, "in": ["positive", "low"]} for r in ("er", "pr", "her2")]
    out += [{"biomarker": "esr1", "in": ["mutated"]}, {"biomarker": "pd_l1_cps", "in": ["12"]}]
    out += [{"setting": [s]} for s in SETTINGS] + [{"subtype": [s]} for s in SUBTYPES]
    for status in ("known", "suspected", "known_or_suspected"):
        out += [{"site": site, "status": status} for site in SITES]
    out += [{"flag": f} for f in FLAGS] + [{"prior_therapy": t} for t in THERAPIES]
    out += [{"prior_modality": m} for m in MODALITIES]
    return out


def _fact_bank(n: int, share: float = 0.5, seed: int = 11) -> list[Facts]:
    """``n`` random patients, each holding about ``share`` of every kind of id."""
    rng = random.Random(seed)

    def some(options: tuple[str, ...]) -> frozenset[str]:
        return frozenset(o for o in options if rng.random() < share)

    bank = []
    for _ in range(n):
        labs = {
            lab: rng.choice([2.5, 2.6, 3.1, 125.0, 135])
            for lab in LABS
            if rng.random() < min(1.0, 1.4 * share)
        }
        markers: dict[str, Any] = {"esr1": rng.choice(["mutated", "wildtype"])}
        markers["pd_l1_cps"] = rng.choice([None, 1.0, 12.0, 13, 26.0])
        bank.append(
            Facts(
                present=some(FINDINGS),
                absent=some(FINDINGS),
                labs=labs,
                receptors={r: rng.choice(["positive", "negative", "low"]) for r in ("er", "her2")},
                biomarkers=markers,
                setting=rng.choice(SETTINGS),
                subtype=rng.choice(SUBTYPES),
                known_sites=some(SITES),
                suspected_sites=some(SITES),
                flags=some(FLAGS),
                prior_therapies=some(THERAPIES),
                prior_modalities=some(MODALITIES),
            )
        )
    return bank


# Sparse patients as most notes are (a finding or two, no labs): the ones a rule's needed
# ids (``needed``) rule out without evaluating it.
BANK = _fact_bank(64) + _fact_bank(32, share=0.1, seed=12) + [Facts()]


@pytest.mark.parametrize("raw", _leaf_examples(), ids=str)
def test_each_compiled_leaf_agrees_with_the_reference_interpreter(raw: dict[str, Any]) -> None:
    condition = CONDITION.validate_python(raw)
    for one in BANK:
        expected = reference.evaluate(condition, one)
        assert evaluate(condition, one) == expected, one
        assert compiled_test(condition)(one) is expected.matched, one


@settings(max_examples=300, deadline=None)
@given(conditions)
def test_compiled_conditions_agree_with_the_reference_interpreter(raw: dict[str, Any]) -> None:
    """Verdict and reasons (order included) as the plain interpreter gives them."""
    condition = CONDITION.validate_python(raw)
    for one in BANK:
        expected = reference.evaluate(condition, one)
        assert evaluate(condition, one) == expected
        assert compiled_test(condition)(one) is expected.matched


@settings(max_examples=300, deadline=None)
@given(conditions)
def test_a_condition_holds_only_with_one_of_its_needed_ids(raw: dict[str, Any]) -> None:
    condition = CONDITION.validate_python(raw)
    needs = needed(condition)
    for one in BANK:
        if reference.evaluate(condition, one).matched and needs is not None:
            assert any(not ids.isdisjoint(getattr(one, name)) for name, ids in needs.items())


def test_needed_ids_of_groups() -> None:
    def of(raw: dict[str, Any]) -> dict[str, frozenset[str]] | None:
        return needed(CONDITION.validate_python(raw))

    back, legs = {"finding": "sym:back_pain"}, {"finding": "sym:leg_weakness"}
    calcium = {"lab": "calcium_corrected_mmol_l", "gt": 2.6}
    assert of({"all": [back, {"setting": ["metastatic"]}]}) == {"present": {"sym:back_pain"}}
    assert of({"any": [back, calcium]}) == {
        "present": {"sym:back_pain"},
        "labs": {"calcium_corrected_mmol_l"},
    }
    assert of({"at_least": 2, "of": [back, legs]}) == {
        "present": {"sym:back_pain", "sym:leg_weakness"}
    }
    assert of({"any": [back, {"not": legs}]}) is None
    assert of({"site": "site:bone", "status": "known"}) == {
        "known_sites": {"site:bone"},
        "suspected_sites": {"site:bone"},
    }


def test_facts_but_is_dataclasses_replace() -> None:
    from dataclasses import replace

    changed = FACTS.but(flags=frozenset({"flag:b"}), setting="suspected")
    assert changed == replace(FACTS, flags=frozenset({"flag:b"}), setting="suspected")
    assert FACTS.flags == frozenset({"flag:hypercalcaemia"})
    with pytest.raises(TypeError):
        FACTS.but(flag=frozenset())


@settings(max_examples=100, deadline=None)
@given(st.lists(conditions, min_size=1, max_size=8))
def test_candidates_leave_out_only_conditions_that_do_not_hold(raws: list[Any]) -> None:
    found = [CONDITION.validate_python(raw) for raw in raws]
    index = candidates(found)
    for one in BANK:
        kept = index(one)
        assert list(kept) == sorted(set(kept))
        for position, condition in enumerate(found):
            if position not in kept:
                assert not reference.evaluate(condition, one).matched
