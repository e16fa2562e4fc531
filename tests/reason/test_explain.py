"""Explanations: leave-one-out log-odds pushes and the most plausible route."""

from __future__ import annotations

import numpy as np
from kbfactory import make_knowledge

from mbcnav.reason.explain import contributions, likely_route, likely_routes, logit, rounded
from mbcnav.reason.inference import infer
from mbcnav.reason.network import compile_network


def test_contribution_is_exact_leave_one_out_log_odds() -> None:
    tables = compile_network(make_knowledge(4, 5, seed=4, density=0.8))
    prior = tables.prior("unknown", "suspected")
    full = infer(tables, [0, 1], [2], prior)
    without = np.stack(
        [
            infer(tables, [1], [2], prior),
            infer(tables, [0], [2], prior),
            infer(tables, [0, 1], [], prior),
        ]
    )
    found = [("sym:f0", True), ("sym:f1", True), ("sym:f2", False)]
    because = contributions(found, full, without, [False, False, False, True])
    assert because[3] == ()
    for site in range(3):
        by_id = {b.finding: b.log_odds for b in because[site]}
        for index, (ident, _) in enumerate(found):
            expected = logit(full)[site] - logit(without[index])[site]
            if abs(expected) > 1e-9:
                assert by_id[ident] == round(float(expected), 4)
        ordered = [abs(b.log_odds) for b in because[site]]
        assert ordered == sorted(ordered, reverse=True)


def test_route_follows_the_most_involved_neighbour(knowledge) -> None:
    liver_routes = knowledge.sites["site:liver"].routes
    assert likely_route(knowledge, "site:liver", {}) == liver_routes[0]
    for route in liver_routes:
        others = [s for s in knowledge.routes[route].reaches if s != "site:liver"]
        if others:
            chosen = likely_route(knowledge, "site:liver", {others[0]: 0.99})
            assert chosen in liver_routes
            support = max(
                (0.99 if s == others[0] else 0.0)
                for s in knowledge.routes[chosen].reaches
                if s != "site:liver"
            )
            assert support == 0.99


def test_rounding_is_pythons_round_exactly() -> None:
    """The vectorised rounding gives the bytes Python's round gives, ties and near-ties too."""
    rng = np.random.default_rng(5)
    ties = (rng.integers(-600_000, 600_000, 20_000) + 0.5) / 1e4
    values = np.concatenate(
        [
            rng.normal(0, 3, 50_000),
            rng.normal(0, 1e-5, 5_000),
            ties,
            np.nextafter(ties, np.inf),
            np.nextafter(ties, -np.inf),
            [0.0, -0.0, 1e-9, -2e-9, 0.00005, -0.00005, 0.00015, 27.63102, -55.2620, 1e12],
        ]
    )
    got = rounded(values, 4)
    expected = [round(float(v), 4) for v in values]
    assert [repr(v) for v in got.tolist()] == [repr(v) for v in expected]


def test_all_routes_at_once_are_each_sites_route(knowledge) -> None:
    rng = np.random.default_rng(2)
    sites = list(knowledge.sites)
    for _ in range(200):
        probability = {s: float(p) for s, p in zip(sites, rng.random(len(sites)), strict=True)}
        if rng.random() < 0.3:
            probability = {s: round(p, 1) for s, p in probability.items()}  # ties
        for s in rng.choice(sites, size=3):
            probability.pop(str(s), None)
        expected = {site: likely_route(knowledge, site, probability) for site in sites}
        assert likely_routes(knowledge, probability) == expected
