"""Why each site's probability is what it is.

A finding's contribution is the exact leave-one-out difference in posterior log-odds:
logit P(site | all findings) − logit P(site | all findings but this one). Positive pushes
the site up, negative down. The spread route shown is the one, among the routes the
knowledge says reach the site, whose other sites are most probably involved.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from mbcnav.knowledge.model import Knowledge
from mbcnav.reason.network import FloatArray
from mbcnav.rules import per_knowledge
from mbcnav.types import Because

LOGIT_FLOOR = 1e-12
MIN_CONTRIBUTION = 1e-9
LOG_ODDS_DIGITS = 4


def logit(p: FloatArray) -> FloatArray:
    q = np.clip(p, LOGIT_FLOOR, 1.0 - LOGIT_FLOOR)
    return np.asarray(np.log(q) - np.log1p(-q), dtype=np.float64)


def contributions(
    findings: Sequence[tuple[str, bool]],
    posterior: FloatArray,
    without: FloatArray,
    clamped: Sequence[bool],
) -> list[tuple[Because, ...]]:
    """Per site, each finding's log-odds push, largest first, then by finding id (``without``:
    findings × sites); pushes that round to zero and known sites show none."""
    return [
        tuple(_BECAUSE(fields) for fields in site)
        for site in contribution_fields(findings, posterior, without, clamped)
    ]


def contribution_fields(
    findings: Sequence[tuple[str, bool]],
    posterior: FloatArray,
    without: FloatArray,
    clamped: Sequence[bool],
) -> list[list[dict[str, object]]]:
    """:func:`contributions` as the fields of each Because, for a caller that validates them
    inside a bigger model (one validator call instead of one per Because)."""
    out: list[list[dict[str, object]]] = [[] for _ in range(posterior.size)]
    if not findings:
        return out
    odds = logit(np.vstack([posterior, without]))
    delta = odds[:1] - odds[1:]
    shown = (np.abs(delta) > MIN_CONTRIBUTION) & ~np.asarray(clamped, dtype=bool)[None, :]
    finding, site = np.nonzero(shown)
    log_odds = rounded(delta[finding, site], LOG_ODDS_DIGITS)
    # A push that rounds to zero explains nothing; whether rounding noise sits just above or
    # below MIN_CONTRIBUTION also differs between NumPy builds, so it must not decide the list.
    visible = log_odds != 0.0
    finding, site, log_odds = finding[visible], site[visible], log_odds[visible]
    by_id = np.empty(len(findings), dtype=np.intp)
    by_id[sorted(range(len(findings)), key=lambda i: findings[i][0])] = np.arange(len(findings))
    order = np.lexsort((by_id[finding], -np.abs(log_odds), site))
    for f, s, value in zip(
        finding[order].tolist(), site[order].tolist(), log_odds[order].tolist(), strict=True
    ):
        ident, present = findings[f]
        out[s].append({"finding": ident, "log_odds": value, "present": present})
    return out


_BECAUSE = Because.__pydantic_validator__.validate_python


def rounded(values: FloatArray, digits: int) -> FloatArray:
    """``round(value, digits)`` of each value, exactly as Python rounds, vectorised.

    Python rounds the exact binary value to the nearest decimal, then reads it back. Here the
    scaled value is off the exact one by at most |scaled|·2^-53 (below 1e-7 while |scaled| <
    1e9), so ``rint`` picks the same integer unless the value sits within 1e-6 of a tie; those
    (rare) values take Python's ``round`` itself. Dividing that integer by 10^digits is
    correctly rounded, as Python's read-back is."""
    scale = 10.0**digits
    scaled = values * scale
    out: FloatArray = np.rint(scaled) / scale
    close = (np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6) | ~(np.abs(scaled) < 1e9)
    for index in np.flatnonzero(close).tolist():
        out[index] = round(float(values[index]), digits)
    return out


@per_knowledge
def _routes_of(knowledge: Knowledge) -> dict[str, list[tuple[str, tuple[str, ...]]]]:
    """Per site, its routes (knowledge order) and the other sites each route reaches."""
    return {
        site.id: [
            (route, tuple(s for s in knowledge.routes[route].reaches if s != site.id))
            for route in site.routes
            if route in knowledge.routes
        ]
        for site in knowledge.sites.values()
    }


@dataclass(frozen=True)
class _RouteTable:
    """Every (site, route) pair as a row: which other sites the route reaches."""

    sites: tuple[str, ...]
    spans: tuple[tuple[str, int, int], ...]
    routes: tuple[str, ...]
    reaches: FloatArray


@per_knowledge
def _route_table(knowledge: Knowledge) -> _RouteTable:
    sites = tuple(knowledge.sites)
    spans: list[tuple[str, int, int]] = []
    routes: list[str] = []
    rows: list[list[bool]] = []
    for site, pairs in _routes_of(knowledge).items():
        spans.append((site, len(routes), len(routes) + len(pairs)))
        for route, others in pairs:
            routes.append(route)
            rows.append([s in others for s in sites])
    reaches = np.array(rows, dtype=np.float64).reshape(len(rows), len(sites))
    return _RouteTable(sites, tuple(spans), tuple(routes), reaches)


def _best(routes: list[tuple[str, tuple[str, ...]]], probability: dict[str, float]) -> str | None:
    best: str | None = None
    best_support = -1.0
    for route, others in routes:
        support = max((probability.get(s, 0.0) for s in others), default=0.0)
        if support > best_support:
            best, best_support = route, support
    return best


def likely_route(knowledge: Knowledge, site: str, probability: dict[str, float]) -> str | None:
    """The route to ``site`` that the rest of the picture supports most (ties: listed first)."""
    return _best(_routes_of(knowledge).get(site, []), probability)


def likely_routes(knowledge: Knowledge, probability: dict[str, float]) -> dict[str, str | None]:
    """:func:`likely_route` of every site at once, for probabilities in [0, 1]: a route's
    support is the largest probability among the other sites it reaches (0 if none), and the
    first route (in the site's order) with the most support wins."""
    table = _route_table(knowledge)
    if not table.routes:
        return {site: None for site, _, _ in table.spans}
    row = np.array([probability.get(site, 0.0) for site in table.sites])
    support: list[float] = (table.reaches * row[None, :]).max(axis=1).tolist()
    return {
        site: table.routes[max(range(start, stop), key=support.__getitem__)]
        if stop > start
        else None
        for site, start, stop in table.spans
    }


__all__ = [
    "contribution_fields",
    "contributions",
    "likely_route",
    "likely_routes",
    "logit",
    "rounded",
]
