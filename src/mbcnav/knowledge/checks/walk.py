"""Where records point: the ids a condition names and the records that must cite sources."""

from __future__ import annotations

from collections.abc import Iterator

from mbcnav.knowledge.checks.problem import Records
from mbcnav.knowledge.schema import (
    AllOf,
    AnyOf,
    AtLeast,
    Condition,
    Estimate,
    FindingAbsent,
    FindingPresent,
    FlagRaised,
    MentionEvidence,
    NegationEvidence,
    Network,
    Not,
    PriorTherapy,
    SiteStatus,
)

LIST_NAMES = (
    "sources",
    "routes",
    "sites",
    "symptoms",
    "red_flags",
    "workup",
    "treatments",
    "prior_therapies",
    "treatment_gates",
)
# A prior therapy may be a treatment row or a prior-therapy term: one namespace, two files.
THERAPIES = "treatments or prior_therapies"


def condition_refs(condition: Condition | None) -> Iterator[tuple[str, str]]:
    """Yield ``(file, id)`` for every identifier a condition names, at any depth."""
    if condition is None:
        return
    if isinstance(condition, AllOf):
        children: tuple[Condition, ...] = condition.all
    elif isinstance(condition, AnyOf):
        children = condition.any
    elif isinstance(condition, AtLeast):
        children = condition.of
    elif isinstance(condition, Not):
        children = (condition.not_,)
    else:
        yield from _leaf_refs(condition)
        return
    for child in children:
        yield from condition_refs(child)


def _leaf_refs(condition: Condition) -> Iterator[tuple[str, str]]:
    if isinstance(condition, FindingPresent):
        yield "symptoms", condition.finding
    elif isinstance(condition, FindingAbsent):
        yield "symptoms", condition.absent
    elif isinstance(condition, SiteStatus):
        yield "sites", condition.site
    elif isinstance(condition, FlagRaised):
        yield "red_flags", condition.flag
    elif isinstance(condition, PriorTherapy):
        yield THERAPIES, condition.prior_therapy


def cited(records: Records) -> Iterator[tuple[str, str, tuple[str, ...], Estimate | None]]:
    """(file, record, sources, estimate) for every record that must cite a source."""
    for name in (
        "routes",
        "sites",
        "symptoms",
        "red_flags",
        "workup",
        "treatments",
        "prior_therapies",
        "treatment_gates",
    ):
        for record in getattr(records, name):
            yield f"{name}.yaml", record.id, record.sources, None
    if records.concepts is not None:
        for concept in records.concepts.rules:
            name = f"rule {concept.head} -> {concept.finding}"
            yield "concepts.yaml", name, concept.sources, None
    network = records.network
    if network is None:
        return
    for rule in network.subtypes:
        yield "network.yaml", f"subtype {rule.subtype}", rule.sources, None
    for scale in network.settings:
        yield "network.yaml", f"setting {scale.setting}", scale.sources, scale.estimate
    for prior in network.priors:
        yield "network.yaml", f"prior {prior.site}", prior.sources, prior.estimate
    for link in network.links:
        yield "network.yaml", f"{link.site} -> {link.symptom}", link.sources, link.estimate
    for leak in network.leaks:
        yield "network.yaml", f"leak {leak.symptom}", leak.sources, leak.estimate
    for name, mention in mention_blocks(network):
        yield "network.yaml", name, mention.sources, mention.estimate


def mention_blocks(network: Network) -> list[tuple[str, MentionEvidence | NegationEvidence]]:
    """The network's virtual site-mention parameters that are present, by their key."""
    blocks: list[tuple[str, MentionEvidence | NegationEvidence | None]] = [
        ("suspected_mention", network.suspected_mention),
        ("negated_mention", network.negated_mention),
    ]
    return [(name, block) for name, block in blocks if block is not None]
