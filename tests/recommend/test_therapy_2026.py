"""Treatment tables current to December 2026 (issue 12, item 3), end to end through the engine.

Each test would fail on knowledge 1.0.0: it names the clinical answer that changed and the
label, guideline or trial behind it (see docs/knowledge/CHANGELOG.md, 1.1.0). The approval tests
at the end hold the provenance rules of 1.2.0 (a dated approval needs the regulator's text).
"""

from __future__ import annotations

from typing import Any

import pytest

from mbcnav import assess
from mbcnav.knowledge import Knowledge
from mbcnav.types import Biomarkers

HR_POS = {"er": "positive", "pr": "positive", "her2": "zero"}
TNBC = {"er": "negative", "pr": "negative", "her2": "zero"}
HER2_POS = {"er": "negative", "pr": "negative", "her2": "positive"}


def assess_options(**patient: Any) -> list[Any]:
    base: dict[str, Any] = {
        "setting": "metastatic",
        "known_sites": ["site:bone"],
        "findings": [{"id": "sym:bone_pain"}],
    }
    return list(assess({**base, **patient}).treatment_options)


def option_ids(**patient: Any) -> list[str]:
    return [option.id for option in assess_options(**patient)]


# ---------------------------------------------------------------- PIK3CA, AKT1, PTEN


@pytest.mark.parametrize(
    ("biomarkers", "capivasertib", "alpelisib"),
    [
        ({"akt1": "mutated"}, True, False),
        ({"pten": "altered"}, True, False),
        ({"pik3ca": "mutated"}, True, True),
        # The contract's pooled result does not say which gene: capivasertib only.
        ({"pik3ca_akt1_pten": "altered"}, True, False),
        ({"pik3ca_akt1_pten": "altered", "pik3ca": "mutated"}, True, True),
        ({"pik3ca": "wildtype", "akt1": "wildtype", "pten": "not_altered"}, False, False),
    ],
)
def test_alpelisib_is_for_pik3ca_only_capivasertib_for_any_of_three(
    biomarkers: dict[str, str], capivasertib: bool, alpelisib: bool
) -> None:
    ids = option_ids(receptors=HR_POS, biomarkers=biomarkers, prior_therapies=["tx:ai_cdk46i"])
    assert ("tx:capivasertib_fulvestrant" in ids) is capivasertib
    assert ("tx:alpelisib_fulvestrant" in ids) is alpelisib


def test_inavolisib_needs_a_pik3ca_mutation_not_the_pooled_result() -> None:
    early = ["tx:adjuvant_ai", "tx:adjuvant_et_relapse_within_12m"]
    pooled = option_ids(
        receptors=HR_POS, biomarkers={"pik3ca_akt1_pten": "altered"}, prior_therapies=early
    )
    gene = option_ids(receptors=HR_POS, biomarkers={"pik3ca": "mutated"}, prior_therapies=early)
    assert "tx:inavolisib_palbociclib_fulvestrant" not in pooled
    assert "tx:inavolisib_palbociclib_fulvestrant" in gene


def test_pooled_result_follows_the_genes() -> None:
    assert Biomarkers(akt1="mutated").facts()["pik3ca_akt1_pten"] == "altered"
    negative = Biomarkers(pik3ca="wildtype", akt1="wildtype", pten="not_altered")
    assert negative.facts()["pik3ca_akt1_pten"] == "not_altered"
    assert Biomarkers(pik3ca="wildtype").facts()["pik3ca_akt1_pten"] == "unknown"
    assert Biomarkers(pik3ca_akt1_pten="altered").facts()["pik3ca"] == "unknown"


# ---------------------------------------------------------------- endocrine partner, OFS


def test_relapse_within_12_months_of_adjuvant_ai_gets_fulvestrant_partner() -> None:
    ids = option_ids(
        receptors=HR_POS, prior_therapies=["tx:adjuvant_ai", "tx:adjuvant_et_relapse_within_12m"]
    )
    assert "tx:fulvestrant_cdk46i" in ids
    assert "tx:ai_cdk46i" not in ids


def test_relapse_within_12_months_of_adjuvant_tamoxifen_keeps_ai_partner() -> None:
    ids = option_ids(
        receptors=HR_POS,
        prior_therapies=["tx:adjuvant_tamoxifen", "tx:adjuvant_et_relapse_within_12m"],
    )
    assert "tx:ai_cdk46i" in ids


