from __future__ import annotations

from render_samples import cord_compression, quiet

from mbcnav.knowledge import Knowledge
from mbcnav.render.bodymap import REGIONS, body_map_svg, shade
from mbcnav.render.spread import suspected_sites


def test_every_schema_region_has_a_drawing() -> None:
    from typing import get_args

    from mbcnav.knowledge.schema import BodyMapRegion

    assert set(get_args(BodyMapRegion)) == set(REGIONS)


def test_one_group_per_site_in_probability_order(mini_knowledge: Knowledge) -> None:
    svg = body_map_svg(cord_compression(), mini_knowledge)
    for site in mini_knowledge.sites:
        assert svg.count(f'id="map-site-{site[5:]}"') == 1
    assert svg.index("map-site-spine") > svg.index("map-site-liver")  # most probable on top


def test_shade_is_transparent_at_zero_and_deep_at_one() -> None:
    assert shade(0.0).endswith("0.00)")
    assert shade(1.0) == "rgba(185, 28, 28, 1.00)"


def test_suspected_uses_the_knowledge_threshold(mini_knowledge: Knowledge) -> None:
    ids = [s.id for s in suspected_sites(cord_compression(), mini_knowledge)]
    assert ids == ["site:spine", "site:bone"]
    assert suspected_sites(quiet(), mini_knowledge) == []
