"""Citations (MBC-E205): every clinical record cites sources that sources.yaml lists."""

from __future__ import annotations

from mbcnav.knowledge.checks.problem import Problem, Records
from mbcnav.knowledge.checks.walk import cited


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
