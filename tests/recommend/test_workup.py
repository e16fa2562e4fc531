"""Workup: per suspected site and red flag, de-duplicated, most urgent first."""

from __future__ import annotations

import pytest

from mbcnav import assess
from mbcnav.recommend.workup import workup_items
from mbcnav.rules import Facts
from mbcnav.types import URGENCY_ORDER


def test_sites_above_threshold_get_their_tests(knowledge) -> None:
    threshold = knowledge.network.thresholds.workup_site
    item = next(w for w in knowledge.workup.values() if w.for_sites and w.when is None)
    site = item.for_sites[0].site
    above = workup_items(knowledge, Facts(), {site: threshold}, ())
    below = workup_items(knowledge, Facts(), {site: threshold / 2}, ())
    assert item.id in {w.id for w in above}
    assert site in next(w for w in above if w.id == item.id).for_
    assert (
        item.id not in {w.id for w in below}
        or site not in next(w for w in below if w.id == item.id).for_
    )


def test_flag_workup_is_deduplicated_and_ordered_by_urgency(knowledge) -> None:
    result = assess(
        {
            "findings": [
                {"id": "sym:back_pain"},
                {"id": "sym:leg_weakness"},
                {"id": "sym:nocturnal_spinal_pain"},
            ]
        },
        knowledge=knowledge,
    )
    ids = [w.id for w in result.workup]
    assert len(ids) == len(set(ids))
    ranks = [URGENCY_ORDER.index(w.urgency) for w in result.workup]
    assert ranks == sorted(ranks)
    spine_mri = next(w for w in result.workup if w.id == "work:mri_whole_spine")
    assert spine_mri.urgency == "emergency"
    assert "flag:spinal_cord_compression" in spine_mri.for_


def test_a_site_suspected_in_text_gets_its_workup(knowledge) -> None:
    item = next(w for w in knowledge.workup.values() if w.for_sites and w.when is None)
    site = item.for_sites[0].site
    facts = Facts(suspected_sites=frozenset({site}))
    assert item.id in {w.id for w in workup_items(knowledge, facts, {site: 0.0}, ())}
    known = Facts(known_sites=frozenset({site}))
    items = workup_items(knowledge, known, {site: 1.0}, ())
    assert all(site not in w.for_ for w in items)


def test_a_high_prior_alone_orders_no_site_directed_test(knowledge) -> None:
    """Spread known elsewhere raises every prior above the workup threshold; tests need the
    findings to point at the site (network.thresholds.workup_odds_ratio)."""
    ratio = knowledge.network.thresholds.workup_odds_ratio
    assert ratio > 1.0
    site, prior = "site:brain", 0.3
    unchanged = workup_items(knowledge, Facts(), {site: prior}, (), {site: prior})
    raised = workup_items(knowledge, Facts(), {site: 0.6}, (), {site: prior})
    assert "work:mri_brain_contrast" not in {w.id for w in unchanged}
    assert "work:mri_brain_contrast" in {w.id for w in raised}


def test_known_spread_with_an_unrelated_symptom_gets_no_symptom_directed_imaging(
    knowledge,
) -> None:
    result = assess(
        {"findings": [{"id": "sym:cough"}], "known_sites": ["site:lung"]}, knowledge=knowledge
    )
    ids = {w.id for w in result.workup}
    assert not ids & {"work:mri_brain_contrast", "work:mri_whole_spine", "work:csf_cytology"}


def _ids(knowledge, patient) -> set[str]:
    return {w.id for w in assess(patient, knowledge=knowledge).workup}


def test_the_first_metastasis_biopsy_only_while_no_spread_is_known(knowledge) -> None:
    liver = [{"id": "sym:jaundice"}, {"id": "sym:ruq_pain"}, {"id": "sym:hepatomegaly"}]
    assert "work:biopsy_first_metastasis" in _ids(knowledge, {"findings": liver})
    known = {"findings": liver, "known_sites": ["site:bone"]}
    assert "work:biopsy_first_metastasis" not in _ids(knowledge, known)
    metastatic = {"findings": liver, "setting": "metastatic"}
    assert "work:biopsy_first_metastasis" not in _ids(knowledge, metastatic)
    assert "work:ct_chest_abdomen_pelvis" in _ids(knowledge, metastatic)


def test_a_workup_gate_does_not_order_the_item_by_itself(knowledge) -> None:
    item = knowledge.workup["work:biopsy_first_metastasis"]
    assert item.for_sites and item.when is not None
    assert item.id not in {w.id for w in workup_items(knowledge, Facts(), {}, ())}


@pytest.mark.parametrize(
    ("receptors", "ordered"),
    [
        ({"er": "negative", "pr": "negative", "her2": "negative"}, True),
        ({"er": "positive", "pr": "positive", "her2": "zero"}, True),
        ({"er": "negative", "pr": "negative", "her2": "zero"}, False),
        ({"er": "positive", "pr": "unknown", "her2": "unknown"}, True),
        ({"er": "unknown", "pr": "unknown", "her2": "unknown"}, False),
        ({"er": "positive", "pr": "positive", "her2": "low"}, False),
        ({"er": "positive", "pr": "positive", "her2": "positive"}, False),
    ],
)
def test_her2_low_scoring_only_where_it_can_change_treatment(
    knowledge, receptors: dict[str, str], ordered: bool
) -> None:
    patient = {
        "findings": [{"id": "sym:cough"}],
        "receptors": receptors,
        "setting": "metastatic",
        "known_sites": ["site:lung"],
    }
    assert ("work:her2_low_ihc" in _ids(knowledge, patient)) is ordered


SPINE_MRI = "work:mri_whole_spine"
# What raises the spine's odds without pointing at the spine itself (bone disease somewhere).
SYSTEMIC_SPINE_EVIDENCE = {"sym:raised_alp", "sym:hypercalcaemia", "sym:constipation"}


def _metastatic_with(findings: list[str]) -> dict[str, object]:
    return {
        "setting": "metastatic",
        "known_sites": ["site:liver"],
        "findings": [{"id": f} for f in findings],
    }


def test_a_raised_calcium_alone_orders_no_spine_mri(knowledge) -> None:
    """NG234 images the whole spine for spinal pain or neurology, not for a high calcium."""
    calcium = assess(
        _metastatic_with(["sym:hypercalcaemia", "sym:raised_alp"]), knowledge=knowledge
    )
    assert SPINE_MRI not in {w.id for w in calcium.workup}
    pain = assess(
        _metastatic_with(["sym:hypercalcaemia", "sym:thoracic_spine_pain"]), knowledge=knowledge
    )
    assert SPINE_MRI in {w.id for w in pain.workup}


def test_a_spine_named_as_suspected_gets_its_mri_without_symptoms(knowledge) -> None:
    facts = Facts(suspected_sites=frozenset({"site:spine"}))
    assert SPINE_MRI in {w.id for w in workup_items(knowledge, facts, {"site:spine": 0.0}, ())}


def test_every_spinal_finding_opens_the_spine_mri_gate(knowledge) -> None:
    """A finding linked to the spine either opens the gate or is systemic evidence on purpose,
    so a new spinal finding cannot silently lose its MRI."""
    linked = {link.symptom for link in knowledge.network.links if link.site == "site:spine"}
    gate = knowledge.workup[SPINE_MRI].when
    assert gate is not None
    opened = {
        str(c.finding) for c in getattr(gate, "any", ()) if getattr(c, "finding", None) is not None
    }
    assert linked - SYSTEMIC_SPINE_EVIDENCE <= opened
    assert not SYSTEMIC_SPINE_EVIDENCE & opened
