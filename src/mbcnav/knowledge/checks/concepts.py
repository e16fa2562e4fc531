"""The concept table (``concepts.yaml``): ids unique, and every rule naming a declared head,
declared regions and an existing finding (MBC-E203, MBC-E204)."""

from __future__ import annotations

from collections import Counter

from mbcnav.knowledge.checks.problem import Problem, Records

FILE = "concepts.yaml"


def check_concepts(records: Records) -> list[Problem]:
    concepts = records.concepts
    if concepts is None:
        return []
    problems = [
        Problem("MBC-E203", FILE, f"{kind} {ident}", "id", f"The id {ident!r} is used {n} times")
        for kind, ids in (
            ("head", [head.id for head in concepts.heads]),
            ("body part", [part.id for part in concepts.anatomy]),
        )
        for ident, n in Counter(ids).items()
        if n > 1
    ]
    heads = {head.id for head in concepts.heads}
    regions = {part.region for part in concepts.anatomy}
    symptoms = records.ids("symptoms")
    sites = records.ids("sites")
    for part in concepts.anatomy:
        problems += [
            Problem("MBC-E204", FILE, f"body part {part.id}", "sites", f"{site} does not exist")
            for site in part.sites
            if site not in sites
        ]
    for rule in concepts.rules:
        name = f"rule {rule.head} -> {rule.finding}"
        if rule.head not in heads:
            problems.append(Problem("MBC-E204", FILE, name, "head", f"No head {rule.head!r}"))
        problems += [
            Problem("MBC-E204", FILE, name, "regions", f"No body part has region {region!r}")
            for region in rule.regions
            if region not in regions
        ]
        if rule.finding not in symptoms:
            problems.append(
                Problem("MBC-E204", FILE, name, "finding", f"{rule.finding} does not exist")
            )
    return problems


__all__ = ["check_concepts"]
