"""CDS Hooks mapping: templates, links, summaries, and cards built from real assessments."""

from __future__ import annotations

from mbcnav import assess
from mbcnav.interop.cds_hooks import (
    PREFETCH,
    SUMMARY_MAX,
    build_cards,
    clip,
    discovery,
    render_template,
    web_link,
)
from mbcnav.knowledge import Knowledge


def test_render_template_quotes_context_values() -> None:
    path = render_template(PREFETCH["conditions"], {"patientId": "a b/c", "userId": "P/1"})
    assert path == "Condition?patient=a%20b%2Fc"


def test_web_link() -> None:
    assert web_link("https://mbc.example.org/", patient_id="p 1", assessment_id="a1") == (
        "https://mbc.example.org/?patient=p+1&assessment=a1"
    )
    assert web_link("http://127.0.0.1:8000") == "http://127.0.0.1:8000/"


def test_clip_keeps_summaries_under_140() -> None:
    text = "word " * 60
    clipped = clip(text)
    assert len(clipped) <= SUMMARY_MAX < 140 and clipped.endswith("…")
    assert clip("  short   text ") == "short text"


def test_discovery_lists_one_patient_view_service() -> None:
    (service,) = discovery().services
    assert service.hook == "patient-view"
    assert set(service.prefetch) == {
        "patient",
        "conditions",
        "observations",
        "questionnaireResponses",
        "notes",
    }


def test_cards_for_an_emergency(knowledge: Knowledge) -> None:
    assessment = assess(
        {
            "text": "Calcium 3.4 mmol/L, confused and very thirsty.",
            "labs": {"calcium_corrected_mmol_l": 3.4},
            "setting": "metastatic",
            "known_sites": ["site:bone"],
        },
        knowledge=knowledge,
    )
    cards = build_cards(assessment, knowledge, link="http://127.0.0.1:8000/?assessment=x")
    assert cards[0]["indicator"] == "critical"
    assert "ypercalc" in cards[0]["summary"]
    assert all(len(card["summary"]) < 140 for card in cards)
    assert all(card["links"][0]["url"].endswith("assessment=x") for card in cards)
    assert len({card["uuid"] for card in cards}) == len(cards)
    indicators = [card["indicator"] for card in cards]
    assert indicators == sorted(indicators, key=["critical", "warning", "info"].index)


def test_no_cards_without_advice(knowledge: Knowledge) -> None:
    assessment = assess(
        {
            "text": "Feels well.",
            "setting": "surveillance",
            "receptors": {"er": "negative", "pr": "negative", "her2": "zero"},
        },
        knowledge=knowledge,
    )
    cards = build_cards(assessment, knowledge)
    assert all(card["indicator"] != "critical" for card in cards)
    assert all("links" not in card for card in cards)
