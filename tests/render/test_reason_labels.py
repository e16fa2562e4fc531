"""Sites named in the text as reasons: readable labels on the page, CLI and handout."""

from __future__ import annotations

import re
from typing import get_args

from render_samples import make_assessment

from mbcnav.knowledge import Knowledge
from mbcnav.knowledge.schema import LabName
from mbcnav.reason.network import mention_column, negated_column
from mbcnav.render import results_html
from mbcnav.render.handout import build_handout
from mbcnav.render.html import sites_section
from mbcnav.render.text import LAB_LABEL, label_of, plain_label_of, readable, reason_label
from mbcnav.types import Assessment, Because


def _with_reasons(reasons: tuple[Because, ...]) -> Assessment:
    assessment = make_assessment({"site:liver": 0.6, "site:brain": 0.4})
    sites = tuple(
        s.model_copy(update={"because": reasons}) if s.id == "site:liver" else s
        for s in assessment.sites
    )
    return assessment.model_copy(update={"sites": sites})


def test_virtual_site_mentions_have_readable_labels(mini_knowledge: Knowledge) -> None:
    assert label_of(mini_knowledge, mention_column("site:liver")) == (
        "Named as suspected in the text: Liver"
    )
    assert label_of(mini_knowledge, negated_column("site:brain")) == (
        "Stated absent in the text: Brain"
    )
    assert plain_label_of(mini_knowledge, mention_column("site:liver")) == (
        "a report that says it may be there"
    )
    assert label_of(None, negated_column("site:lymph_nodes")) == (
        "Stated absent in the text: Lymph nodes"
    )


def test_a_negation_is_never_marked_absent_but_other_absent_findings_are(
    mini_knowledge: Knowledge,
) -> None:
    negated = reason_label(mini_knowledge, negated_column("site:liver"), False)
    assert negated == "Stated absent in the text: Liver"
    assert reason_label(mini_knowledge, "sym:back_pain", False) == "Back pain (absent)"
    assert reason_label(mini_knowledge, "sym:back_pain", True) == "Back pain"


def test_the_page_shows_a_negated_mention_as_a_reason(mini_knowledge: Knowledge) -> None:
    reasons = (
        Because(finding=mention_column("site:liver"), log_odds=2.56),
        Because(finding=negated_column("site:liver"), log_odds=-1.2, present=False),
    )
    html = sites_section(_with_reasons(reasons), mini_knowledge)
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "+2.56 Named as suspected in the text: Liver" in words
    assert "-1.20 Stated absent in the text: Liver" in words
    assert "(absent)" not in words


def test_the_handout_lists_only_present_findings_as_signs(mini_knowledge: Knowledge) -> None:
    reasons = (
        Because(finding="sym:back_pain", log_odds=0.8),
        Because(finding=negated_column("site:brain"), log_odds=0.2, present=False),
        Because(finding="sym:headache", log_odds=0.1, present=False),
    )
    handout = build_handout(_with_reasons(reasons), mini_knowledge)
    meaning = next(s for s in handout.sections if s.id == "meaning")
    liver = next(item for item in meaning.items if item.startswith("Liver"))
    assert "linked to" in liver
    assert "clear" not in liver and "head" not in liver.lower()


def test_lab_facts_read_as_words_with_units() -> None:
    """Field test: a reason showed "bilirubin_umol_l 48 (>31.5)"."""
    assert readable(None, "bilirubin_umol_l=48 (>31.5)") == "Bilirubin 48 µmol/L (above 31.5)"
    assert readable(None, "calcium_corrected_mmol_l=3.6 (>2.6 and <=3.4)") == (
        "Corrected calcium 3.6 mmol/L (above 2.6 and at most 3.4)"
    )
    assert readable(None, "pd_l1_cps=12 (>=10)") == "PD-L1 CPS 12 (at least 10)"
    assert readable(None, "albumin_g_l=25 (<30)") == "Albumin 25 g/L (below 30)"
    assert readable(None, "subtype=hr_pos_her2_neg; er=positive") == (
        "subtype HR+/HER2−; ER positive"
    )


def test_every_lab_a_rule_can_compare_has_words() -> None:
    numeric_biomarkers = ("pd_l1_cps",)
    assert set(get_args(LabName)) | set(numeric_biomarkers) == set(LAB_LABEL)


def test_no_field_name_reaches_the_page(knowledge: Knowledge) -> None:
    """Real assessments with lab-driven flags and options: every reason on the page in words."""
    from mbcnav._api import assess

    patient = {
        "text": "jaundice, confusion, back pain",
        "labs": {"bilirubin_umol_l": 48, "calcium_corrected_mmol_l": 3.6, "albumin_g_l": 25},
        "receptors": {"er": "positive", "her2": "zero"},
        "biomarkers": {"pd_l1_cps": 12},
        "known_sites": ["site:liver"],
        "setting": "metastatic",
    }
    assessment = assess(patient, knowledge=knowledge)
    raw = [b for flag in assessment.red_flags for b in flag.because if "=" in b]
    assert raw  # the engine does give lab facts as reasons
    words = re.sub(r"<[^>]+>", " ", results_html(assessment, knowledge))
    assert "µmol/L (above 31.5)" in words
    for name in (*LAB_LABEL, "setting="):
        assert name not in words
