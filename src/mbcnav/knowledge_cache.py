"""The packaged knowledge, loaded and validated once, kept on disk between processes.

Reading the knowledge's YAML, validating every record and running the cross-checks takes
about a tenth of a second, paid again by every process: each ``assess --batch`` run, the
screening parent and each of its workers. Unpickling the same validated records takes a
few milliseconds. The loader stays the one place knowledge is made; this edge module keeps
its result in the lexicon cache's private folder (``lexicon_cache``: same folder, same rules,
same ``MBCNAV_CACHE_DIR``) and hands it to ``load_knowledge()`` as the packaged knowledge.

A file is used only when its name matches a fingerprint of everything that could change the
loaded knowledge: the bytes of the ``knowledge`` package (its data and the loader, schema and
checks code; ``lexicon_cache.fingerprint``), of the modules the schema imports, and the
versions of Python, pydantic and PyYAML. Anything doubtful (no folder, a folder others could
write, a damaged or foreign file, a failed write) falls back to loading the YAML, silently.
Only the packaged knowledge is cached; ``load_knowledge(path)`` always reads ``path``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from types import MappingProxyType
from typing import Any

import mbcnav.errors
import mbcnav.types
from mbcnav.knowledge import Knowledge, load_knowledge
from mbcnav.knowledge.loader import adopt_default
from mbcnav.lexicon_cache import cache_dir, fingerprint, load_pickle, save_pickle

PREFIX = "knowledge"
_FORMAT = 1
"""Raised when the file's layout changes."""
_LIBRARIES = ("pydantic", "pydantic-core", "PyYAML")


@dataclass(frozen=True)
class Stored:
    """What the file holds: the Knowledge's fields, read-only mappings as plain dicts (a
    ``MappingProxyType`` cannot be pickled)."""

    format: int
    values: dict[str, Any]


@lru_cache(maxsize=1)
def knowledge_fingerprint() -> str:
    digest = hashlib.sha256(f"{_FORMAT}|{fingerprint()}".encode())
    for module in (mbcnav.types, mbcnav.errors):
        digest.update(Path(str(module.__file__)).read_bytes())
    for library in _LIBRARIES:
        try:
            digest.update(f"|{library}={metadata.version(library)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"|{library}=none".encode())
    return digest.hexdigest()[:24]


def knowledge_path(folder: Path) -> Path:
    return folder / f"{PREFIX}-{knowledge_fingerprint()}.pickle"


def _stored(knowledge: Knowledge) -> Stored:
    values = {}
    for item in fields(knowledge):
        value = getattr(knowledge, item.name)
        values[item.name] = dict(value) if isinstance(value, MappingProxyType) else value
    return Stored(_FORMAT, values)


def _restored(stored: Stored) -> Knowledge | None:
    if stored.format != _FORMAT or set(stored.values) != {f.name for f in fields(Knowledge)}:
        return None
    values: dict[str, Any] = {
        name: MappingProxyType(value) if isinstance(value, dict) else value
        for name, value in stored.values.items()
    }
    try:
        return Knowledge(**values)
    except TypeError:
        return None


def warm_knowledge() -> Knowledge:
    """``load_knowledge()``, from the cache file when there is a good one, else loaded from the
    YAML and, where possible, saved for the next process. Either way ``load_knowledge()``
    returns the same object afterwards."""
    folder = cache_dir()
    if folder is None:
        return load_knowledge()
    path = knowledge_path(folder)
    stored = load_pickle(path, Stored)
    restored = _restored(stored) if stored is not None else None
    if restored is not None:
        return adopt_default(restored)
    knowledge = load_knowledge()
    save_pickle(path, _stored(knowledge), PREFIX)
    return knowledge


def cached_knowledge(path: str | Path | None = None) -> Knowledge:
    """``load_knowledge(path)``, through the disk cache for the packaged knowledge."""
    return warm_knowledge() if path is None else load_knowledge(path)


__all__ = ["PREFIX", "Stored", "cached_knowledge", "knowledge_path", "warm_knowledge"]
