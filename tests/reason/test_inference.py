"""Exact inference: equals brute force over the joint; batched equals single; properties."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kbfactory import make_knowledge

from mbcnav.reason import inference
from mbcnav.reason.inference import enumerate_one, infer, infer_batch
from mbcnav.reason.network import NetworkTables, compile_network

N_SITES, N_SYMPTOMS = 6, 9
NETWORKS = [compile_network(make_knowledge(N_SITES, N_SYMPTOMS, seed=s)) for s in range(6)]


def brute_force(tables: NetworkTables, present, absent, prior) -> np.ndarray:
    """P(site | evidence) by summing the full joint over all 2^S site configurations."""
    link = np.exp(tables.log1m_link)
    leak = np.exp(tables.log1m_leak)
    total, on = 0.0, np.zeros(tables.n_sites)
    for config in itertools.product((0, 1), repeat=tables.n_sites):
        c = np.array(config)
        weight = float(np.prod(np.where(c == 1, prior, 1.0 - prior)))
        for m in set(present):
            weight *= 1.0 - leak[m] * np.prod(np.where(c == 1, link[:, m], 1.0))
        for m in set(absent):
            weight *= leak[m] * np.prod(np.where(c == 1, link[:, m], 1.0))
        total += weight
        on += c * weight
    return on / total


evidence = st.tuples(
    st.integers(0, len(NETWORKS) - 1),
    st.lists(st.integers(0, N_SYMPTOMS - 1), max_size=7),
    st.lists(st.integers(0, N_SYMPTOMS - 1), max_size=4),
    st.lists(st.integers(0, N_SITES - 1), max_size=2),
    st.sampled_from(["surveillance", "suspected", "metastatic"]),
)


def _case(case):
    net, present, absent, known, setting = case
    tables = NETWORKS[net]
    absent = [m for m in absent if m not in present]
    prior = tables.prior("unknown", setting).copy()
    prior[known] = 1.0
    return tables, present, absent, prior


@settings(max_examples=60, deadline=None)
@given(evidence)
def test_exact_inference_equals_brute_force(case) -> None:
    tables, present, absent, prior = _case(case)
    expected = brute_force(tables, present, absent, prior)
    np.testing.assert_allclose(infer(tables, present, absent, prior), expected, atol=1e-10)
    np.testing.assert_allclose(enumerate_one(tables, present, absent, prior), expected, atol=1e-10)


def test_batched_and_single_paths_agree() -> None:
    rng = np.random.default_rng(7)
    tables = NETWORKS[0]
    n = 300
    present = rng.random((n, N_SYMPTOMS)) < 0.25
    absent = (rng.random((n, N_SYMPTOMS)) < 0.2) & ~present
    prior = np.repeat(tables.prior("unknown", "suspected")[None, :], n, axis=0)
    prior[rng.random((n, N_SITES)) < 0.1] = 1.0
    batch = infer_batch(tables, present, absent, prior)
    for row in range(n):
        single = infer(
            tables, np.flatnonzero(present[row]), np.flatnonzero(absent[row]), prior[row]
        )
        np.testing.assert_allclose(batch[row], single, rtol=0, atol=1e-12)


def test_many_positives_fall_back_to_enumeration_and_stay_exact() -> None:
    tables = compile_network(make_knowledge(5, 16, seed=11, density=0.5))
    present = list(range(14))
    prior = tables.prior("unknown", "metastatic")
    expected = brute_force(tables, present, [], prior)
    np.testing.assert_allclose(infer(tables, present, [], prior), expected, atol=1e-10)


@settings(max_examples=60, deadline=None)
@given(evidence)
def test_probabilities_finite_and_in_unit_interval(case) -> None:
    tables, present, absent, prior = _case(case)
    post = infer(tables, present, absent, prior)
    assert np.all(np.isfinite(post))
    assert np.all((post >= 0.0) & (post <= 1.0))


@settings(max_examples=40, deadline=None)
@given(evidence, st.randoms(use_true_random=False))
def test_order_and_duplicates_change_nothing(case, rnd) -> None:
    tables, present, absent, prior = _case(case)
    shuffled = present + present[:2]
    rnd.shuffle(shuffled)
    again = absent + absent
    rnd.shuffle(again)
    np.testing.assert_allclose(
        infer(tables, present, absent, prior), infer(tables, shuffled, again, prior), atol=1e-12
    )


def test_no_evidence_returns_the_prior() -> None:
    tables = NETWORKS[1]
    prior = tables.prior("unknown", "suspected")
    np.testing.assert_allclose(infer(tables, [], [], prior), prior, atol=1e-12)


def test_known_site_is_clamped_to_one() -> None:
    tables = NETWORKS[2]
    prior = tables.prior("unknown", "suspected").copy()
    prior[3] = 1.0
    assert infer(tables, [0, 1], [2], prior)[3] == pytest.approx(1.0)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, len(NETWORKS) - 1), st.integers(0, N_SYMPTOMS - 1))
def test_one_finding_moves_linked_sites_the_right_way(net: int, symptom: int) -> None:
    tables = NETWORKS[net]
    prior = tables.prior("unknown", "suspected")
    linked = tables.log1m_link[:, symptom] < 0
    up = infer(tables, [symptom], [], prior)
    down = infer(tables, [], [symptom], prior)
    assert np.all(up[linked] >= prior[linked] - 1e-12)
    assert np.all(down[linked] <= prior[linked] + 1e-12)
    np.testing.assert_allclose(up[~linked], prior[~linked], atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(evidence)
def test_unobserved_symptoms_drop_out(case) -> None:
    """Deleting every unobserved symptom from the network leaves the posteriors unchanged."""
    tables, present, absent, prior = _case(case)
    kept = sorted(set(present) | set(absent))
    where = {old: new for new, old in enumerate(kept)}
    smaller = replace(
        tables,
        columns=tuple(tables.columns[m] for m in kept),
        log1m_link=tables.log1m_link[:, kept],
        log1m_leak=tables.log1m_leak[kept],
    )
    np.testing.assert_allclose(
        infer(tables, present, absent, prior),
        infer(smaller, [where[m] for m in present], [where[m] for m in absent], prior),
        atol=1e-12,
    )


def _leave_one_out(tables: NetworkTables, present, absent, prior):
    """The patient's row, then one row per observed finding without it, and their parents."""
    width = len(tables.columns)
    observed = [(m, True) for m in sorted(set(present))] + [
        (m, False) for m in sorted(set(absent) - set(present))
    ]
    rows_present = np.zeros((len(observed) + 1, width), dtype=bool)
    rows_absent = np.zeros_like(rows_present)
    for index, (column, is_present) in enumerate(observed):
        target = rows_present if is_present else rows_absent
        target[:, column] = True
        target[index + 1, column] = False
    parent = np.where(np.arange(len(observed) + 1) > 0, 0, -1)
    return rows_present, rows_absent, np.repeat(prior[None, :], len(observed) + 1, 0), parent


