"""Helpers for the knowledge tests: broken copies of the data, version pins."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import yaml

from mbcnav.knowledge.loader import default_data_dir

FIXTURES = Path(__file__).parent / "fixtures"
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DUMPER: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
BROKEN = sorted(path for path in FIXTURES.glob("broken_*") if (path / "patch.yaml").is_file())


def read_patch(fixture: Path) -> dict[str, Any]:
    patch: dict[str, Any] = yaml.safe_load((fixture / "patch.yaml").read_text(encoding="utf-8"))
    return patch


def _select(node: Any, step: Any) -> Any:
    if isinstance(step, dict):
        return next(item for item in node if all(item.get(k) == v for k, v in step.items()))
    return node[step]


def _set(data: Any, path: list[Any], value: Any) -> None:
    node = data
    for step in path[:-1]:
        node = _select(node, step)
    node[path[-1]] = value


def _apply(data_dir: Path, edit: dict[str, Any]) -> None:
    target = data_dir / edit["file"]
    if edit.get("delete"):
        target.unlink()
        return
    if "raw" in edit:
        target.write_text(edit["raw"], encoding="utf-8")
        return
    data = yaml.load(target.read_text(encoding="utf-8"), Loader=_LOADER)
    if "append" in edit:
        data[edit["append"]["key"]].extend(edit["append"]["records"])
    if "remove" in edit:
        where = edit["remove"]["where"]
        key = edit["remove"]["key"]
        data[key] = [r for r in data[key] if not all(r.get(k) == v for k, v in where.items())]
    if "set" in edit:
        _set(data, edit["set"]["path"], edit["set"]["value"])
    target.write_text(
        yaml.dump(data, Dumper=_DUMPER, sort_keys=False, allow_unicode=True), encoding="utf-8"
    )


def build_broken(fixture: Path, tmp_path: Path) -> Path:
    """A copy of the packaged data with the fixture's edits applied; returns the folder."""
    data_dir = tmp_path / fixture.name
    shutil.copytree(default_data_dir(), data_dir)
    for edit in read_patch(fixture)["edits"]:
        _apply(data_dir, edit)
    return data_dir


PINS = Path(__file__).parent / "knowledge_pins.json"
CHANGELOG = Path(__file__).resolve().parents[2] / "docs" / "knowledge" / "CHANGELOG.md"


def load_pins() -> dict[str, str]:
    pins: dict[str, str] = json.loads(PINS.read_text(encoding="utf-8"))
    return pins


def load_changelog() -> str:
    return CHANGELOG.read_text(encoding="utf-8")
