"""The reader's compiled automaton kept on disk between processes, for the adapters' start-up.

Compiling the lexicon (knowledge terms, HPO synonyms, word forms, concept anchors: about 45,000
phrases) takes about half a second, paid again by every process: each ``assess --batch`` run,
each screening worker. Loading the same automaton from a pickle takes a tenth of that. The
engine stays pure (``extract.lexicon`` compiles in memory only); this edge module reads and
writes the file and hands the matcher to the lexicon's own per-hash cache.

A file is used only when its name matches the knowledge hash and a fingerprint of everything
that could change what is compiled: the bytes of the ``extract`` and ``knowledge`` packages
(code and data), the automaton library's version and Python's. Anything else (no cache folder,
a folder another user could write, a damaged or foreign file, a failed write) falls back to
compiling in memory, silently: the cache only ever saves time. ``MBCNAV_CACHE_DIR`` names the
folder (default ``$XDG_CACHE_HOME/mbcnav`` or ``~/.cache/mbcnav``); ``MBCNAV_CACHE_DIR=off``
turns it off.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
import sys
import tempfile
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import TypeVar

import mbcnav.extract
import mbcnav.knowledge
from mbcnav.extract.lexicon import adopt_matcher, matcher_for
from mbcnav.extract.matcher import PhraseMatcher
from mbcnav.knowledge import Knowledge

T = TypeVar("T")
ENV = "MBCNAV_CACHE_DIR"
OFF = "off"
_FORMAT = 1
"""Raised when the file's layout changes."""


def cache_dir() -> Path | None:
    """The cache folder, or None when turned off."""
    chosen = os.environ.get(ENV)
    if chosen is not None:
        return None if chosen.strip().lower() in (OFF, "") else Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mbcnav"


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """sha256 over the reader's and the knowledge's code and data files, the automaton
    library's version and Python's: a compiled matcher depends on nothing else."""
    digest = hashlib.sha256(f"{_FORMAT}|{sys.version}|{_library_version()}".encode())
    for package in (mbcnav.extract, mbcnav.knowledge):
        root = Path(next(iter(package.__path__)))
        for path in sorted(root.rglob("*")):
            if path.suffix in (".py", ".yaml", ".json") and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root)).encode())
                digest.update(b"\0")
                digest.update(path.read_bytes())
                digest.update(b"\0")
    return digest.hexdigest()[:24]


def _library_version() -> str:
    try:
        return metadata.version("pyahocorasick")
    except metadata.PackageNotFoundError:
        return "unknown"


def cache_path(knowledge: Knowledge, folder: Path) -> Path:
    digest = "".join(char for char in knowledge.hash.rpartition(":")[2] if char.isalnum())
    return folder / f"lexicon-{digest[:24]}-{fingerprint()}.pickle"


def _private(folder: Path) -> bool:
    """Ours, and writable by nobody else: a pickle is code, so only our own is loaded (where
    the system has no owner ids to check, nothing is)."""
    getuid = getattr(os, "getuid", None)
    if getuid is None:
        return False
    info = folder.stat()
    others = stat.S_IWGRP | stat.S_IWOTH
    return stat.S_ISDIR(info.st_mode) and info.st_uid == getuid() and not info.st_mode & others


def load_pickle(path: Path, kind: type[T]) -> T | None:
    """The object pickled in ``path`` if it is a ``kind`` and the file and its folder are
    ours alone; None for anything doubtful (a damaged file may fail in any way)."""
    try:
        if not path.is_file() or not _private(path.parent):
            return None
        with path.open("rb") as handle:
            if os.fstat(handle.fileno()).st_uid != os.getuid():  # _private: getuid exists
                return None
            loaded = pickle.load(handle)
    except Exception:  # the cache only saves time: any failure means "build anew"
        return None
    return loaded if isinstance(loaded, kind) else None


def save_pickle(path: Path, value: object, prefix: str) -> None:
    """Written to a temporary file then renamed: concurrent workers never read half a file.
    The oldest files of the same ``prefix`` beyond :data:`KEPT` are removed."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _private(path.parent):
            return
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{prefix}-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(name, path)
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise
        _prune(path.parent, prefix, keep=path)
    except (OSError, pickle.PicklingError):
        return


KEPT = 4
"""Files kept in the folder (each about 10 MB): every change of code or knowledge makes a new
one, so the oldest beyond these are removed when a new one is written."""


def _prune(folder: Path, prefix: str, keep: Path) -> None:
    files = sorted(folder.glob(f"{prefix}-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in [f for f in files if f != keep][KEPT - 1 :]:
        old.unlink(missing_ok=True)


def warm_lexicon(knowledge: Knowledge) -> bool:
    """Make the reader's matcher for ``knowledge`` ready: from the cache file when there is a
    good one (True), else compiled and, where possible, saved for the next process (False)."""
    folder = cache_dir()
    if folder is None:
        matcher_for(knowledge)
        return False
    path = cache_path(knowledge, folder)
    loaded = load_pickle(path, PhraseMatcher)
    if loaded is not None:
        adopt_matcher(knowledge, loaded)
        return True
    save_pickle(path, matcher_for(knowledge), "lexicon")
    return False


__all__ = [
    "ENV",
    "KEPT",
    "OFF",
    "cache_dir",
    "cache_path",
    "fingerprint",
    "load_pickle",
    "save_pickle",
    "warm_lexicon",
]
