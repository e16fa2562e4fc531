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


def logit(p: FloatArray) -> FloatArray:
    q = np.clip(p, LOGIT_FLOOR, 1.0 - LOGIT_FLOOR)
    return np.asarray(np.log(q) - np.log1p(-q), dtype=np.float64)


def contributions(
    findings: Sequence[tuple[str, bool]],
    posterior: FloatArray,
    without: FloatArray,
    clamped: Sequence[bool],
) -> list[tuple[Because, ...]]:
    """Per site, each finding's log-odds push, largest first (``without``: findings × sites)."""
    if not findings:
        return [() for _ in posterior]
    delta = logit(posterior)[None, :] - logit(without)
    out: list[tuple[Because, ...]] = []
    for site in range(posterior.size):
        if clamped[site]:
            out.append(())
            continue
        items = [
            Because(finding=ident, log_odds=round(float(delta[i, site]), 4), present=present)
            for i, (ident, present) in enumerate(findings)
            if abs(delta[i, site]) > MIN_CONTRIBUTION
        ]
        items.sort(key=lambda b: (-abs(b.log_odds), b.finding))
        out.append(tuple(items))
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


def likely_route(knowledge: Knowledge, site: str, probability: dict[str, float]) -> str | None:
    """The route to ``site`` that the rest of the picture supports most (ties: listed first)."""
    best: str | None = None
    best_support = -1.0
    for route, others in _routes_of(knowledge).get(site, []):
        support = max((probability.get(s, 0.0) for s in others), default=0.0)
        if support > best_support:
            best, best_support = route, support
    return best


__all__ = ["contributions", "likely_route", "logit"]
