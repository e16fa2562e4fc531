"""The body map: two schematic figures (front and back) with one shaded shape group per site.

Each site of the knowledge base gets ``<g id="map-site-<slug>" data-probability="…">`` drawn
at its ``body_map`` region, so the picture and the ranked list can never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from mbcnav.knowledge import Knowledge
from mbcnav.render.markup import Html, el, join
from mbcnav.render.text import percent, slug
from mbcnav.types import Assessment, SitePosterior

Shape = tuple[str, dict[str, str | float]]
FRONT_X, BACK_X = 0.0, 170.0


def _ellipse(cx: float, cy: float, rx: float, ry: float) -> Shape:
    return ("ellipse", {"cx": cx, "cy": cy, "rx": rx, "ry": ry})


def _rect(x: float, y: float, w: float, h: float, r: float = 3) -> Shape:
    return ("rect", {"x": x, "y": y, "width": w, "height": h, "rx": r})


def _path(d: str) -> Shape:
    return ("path", {"d": d})


def _pair(shape: Shape, axis: float = 80.0) -> list[Shape]:
    """A shape and its mirror image about the figure's midline."""
    tag, attrs = shape
    mirrored = dict(attrs)
    if "cx" in attrs:
        mirrored["cx"] = 2 * axis - float(attrs["cx"])
    elif "x" in attrs:
        mirrored["x"] = 2 * axis - float(attrs["x"]) - float(attrs["width"])
    return [shape, (tag, mirrored)]


def _vertebrae() -> list[Shape]:
    return [_rect(74, 66 + 10 * i, 12, 8, 2) for i in range(15)]


def _ribs() -> list[Shape]:
    return [
        _path(f"M{side * 6 + 80} {y} q{side * 28} 4 {side * 30} 16")
        for y in (84, 96, 108, 120)
        for side in (-1, 1)
    ]


# Region → (figure, shapes); coordinates in a 160 × 360 figure box, midline x = 80.
REGIONS: Mapping[str, tuple[str, list[Shape]]] = {
    "head": ("front", [_ellipse(80, 28, 17, 12)]),
    "meninges": ("front", [_path("M57 34a23 23 0 0 1 46 0h-4a19 19 0 0 0 -38 0z")]),
    "eye": ("front", _pair(_ellipse(72, 44, 4, 3))),
    "neck": ("front", _pair(_ellipse(73, 70, 4, 4))),
    "axilla": ("front", _pair(_ellipse(50, 90, 6, 6))),
    "pleura": ("front", _pair(_rect(50, 82, 28, 66, 14))),
    "lungs": ("front", _pair(_rect(54, 86, 21, 58, 10))),
    "heart": ("front", [_ellipse(88, 128, 8, 10)]),
    "chest_wall": ("front", _pair(_ellipse(63, 114, 11, 8))),
    "liver": ("front", [_path("M50 150 q14 -6 38 -2 q-4 16 -20 22 q-12 2 -18 -6z")]),
    "abdomen": ("front", [_ellipse(80, 188, 30, 24)]),
    "gi_tract": ("front", [_path("M90 152 q14 2 14 16 q-4 10 -14 8z"), _rect(64, 180, 32, 22, 9)]),
    "ovary": ("front", _pair(_ellipse(69, 210, 4, 3))),
    "skeleton": (
        "back",
        [
            _path("M63 20 a17 12 0 0 1 34 0"),
            *_ribs(),
            *_pair(_rect(27, 88, 8, 50, 4)),
            *_pair(_rect(56, 222, 9, 60, 4)),
        ],
    ),
    "spine": ("back", _vertebrae()),
    "pelvis": ("back", [_path("M56 204 q24 -10 48 0 l-6 16 q-18 -6 -36 0z")]),
    "limbs": ("back", [*_pair(_rect(25, 146, 7, 50, 3)), *_pair(_rect(57, 290, 8, 48, 3))]),
    "marrow": ("back", _pair(_rect(59, 230, 3, 40, 1))),
    "adrenal": ("back", _pair(_path("M62 168 l6 -9 l6 9z"))),
}