leave_one_out = st.tuples(
    st.integers(0, len(NETWORKS) - 1),
    st.lists(st.integers(0, N_SYMPTOMS - 1), max_size=8),
    st.lists(st.integers(0, N_SYMPTOMS - 1), max_size=5),
    st.lists(st.integers(0, N_SITES - 1), max_size=2),
    st.sampled_from(["surveillance", "suspected", "metastatic"]),
    st.sampled_from(["auto", "enumerate"]),
)


@settings(max_examples=120, deadline=None)
@given(leave_one_out)
def test_leave_one_out_rows_from_their_parent_equal_rows_computed_alone(case) -> None:
    """Rows derived from their parent's table (dividing a present finding out, or sharing the
    factors with a different absent update) give the numbers each row gives on its own."""
    net, present, absent, known, setting, method = case
    tables = NETWORKS[net]
    prior = tables.prior("unknown", setting).copy()
    prior[known] = 1.0
    rows = _leave_one_out(tables, present, absent, prior)
    derived = infer_batch(tables, *rows[:3], method=method, parent=rows[3])
    alone = infer_batch(tables, *rows[:3], method=method)
    np.testing.assert_allclose(derived, alone, rtol=1e-12, atol=1e-13)
    for row in range(derived.shape[0]):
        expected = brute_force(
            tables, np.flatnonzero(rows[0][row]), np.flatnonzero(rows[1][row]), rows[2][row]
        )
        np.testing.assert_allclose(derived[row], expected, atol=1e-10)


