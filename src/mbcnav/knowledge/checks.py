"""Cross-reference and content checks: every problem in the knowledge base, reported at once.

The schema (``schema.py``) checks each record alone; these checks look across records and files:
identifiers that resolve, sources that exist, the ids the public contract promises, a complete
network, estimates that say why. A reviewer fixing the data wants the whole list, not the
first error, so every check returns problems instead of raising.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import get_args

from mbcnav.knowledge.schema import (
    AllOf,
    AnyOf,
    AtLeast,
    Condition,
    Estimate,
    FindingAbsent,
    FindingPresent,
    FlagRaised,
    Meta,
    Network,
    Not,
    PriorTherapy,
    PriorTherapyTerm,
    RedFlagRule,
    Route,
    Site,
    SiteStatus,
    Source,
    Symptom,
    Treatment,
    Workup,
)
from mbcnav.types import MODALITIES, Subtype

REQUIRED_SITES = (
    "site:lymph_nodes",
    "site:skin_chest_wall",
    "site:lung",
    "site:pleura",
    "site:liver",
    "site:bone",
    "site:spine",
    "site:brain",
    "site:leptomeninges",
    "site:peritoneum",
    "site:gi_tract",
    "site:ovary",
    "site:eye_orbit",
    "site:adrenal",
)
REQUIRED_FLAGS = (
    "flag:spinal_cord_compression",
    "flag:suspected_spinal_metastasis",
    "flag:hypercalcaemia",
    "flag:raised_intracranial_pressure",
    "flag:seizure",
    "flag:respiratory_compromise",
    "flag:pathological_fracture",
    "flag:hepatic_visceral_crisis",
    "flag:svc_obstruction",
    "flag:cardiac_tamponade",
    "flag:leptomeningeal_disease",
)
SUBTYPES: tuple[str, ...] = get_args(Subtype)
SETTINGS = ("surveillance", "suspected", "metastatic")
PLACEHOLDER = re.compile(r"\b(todo|tbd|fixme|xxx|placeholder)\b", re.IGNORECASE)
MIN_TERM_LENGTH = 2


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the knowledge base: where it is and what to do about it."""

    code: str
    file: str
    record: str
    field: str
    message: str

    def __str__(self) -> str:
        where = " ".join(part for part in (self.file, self.record, self.field) if part)
        return f"[{self.code}] {where}: {self.message}"


@dataclass(frozen=True)
class Records:
    """The records that passed the schema, plus every id declared in the raw files.

    ``declared`` holds ids of records that failed validation too, so a broken record is
    reported once (as a schema problem) and not again by everything that refers to it.
    """

    sources: tuple[Source, ...] = ()
    routes: tuple[Route, ...] = ()
    sites: tuple[Site, ...] = ()
    symptoms: tuple[Symptom, ...] = ()
    red_flags: tuple[RedFlagRule, ...] = ()
    workup: tuple[Workup, ...] = ()
    treatments: tuple[Treatment, ...] = ()
    prior_therapies: tuple[PriorTherapyTerm, ...] = ()
    meta: Meta | None = None
    network: Network | None = None
    declared: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def ids(self, name: str) -> frozenset[str]:
        valid = {record.id for record in getattr(self, name)}
        return frozenset(valid) | self.declared.get(name, frozenset())


def run_checks(records: Records) -> list[Problem]:
    """Every cross-file and content problem, in a stable order."""
    problems: list[Problem] = []
    for check in (
        check_duplicates,
        check_sources,
        check_references,
        check_route_consistency,
        check_flag_cycles,
        check_required,
        check_network,
        check_probabilities,
        check_estimates,
        check_terms,
    ):
        problems.extend(check(records))
    return problems


# ---------------------------------------------------------------- condition walking


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


# ---------------------------------------------------------------- duplicates (E203)

LIST_NAMES = (
    "sources",
    "routes",
    "sites",
    "symptoms",
    "red_flags",
    "workup",
    "treatments",
    "prior_therapies",
)
# A prior therapy may be a treatment row or a prior-therapy term: one namespace, two files.
THERAPIES = "treatments or prior_therapies"


