"""Merging coded, text and lab evidence; suspected and negated site mentions as soft evidence."""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any

import pytest
from kbfactory import NEGATION_P, make_knowledge

from mbcnav import assess
from mbcnav.knowledge import Knowledge
from mbcnav.reason.evidence import gather, lab_values
from mbcnav.reason.network import mention_column, negated_column
from mbcnav.types import Labs, Patient, SiteMention, SitePosterior

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


def _said(status: str, site: str = "site:s1") -> SiteMention:
    return SiteMention.model_validate(
        {"site": site, "status": status, "text": site, "start": 0, "end": len(site)}
    )


def _sites(
    monkeypatch: pytest.MonkeyPatch,
    knowledge: Knowledge,
    mentions: tuple[SiteMention, ...],
    **patient: Any,
) -> dict[str, SitePosterior]:
    reading = SimpleNamespace(findings=(), site_mentions=mentions, labs={})
    monkeypatch.setattr("mbcnav.extract.read_text", lambda text, kb: reading, raising=False)
    result = assess({"text": "note", **patient}, knowledge=knowledge)
    return {s.id: s for s in result.sites}


def _odds(p: float) -> float:
    return p / (1.0 - p)


NEGATED = (_said("negated"),)


def test_a_negated_mention_multiplies_its_sites_odds_by_one_minus_p_and_nothing_else(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    knowledge = make_knowledge(4, 5, seed=9, negation=True)
    plain = _sites(monkeypatch, knowledge, ())
    lowered = _sites(monkeypatch, knowledge, NEGATED)
    ratio = _odds(lowered["site:s1"].probability) / _odds(plain["site:s1"].probability)
    assert ratio == pytest.approx(1.0 - NEGATION_P, rel=1e-4)
    assert {i: s.probability for i, s in lowered.items() if i != "site:s1"} == {
        i: s.probability for i, s in plain.items() if i != "site:s1"
    }
    (reason,) = lowered["site:s1"].because
    assert reason.finding == negated_column("site:s1")
    assert not reason.present
    assert reason.log_odds == pytest.approx(math.log(1.0 - NEGATION_P), abs=1e-4)


def test_with_present_findings_the_factor_is_still_exact_and_only_explaining_away_moves_others(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    knowledge = make_knowledge(5, 6, seed=4, negation=True)
    findings = [{"id": "sym:f0"}, {"id": "sym:f2"}, {"id": "sym:f3", "present": False}]
    plain = _sites(monkeypatch, knowledge, (), findings=findings)
    lowered = _sites(monkeypatch, knowledge, NEGATED, findings=findings)
    ratio = _odds(lowered["site:s1"].probability) / _odds(plain["site:s1"].probability)
    assert ratio == pytest.approx(1.0 - NEGATION_P, rel=1e-4)
    shared = {"sym:f0", "sym:f2"} & {
        a.symptom for a in knowledge.network.links if a.site == "site:s1"
    }
    rivals = {a.site for a in knowledge.network.links if a.symptom in shared} - {"site:s1"}
    assert rivals and set(plain) - rivals - {"site:s1"}
    for site in set(plain) - rivals - {"site:s1"}:
        assert lowered[site].probability == plain[site].probability
    for site in rivals:
        assert lowered[site].probability > plain[site].probability


@pytest.mark.parametrize("positive", ["suspected", "known"])
def test_a_positive_mention_of_the_same_site_wins(
    monkeypatch: pytest.MonkeyPatch, positive: str
) -> None:
    knowledge = make_knowledge(4, 5, seed=9, mention=True, negation=True)
    alone = _sites(monkeypatch, knowledge, (_said(positive),))
    both = _sites(monkeypatch, knowledge, (_said("negated"), _said(positive)))
    assert both == alone
    assert all(b.finding != negated_column("site:s1") for s in both.values() for b in s.because)


def test_a_known_site_is_not_lowered_by_a_negated_mention(monkeypatch: pytest.MonkeyPatch) -> None:
    knowledge = make_knowledge(4, 5, seed=9, negation=True)
    known = _sites(monkeypatch, knowledge, (), known_sites=["site:s1"])
    negated = _sites(monkeypatch, knowledge, NEGATED, known_sites=["site:s1"])
    assert negated == known
    assert negated["site:s1"].probability == 1.0


def test_a_historical_mention_adds_no_evidence(monkeypatch: pytest.MonkeyPatch) -> None:
    knowledge = make_knowledge(4, 5, seed=9, mention=True, negation=True)
    historical = (_said("historical"),)
    assert _sites(monkeypatch, knowledge, historical) == _sites(monkeypatch, knowledge, ())


def test_without_the_parameter_a_negated_mention_changes_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    knowledge = make_knowledge(4, 5, seed=9, mention=True)
    assert _sites(monkeypatch, knowledge, NEGATED) == _sites(monkeypatch, knowledge, ())


def test_gather_keeps_negated_sites_once_and_only_when_nothing_positive_is_said() -> None:
    knowledge = make_knowledge(4, 5, seed=9, negation=True)
    reading = SimpleNamespace(
        findings=(),
        labs={},
        site_mentions=(
            _said("negated", "site:s0"),
            _said("negated", "site:s0"),
            _said("negated", "site:s1"),
            _said("suspected", "site:s1"),
            _said("negated", "site:s2"),
            _said("negated", "site:s3"),
            _said("historical", "site:s3"),
            _said("negated", "site:elsewhere"),
        ),
    )
    patient = Patient.model_validate({"text": "note", "known_sites": ["site:s2"]})
    evidence = gather(knowledge, patient, reading)
    assert evidence.mentioned_negated == ("site:s0", "site:s3")


def test_a_negation_of_the_past_read_from_text_changes_nothing(knowledge: Knowledge) -> None:
    """The reader drops historical, hypothetical and complication negations; a current one
    lowers its site (real knowledge and text reader)."""

    def liver(text: str) -> float:
        result = assess({"text": text}, knowledge=knowledge)
        return next(s.probability for s in result.sites if s.id == "site:liver")

    plain = liver("CT chest, abdomen and pelvis reviewed.")
    assert liver("Prior CT in 2019 showed no liver metastases.") == plain
    assert liver("No history of liver metastases.") == plain
    assert liver("If there are no liver metastases, we will proceed.") == plain
    assert liver("CT chest, abdomen and pelvis: no evidence of liver metastases.") < plain


def test_lab_units_convert_and_si_wins() -> None:
    values = lab_values(Labs(calcium_mg_dl=12.0, bilirubin_mg_dl=2.0, bilirubin_uln_umol_l=20.0))
    assert values["calcium_corrected_mmol_l"] == pytest.approx(12.0 / 4.008)
    assert values["bilirubin_x_uln"] == pytest.approx(2.0 * 17.104 / 20.0)
    both = lab_values(Labs(calcium_corrected_mmol_l=2.5, calcium_mg_dl=12.0))
    assert both["calcium_corrected_mmol_l"] == 2.5
    assert "calcium_mg_dl" not in both
