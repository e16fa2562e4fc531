"""Options that wait for confirmation: the page, the handout, the CDS cards and the command line
say plainly that the spread is confirmed first, and which tests come first."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from mbcnav import assess
from mbcnav.cli import app
from mbcnav.interop.cds_hooks import SUMMARY_MAX, build_cards
from mbcnav.knowledge import Knowledge
from mbcnav.render.handout import build_handout
from mbcnav.render.html import treatments_section
from mbcnav.render.text import confirm_first
from mbcnav.types import Assessment

SAID = "Treatment is considered once the spread is confirmed: first"


@pytest.fixture(scope="module")
def brain() -> Assessment:
    """The review's "Hemiparesis." in the metastatic setting: an unconfirmed brain."""
    return assess({"text": "Hemiparesis.", "setting": "metastatic"})


@pytest.fixture(scope="module")
def confirmed() -> Assessment:
    return assess({"text": "Known brain metastases on MRI.", "setting": "metastatic"})


def test_the_sentence_names_the_confirming_tests(brain: Assessment) -> None:
    sentence = confirm_first(brain)
    assert sentence is not None and sentence.startswith(SAID)
    assert "MRI brain" in sentence
    plain = confirm_first(brain, plain=True)
    assert plain is not None and "tests come first" in plain


def test_nothing_is_said_when_nothing_waits(confirmed: Assessment) -> None:
    assert confirmed.after_confirmation == ()
    assert confirm_first(confirmed) is None
    assert SAID not in str(treatments_section(confirmed))


def test_page_lists_the_waiting_options_under_the_sentence(
    brain: Assessment, knowledge: Knowledge
) -> None:
    html = str(treatments_section(brain, knowledge))
    assert SAID in html
    assert 'id="after-confirmation"' in html
    assert 'id="later-srs_brain"' in html and "Confirm first" in html
    assert html.index(SAID) < html.index('id="mod-chemotherapy"')


def test_handout_says_tests_come_first(brain: Assessment, knowledge: Knowledge) -> None:
    text = build_handout(brain, knowledge).plain_text()
    assert "Treatment is planned once tests show where the cancer has spread" in text
    first_test = brain.after_confirmation[0].confirm_with[0].plain_label
    assert first_test and first_test in text


def test_cds_card_says_confirm_first(brain: Assessment, knowledge: Knowledge) -> None:
    cards = build_cards(brain, knowledge)
    (card,) = [c for c in cards if c["source"]["topic"]["code"] == "after-confirmation"]
    assert card["indicator"] == "info"
    assert card["summary"].startswith("Confirm the spread first: MRI brain")
    assert len(card["summary"]) <= SUMMARY_MAX
    assert SAID in card["detail"] and "Stereotactic radiosurgery" in card["detail"]
    assert not [c for c in cards if c["source"]["topic"]["code"] == "treatment-options"]


def test_no_waiting_card_when_nothing_waits(confirmed: Assessment, knowledge: Knowledge) -> None:
    codes = [c["source"]["topic"]["code"] for c in build_cards(confirmed, knowledge)]
    assert "after-confirmation" not in codes and "treatment-options" in codes


def test_command_line_says_it_before_the_options() -> None:
    result = CliRunner().invoke(app, ["assess", "Hemiparesis.", "--setting", "metastatic"])
    assert result.exit_code == 0, result.output
    flat = " ".join(result.stdout.split())
    assert SAID in flat
    assert "To consider once confirmed" in flat
    assert flat.index(SAID) < flat.index("To consider once confirmed")