def check_duplicates(records: Records) -> list[Problem]:
    problems = _shared_therapy_ids(records)
    for name in LIST_NAMES:
        counts = Counter(record.id for record in getattr(records, name))
        problems += [
            Problem(
                "MBC-E203",
                f"{name}.yaml",
                ident,
                "id",
                f"The id {ident} is used by {n} records; each id must be unique",
            )
            for ident, n in counts.items()
            if n > 1
        ]
    network = records.network
    if network is None:
        return problems
    keyed: dict[str, list[str]] = {
        "links": [f"{link.site} -> {link.symptom}" for link in network.links],
        "leaks": [leak.symptom for leak in network.leaks],
        "priors": [prior.site for prior in network.priors],
        "settings": [scale.setting for scale in network.settings],
        "subtypes": [rule.subtype for rule in network.subtypes],
    }
    for part, keys in keyed.items():
        problems += [
            Problem(
                "MBC-E203",
                "network.yaml",
                key,
                part,
                f"{key} appears {n} times in {part}; keep one entry",
            )
            for key, n in Counter(keys).items()
            if n > 1
        ]
    return problems


def _shared_therapy_ids(records: Records) -> list[Problem]:
    rows = {tx.id for tx in records.treatments}
    return [
        Problem(
            "MBC-E203",
            "prior_therapies.yaml",
            term.id,
            "id",
            f"The id {term.id} is also a row of treatments.yaml; a therapy id must name one record",
        )
        for term in records.prior_therapies
        if term.id in rows
    ]


# ---------------------------------------------------------------- sources (E205)


def _cited(records: Records) -> Iterator[tuple[str, str, tuple[str, ...], Estimate | None]]:
    """(file, record, sources, estimate) for every record that must cite a source."""
    for name in (
        "routes",
        "sites",
        "symptoms",
        "red_flags",
        "workup",
        "treatments",
        "prior_therapies",
    ):
        for record in getattr(records, name):
            yield f"{name}.yaml", record.id, record.sources, None
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


def check_sources(records: Records) -> list[Problem]:
    known = records.ids("sources")
    problems = [
        Problem(
            "MBC-E205",
            "sources.yaml",
            source.id,
            "url",
            "A source needs a url, a doi or a note saying where it was seen, so that a "
            "reviewer can find it",
        )
        for source in records.sources
        if not (source.url or source.doi or source.note)
    ]
    for file, record, sources, estimate in _cited(records):
        if not sources:
            problems.append(
                Problem(
                    "MBC-E205",
                    file,
                    record,
                    "sources",
                    "Every clinical record must cite at least one source id",
                )
            )
        problems += [
            Problem(
                "MBC-E205",
                file,
                record,
                "sources",
                f"The source {ident} is not listed in sources.yaml",
            )
            for ident in sources
            if ident not in known
        ]
        if estimate is not None and estimate.nearest_source not in known:
            problems.append(
                Problem(
                    "MBC-E205",
                    file,
                    record,
                    "estimate.nearest_source",
                    f"The source {estimate.nearest_source} is not listed in sources.yaml",
                )
            )
    return problems


# ---------------------------------------------------------------- references (E204)


def _references(records: Records) -> Iterator[tuple[str, str, str, str, str]]:
    """(file, record, field, target file, id) for every reference between records."""
    for route in records.routes:
        for site in route.reaches:
            yield "routes.yaml", route.id, "reaches", "sites", site
    for site_record in records.sites:
        for route_id in site_record.routes:
            yield "sites.yaml", site_record.id, "routes", "routes", route_id
    for symptom in records.symptoms:
        for target, ident in condition_refs(symptom.derive_from):
            yield "symptoms.yaml", symptom.id, "derive_from", target, ident
    for flag in records.red_flags:
        yield from _refs_of(flag.id, "red_flags.yaml", flag.when, flag.sites)
        for work in flag.workup:
            yield "red_flags.yaml", flag.id, "workup", "workup", work
        for index, escalation in enumerate(flag.escalations):
            for target, ident in condition_refs(escalation.when):
                yield "red_flags.yaml", flag.id, f"escalations.{index}.when", target, ident
    for item in records.workup:
        yield from _refs_of(
            item.id, "workup.yaml", item.when, tuple(entry.site for entry in item.for_sites)
        )
    for tx in records.treatments:
        yield from _refs_of(tx.id, "treatments.yaml", tx.when, tx.for_sites)
        for other in tx.combines_with:
            yield "treatments.yaml", tx.id, "combines_with", "treatments", other
        for other in tx.follows:
            yield "treatments.yaml", tx.id, "follows", THERAPIES, other
    yield from _network_references(records.network)