@pytest.mark.parametrize(
    ("status", "offered"),
    [("premenopausal", True), ("perimenopausal", True), ("postmenopausal", False), (None, False)],
)
def test_ovarian_function_suppression_for_premenopausal_women(
    status: str | None, offered: bool
) -> None:
    extra = {"menopausal_status": status} if status else {}
    ids = option_ids(receptors=HR_POS, age=41, sex="female", **extra)
    assert ("tx:ovarian_function_suppression" in ids) is offered


# ---------------------------------------------------------------- HER2+, TNBC, HR+ rows


def test_her2_positive_first_line_offers_t_dxd_with_pertuzumab_beside_thp() -> None:
    ids = option_ids(receptors=HER2_POS)
    assert {"tx:t_dxd_pertuzumab", "tx:thp"} <= set(ids)
    after = option_ids(receptors=HER2_POS, prior_therapies=["tx:t_dxd_pertuzumab"])
    assert "tx:t_dxd_pertuzumab" not in after and "tx:t_dxd" not in after
    assert "tx:tucatinib_trastuzumab_capecitabine" in after


@pytest.mark.parametrize(
    ("cps", "expected", "excluded"),
    [
        (
            12.0,
            {"tx:sacituzumab_pembrolizumab", "tx:pembrolizumab_chemo"},
            {"tx:sacituzumab_first_line", "tx:dato_dxd_tnbc_first_line"},
        ),
        (
            4.0,
            {"tx:sacituzumab_first_line", "tx:dato_dxd_tnbc_first_line"},
            {"tx:sacituzumab_pembrolizumab", "tx:pembrolizumab_chemo"},
        ),
    ],
)
def test_tnbc_first_line_antibody_drug_conjugates_follow_pd_l1(
    cps: float, expected: set[str], excluded: set[str]
) -> None:
    ids = set(option_ids(receptors=TNBC, biomarkers={"pd_l1_cps": cps}))
    assert expected <= ids
    assert not excluded & ids


@pytest.mark.parametrize("cps", [12.0, None])
def test_relapse_after_perioperative_pd1_inhibitor_opens_first_line_adcs(cps: float | None) -> None:
    """Labels: 'not candidates for PD-1/PD-L1 inhibitors'; ASCENT-03 and TROPION-Breast02 took
    earlier PD-1/PD-L1 use in the curative setting at any PD-L1 score."""
    markers = {"pd_l1_cps": cps} if cps is not None else {}
    before = set(option_ids(receptors=TNBC, biomarkers=markers))
    after = set(
        option_ids(
            receptors=TNBC, biomarkers=markers, prior_therapies=["tx:perioperative_pd1_inhibitor"]
        )
    )
    adcs = {"tx:sacituzumab_first_line", "tx:dato_dxd_tnbc_first_line"}
    assert not adcs & before
    assert adcs <= after
    # Adjuvant exposure is not a metastatic line: the rows stay first line.
    assert "tx:sacituzumab_govitecan" not in after


def test_tnbc_first_line_rows_are_not_second_line() -> None:
    ids = set(
        option_ids(
            receptors=TNBC,
            biomarkers={"pd_l1_cps": 4.0},
            prior_therapies=["tx:sacituzumab_first_line"],
        )
    )
    assert not {"tx:sacituzumab_first_line", "tx:dato_dxd_tnbc_first_line"} & ids
    assert "tx:sacituzumab_govitecan" not in ids


def test_t_dxd_her2_low_after_early_relapse_on_adjuvant_chemotherapy() -> None:
    """DESTINY-Breast04 label: chemotherapy for metastatic disease, or recurrence during or within
    6 months of adjuvant chemotherapy; adjuvant chemotherapy alone does not qualify."""
    her2_low_tnbc = {"er": "negative", "pr": "negative", "her2": "low"}
    adjuvant = ["tx:adjuvant_anthracycline_taxane"]
    late = option_ids(receptors=her2_low_tnbc, prior_therapies=adjuvant)
    early = option_ids(
        receptors=her2_low_tnbc,
        prior_therapies=[*adjuvant, "tx:adjuvant_chemo_relapse_within_6m"],
    )
    assert "tx:t_dxd_her2_low" not in late
    assert "tx:t_dxd_her2_low" in early


def test_sacituzumab_in_hr_positive_disease_after_endocrine_and_chemotherapy() -> None:
    before = option_ids(receptors=HR_POS, prior_therapies=["tx:ai_cdk46i"])
    after = option_ids(
        receptors=HR_POS, prior_therapies=["tx:ai_cdk46i", "tx:prior_taxane_metastatic"]
    )
    assert "tx:sacituzumab_hr_pos" not in before
    assert "tx:sacituzumab_hr_pos" in after


