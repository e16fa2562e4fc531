"""Count the knowledge base's sources by kind and by provenance, so the figures can be rerun.

    python scripts/source_report.py                 # the packaged knowledge
    python scripts/source_report.py --data DIR      # another data folder (e.g. an older main)
    python scripts/source_report.py --list          # also name the sources behind each figure

Figures: sources by kind; sources served from a denied domain (SEO spam, AI summarisers:
source_rules.yaml; must be 0); the share that carries a DOI or PMID or points to a guideline
body, regulator, label, journal or its index (source_rules.yaml ``authoritative``).
The deny and authoritative lists always come from the packaged source_rules.yaml, so an old
folder is measured by today's rules.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import yaml

from mbcnav.knowledge.checks.provenance import denied_by, host_of, on_domain
from mbcnav.knowledge.loader import default_data_dir, read_records
from mbcnav.knowledge.schema import Source, SourceRules


def _rules() -> SourceRules:
    text = (default_data_dir() / "source_rules.yaml").read_text(encoding="utf-8")
    return SourceRules.model_validate(yaml.safe_load(text))


def authoritative(source: Source, rules: SourceRules) -> bool:
    if source.doi or source.pmid:
        return True
    host = host_of(source.url)
    return bool(host) and any(on_domain(host, rule.domain) for rule in rules.authoritative)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data", type=Path, default=default_data_dir())
    parser.add_argument("--list", action="store_true")
    args = parser.parse_args(argv)
    records, _ = read_records(args.data)
    sources = records.sources
    if not sources:
        print(f"no sources read from {args.data}", file=sys.stderr)
        return 1
    rules = _rules()
    kinds = Counter(source.kind for source in sources)
    denied = [source.id for source in sources if denied_by(source, rules.denied)]
    good = [source for source in sources if authoritative(source, rules)]
    weak = [source.id for source in sources if not authoritative(source, rules)]
    print(f"sources: {len(sources)}")
    print("by kind: " + ", ".join(f"{kind} {count}" for kind, count in sorted(kinds.items())))
    print(f"from denied (SEO / AI-summary / mirror) domains: {len(denied)}")
    share = 100 * len(good) / len(sources)
    print(f"DOI, PMID or authoritative page: {len(good)}/{len(sources)} ({share:.1f} %)")
    if args.list:
        print("denied: " + " ".join(denied))
        print("not authoritative: " + " ".join(weak))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
