"""Visceral and rarer sites that real cases present with: the findings that point to them must
carry the site into view (liver from varices or liver failure, brain from vertigo, GI tract from
swallowing difficulty with weight loss), and the near misses must not."""

from __future__ import annotations

import pytest
from site_views import read_findings, top_sites

from mbcnav import assess
from mbcnav.knowledge import Knowledge, load_knowledge


@pytest.fixture(scope="module")
def knowledge() -> Knowledge:
    return load_knowledge()


@pytest.mark.parametrize(
    "text",
    [
        "Admitted with bleeding oesophageal varices.",
        "She developed progressive hepatic failure.",
        "Hepatic encephalopathy on admission.",
    ],
)
def test_varices_or_liver_failure_put_the_liver_first(text: str, knowledge: Knowledge) -> None:
    """Diffuse liver metastases cause pseudocirrhosis, portal hypertension and liver failure
    (Engelman 2020); the findings weigh on the liver, not only on the hepatic flag."""
    assert top_sites(text, knowledge, n=1) == ["site:liver"]


def test_variceal_bleeding_still_raises_the_hepatic_emergency(knowledge: Knowledge) -> None:
    result = assess(
        {"text": "Bleeding oesophageal varices.", "setting": "suspected"}, knowledge=knowledge
    )
    assert {f.id: f.urgency for f in result.red_flags}.get("flag:hepatic_visceral_crisis") == (
        "emergency"
    )


@pytest.mark.parametrize(
    "text",
    [
        "Attacks of positional vertigo.",
        "She says the room is spinning.",
        "Vertiginous episodes for a month.",
    ],
)
def test_vertigo_is_its_own_finding(text: str, knowledge: Knowledge) -> None:
    read = read_findings(text, knowledge)
    assert read.get("sym:vertigo") is True
    assert "sym:dizziness" not in read


def test_dizziness_stays_dizziness(knowledge: Knowledge) -> None:
    read = read_findings("She feels dizzy when she stands up.", knowledge)
    assert read.get("sym:dizziness") is True
    assert "sym:vertigo" not in read


def test_vertigo_keeps_the_brain_in_view_but_dizziness_does_not(knowledge: Knowledge) -> None:
    """Vertigo is a fifth of all dizziness (Neuhauser 2005/2008) and a posterior-fossa sign;
    vague dizziness is too common to raise the brain on its own."""
    assert "site:brain" in top_sites("Attacks of positional vertigo.", knowledge)
    assert "site:brain" not in top_sites("She feels dizzy at times.", knowledge)


def test_dysphagia_with_weight_loss_keeps_the_gi_tract_in_view(knowledge: Knowledge) -> None:
    assert "site:gi_tract" in top_sites(
        "Progressive difficulty swallowing and weight loss.", knowledge
    )


@pytest.mark.parametrize(
    ("text", "site"),
    [
        ("Bone pain in the hip.", "site:bone"),
        ("Back pain at night.", "site:spine"),
        ("A hard lump in the armpit.", "site:lymph_nodes"),
    ],
)
def test_common_sites_keep_the_top_place(text: str, site: str, knowledge: Knowledge) -> None:
    assert top_sites(text, knowledge, n=1) == [site]


def test_lower_abdominal_pain_points_below_the_liver(knowledge: Knowledge) -> None:
    """Pain low in the abdomen comes from bowel, peritoneum or ovary, not from the liver."""

    def probability(text: str, site: str) -> float:
        result = assess({"text": text, "setting": "suspected"}, knowledge=knowledge)
        return next(s.probability for s in result.sites if s.id == site)

    for site in ("site:gi_tract", "site:peritoneum", "site:ovary"):
        assert probability("Lower abdominal pain.", site) > 2 * probability("Seen today.", site)
    assert (
        probability("Lower abdominal pain.", "site:liver")
        <= probability("Seen today.", "site:liver") + 1e-9
    )