SILHOUETTE: list[Shape] = [
    _ellipse(80, 34, 26, 30),
    _rect(70, 60, 20, 16, 4),
    _rect(42, 74, 76, 146, 24),
    *_pair(_rect(20, 80, 20, 128, 10)),
    *_pair(_rect(50, 214, 27, 132, 12)),
]


def shade(probability: float) -> str:
    """Fill colour for a probability: transparent at 0, deep red at 1."""
    alpha = min(max(probability, 0.0), 1.0)
    return f"rgba(185, 28, 28, {alpha:.2f})"


def _shape(shape: Shape, offset: float, **extra: str | float | None) -> Html:
    tag, attrs = shape
    moved = dict(attrs)
    if tag == "path":
        return el("path", transform=f"translate({offset:g} 0)", **moved, **extra)
    for key in ("cx", "x"):
        if key in moved:
            moved[key] = float(moved[key]) + offset
    return el(tag, **moved, **extra)


def _is_line(shape: Shape) -> bool:
    """Open paths (ribs, skull cap) are drawn as strokes; everything else is filled."""
    tag, attrs = shape
    return tag == "path" and not str(attrs["d"]).rstrip().endswith("z")


def _paint(shape: Shape, probability: float) -> dict[str, str | float | None]:
    """Inline style (it wins over the stylesheet): fill or stroke shaded by probability."""
    colour = shade(probability)
    if _is_line(shape):
        return {"style": f"stroke:{colour}", "class_": "map-line"}
    edge = f"rgba(127, 29, 29, {min(1.0, 0.15 + probability):.2f})"
    return {"style": f"fill:{colour};stroke:{edge}"}


def _site_group(site: SitePosterior, region: str) -> Html:
    figure, shapes = REGIONS[region]
    offset = FRONT_X if figure == "front" else BACK_X
    return el(
        "g",
        el("title", f"{site.label}: {percent(site.probability)}"),
        [_shape(shape, offset, **_paint(shape, site.probability)) for shape in shapes],
        id=f"map-site-{slug(site.id)}",
        class_="map-site" + (" map-known" if site.known else ""),
        data_probability=f"{site.probability:.3f}",
        data_region=region,
    )


def _regions_of(
    sites: Iterable[SitePosterior], knowledge: Knowledge | None
) -> list[tuple[SitePosterior, str]]:
    out = []
    for site in sites:
        record = knowledge.sites.get(site.id) if knowledge else None
        region = record.body_map if record else slug(site.id)
        if region in REGIONS:
            out.append((site, region))
    return out


def _base_layer() -> Html:
    body = [_shape(s, off, class_="map-body") for off in (FRONT_X, BACK_X) for s in SILHOUETTE]
    organs = [
        _shape(
            shape,
            FRONT_X if figure == "front" else BACK_X,
            class_="map-line" if _is_line(shape) else "map-organ",
        )
        for figure, shapes in REGIONS.values()
        for shape in shapes
    ]
    return join(body, organs)


def body_map_svg(assessment: Assessment, knowledge: Knowledge | None = None) -> Html:
    """Inline SVG of both figures, each site's region shaded by its probability."""
    placed = sorted(_regions_of(assessment.sites, knowledge), key=lambda pair: pair[0].probability)
    described = ", ".join(
        f"{site.label} {percent(site.probability)}" for site, _ in reversed(placed[-5:])
    )
    return el(
        "svg",
        el("title", "Body map of suspected sites", id="map-title"),
        el("desc", f"Darker red means more probable. Most probable: {described}.", id="map-desc"),
        _base_layer(),
        [_site_group(site, region) for site, region in placed],
        el("text", "Front", x=80, y=358, class_="map-caption"),
        el("text", "Back", x=250, y=358, class_="map-caption"),
        viewBox="0 0 330 364",
        role="img",
        aria_labelledby="map-title map-desc",
        class_="body-map",
        focusable="false",
    )
