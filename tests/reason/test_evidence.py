"""Merging coded, text and lab evidence; suspected site mentions as soft evidence."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from kbfactory import make_knowledge

from mbcnav import assess
from mbcnav.reason.evidence import lab_values
from mbcnav.reason.network import mention_column
from mbcnav.types import Labs, SiteMention

MENTION = SiteMention(site="site:s1", status="suspected", text="?s1", start=0, end=3)


def _assess_with_mention(monkeypatch, knowledge, mentions):  # type: ignore[no-untyped-def]
    reading = SimpleNamespace(findings=(), site_mentions=mentions, labs={})
    monkeypatch.setattr("mbcnav.extract.read_text", lambda text, kb: reading, raising=False)
    result = assess({"text": "note", "findings": [{"id": "sym:f0"}]}, knowledge=knowledge)
    return {s.id: s for s in result.sites}


def test_suspected_mention_raises_the_site_when_the_knowledge_says_how_much(monkeypatch) -> None:
    knowledge = make_knowledge(4, 5, seed=9, mention=True)
    plain = _assess_with_mention(monkeypatch, knowledge, ())
    raised = _assess_with_mention(monkeypatch, knowledge, (MENTION,))
    assert raised["site:s1"].probability > plain["site:s1"].probability
    assert any(b.finding == mention_column("site:s1") for b in raised["site:s1"].because)


def test_without_the_parameter_a_mention_changes_no_probability(monkeypatch) -> None:
    knowledge = make_knowledge(4, 5, seed=9)
    plain = _assess_with_mention(monkeypatch, knowledge, ())
    raised = _assess_with_mention(monkeypatch, knowledge, (MENTION,))
    assert raised["site:s1"].probability == plain["site:s1"].probability


def test_lab_units_convert_and_si_wins() -> None:
    values = lab_values(Labs(calcium_mg_dl=12.0, bilirubin_mg_dl=2.0, bilirubin_uln_umol_l=20.0))
    assert values["calcium_corrected_mmol_l"] == pytest.approx(12.0 / 4.008)
    assert values["bilirubin_x_uln"] == pytest.approx(2.0 * 17.104 / 20.0)
    both = lab_values(Labs(calcium_corrected_mmol_l=2.5, calcium_mg_dl=12.0))
    assert both["calcium_corrected_mmol_l"] == 2.5
    assert "calcium_mg_dl" not in both
