"""Citations (MBC-E205): every clinical record cites sources that sources.yaml lists."""

from __future__ import annotations

from mbcnav.knowledge.checks.problem import Problem, Records
from mbcnav.knowledge.checks.walk import cited
from mbcnav.knowledge.schema import RetiredSource


def _unknown(ident: str, retired: dict[str, RetiredSource]) -> str:
    """Why ``ident`` does not resolve; for a retired source, what to cite instead."""
    gone = retired.get(ident)
    if gone is None:
        return f"The source {ident} is not listed in sources.yaml"
    instead = (
        "cite " + ", ".join(gone.replaced_by) + " instead"
        if gone.replaced_by
        else "cite the original it summarised"
    )
    return (
        f"The source {ident} was retired ({gone.reason}); {instead}, or run "
        "scripts/repoint_retired_sources.py --write"
    )


def check_sources(records: Records) -> list[Problem]:
    known = records.ids("sources")
    retired = {r.id: r for r in records.source_rules.retired} if records.source_rules else {}
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
    for file, record, sources, estimate in cited(records):
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
            Problem("MBC-E205", file, record, "sources", _unknown(ident, retired))
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
                    _unknown(estimate.nearest_source, retired),
                )
            )
    return problems
