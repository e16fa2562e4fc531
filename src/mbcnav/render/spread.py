"""The spread diagram: breast → route of spread → each suspected site, nearest routes first."""

from __future__ import annotations

from collections import defaultdict

from mbcnav.knowledge import Knowledge
from mbcnav.render.markup import Html, el
from mbcnav.render.text import humanize, percent, short, slug
from mbcnav.types import Assessment, SitePosterior

ROW, TOP, GAP, CHAR_W = 38.0, 22.0, 56.0, 7.4
BREAST_X, BOX_W, BOX_H = 8.0, 90.0, 28.0
UNKNOWN_ROUTE = "route:unstated"


def suspected_sites(assessment: Assessment, knowledge: Knowledge | None) -> list[SitePosterior]:
    """Known sites and sites at or above the knowledge base's 'suspected' threshold."""
    if knowledge is not None:
        cut = knowledge.network.thresholds.suspected_site
        return [s for s in assessment.sites if s.known or s.probability >= cut]
    return [s for s in assessment.sites if s.known or s.probability > s.prior]


def route_of(site: SitePosterior, knowledge: Knowledge | None) -> str:
    if site.route:
        return site.route
    record = knowledge.sites.get(site.id) if knowledge else None
    return record.routes[0] if record and record.routes else UNKNOWN_ROUTE


def _route_info(route: str, knowledge: Knowledge | None) -> tuple[int, str]:
    record = knowledge.routes.get(route) if knowledge else None
    if record is None:
        return 99, "Route not stated" if route == UNKNOWN_ROUTE else humanize(route)
    return record.order, record.label


def _width(texts: list[str]) -> float:
    return max(len(text) for text in texts) * CHAR_W + 20


def _curve(x1: float, y1: float, x2: float, y2: float) -> str:
    mid = (x1 + x2) / 2
    return f"M{x1:g} {y1:g} C{mid:g} {y1:g} {mid:g} {y2:g} {x2:g} {y2:g}"


def _box(
    x: float,
    y: float,
    width: float,
    text: str,
    cls: str,
    fill: str | None = None,
    full: str | None = None,
) -> Html:
    return el(
        "g",
        el("title", full or text),
        el(
            "rect",
            x=x,
            y=y - BOX_H / 2,
            width=width,
            height=BOX_H,
            rx=6,
            style=f"fill:{fill}" if fill else None,
        ),
        el("text", text, x=x + 10, y=y + 5),
        class_=cls,
    )


def _grouped(
    sites: list[SitePosterior], knowledge: Knowledge | None
) -> list[tuple[str, list[SitePosterior]]]:
    groups: dict[str, list[SitePosterior]] = defaultdict(list)
    for site in sites:
        groups[route_of(site, knowledge)].append(site)
    return sorted(groups.items(), key=lambda item: (_route_info(item[0], knowledge)[0], item[0]))


def _tint(probability: float) -> str:
    """A light fill, so that dark text on it stays readable at any probability."""
    return f"rgba(185, 28, 28, {0.08 + 0.32 * probability:.2f})"


def _layout(
    groups: list[tuple[str, list[SitePosterior]]], knowledge: Knowledge | None
) -> tuple[dict[str, str], dict[str, str], float, float, float]:
    routes = {route: short(_route_info(route, knowledge)[1]) for route, _ in groups}
    sites = {
        s.id: f"{short(s.label)} · {'known' if s.known else percent(s.probability)}"
        for _, members in groups
        for s in members
    }
    route_x = BREAST_X + BOX_W + GAP
    route_w = _width(list(routes.values()))
    site_x = route_x + route_w + GAP
    return routes, sites, route_x, route_w, site_x


def spread_svg(assessment: Assessment, knowledge: Knowledge | None = None) -> Html:
    """SVG of the paths by which the suspected sites are reached; a note when there are none."""
    sites = suspected_sites(assessment, knowledge)
    if not sites:
        return el(
            "p",
            "No site reaches the threshold for suspicion, so there is no spread to draw.",
            class_="muted",
        )
    groups = _grouped(sites, knowledge)
    route_text, site_text, route_x, route_w, site_x = _layout(groups, knowledge)
    site_w = _width(list(site_text.values()))
    rows = len(sites)
    breast_y = TOP + (rows - 1) * ROW / 2
    parts: list[Html] = []
    summary: list[str] = []
    row = 0
    for route, members in groups:
        full_route = _route_info(route, knowledge)[1]
        ys = [TOP + (row + i) * ROW for i in range(len(members))]
        hub_y = sum(ys) / len(ys)
        parts.append(
            el("path", d=_curve(BREAST_X + BOX_W, breast_y, route_x, hub_y), class_="edge")
        )
        for site, y in zip(members, ys, strict=True):
            parts.append(
                el(
                    "path",
                    d=_curve(route_x + route_w, hub_y, site_x, y),
                    class_="edge",
                    style=f"stroke-width:{1.5 + 4 * site.probability:.1f}",
                )
            )
            parts.append(
                _box(
                    site_x,
                    y,
                    site_w,
                    site_text[site.id],
                    "node site-node",
                    fill=_tint(site.probability),
                    full=site.label,
                )
            )
            summary.append(
                f"{full_route} to {site.label} "
                f"({'known' if site.known else percent(site.probability)})"
            )
        parts.append(
            _box(route_x, hub_y, route_w, route_text[route], "node route-node", full=full_route)
        )
        row += len(members)
    return el(
        "svg",
        el("title", "Spread diagram", id="spread-title"),
        el("desc", "From the breast: " + "; ".join(summary) + ".", id="spread-desc"),
        parts,
        _box(BREAST_X, breast_y, BOX_W, "Breast", "node breast-node"),
        viewBox=f"0 0 {site_x + site_w + 8:g} {2 * TOP + (rows - 1) * ROW:g}",
        role="img",
        aria_labelledby="spread-title spread-desc",
        class_="spread",
        data_sites=" ".join(slug(s.id) for _, members in groups for s in members),
        focusable="false",
    )