# ---------------------------------------------------------------- visceral crisis


def test_pulmonary_visceral_crisis_brings_chemotherapy_first() -> None:
    ids = option_ids(
        receptors=HR_POS,
        known_sites=["site:lung", "site:bone"],
        findings=[{"id": "sym:dyspnoea_at_rest"}],
    )
    assert "tx:chemotherapy_visceral_crisis" in ids
    assert "tx:ai_cdk46i" not in ids and "tx:cdk46i" not in ids


# ---------------------------------------------------------------- supportive and local


def test_supportive_rows_carry_current_dosing(knowledge: Knowledge) -> None:
    denosumab = knowledge.treatments["tx:denosumab_refractory_hypercalcaemia"].label
    assert "days 8 and 15" in denosumab and "weekly" not in denosumab
    assert "every 12 weeks" in knowledge.treatments["tx:bisphosphonate_iv"].label
    mscc = knowledge.treatments["tx:rt_mscc"]
    assert "8 Gy single fraction" in mscc.label and "src:scorad2019" in mscc.sources


def test_no_row_offers_surgery_of_the_primary(knowledge: Knowledge) -> None:
    """E2108: locoregional therapy of the intact primary does not improve survival."""
    for tx in knowledge.treatments.values():
        text = f"{tx.label} {tx.regimen_class}".lower()
        assert "primary" not in text or "breast" not in text, tx.id
    assert "src:e2108_2022" in knowledge.sources


# ---------------------------------------------------------------- approvals (knowledge 1.2.0)

SYSTEMIC = {"hormonal_therapy", "targeted_therapy", "chemotherapy", "immunotherapy"}
PRIMARY_KINDS = {"label", "guideline", "trial"}


def test_a_dated_approval_cites_the_regulator(knowledge: Knowledge) -> None:
    """A date is only set where the regulator's own text was read: a label-kind source backs it."""
    for tx in knowledge.treatments.values():
        if tx.approval.date is None:
            continue
        assert tx.approval.status == "approved", tx.id
        kinds = {knowledge.sources[s].kind for s in tx.sources}
        assert "label" in kinds, tx.id


def test_every_systemic_line_cites_a_label_guideline_or_trial(knowledge: Knowledge) -> None:
    """Lines of systemic therapy; intrathecal chemotherapy for symptoms is not one of them."""
    for tx in knowledge.treatments.values():
        if tx.modality not in SYSTEMIC or tx.intent != "control_and_extend_life":
            continue
        kinds = {knowledge.sources[s].kind for s in tx.sources}
        assert kinds & PRIMARY_KINDS, tx.id


@pytest.mark.parametrize(
    ("row", "trial"),
    [
        # FDA action read only in news or a reproduction of the FDA notice: no date, trial cited.
        ("tx:t_dxd_pertuzumab", "src:db09_nejm2025"),
        ("tx:sacituzumab_first_line", "src:ascent03"),
        ("tx:sacituzumab_pembrolizumab", "src:ascent04_nejm2026"),
        ("tx:sacituzumab_hr_pos", "src:tropics02_lancet2023"),
    ],
)
def test_approvals_read_only_in_news_stay_unconfirmed(
    knowledge: Knowledge, row: str, trial: str
) -> None:
    tx = knowledge.treatments[row]
    assert tx.approval.status == "unconfirmed"
    assert tx.approval.date is None
    assert trial in tx.sources
    assert knowledge.sources[trial].kind == "trial"


def test_offered_options_carry_the_checked_approval() -> None:
    """End to end: the status shown is the one read from the regulator, or unconfirmed."""
    her2 = {o.id: o.approval for o in assess_options(receptors=HER2_POS)}
    assert her2["tx:t_dxd_pertuzumab"] == "unconfirmed"
    low = {
        o.id: o.approval
        for o in assess_options(
            receptors={"er": "positive", "pr": "positive", "her2": "low"},
            prior_therapies=["tx:ai_cdk46i"],
        )
    }
    assert low["tx:t_dxd_her2_low_ultralow"] == "approved"
    tnbc = {o.id: o.approval for o in assess_options(receptors=TNBC, biomarkers={"pd_l1_cps": 4.0})}
    assert tnbc["tx:dato_dxd_tnbc_first_line"] == "approved"
    assert tnbc["tx:sacituzumab_first_line"] == "unconfirmed"
