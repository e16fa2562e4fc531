"""Checks of the CDS Hooks 2.0 response shape (spec §CDS Service Response), for tests."""

from __future__ import annotations

import uuid
from typing import Any

INDICATORS = {"info", "warning", "critical"}
LINK_TYPES = {"absolute", "smart"}


def _no_empty(value: Any, where: str) -> None:
    """The spec forbids null, "", [] and {} unless stated: optional fields are omitted."""
    assert value is not None and value != "" and value != [] and value != {}, where
    if isinstance(value, dict):
        for key, item in value.items():
            _no_empty(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _no_empty(item, f"{where}[{index}]")


def assert_valid_card(card: dict[str, Any]) -> None:
    _no_empty(card, "card")
    assert isinstance(card["summary"], str) and len(card["summary"]) < 140
    assert card["indicator"] in INDICATORS
    assert isinstance(card["source"]["label"], str) and card["source"]["label"]
    uuid.UUID(card["uuid"])
    assert isinstance(card.get("detail", ""), str)
    for link in card.get("links", []):
        assert {"label", "url", "type"} <= set(link) and link["type"] in LINK_TYPES
    for reason in card.get("overrideReasons", []):
        assert reason["code"] and reason["display"]
    if card.get("suggestions"):
        assert card["selectionBehavior"] in {"at-most-one", "any"}


def assert_valid_response(body: dict[str, Any]) -> None:
    assert set(body) <= {"cards", "systemActions"}
    assert isinstance(body["cards"], list)
    for card in body["cards"]:
        assert_valid_card(card)
    uuids = [card["uuid"] for card in body["cards"]]
    assert len(uuids) == len(set(uuids))
