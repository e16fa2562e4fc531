"""Which findings may move which site: a general complaint of advanced cancer (weight loss) must
not on its own make one organ suspected, and a finding with several anatomical causes (a
cranial-nerve palsy, a distended abdomen, vomiting) must count for each site that causes it
rather than against one of them (network.yaml, issue 11 lane W3)."""

from __future__ import annotations

import pytest

from mbcnav import assess
from mbcnav.knowledge import Knowledge, load_knowledge
from mbcnav.types import Assessment


@pytest.fixture(scope="module")
def knowledge() -> Knowledge:
    return load_knowledge()


def _assess(text: str, knowledge: Knowledge, setting: str = "suspected") -> Assessment:
    return assess({"text": text, "setting": setting}, knowledge=knowledge)


def _log_odds(result: Assessment, site: str, finding: str) -> float:
    entry = next(s for s in result.sites if s.id == site)
    return next(b.log_odds for b in entry.because if b.finding == finding)


def test_weight_loss_alone_does_not_make_the_liver_suspected(knowledge: Knowledge) -> None:
    result = _assess("She has lost weight over the last three months.", knowledge)
    assert {f.id for f in result.findings if f.present} == {"sym:weight_loss"}
    threshold = knowledge.network.thresholds.suspected_site
    liver = next(s for s in result.sites if s.id == "site:liver")
    assert liver.probability < threshold


def test_a_cranial_nerve_palsy_keeps_skull_base_bone_beside_the_meninges(
    knowledge: Knowledge,
) -> None:
    result = _assess("A left hypoglossal nerve palsy.", knowledge)
    top = [s.id for s in result.sites[:3]]
    assert "site:bone" in top
    assert "site:leptomeninges" in top
    assert _log_odds(result, "site:bone", "sym:cranial_nerve_palsy") > 0


def test_a_distended_abdomen_counts_for_the_gut(knowledge: Knowledge) -> None:
    result = _assess("Her abdomen was distended and she was vomiting.", knowledge)
    assert _log_odds(result, "site:gi_tract", "sym:abdominal_bloating") > 0
    assert _log_odds(result, "site:peritoneum", "sym:abdominal_bloating") > _log_odds(
        result, "site:gi_tract", "sym:abdominal_bloating"
    )


def test_vomiting_counts_for_bone_through_hypercalcaemia(knowledge: Knowledge) -> None:
    result = _assess("She has been vomiting for a week.", knowledge)
    assert _log_odds(result, "site:bone", "sym:vomiting") > 0
