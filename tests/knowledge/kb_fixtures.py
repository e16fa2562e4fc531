"""Helpers for the knowledge tests: broken copies of the data, version pins.

The packaged files are read, parsed and schema-validated once per test process; a broken fixture
edits deep copies of only the files it touches and re-validates those, so a fixture costs
milliseconds instead of a full reload. ``build_broken`` still writes a real folder for the few
tests that must go through the disk (the CLI, the loader's own reading).
"""

from __future__ import annotations

import copy
import json
import shutil
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from mbcnav.knowledge.checks import Problem, Records, run_checks
from mbcnav.knowledge.loader import (
    FILES,
    HASHED_FILES,
    Part,
    assemble,
    default_data_dir,
    hash_texts,
    parse_yaml,
    validate_part,
)

FIXTURES = Path(__file__).parent / "fixtures"
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DUMPER: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
BROKEN = sorted(path for path in FIXTURES.glob("broken_*") if (path / "patch.yaml").is_file())


def read_patch(fixture: Path) -> dict[str, Any]:
    patch: dict[str, Any] = yaml.safe_load((fixture / "patch.yaml").read_text(encoding="utf-8"))
    return patch


# ---------------------------------------------------------------- editing parsed data


def _select(node: Any, step: Any) -> Any:
    if isinstance(step, dict):
        return next(item for item in node if all(item.get(k) == v for k, v in step.items()))
    return node[step]


def _set(data: Any, path: list[Any], value: Any) -> None:
    node = data
    for step in path[:-1]:
        node = _select(node, step)
    node[path[-1]] = value


def edit_data(data: Any, edit: dict[str, Any]) -> None:
    """Apply one structured edit (append / remove / set) to parsed YAML, in place."""
    if "append" in edit:
        data[edit["append"]["key"]].extend(edit["append"]["records"])
    if "remove" in edit:
        where = edit["remove"]["where"]
        key = edit["remove"]["key"]
        data[key] = [r for r in data[key] if not all(r.get(k) == v for k, v in where.items())]
    if "set" in edit:
        _set(data, edit["set"]["path"], edit["set"]["value"])


# ---------------------------------------------------------------- the packaged data, once


@cache
def packaged_texts() -> dict[str, str]:
    data_dir = default_data_dir()
    return {name: (data_dir / f"{name}.yaml").read_text(encoding="utf-8") for name in FILES}


@cache
def packaged_raw(name: str) -> Any:
    """The parsed packaged file; never mutate it (edit a deep copy)."""
    return yaml.load(packaged_texts()[name], Loader=_LOADER)


@cache
def packaged_parts() -> dict[str, Part]:
    return {name: validate_part(name, packaged_raw(name)) for name in FILES}


@dataclass(frozen=True)
class BrokenKB:
    """A broken knowledge base held in memory: what the loader would see in its folder."""

    records: Records
    problems: list[Problem]
    digest: str
    where: str


def broken_in_memory(edits: list[dict[str, Any]], where: str = "memory") -> BrokenKB:
    """The packaged knowledge with ``edits`` (fixture patch format) applied, validated, checked."""
    texts: dict[str, str | None] = dict(packaged_texts())
    edited: dict[str, Any] = {}
    for edit in edits:
        name = edit["file"].removesuffix(".yaml")
        if edit.get("delete") or "raw" in edit:
            texts[name] = None if edit.get("delete") else edit["raw"]
            edited.pop(name, None)
            continue
        if name not in edited:
            text = texts[name]
            fresh = text == packaged_texts()[name]
            edited[name] = (
                copy.deepcopy(packaged_raw(name)) if fresh else yaml.safe_load(text or "")
            )
        edit_data(edited[name], edit)
        texts[name] = json.dumps(edited[name], sort_keys=True, default=str)
    parts = dict(packaged_parts())
    for name in {edit["file"].removesuffix(".yaml") for edit in edits}:
        found: list[Problem] = []
        raw = edited[name] if name in edited else parse_yaml(f"{name}.yaml", texts[name], found)
        parts[name] = validate_part(name, raw, found)
    records, problems = assemble(parts)
    problems += run_checks(records)
    digest = hash_texts({name: (texts[name] or "").encode() for name in HASHED_FILES})
    return BrokenKB(records, problems, digest, where)


# ---------------------------------------------------------------- on disk


def build_broken(fixture: Path, tmp_path: Path) -> Path:
    """A copy of the packaged data with the fixture's edits applied; returns the folder."""
    data_dir = tmp_path / fixture.name
    shutil.copytree(default_data_dir(), data_dir)
    for edit in read_patch(fixture)["edits"]:
        target = data_dir / edit["file"]
        if edit.get("delete"):
            target.unlink()
            continue
        if "raw" in edit:
            target.write_text(edit["raw"], encoding="utf-8")
            continue
        data = yaml.load(target.read_text(encoding="utf-8"), Loader=_LOADER)
        edit_data(data, edit)
        dumped = yaml.dump(data, Dumper=_DUMPER, sort_keys=False, allow_unicode=True)
        target.write_text(dumped, encoding="utf-8")
    return data_dir


PINS = Path(__file__).parent / "knowledge_pins.json"
CHANGELOG = Path(__file__).resolve().parents[2] / "docs" / "knowledge" / "CHANGELOG.md"


def load_pins() -> dict[str, str]:
    pins: dict[str, str] = json.loads(PINS.read_text(encoding="utf-8"))
    return pins


def load_changelog() -> str:
    return CHANGELOG.read_text(encoding="utf-8")
