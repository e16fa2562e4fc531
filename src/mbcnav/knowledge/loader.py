"""The only I/O of the knowledge package: read the YAML files, validate, compile.

Files (one per concern) under ``knowledge/data/``; each holds one top-level key of the same
name holding a list of records, except ``meta.yaml`` and ``network.yaml`` (mappings).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from mbcnav.errors import KnowledgeError
from mbcnav.knowledge.model import Knowledge
from mbcnav.knowledge.schema import (
    Meta,
    Network,
    RedFlagRule,
    Route,
    Site,
    Source,
    Symptom,
    Treatment,
    Workup,
)

LIST_FILES: dict[str, type[BaseModel]] = {
    "sources": Source,
    "routes": Route,
    "sites": Site,
    "symptoms": Symptom,
    "red_flags": RedFlagRule,
    "workup": Workup,
    "treatments": Treatment,
}
HASHED_FILES = ("sources", "routes", "sites", "symptoms", "network", "red_flags", "workup",
                "treatments")

M = TypeVar("M", bound=BaseModel)


def default_data_dir() -> Path:
    return Path(str(resources.files("mbcnav.knowledge") / "data"))


def _read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except FileNotFoundError as exc:
        raise KnowledgeError(
            f"The knowledge file {path.name} is missing", code="MBC-E201", got=str(path)
        ) from exc
    except yaml.YAMLError as exc:
        raise KnowledgeError(
            f"The knowledge file {path.name} is not valid YAML: {exc}", code="MBC-E201"
        ) from exc


def content_hash(data_dir: Path) -> str:
    """sha256 over the clinical content files, so any change to a fact changes the hash."""
    digest = hashlib.sha256()
    for name in HASHED_FILES:
        raw = (data_dir / f"{name}.yaml").read_bytes().replace(b"\r\n", b"\n")
        digest.update(name.encode() + b"\0" + raw + b"\0")
    return "sha256:" + digest.hexdigest()


def _validate_list(name: str, raw: Any, model: type[M]) -> tuple[M, ...]:
    if not isinstance(raw, dict) or not isinstance(raw.get(name), list):
        raise KnowledgeError(
            f"The knowledge file {name}.yaml must hold a top-level '{name}' list",
            code="MBC-E202",
        )
    out: list[M] = []
    for index, record in enumerate(raw[name]):
        try:
            out.append(model.model_validate(record))
        except ValidationError as exc:
            ident = record.get("id", f"#{index}") if isinstance(record, dict) else f"#{index}"
            raise KnowledgeError(
                f"Record {ident} in {name}.yaml does not match its schema: {exc}",
                code="MBC-E202",
            ) from exc
    return tuple(out)


def _by_id(records: tuple[Any, ...]) -> MappingProxyType[str, Any]:
    return MappingProxyType({record.id: record for record in records})


def load_knowledge(path: Path | str | None = None) -> Knowledge:
    """Load, validate and compile the knowledge base at ``path`` (the packaged one by default)."""
    if path is None:
        return _load_default()
    return _load(Path(path))


@lru_cache(maxsize=1)
def _load_default() -> Knowledge:
    return _load(default_data_dir())


def _load(data_dir: Path) -> Knowledge:
    lists = {
        name: _validate_list(name, _read_yaml(data_dir / f"{name}.yaml"), model)
        for name, model in LIST_FILES.items()
    }
    try:
        meta = Meta.model_validate(_read_yaml(data_dir / "meta.yaml"))
        network = Network.model_validate(_read_yaml(data_dir / "network.yaml"))
    except ValidationError as exc:
        raise KnowledgeError(f"meta.yaml or network.yaml is invalid: {exc}", code="MBC-E202") from exc
    return Knowledge(
        meta=meta,
        hash=content_hash(data_dir),
        sources=_by_id(lists["sources"]),
        routes=_by_id(lists["routes"]),
        sites=_by_id(lists["sites"]),
        symptoms=_by_id(lists["symptoms"]),
        network=network,
        red_flags=_by_id(lists["red_flags"]),
        workup=_by_id(lists["workup"]),
        treatments=_by_id(lists["treatments"]),
    )
