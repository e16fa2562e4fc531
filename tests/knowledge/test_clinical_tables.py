"""Clinical invariants of the red-flag, workup and treatment tables.

Structural checks (every flag actionable and cited, every reference resolves) plus the
decision-table behaviours the golden cases rely on, evaluated table by table with the shared
condition interpreter (``mbcnav.rules``) so a broken row is named here, not in an end-to-end diff.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace

import pytest

from mbcnav.knowledge import Knowledge
from mbcnav.knowledge import schema as s
from mbcnav.knowledge.checks import REQUIRED_FLAGS
from mbcnav.reason.red_flags import raised_flags
from mbcnav.recommend.treatment import treatment_options
from mbcnav.rules import Facts, evaluate
from mbcnav.types import MODALITIES, TreatmentOption

# ---------------------------------------------------------------- evaluating the tables


@dataclass(frozen=True)
class Profile:
    """A patient as the tables see it; sites map to 'known' or 'suspected'."""

    findings: frozenset[str] = frozenset()
    labs: Mapping[str, float] = field(default_factory=dict)
    receptors: Mapping[str, str] = field(default_factory=dict)
    biomarkers: Mapping[str, str | float | None] = field(default_factory=dict)
    setting: str = "metastatic"
    sites: Mapping[str, str] = field(default_factory=dict)
    prior: frozenset[str] = frozenset()


def facts_for(p: Profile, k: Knowledge) -> Facts:
    """Facts with lab-derived findings, subtype and prior modalities filled in from knowledge."""
    base = Facts(
        present=p.findings,
        labs=p.labs,
        receptors=p.receptors,
        biomarkers=p.biomarkers,
        setting=p.setting,
        known_sites=frozenset(site for site, st in p.sites.items() if st == "known"),
        suspected_sites=frozenset(site for site, st in p.sites.items() if st == "suspected"),
        prior_therapies=p.prior,
        prior_modalities=k.prior_modalities(p.prior),
    )
    subtype = next(r.subtype for r in k.network.subtypes if evaluate(r.when, base))
    derived = {
        sym.id
        for sym in k.symptoms.values()
        if sym.derive_from is not None and evaluate(sym.derive_from, base)
    }
    return replace(base, present=p.findings | derived, subtype=subtype)


def flags_for(p: Profile, k: Knowledge) -> set[str]:
    """The engine's own red-flag pass, so the table and the engine cannot disagree."""
    return {flag.id for flag in raised_flags(k, facts_for(p, k))}


def options_for(p: Profile, k: Knowledge) -> list[TreatmentOption]:
    """The engine's own treatment selection over the profile's facts and raised flags."""
    facts = replace(facts_for(p, k), flags=frozenset(flags_for(p, k)))
    return list(treatment_options(k, facts))


def walk(cond: s.Condition) -> Iterator[s.Condition]:
    yield cond
    children: tuple[s.Condition, ...] = ()
    if isinstance(cond, s.AllOf):
        children = cond.all
    elif isinstance(cond, s.AnyOf):
        children = cond.any
    elif isinstance(cond, s.AtLeast):
        children = cond.of
    elif isinstance(cond, s.Not):
        children = (cond.not_,)
    for child in children:
        yield from walk(child)


def all_conditions(k: Knowledge) -> Iterator[tuple[str, s.Condition]]:
    for flag in k.red_flags.values():
        yield flag.id, flag.when
        for escalation in flag.escalations:
            yield flag.id, escalation.when
    for item in k.workup.values():
        if item.when is not None:
            yield item.id, item.when
    for tx in k.treatments.values():
        yield tx.id, tx.when


# ---------------------------------------------------------------- structure


def test_every_contract_flag_is_a_rule(knowledge: Knowledge) -> None:
    assert set(REQUIRED_FLAGS) <= set(knowledge.red_flags)


