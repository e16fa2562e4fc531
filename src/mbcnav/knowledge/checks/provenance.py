"""Provenance (MBC-E211): every source names its journal or publisher, has a kind, and is not
served from a denied domain (SEO spam, AI summarisers: ``source_rules.yaml``); a retired source
stays out of sources.yaml and its replacements are in it.

A citation a clinician cannot trace back to a guideline body, journal, regulator or label is
not evidence; the deny-list is data so that a reviewer can add a domain without touching code.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from mbcnav.knowledge.checks.problem import Problem, Records
from mbcnav.knowledge.schema import SOURCE_KINDS, DeniedDomain, Source


def host_of(url: str | None) -> str:
    """The lower-case host of ``url`` without a leading ``www.``; '' when there is none."""
    if not url:
        return ""
    with_netloc = url if "://" in url or url.startswith("//") else f"//{url}"
    host = (urlsplit(with_netloc).hostname or "").lower()
    return host.removeprefix("www.")


def on_domain(host: str, domain: str) -> bool:
    """Whether ``host`` is ``domain`` or one of its subdomains."""
    return host == domain or host.endswith(f".{domain}")


def denied_by(source: Source, denied: tuple[DeniedDomain, ...]) -> DeniedDomain | None:
    host = host_of(source.url)
    return next((rule for rule in denied if host and on_domain(host, rule.domain)), None)


def _check_retired(records: Records) -> list[Problem]:
    """A retired source is gone from sources.yaml and every replacement of it is listed."""
    known = records.ids("sources")
    problems: list[Problem] = []
    for gone in records.source_rules.retired if records.source_rules else ():
        if gone.id in known:
            problems.append(
                Problem(
                    "MBC-E211",
                    "source_rules.yaml",
                    gone.id,
                    "retired",
                    "A retired source must not be listed in sources.yaml; remove it there or "
                    "take it off the retired list",
                )
            )
        problems += [
            Problem(
                "MBC-E211",
                "source_rules.yaml",
                gone.id,
                "retired.replaced_by",
                f"The replacement {ident} is not listed in sources.yaml",
            )
            for ident in gone.replaced_by
            if ident not in known
        ]
    return problems


def check_provenance(records: Records) -> list[Problem]:
    denied = records.source_rules.denied if records.source_rules else ()
    problems: list[Problem] = _check_retired(records)
    for source in records.sources:
        if not (source.publisher or "").strip():
            problems.append(
                Problem(
                    "MBC-E211",
                    "sources.yaml",
                    source.id,
                    "publisher",
                    "A source needs its journal or publishing body (NICE, ESMO, FDA, a journal "
                    "title) so that a reader can judge it before opening it",
                )
            )
        if source.kind not in SOURCE_KINDS:
            problems.append(
                Problem(
                    "MBC-E211",
                    "sources.yaml",
                    source.id,
                    "kind",
                    f"The kind {source.kind!r} is from before knowledge 1.1.0; use one of "
                    + ", ".join(SOURCE_KINDS),
                )
            )
        rule = denied_by(source, denied)
        if rule is not None:
            problems.append(
                Problem(
                    "MBC-E211",
                    "sources.yaml",
                    source.id,
                    "url",
                    f"{rule.domain} is on the deny-list ({rule.reason}); cite the guideline, "
                    "journal, regulator or label page instead",
                )
            )
    return problems
