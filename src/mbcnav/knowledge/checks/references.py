"""References between records (MBC-E204): ids that resolve, routes that agree, no flag loops."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from mbcnav.knowledge.checks.problem import Problem, Records
from mbcnav.knowledge.checks.walk import LIST_NAMES, THERAPIES, condition_refs
from mbcnav.knowledge.schema import Condition, Network


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
    for gate in records.treatment_gates:
        for target, ref in condition_refs(gate.requires):
            yield "treatment_gates.yaml", gate.id, "requires", target, ref
        for site in gate.scope.for_sites:
            yield "treatment_gates.yaml", gate.id, "scope.for_sites", "sites", site
        for tx_id in gate.scope.treatments:
            yield "treatment_gates.yaml", gate.id, "scope.treatments", "treatments", tx_id
        for work in gate.confirm_with:
            yield "treatment_gates.yaml", gate.id, "confirm_with", "workup", work
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
