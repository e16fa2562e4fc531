"""The lexicon (MBC-E210): every term long enough to match, and naming a single record."""

from __future__ import annotations

from collections import defaultdict

from mbcnav.knowledge.checks.problem import Problem, Records

MIN_TERM_LENGTH = 2


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
