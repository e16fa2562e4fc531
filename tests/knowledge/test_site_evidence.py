"""What single findings say about where the cancer is (clinical review 2026-12, item 8): each
case is the review's reproduction, through ``mbcnav.assess``, with the corrected answer."""

from __future__ import annotations

import pytest

import mbcnav
from mbcnav.knowledge import Knowledge

METASTATIC = {"setting": "metastatic"}


def _sites(patient: dict) -> dict[str, float]:
    return {s.id: s.probability for s in mbcnav.assess({**METASTATIC, **patient}).sites}


def test_arm_and_leg_on_one_side_point_to_the_brain() -> None:
    sites = _sites({"text": "Weakness of the right arm and right leg since this morning."})
    assert sites["site:brain"] > 0.8 > sites["site:spine"]


def test_both_legs_weak_still_point_to_the_spine_not_the_brain() -> None:
    sites = _sites({"text": "Weakness of both legs and back pain."})
    assert sites["site:spine"] > sites["site:brain"]


@pytest.mark.parametrize(
    ("text", "higher", "unmoved"),
    [
        ("Pathological fracture of the left femur.", "site:bone", "site:spine"),
        ("Pathological fracture of T12.", "site:spine", "site:bone"),
        ("Vertebral collapse at L2.", "site:spine", "site:bone"),
    ],
)
def test_a_fractures_place_decides_bone_or_spine(text: str, higher: str, unmoved: str) -> None:
    prior = {s.id: s.prior for s in mbcnav.assess({"text": text, **METASTATIC}).sites}
    sites = _sites({"text": text})
    assert max(sites, key=sites.__getitem__) == higher
    assert sites[higher] > 0.6
    assert sites[unmoved] == pytest.approx(prior[unmoved], abs=1e-6)


def test_a_fracture_without_a_place_raises_both() -> None:
    sites = _sites({"text": "Pathological fracture."})
    prior = {
        s.id: s.prior for s in mbcnav.assess({"text": "Pathological fracture.", **METASTATIC}).sites
    }
    assert sites["site:bone"] > 0.5 and sites["site:spine"] > 0.4
    assert sites["site:bone"] > 2 * prior["site:bone"]
    assert sites["site:spine"] > 2 * prior["site:spine"]


@pytest.mark.parametrize(
    "receptors",
    [{}, {"er": "positive", "pr": "positive", "her2": "negative"}],
)
def test_raised_alp_alone_does_not_put_the_liver_above_the_skeleton(receptors: dict) -> None:
    sites = _sites({"labs": {"alp_u_l": 250}, "receptors": receptors})
    assert sites["site:bone"] > sites["site:liver"]


def test_raised_alp_with_raised_transaminases_points_to_the_liver() -> None:
    sites = _sites({"labs": {"alp_u_l": 250, "alt_u_l": 90}})
    assert sites["site:liver"] > sites["site:bone"]


def test_cervical_and_thoracic_spinal_pain_both_raise_the_spine(knowledge: Knowledge) -> None:
    """NICE lists both as suggestive; thoracic more strongly, cervical clearly too."""
    prior = {s.id: s.prior for s in mbcnav.assess({"text": "Neck pain.", **METASTATIC}).sites}
    cervical = _sites({"findings": [{"id": "sym:cervical_spine_pain", "present": True}]})
    thoracic = _sites({"findings": [{"id": "sym:thoracic_spine_pain", "present": True}]})

    def ratio(p: float) -> float:
        base = prior["site:spine"]
        return (p / (1 - p)) / (base / (1 - base))

    assert 2.5 < ratio(cervical["site:spine"]) < ratio(thoracic["site:spine"])


def test_hr_positive_her2_positive_disease_is_at_least_as_bone_tropic(
    knowledge: Knowledge,
) -> None:
    """Xiao 2018: HR+/HER2+ has more bone metastasis than HR+/HER2- (OR 1.30)."""
    bone = next(p for p in knowledge.network.priors if p.site == "site:bone").metastatic
    spine = next(p for p in knowledge.network.priors if p.site == "site:spine").metastatic
    assert bone["hr_pos_her2_pos"] > bone["hr_pos_her2_neg"]
    assert spine["hr_pos_her2_pos"] > spine["hr_pos_her2_neg"]
    assert (
        "src:xiao2018" in next(p for p in knowledge.network.priors if p.site == "site:bone").sources
    )


def test_horner_syndrome_points_to_the_nodes_unless_the_spine_hurts() -> None:
    """Horner syndrome with neck and arm pain is tumour plexopathy from supraclavicular or
    axillary nodes (Kori 1981: lower trunk, Horner marks tumour); thoracic spinal pain keeps the
    spine first."""
    for text in ("Horner syndrome.", "Neck pain radiating into the arm and a Horner syndrome."):
        sites = {s.id: s.probability for s in mbcnav.assess({"text": text}).sites}
        assert max(sites, key=sites.__getitem__) == "site:lymph_nodes"
    sites = {
        s.id: s.probability
        for s in mbcnav.assess({"text": "Thoracic back pain and Horner syndrome."}).sites
    }
    assert max(sites, key=sites.__getitem__) == "site:spine"
