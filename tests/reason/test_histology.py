"""Lobular histology: read from the history as a lasting trait, and a push toward the sites
lobular cancer favours (GI tract, peritoneum, ovary), never toward certainty on its own."""

from __future__ import annotations

import pytest

from mbcnav import assess
from mbcnav.knowledge import Knowledge, load_knowledge


@pytest.fixture(scope="module")
def knowledge() -> Knowledge:
    return load_knowledge()


def _probability(result: object, site: str) -> float:
    return next(s.probability for s in result.sites if s.id == site)  # type: ignore[attr-defined]


def _odds(probability: float) -> float:
    return probability / (1.0 - probability)


def _lobular(result: object) -> list[bool]:
    return [f.present for f in result.findings if f.id == "sym:lobular_histology"]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "text",
    [
        "Treated 12 years ago for invasive lobular carcinoma of the left breast.",
        "History of ER-positive infiltrating lobular cancer, now with vomiting.",
        "Mixed ductal and lobular carcinoma diagnosed in 2015.",
    ],
)
def test_lobular_in_the_history_still_describes_the_tumour(text: str, knowledge: Knowledge) -> None:
    result = assess({"text": text, "setting": "metastatic"}, knowledge=knowledge)
    assert _lobular(result) == [True]
    evidence = [b.finding for site in result.sites for b in site.because]
    assert "sym:lobular_histology" in evidence


def test_carcinoma_in_situ_and_ductal_cancer_are_not_lobular(knowledge: Knowledge) -> None:
    for text in (
        "Lobular carcinoma in situ of the right breast in 2004.",
        "Invasive ductal carcinoma, grade 2.",
    ):
        assert not _lobular(assess({"text": text}, knowledge=knowledge))


def test_lobular_raises_the_sites_it_favours_and_no_others(knowledge: Knowledge) -> None:
    base = {"text": "Vomiting and abdominal pain for two weeks.", "setting": "metastatic"}
    plain = assess(base, knowledge=knowledge)
    lobular = assess(
        {**base, "findings": [{"id": "sym:lobular_histology", "present": True}]},
        knowledge=knowledge,
    )
    # Odds, not probabilities: a likelihood ratio multiplies the odds, whatever the prior.
    for site, factor in (("site:gi_tract", 2.0), ("site:peritoneum", 1.5), ("site:ovary", 1.2)):
        assert _odds(_probability(lobular, site)) > factor * _odds(_probability(plain, site))
    for site in ("site:brain", "site:lung"):
        assert _probability(lobular, site) <= _probability(plain, site) + 1e-9
    alone = assess(
        {"findings": [{"id": "sym:lobular_histology", "present": True}], "setting": "suspected"},
        knowledge=knowledge,
    )
    assert alone.sites[0].id != "site:gi_tract" and _probability(alone, "site:gi_tract") < 0.2
