"""Exact inference: equals brute force over the joint; batched equals single; properties."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kbfactory import make_knowledge

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