def _refs_of(
    ident: str, file: str, when: Condition | None, sites: tuple[str, ...]
) -> Iterator[tuple[str, str, str, str, str]]:
    for target, ref in condition_refs(when):
        yield file, ident, "when", target, ref
    for site in sites:
        yield file, ident, "sites" if file == "red_flags.yaml" else "for_sites", "sites", site


def _network_references(network: Network | None) -> Iterator[tuple[str, str, str, str, str]]:
    if network is None:
        return
    for rule in network.subtypes:
        for target, ref in condition_refs(rule.when):
            yield "network.yaml", f"subtype {rule.subtype}", "when", target, ref
    for prior in network.priors:
        yield "network.yaml", f"prior {prior.site}", "site", "sites", prior.site
    for link in network.links:
        name = f"{link.site} -> {link.symptom}"
        yield "network.yaml", name, "site", "sites", link.site
        yield "network.yaml", name, "symptom", "symptoms", link.symptom
    for leak in network.leaks:
        yield "network.yaml", f"leak {leak.symptom}", "symptom", "symptoms", leak.symptom


def check_references(records: Records) -> list[Problem]:
    known = {name: records.ids(name) for name in LIST_NAMES}
    known[THERAPIES] = known["treatments"] | known["prior_therapies"]
    return [
        Problem(
            "MBC-E204",
            file,
            record,
            fld,
            f"{ident} does not exist in {' or '.join(f'{t}.yaml' for t in target.split(' or '))}",
        )
        for file, record, fld, target, ident in _references(records)
        if ident not in known[target]
    ]


def check_route_consistency(records: Records) -> list[Problem]:
    """A site's routes and a route's reached sites must tell the same story."""
    reaches = {route.id: set(route.reaches) for route in records.routes}
    problems: list[Problem] = []
    for site in records.sites:
        problems += [
            Problem(
                "MBC-E204",
                "sites.yaml",
                site.id,
                "routes",
                f"{route_id} does not list {site.id} in its 'reaches'",
            )
            for route_id in site.routes
            if route_id in reaches and site.id not in reaches[route_id]
        ]
    site_routes = {site.id: set(site.routes) for site in records.sites}
    for route in records.routes:
        problems += [
            Problem(
                "MBC-E204",
                "routes.yaml",
                route.id,
                "reaches",
                f"{site_id} does not list {route.id} in its 'routes'",
            )
            for site_id in route.reaches
            if site_id in site_routes and route.id not in site_routes[site_id]
        ]
    return problems


def check_flag_cycles(records: Records) -> list[Problem]:
    """Red flags may build on other flags, but never on themselves through a loop."""
    graph = {
        flag.id: {
            ref
            for when in (flag.when, *(escalation.when for escalation in flag.escalations))
            for target, ref in condition_refs(when)
            if target == "red_flags"
        }
        for flag in records.red_flags
    }
    problems: list[Problem] = []
    for start in graph:
        if _reaches(graph, start, start):
            problems.append(
                Problem(
                    "MBC-E204",
                    "red_flags.yaml",
                    start,
                    "when",
                    f"{start} depends on itself through other flags",
                )
            )
    return problems


def _reaches(graph: Mapping[str, set[str]], start: str, goal: str) -> bool:
    seen: set[str] = set()
    stack = list(graph.get(start, ()))
    while stack:
        node = stack.pop()
        if node == goal:
            return True
        if node not in seen:
            seen.add(node)
            stack.extend(graph.get(node, ()))
    return False


# ---------------------------------------------------------------- required ids (E207)


def check_required(records: Records) -> list[Problem]:
    problems = _missing("sites.yaml", REQUIRED_SITES, records.ids("sites"))
    if records.red_flags or records.declared.get("red_flags"):
        problems += _missing("red_flags.yaml", REQUIRED_FLAGS, records.ids("red_flags"))
    if records.treatments:
        used = {tx.modality for tx in records.treatments}
        problems += [
            Problem(
                "MBC-E207",
                "treatments.yaml",
                modality,
                "modality",
                f"The modality {modality} must have at least one treatment option",
            )
            for modality in MODALITIES
            if modality not in used
        ]
    problems += [
        Problem(
            "MBC-E207",
            "symptoms.yaml",
            symptom.id,
            "derive_from",
            "A symptom of kind 'lab' needs a derive_from condition over labs",
        )
        for symptom in records.symptoms
        if symptom.kind == "lab" and symptom.derive_from is None
    ]
    return problems