def test_every_flag_is_actionable_cited_and_worked_up(knowledge: Knowledge) -> None:
    for flag in knowledge.red_flags.values():
        assert flag.actions and flag.plain_actions and flag.sources, flag.id
        assert flag.sites, flag.id
        if flag.urgency == "emergency":
            assert flag.workup, f"{flag.id} is an emergency without workup"
        assert set(flag.workup) <= set(knowledge.workup), flag.id
        assert set(flag.sites) <= set(knowledge.sites), flag.id


def test_plain_actions_are_short_sentences(knowledge: Knowledge) -> None:
    """Patient handouts aim at reading grade <= 8: short sentences, everyday words."""
    for flag in knowledge.red_flags.values():
        escalated = tuple(a for esc in flag.escalations for a in esc.plain_actions)
        for text in flag.plain_actions + escalated:
            for sentence in filter(None, re.split(r"[.!?]\s*", text)):
                assert len(sentence.split()) <= 16, (flag.id, sentence)
            assert not re.search(r"\b(MSCC|CT|ICP|IV|SC)\b", text), (flag.id, text)


def test_all_seven_modalities_are_offered(knowledge: Knowledge) -> None:
    assert {tx.modality for tx in knowledge.treatments.values()} == set(MODALITIES)


def test_treatment_links_resolve(knowledge: Knowledge) -> None:
    for tx in knowledge.treatments.values():
        assert tx.id not in tx.combines_with + tx.follows, tx.id
        assert set(tx.combines_with) <= set(knowledge.treatments), tx.id
        assert all(knowledge.is_therapy(other) for other in tx.follows), tx.id
        assert set(tx.for_sites) <= set(knowledge.sites), tx.id


def test_every_record_cites_known_sources(knowledge: Knowledge) -> None:
    tables: list[Mapping[str, s.RedFlagRule | s.Workup | s.Treatment]] = [
        knowledge.red_flags,
        knowledge.workup,
        knowledge.treatments,
    ]
    for table in tables:
        for record in table.values():
            assert record.sources, record.id
            assert set(record.sources) <= set(knowledge.sources), record.id


def test_condition_references_resolve(knowledge: Knowledge) -> None:
    known = {
        s.FindingPresent: lambda c: c.finding in knowledge.symptoms,
        s.FindingAbsent: lambda c: c.absent in knowledge.symptoms,
        s.SiteStatus: lambda c: c.site in knowledge.sites,
        s.FlagRaised: lambda c: c.flag in knowledge.red_flags,
        s.PriorTherapy: lambda c: knowledge.is_therapy(c.prior_therapy),
    }
    for owner, root in all_conditions(knowledge):
        for cond in walk(root):
            check = known.get(type(cond))
            assert check is None or check(cond), (owner, cond)


def test_workup_items_are_reachable(knowledge: Knowledge) -> None:
    named = {w for flag in knowledge.red_flags.values() for w in flag.workup}
    for item in knowledge.workup.values():
        assert item.for_sites or item.when is not None or item.id in named, item.id
        assert {entry.site for entry in item.for_sites} <= set(knowledge.sites), item.id


def test_dates_only_on_regulator_approvals(knowledge: Knowledge) -> None:
    for tx in knowledge.treatments.values():
        if tx.approval.date is not None:
            assert tx.approval.status == "approved", tx.id
            assert re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", tx.approval.date), tx.id
    camizestrant = knowledge.treatments["tx:camizestrant_switch"].approval
    assert camizestrant.status == "not_approved" and camizestrant.region == "US"


# ---------------------------------------------------------------- red-flag behaviour


