"""The spread diagram: breast → route of spread → each suspected site, nearest routes first."""

from __future__ import annotations

from collections import defaultdict

from mbcnav.knowledge import Knowledge
from mbcnav.render.bodymap import shade
from mbcnav.render.markup import Html, el
from mbcnav.render.text import humanize, percent, slug
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


def short(label: str, limit: int = 40) -> str:
    """A label that fits a diagram box: no 'incl.' tail, no parenthesis when too long."""
    for cut in (", incl.", " (incl."):
        label = label.split(cut)[0]
    if len(label) > limit:
        label = label.split(" (")[0].split(", ")[0]
    return label


def _width(texts: list[str]) -> float:
    return max(len(text) for text in texts) * CHAR_W + 20


def _curve(x1: float, y1: float, x2: float, y2: float) -> str:
    mid = (x1 + x2) / 2
    return f"M{x1:g} {y1:g} C{mid:g} {y1:g} {mid:g} {y2:g} {x2:g} {y2:g}"


def _box(
    x: float, y: float, width: float, text: str, cls: str, fill: str | None = None,
    full: str | None = None,
) -> Html:
    return el(
        "g",
        el("title", full or text),
        el("rect", x=x, y=y - BOX_H / 2, width=width, height=BOX_H, rx=6, fill=fill),
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
    rows = sum(len(members) for _, members in groups)
    height = 2 * TOP + (rows - 1) * ROW
    breast_y = TOP + (rows - 1) * ROW / 2
    parts: list[Html] = []
    summary: list[str] = []
    row = 0
    for route, members in groups:
        label = _route_info(route, knowledge)[1]
        ys = [TOP + (row + i) * ROW for i in range(len(members))]
        hub_y = sum(ys) / len(ys)
        parts.append(
            el("path", d=_curve(BREAST_X + BOX_W, breast_y, ROUTE_X, hub_y), class_="edge")
        )
        for site, y in zip(members, ys, strict=True):
            width = 1.5 + 4 * site.probability
            parts.append(
                el(
                    "path",
                    d=_curve(ROUTE_X + BOX_W, hub_y, SITE_X, y),
                    class_="edge",
                    stroke_width=round(width, 1),
                )
            )
            tag = "known" if site.known else percent(site.probability)
            parts.append(
                _box(
                    SITE_X,
                    y,
                    SITE_W,
                    f"{site.label} · {tag}",
                    "node site-node",
                    fill=shade(max(site.probability, 0.05)),
                )
            )
            summary.append(f"{label} to {site.label} ({tag})")
        parts.append(_box(ROUTE_X, hub_y, BOX_W, label, "node route-node"))
        row += len(members)
    return el(
        "svg",
        el("title", "Spread diagram", id="spread-title"),
        el("desc", "From the breast: " + "; ".join(summary) + ".", id="spread-desc"),
        parts,
        _box(BREAST_X, breast_y, BOX_W, "Breast", "node breast-node"),
        viewBox=f"0 0 {SITE_X + SITE_W + 8:g} {height:g}",
        role="img",
        aria_labelledby="spread-title spread-desc",
        class_="spread",
        data_sites=" ".join(slug(s.id) for _, members in groups for s in members),
        focusable="false",
    )