def _missing(file: str, required: Iterable[str], present: frozenset[str]) -> list[Problem]:
    return [
        Problem("MBC-E207", file, ident, "id", f"{ident} is required by CONTRACTS.md")
        for ident in required
        if ident not in present
    ]


def check_network(records: Records) -> list[Problem]:
    """The network must cover every site, subtype, setting and symptom it is asked about."""
    network = records.network
    if network is None:
        return []
    problems: list[Problem] = []
    prior_sites = {prior.site for prior in network.priors}
    problems += [
        Problem(
            "MBC-E207",
            "network.yaml",
            f"prior {site.id}",
            "priors",
            f"{site.id} has no prior; every site needs one",
        )
        for site in records.sites
        if site.id not in prior_sites
    ]
    for prior in network.priors:
        problems += [
            Problem(
                "MBC-E207",
                "network.yaml",
                f"prior {prior.site}",
                f"metastatic.{subtype}",
                f"The prior for {prior.site} has no value for the subtype {subtype}",
            )
            for subtype in SUBTYPES
            if subtype not in prior.metastatic
        ]
    problems += _missing_parts(network)
    problems += _symptom_coverage(records, network)
    return problems


def _missing_parts(network: Network) -> list[Problem]:
    settings = {scale.setting for scale in network.settings}
    rules = {rule.subtype for rule in network.subtypes}
    return [
        Problem(
            "MBC-E207", "network.yaml", setting, "settings", f"The setting {setting} has no scale"
        )
        for setting in SETTINGS
        if setting not in settings
    ] + [
        Problem(
            "MBC-E207", "network.yaml", subtype, "subtypes", f"No subtype rule yields {subtype}"
        )
        for subtype in SUBTYPES
        if subtype not in rules
    ]


def _symptom_coverage(records: Records, network: Network) -> list[Problem]:
    """Every symptom needs a leak and at least one link, or the network cannot weigh it."""
    leaked = {leak.symptom for leak in network.leaks}
    linked = {link.symptom for link in network.links}
    problems = [
        Problem(
            "MBC-E207",
            "network.yaml",
            f"leak {symptom.id}",
            "leaks",
            f"{symptom.id} has no leak (background probability)",
        )
        for symptom in records.symptoms
        if symptom.id not in leaked
    ]
    problems += [
        Problem(
            "MBC-E207",
            "network.yaml",
            symptom.id,
            "links",
            f"{symptom.id} is linked to no site, so the network cannot use it",
        )
        for symptom in records.symptoms
        if symptom.id not in linked
    ]
    return problems


# ---------------------------------------------------------------- probabilities (E206)


def check_probabilities(records: Records) -> list[Problem]:
    """Exact inference works in log space: 0 and 1 would make evidence impossible or certain."""
    network = records.network
    if network is None:
        return []
    problems = [
        Problem(
            "MBC-E206",
            "network.yaml",
            f"{link.site} -> {link.symptom}",
            "p",
            f"A link probability must lie strictly between 0 and 1; got {link.p}",
        )
        for link in network.links
        if not 0.0 < link.p < 1.0
    ]
    for prior in network.priors:
        problems += [
            Problem(
                "MBC-E206",
                "network.yaml",
                f"prior {prior.site}",
                f"metastatic.{subtype}",
                f"A prior must lie strictly between 0 and 1; got {value}",
            )
            for subtype, value in prior.metastatic.items()
            if not 0.0 < value < 1.0
        ]
    limits = network.thresholds
    if not limits.workup_site <= limits.suspected_site <= limits.treat_suspected_site:
        problems.append(
            Problem(
                "MBC-E206",
                "network.yaml",
                "thresholds",
                "thresholds",
                "Thresholds must satisfy workup_site <= suspected_site <= treat_suspected_site",
            )
        )
    return problems


# ---------------------------------------------------------------- estimates (E208)