@pytest.mark.parametrize(
    ("profile", "expected", "excluded"),
    [
        (
            Profile(findings=frozenset({"sym:back_pain"}), setting="surveillance"),
            set(),
            {"flag:suspected_spinal_metastasis", "flag:spinal_cord_compression"},
        ),
        (
            Profile(findings=frozenset({"sym:thoracic_spine_pain"})),
            {"flag:suspected_spinal_metastasis"},
            {"flag:spinal_cord_compression"},
        ),
        (
            Profile(findings=frozenset({"sym:thoracic_spine_pain", "sym:leg_weakness"})),
            {"flag:spinal_cord_compression"},
            {"flag:suspected_spinal_metastasis"},
        ),
        (
            Profile(findings=frozenset({"sym:urinary_retention", "sym:saddle_anaesthesia"})),
            {"flag:spinal_cord_compression"},
            set(),
        ),
        (
            Profile(labs={"calcium_corrected_mmol_l": 3.0}),
            {"flag:hypercalcaemia"},
            set(),
        ),
        (
            Profile(labs={"calcium_corrected_mmol_l": 3.6}),
            {"flag:hypercalcaemia"},
            set(),
        ),
        (
            Profile(labs={"calcium_corrected_mmol_l": 2.7}),
            set(),
            {"flag:hypercalcaemia"},
        ),
        (
            Profile(labs={"bilirubin_umol_l": 40.0}, sites={"site:liver": "known"}),
            {"flag:hepatic_visceral_crisis"},
            set(),
        ),
        # ABC: one raised bilirubin with no liver metastases known is not a visceral crisis.
        (Profile(labs={"bilirubin_umol_l": 40.0}), set(), {"flag:hepatic_visceral_crisis"}),
        (
            Profile(labs={"bilirubin_umol_l": 40.0}, sites={"site:liver": "suspected"}),
            set(),
            {"flag:hepatic_visceral_crisis"},
        ),
        (
            Profile(
                labs={"bilirubin_umol_l": 40.0, "bilirubin_x_uln": 1.2},
                sites={"site:liver": "known"},
            ),
            set(),
            {"flag:hepatic_visceral_crisis"},
        ),
        # A cholestatic picture is biliary obstruction until imaging excludes it.
        (
            Profile(
                labs={"bilirubin_x_uln": 3.0},
                findings=frozenset({"sym:pale_stools"}),
                sites={"site:liver": "known"},
            ),
            {"flag:biliary_obstruction"},
            {"flag:hepatic_visceral_crisis"},
        ),
        (
            Profile(findings=frozenset({"sym:headache"})),
            set(),
            {"flag:raised_intracranial_pressure"},
        ),
        (
            Profile(findings=frozenset({"sym:morning_headache", "sym:vomiting"})),
            {"flag:raised_intracranial_pressure"},
            set(),
        ),
        (
            Profile(findings=frozenset({"sym:pericardial_effusion", "sym:hypotension"})),
            {"flag:cardiac_tamponade"},
            set(),
        ),
    ],
)
def test_red_flag_rules(
    knowledge: Knowledge, profile: Profile, expected: set[str], excluded: set[str]
) -> None:
    raised = flags_for(profile, knowledge)
    assert expected <= raised
    assert not (excluded & raised)


# ---------------------------------------------------------------- treatment behaviour

HR_POS_HER2_NEG = {"er": "positive", "pr": "positive", "her2": "low"}


def _modalities(options: list[TreatmentOption], line: int | None = None) -> set[str]:
    return {t.modality for t in options if line is None or t.line == line}


def test_hr_positive_first_line_is_endocrine_with_cdk46i(knowledge: Knowledge) -> None:
    options = options_for(Profile(receptors=HR_POS_HER2_NEG), knowledge)
    first = {t.id for t in options if t.line == 1}
    assert {"tx:ai_cdk46i", "tx:cdk46i"} <= first
    assert {"hormonal_therapy", "targeted_therapy"} <= _modalities(options, line=1)


def test_visceral_crisis_brings_chemotherapy_not_endocrine(knowledge: Knowledge) -> None:
    profile = Profile(
        receptors=HR_POS_HER2_NEG, labs={"bilirubin_x_uln": 2.5}, sites={"site:liver": "known"}
    )
    options = options_for(profile, knowledge)
    assert "chemotherapy" in _modalities(options, line=1)
    assert "hormonal_therapy" not in _modalities(options)


