"""CDS Hooks mapping: templates, links, summaries, and cards built from real assessments."""

from __future__ import annotations

import json
import re
from pathlib import Path

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
        "medicationStatements",
        "medicationRequests",
        "medicationAdministrations",
    }
    assert "_include=MedicationRequest:medication" in service.prefetch["medicationRequests"]


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


def test_cards_match_the_spec_example_shape(knowledge: Knowledge, shared_dir: Path) -> None:
    """Every field we send is one the spec's example response uses, or source.topic (spec
    §Source: an optional Coding), with the same JSON types."""
    example = json.loads(
        (shared_dir / "data/fhir-examples/cds-hooks/service-response-cards.json").read_text()
    )
    allowed = {key for card in example["cards"] for key in card}
    assessment = assess(
        {
            "text": "Severe back pain, weak legs and she cannot pass urine since this morning.",
            "receptors": {"er": "positive", "pr": "positive", "her2": "zero"},
            "setting": "metastatic",
            "known_sites": ["site:bone"],
        },
        knowledge=knowledge,
    )
    cards = build_cards(assessment, knowledge, link="https://mbc.example.org/?assessment=a")
    topics = [card["source"]["topic"]["code"] for card in cards]
    assert topics[0] == "red-flag" and "treatment-options" in topics
    for card in cards:
        assert set(card) <= allowed
        assert set(card["source"]) <= {"label", "url", "icon", "topic"}
        for link in card["links"]:
            assert set(link) <= {"label", "url", "type"} and link["type"] == "absolute"
        for reason in card["overrideReasons"]:
            assert set(reason) == {"system", "code", "display"}


def test_chart_text_on_the_chart_card_cannot_render(knowledge: Knowledge) -> None:
    """Field test: chart text injected Markdown/HTML into "Not read from the chart"."""
    assessment = assess({"known_sites": ["site:bone"]}, knowledge=knowledge)
    hostile = [
        "Condition <img src=x onerror=alert(1)> [click](javascript:alert(1))",
        "Condition x\n# heading\n<javascript:alert(1)> `code` **bold** &lt;",
        "Condition x\n# heading\n<javascript:alert(1)> `code` **bold** &lt;",
    ]
    cards = build_cards(assessment, knowledge, unread=hostile, patient=None)
    (chart,) = [c for c in cards if c["source"]["topic"]["code"] == "chart"]
    detail = chart["detail"]
    assert detail.count("Condition x") == 1  # the same item once
    items = [line for line in detail.splitlines() if line.startswith("  - Condition")]
    assert len(items) == 2 and "\n# " not in detail
    for item in items:  # every character Markdown or HTML would act on is escaped
        assert not re.search(r"(?<!\\)[<>\[\]`*_#&]", item), item
    assert "could not be read" in chart["summary"] and chart["indicator"] == "warning"


def test_chart_text_with_tables_strikes_images_and_control_characters(
    knowledge: Knowledge,
) -> None:
    """GitHub-flavoured Markdown (what the HL7 sandbox renders) also acts on ``~~``, ``|`` and
    ``![``; control characters (ESC, NUL, LINE SEPARATOR) could break a line or a terminal."""
    assessment = assess({"known_sites": ["site:bone"]}, knowledge=knowledge)
    hostile = ["Condition ~~gone~~ | a | b |", "Condition ![x](http://e/x.png)\x1b[2J\x00\u2028# h"]
    cards = build_cards(assessment, knowledge, unread=hostile, patient=None)
    (chart,) = [c for c in cards if c["source"]["topic"]["code"] == "chart"]
    items = [line for line in chart["detail"].splitlines() if line.startswith("  - Condition")]
    assert len(items) == 2 and "\n# " not in chart["detail"]
    for item in items:
        assert item.isprintable(), item
        assert not re.search(r"(?<!\\)[~|!\[]", item), item


def test_card_reasons_name_labs_in_words_not_field_names(knowledge: Knowledge) -> None:
    """Field test: a reason read "bilirubin_umol_l 48 (>31.5)"."""
    assessment = assess(
        {
            "text": "confused and very thirsty",
            "labs": {"calcium_corrected_mmol_l": 3.6},
            "setting": "metastatic",
            "known_sites": ["site:bone"],
        },
        knowledge=knowledge,
    )
    detail = "\n".join(card["detail"] for card in build_cards(assessment, knowledge, link=None))
    assert "Corrected calcium 3.6 mmol/L (above" in detail
    assert "calcium_corrected_mmol_l" not in detail
