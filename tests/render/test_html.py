"""Server-side rendering of every results section, read back with a small HTML parser."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from render_samples import (
    brain_seizure,
    cord_compression,
    liver_crisis,
    make_assessment,
    negated_leg_weakness,
    quiet,
)

from mbcnav.knowledge import Knowledge
from mbcnav.render.html import (
    body_map_section,
    findings_section,
    provenance_section,
    red_flags_section,
    results_html,
    sites_section,
    sources_section,
    spread_section,
    treatments_section,
    workup_section,
)
from mbcnav.types import MODALITIES, Assessment


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text inside elements that have an id."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def by_id(self, ident: str) -> dict[str, str]:
        return next(attrs for _, attrs in self.tags if attrs.get("id") == ident)

    def ids(self, prefix: str) -> list[str]:
        return [a["id"] for _, a in self.tags if a.get("id", "").startswith(prefix)]


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_emergency_banner_is_an_alert_with_actions(mini_knowledge: Knowledge) -> None:
    html = red_flags_section(cord_compression(), mini_knowledge)
    banner = Elements(html).by_id("red-flags")
    assert banner["role"] == "alert"
    assert banner["data-urgency"] == "emergency"
    words = text(html)
    assert "Emergency: act now, same day" in words
    assert "Spinal cord compression" in words
    assert "Back pain, Leg weakness, Urinary retention" in words
    assert "Dexamethasone 16 mg now" in words
    assert 'href="#src-nice"' in html


def test_banner_orders_flags_most_urgent_first(mini_knowledge: Knowledge) -> None:
    urgent = {"id": "flag:hepatic_visceral_crisis", "urgency": "urgent", "label": "Liver"}
    emergency = {"id": "flag:seizure", "urgency": "emergency", "label": "Seizure"}
    assessment = make_assessment({"site:liver": 0.5}, flags=[urgent, emergency])
    html = red_flags_section(assessment, mini_knowledge)
    assert Elements(html).ids("flag-") == ["flag-seizure", "flag-hepatic_visceral_crisis"]
    assert Elements(html).by_id("red-flags")["data-urgency"] == "emergency"


def test_no_flag_is_a_quiet_status_not_an_alert(mini_knowledge: Knowledge) -> None:
    html = red_flags_section(quiet(), mini_knowledge)
    banner = Elements(html).by_id("red-flags")
    assert banner["role"] == "status"
    assert "not proof of safety" in html


def test_sites_ranked_with_bars_and_reasons(mini_knowledge: Knowledge) -> None:
    html = sites_section(cord_compression(), mini_knowledge)
    parsed = Elements(html)
    assert parsed.ids("site-")[:2] == ["site-spine", "site-bone"]
    assert parsed.by_id("site-spine")["data-probability"] == "0.910"
    assert "suspected" in parsed.by_id("site-spine")["class"]
    assert "suspected" not in parsed.by_id("site-liver")["class"]
    assert 'style="width:91.0%"' in html
    assert "91%" in text(html) and "+1.20 Back pain" in text(html)


def test_body_map_shades_the_spine(mini_knowledge: Knowledge) -> None:
    parsed = Elements(body_map_section(cord_compression(), mini_knowledge))
    spine = parsed.by_id("map-site-spine")
    assert float(spine["data-probability"]) > 0.9
    assert spine["data-region"] == "spine"
    styles = [a["style"] for t, a in parsed.tags if t == "rect" and "style" in a]
    assert any(style.startswith("fill:rgba(185, 28, 28, 0.91)") for style in styles)
    assert float(parsed.by_id("map-site-liver")["data-probability"]) < 0.1
    svg = next(a for t, a in parsed.tags if t == "svg")
    assert svg["role"] == "img" and svg["aria-labelledby"] == "map-title map-desc"


def test_known_site_is_outlined_on_the_map(mini_knowledge: Knowledge) -> None:
    parsed = Elements(body_map_section(brain_seizure(), mini_knowledge))
    assert "map-known" in parsed.by_id("map-site-bone")["class"]
    assert parsed.by_id("map-site-bone")["data-probability"] == "1.000"


def test_spread_diagram_draws_suspected_sites_by_route(mini_knowledge: Knowledge) -> None:
    html = spread_section(liver_crisis(), mini_knowledge)
    svg = next(a for t, a in Elements(html).tags if t == "svg")
    assert svg["data-sites"] == "lymph_nodes liver"  # lymphatic (order 1) before blood (order 2)
    words = text(html)
    assert words.index("Lymphatic") < words.index("Bloodstream")
    assert "From the breast: Lymphatic to Lymph nodes (35%); Bloodstream to Liver (88%)." in words


def test_spread_diagram_says_so_when_nothing_is_suspected(mini_knowledge: Knowledge) -> None:
    assert "no spread to draw" in spread_section(quiet(), mini_knowledge)


def test_workup_is_a_checklist_by_urgency(mini_knowledge: Knowledge) -> None:
    html = workup_section(cord_compression(), mini_knowledge)
    parsed = Elements(html)
    assert parsed.ids("workup-") == ["workup-emergency", "workup-soon"]
    box = parsed.by_id("work-mri_whole_spine")
    assert box["type"] == "checkbox"
    assert any(t == "label" and a.get("for") == "work-mri_whole_spine" for t, a in parsed.tags)
    assert "For: Spine" in text(html)


def test_treatments_grouped_by_the_seven_modalities(mini_knowledge: Knowledge) -> None:
    html = treatments_section(cord_compression(), mini_knowledge)
    parsed = Elements(html)
    assert parsed.ids("mod-") == [f"mod-{m}" for m in MODALITIES]
    assert "empty" in parsed.by_id("mod-chemotherapy")["class"]
    assert "empty" not in parsed.by_id("mod-radiotherapy")["class"]
    words = text(html)
    assert "Radiotherapy to the spine Emergency relief" in words
    assert "line 1 · approval: approved" in words
    assert "Because: ER positive, HER2 negative" in words


def test_findings_show_negated_as_absent_with_trigger(mini_knowledge: Knowledge) -> None:
    html = findings_section(negated_leg_weakness(), mini_knowledge)
    parsed = Elements(html)
    assert parsed.by_id("finding-leg_weakness")["data-present"] == "false"
    assert parsed.by_id("finding-back_pain")["data-present"] == "true"
    row = html[html.index('id="finding-leg_weakness"') :].split("</tr>")[0]
    assert "Absent" in row and "negated" in row and "“denies”" in row


def test_patient_text_is_escaped(mini_knowledge: Knowledge) -> None:
    finding = {
        "id": "sym:back_pain",
        "present": True,
        "source": "text",
        "text": "<img src=x onerror=alert(1)>",
        "start": 0,
        "end": 28,
    }
    html = findings_section(
        make_assessment({"site:spine": 0.5}, findings=[finding]), mini_knowledge
    )
    assert "<img" not in html and "&lt;img src=x" in html


def test_provenance_sources_and_notice(mini_knowledge: Knowledge) -> None:
    assessment = cord_compression()
    prov = provenance_section(assessment, mini_knowledge)
    assert '<dd id="knowledge-version">9.9.9</dd>' in prov
    assert "reason.noisy_or_exact.v1" in prov and assessment.notice in prov
    sources = sources_section(assessment, mini_knowledge)
    assert 'id="src-nice"' in sources and "NICE CG75" in sources


def test_results_compose_every_section_in_order(mini_knowledge: Knowledge) -> None:
    html = results_html(cord_compression(), mini_knowledge)
    order = [
        "red-flags",
        "sites",
        "body-map",
        "spread",
        "workup",
        "treatments",
        "findings",
        "sources",
        "provenance",
    ]
    positions = [html.index(f'id="{ident}"') for ident in order]
    assert positions == sorted(positions)


def test_renders_without_knowledge_using_readable_fallbacks() -> None:
    html = results_html(cord_compression())
    assert "Urinary retention" in text(html)
    assert 'id="map-site-spine"' in html


def test_engine_reasons_are_put_in_words(mini_knowledge: Knowledge) -> None:
    from mbcnav.render.text import readable

    got = readable(mini_knowledge, "site:spine (suspected); subtype=hr_pos_her2_neg; her2=low")
    assert got == "Spine (suspected); subtype HR+/HER2−; HER2 low"


def test_sites_named_in_text_are_listed(mini_knowledge: Knowledge) -> None:
    mention = {
        "site": "site:bone",
        "status": "known",
        "text": "osseous metastases",
        "start": 0,
        "end": 18,
    }
    data = {**cord_compression().model_dump(by_alias=True), "site_mentions": [mention]}
    html = findings_section(Assessment.model_validate(data), mini_knowledge)
    assert "Sites named in the text" in html
    assert "<q>osseous metastases</q> → Bone (other than spine) (known)" in html