@pytest.mark.parametrize("flag", ["flag:pulmonary_visceral_crisis", "flag:marrow_visceral_crisis"])
def test_every_visceral_crisis_flag_acts_like_the_hepatic_one(
    knowledge: Knowledge, flag: str
) -> None:
    """ABC: visceral crisis is severe dysfunction of an organ, whichever organ; every row the
    hepatic crisis withdraws (endocrine-based) or brings (chemotherapy first) names the
    pulmonary and marrow crises too."""

    def flags(tx: s.Treatment) -> set[str]:
        return {c.flag for c in walk(tx.when) if isinstance(c, s.FlagRaised)}

    hepatic = [
        t for t in knowledge.treatments.values() if "flag:hepatic_visceral_crisis" in flags(t)
    ]
    assert len(hepatic) > 10
    assert [t.id for t in hepatic if flag not in flags(t)] == []


def test_marrow_visceral_crisis_brings_chemotherapy_not_endocrine(knowledge: Knowledge) -> None:
    profile = Profile(
        receptors=HR_POS_HER2_NEG,
        findings=frozenset({"sym:pancytopenia"}),
        sites={"site:bone": "known"},
    )
    options = options_for(profile, knowledge)
    assert "tx:chemotherapy_visceral_crisis" in {t.id for t in options}
    assert "hormonal_therapy" not in _modalities(options)


def test_her2_positive_brings_targeted_therapy(knowledge: Knowledge) -> None:
    profile = Profile(receptors={"er": "negative", "pr": "negative", "her2": "positive"})
    assert "targeted_therapy" in _modalities(options_for(profile, knowledge), line=1)


@pytest.mark.parametrize(("cps", "immunotherapy"), [(12.0, True), (5.0, False)])
def test_triple_negative_pd_l1_selects_immunotherapy(
    knowledge: Knowledge, cps: float, immunotherapy: bool
) -> None:
    profile = Profile(
        receptors={"er": "negative", "pr": "negative", "her2": "zero"},
        biomarkers={"pd_l1_cps": cps},
    )
    modalities = _modalities(options_for(profile, knowledge), line=1)
    assert ("immunotherapy" in modalities) is immunotherapy
    assert "chemotherapy" in _modalities(options_for(profile, knowledge))


def test_progression_on_ai_cdk46i_moves_to_second_line(knowledge: Knowledge) -> None:
    profile = Profile(
        receptors=HR_POS_HER2_NEG,
        biomarkers={"esr1": "mutated", "pik3ca_akt1_pten": "altered"},
        prior=frozenset({"tx:ai_cdk46i"}),
    )
    ids = {t.id for t in options_for(profile, knowledge)}
    assert {"tx:elacestrant", "tx:capivasertib_fulvestrant"} <= ids
    assert "tx:ai_cdk46i" not in ids


def test_bone_metastases_bring_bone_modifying_agent(knowledge: Knowledge) -> None:
    profile = Profile(sites={"site:bone": "known"}, findings=frozenset({"sym:bone_pain"}))
    ids = {t.id for t in options_for(profile, knowledge)}
    assert {"tx:denosumab", "tx:rt_bone_single_fraction"} <= ids


@pytest.mark.parametrize(
    ("receptors", "prior", "expected"),
    [
        ({"er": "negative", "pr": "negative", "her2": "positive"}, "tx:thp", "tx:t_dxd"),
        ({"er": "positive", "pr": "negative", "her2": "positive"}, "tx:t_dxd", "tx:t_dm1"),
        (
            {"er": "negative", "pr": "negative", "her2": "zero"},
            "tx:pembrolizumab_chemo",
            "tx:sacituzumab_govitecan",
        ),
    ],
)
def test_later_lines_follow_their_predecessors(
    knowledge: Knowledge, receptors: dict[str, str], prior: str, expected: str
) -> None:
    profile = Profile(receptors=receptors, prior=frozenset({prior}))
    options = {t.id: t for t in options_for(profile, knowledge)}
    assert expected in options
    assert prior not in options
    assert prior in knowledge.treatments[expected].follows