def test_leave_one_out_on_the_real_network_matches_and_batches(knowledge, monkeypatch) -> None:
    """Several patients stacked, with parents, and across passes: the same as alone."""
    tables = compile_network(knowledge)
    rng = np.random.default_rng(3)
    width = len(tables.columns)
    blocks = []
    for _ in range(12):
        present = rng.choice(width, size=rng.integers(1, 9), replace=False)
        absent = rng.choice(width, size=rng.integers(0, 7), replace=False)
        prior = tables.prior("hr_pos_her2_neg", "metastatic").copy()
        prior[rng.integers(0, tables.n_sites)] = rng.choice([prior[0], 1.0])
        blocks.append(_leave_one_out(tables, present.tolist(), absent.tolist(), prior))
    starts = np.cumsum([0] + [b[0].shape[0] for b in blocks])[:-1]
    stacked = [np.concatenate([b[i] for b in blocks]) for i in range(3)]
    parent = np.concatenate(
        [np.where(b[3] >= 0, b[3] + s, -1) for b, s in zip(blocks, starts, strict=True)]
    )
    alone = infer_batch(tables, *stacked)
    np.testing.assert_allclose(infer_batch(tables, *stacked, parent=parent), alone, atol=1e-13)
    for block, start in zip(blocks, starts, strict=True):
        single = infer_batch(tables, *block[:3], parent=block[3])
        np.testing.assert_allclose(single, alone[start : start + len(single)], atol=1e-13)
    monkeypatch.setattr(inference, "ROWS_PER_PASS", 7)  # parents cut off in another pass
    np.testing.assert_allclose(infer_batch(tables, *stacked, parent=parent), alone, atol=1e-13)


def test_a_parent_that_is_not_one_finding_away_is_ignored() -> None:
    tables = NETWORKS[3]
    prior = tables.prior("unknown", "suspected")
    present = np.zeros((3, N_SYMPTOMS), dtype=bool)
    present[0, [0, 1, 2]] = True
    present[1, [0]] = True  # two findings fewer
    present[2, [0, 1, 2, 3]] = True  # one more
    absent = np.zeros_like(present)
    prior3 = np.repeat(prior[None, :], 3, 0)
    with_parent = infer_batch(tables, present, absent, prior3, parent=np.array([-1, 0, 0]))
    np.testing.assert_allclose(with_parent, infer_batch(tables, present, absent, prior3), atol=0)


def test_a_patient_and_its_leave_one_out_rows_take_one_table(monkeypatch) -> None:
    tables = NETWORKS[4]
    prior = tables.prior("unknown", "metastatic")
    rows = _leave_one_out(tables, [0, 1, 2], [3, 4], prior)
    sources: list[int] = []
    original = inference._enumerate_group

    def counted(tables, pos, *args, **kwargs):  # type: ignore[no-untyped-def]
        sources.append(pos.shape[0])
        return original(tables, pos, *args, **kwargs)

    monkeypatch.setattr(inference, "_enumerate_group", counted)
    infer_batch(tables, *rows[:3], method="enumerate", parent=rows[3])
    assert sources == [1]
    sources.clear()
    infer_batch(tables, *rows[:3], method="enumerate")
    assert sum(sources) == 6
