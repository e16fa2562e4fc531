"""Why each site's probability is what it is.

A finding's contribution is the exact leave-one-out difference in posterior log-odds:
logit P(site | all findings) − logit P(site | all findings but this one). Positive pushes
the site up, negative down. The spread route shown is the one, among the routes the
knowledge says reach the site, whose other sites are most probably involved.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from mbcnav.knowledge.model import Knowledge
from mbcnav.reason.network import FloatArray
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
    findings × sites); pushes below ``MIN_CONTRIBUTION`` and known sites show none."""
    if not findings:
        return [() for _ in posterior]
    delta = logit(posterior)[None, :] - logit(without)
    shown = (np.abs(delta) > MIN_CONTRIBUTION) & ~np.asarray(clamped, dtype=bool)[None, :]
    finding, site = np.nonzero(shown)
    log_odds = rounded(delta[finding, site], LOG_ODDS_DIGITS)
    by_id = np.empty(len(findings), dtype=np.intp)
    by_id[sorted(range(len(findings)), key=lambda i: findings[i][0])] = np.arange(len(findings))
    order = np.lexsort((by_id[finding], -np.abs(log_odds), site))
    out: list[list[Because]] = [[] for _ in range(posterior.size)]
    for f, s, value in zip(
        finding[order].tolist(), site[order].tolist(), log_odds[order].tolist(), strict=True
    ):
        ident, present = findings[f]
        out[s].append(_BECAUSE({"finding": ident, "log_odds": value, "present": present}))
    return [tuple(items) for items in out]


# Validating a dict directly skips BaseModel.__init__'s Python layer, a third of the cost.
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


_ROUTES: dict[int, tuple[Knowledge, dict[str, list[tuple[str, tuple[str, ...]]]]]] = {}


def _routes_of(knowledge: Knowledge) -> dict[str, list[tuple[str, tuple[str, ...]]]]:
    """Per site, its routes (knowledge order) and the other sites each route reaches."""
    hit = _ROUTES.get(id(knowledge))
    if hit is not None and hit[0] is knowledge:
        return hit[1]
    table = {
        site.id: [
            (route, tuple(s for s in knowledge.routes[route].reaches if s != site.id))
            for route in site.routes
            if route in knowledge.routes
        ]
        for site in knowledge.sites.values()
    }
    if len(_ROUTES) >= 8:
        _ROUTES.clear()
    _ROUTES[id(knowledge)] = (knowledge, table)
    return table


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
    """:func:`likely_route` of every site of the knowledge at once."""
    return {site: _best(routes, probability) for site, routes in _routes_of(knowledge).items()}


__all__ = ["contributions", "likely_route", "likely_routes", "logit", "rounded"]