def check_estimates(records: Records) -> list[Problem]:
    problems: list[Problem] = []
    for file, record, sources, estimate in _cited(records):
        if estimate is None:
            continue
        if PLACEHOLDER.search(estimate.rationale):
            problems.append(
                Problem(
                    "MBC-E208",
                    file,
                    record,
                    "estimate.rationale",
                    "The rationale is a placeholder; say why the number was chosen",
                )
            )
        if estimate.nearest_source not in sources:
            problems.append(
                Problem(
                    "MBC-E208",
                    file,
                    record,
                    "estimate.nearest_source",
                    f"The nearest source {estimate.nearest_source} must also "
                    "be listed in the record's sources",
                )
            )
    network = records.network
    if network is None:
        return problems
    problems += [
        Problem(
            "MBC-E208",
            "network.yaml",
            f"leak {leak.symptom}",
            "estimate",
            "No study gives a background rate; a leak must carry an estimate with its rationale",
        )
        for leak in network.leaks
        if leak.estimate is None
    ]
    if PLACEHOLDER.search(network.thresholds.rationale):
        problems.append(
            Problem(
                "MBC-E208",
                "network.yaml",
                "thresholds",
                "rationale",
                "The rationale is a placeholder; say why the thresholds were chosen",
            )
        )
    return problems


# ---------------------------------------------------------------- lexicon (E210)


def normalise_term(term: str) -> str:
    """The form the text reader compares: case-folded, single spaces."""
    return " ".join(term.casefold().split())


def check_terms(records: Records) -> list[Problem]:
    """A term (or label) must name one thing: the text reader cannot choose between records."""
    named: list[tuple[str, str, str, tuple[str, ...]]] = [
        ("sites.yaml", site.id, site.label, site.terms.all_terms()) for site in records.sites
    ] + [("symptoms.yaml", sym.id, sym.label, sym.terms.all_terms()) for sym in records.symptoms]
    owners: dict[str, list[str]] = defaultdict(list)
    problems: list[Problem] = []
    for file, ident, label, terms in named:
        problems += [
            Problem("MBC-E210", file, ident, "terms", f"The term {term!r} is too short to match")
            for term in terms
            if len(normalise_term(term)) < MIN_TERM_LENGTH
        ]
        for key in {normalise_term(text) for text in (label, *terms)}:
            owners[key].append(ident)
    files = {ident: file for file, ident, _, _ in named}
    for key, idents in owners.items():
        if len(idents) > 1:
            problems.append(
                Problem(
                    "MBC-E210",
                    files[idents[0]],
                    idents[0],
                    "terms",
                    f"The term {key!r} names {len(idents)} records ({', '.join(sorted(idents))}); "
                    "keep it on one",
                )
            )
    return problems


# ---------------------------------------------------------------- versioning (E209)

CHANGELOG = "docs/knowledge/CHANGELOG.md"
PIN_HELP = (
    "bump 'version' in knowledge/data/meta.yaml, add a '## <version>' entry to "
    f"{CHANGELOG} saying what changed, then run 'python scripts/pin_knowledge.py --write'"
)


def check_version(
    version: str, content_hash: str, pins: Mapping[str, str], changelog: str
) -> list[Problem]:
    """The data may change only together with a new version and a changelog entry."""
    problems: list[Problem] = []
    pinned = pins.get(version)
    if pinned is None:
        problems.append(
            Problem(
                "MBC-E209",
                "meta.yaml",
                version,
                "version",
                f"Version {version} is not pinned; {PIN_HELP}",
            )
        )
    elif pinned != content_hash:
        problems.append(
            Problem(
                "MBC-E209",
                "meta.yaml",
                version,
                "version",
                f"The knowledge data changed ({content_hash}) but meta.yaml still says {version}, "
                f"pinned to {pinned}; {PIN_HELP}",
            )
        )
    heading = re.compile(rf"^##\s+\[?{re.escape(version)}\]?(\s|$)", re.MULTILINE)
    if not heading.search(changelog):
        problems.append(
            Problem(
                "MBC-E209",
                CHANGELOG,
                version,
                "",
                f"{CHANGELOG} has no '## {version}' entry; {PIN_HELP}",
            )
        )
    return problems


__all__ = [
    "REQUIRED_FLAGS",
    "REQUIRED_SITES",
    "Problem",
    "Records",
    "check_version",
    "condition_refs",
    "normalise_term",
    "run_checks",
]
