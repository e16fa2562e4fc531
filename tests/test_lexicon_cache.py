"""The lexicon's disk cache: same matcher back, and every doubtful file falls back to compiling."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

from mbcnav import lexicon_cache
from mbcnav.extract import lexicon, read_text
from mbcnav.knowledge import Knowledge

NOTE = "No chest pain. Her ribs hurt and she has new back pain; SpO2 88% on air."


def _fresh(knowledge: Knowledge) -> None:
    lexicon._BY_HASH.pop(knowledge.hash, None)


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cache"
    monkeypatch.setenv(lexicon_cache.ENV, str(path))
    return path


def test_second_process_loads_the_same_matcher(knowledge: Knowledge, folder: Path) -> None:
    expected = read_text(NOTE, knowledge)
    _fresh(knowledge)
    assert lexicon_cache.warm_lexicon(knowledge) is False  # compiled, then saved
    assert lexicon_cache.cache_path(knowledge, folder).is_file()
    _fresh(knowledge)
    assert lexicon_cache.warm_lexicon(knowledge) is True  # loaded
    assert read_text(NOTE, knowledge) == expected
    assert len(lexicon.matcher_for(knowledge)) > 10_000


def test_the_file_name_follows_the_knowledge_and_the_code(
    knowledge: Knowledge, folder: Path
) -> None:
    name = lexicon_cache.cache_path(knowledge, folder).name
    assert lexicon_cache.fingerprint() in name
    assert knowledge.hash.rpartition(":")[2][:24] in name
    assert ":" not in name


@pytest.mark.parametrize("content", [b"", b"not a pickle", pickle.dumps({"a": 1})])
def test_a_damaged_or_foreign_file_is_compiled_over(
    knowledge: Knowledge, folder: Path, content: bytes
) -> None:
    expected = read_text(NOTE, knowledge)
    folder.mkdir(mode=0o700)
    path = lexicon_cache.cache_path(knowledge, folder)
    path.write_bytes(content)
    _fresh(knowledge)
    assert lexicon_cache.warm_lexicon(knowledge) is False
    assert read_text(NOTE, knowledge) == expected
    _fresh(knowledge)
    assert lexicon_cache.warm_lexicon(knowledge) is True  # rewritten whole


def test_a_folder_others_can_write_is_not_trusted(knowledge: Knowledge, folder: Path) -> None:
    folder.mkdir(mode=0o700)
    _fresh(knowledge)
    lexicon_cache.warm_lexicon(knowledge)
    os.chmod(folder, 0o777)
    _fresh(knowledge)
    assert lexicon_cache.warm_lexicon(knowledge) is False


def test_off_compiles_in_memory_and_writes_nothing(
    knowledge: Knowledge, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(lexicon_cache.ENV, "off")
    assert lexicon_cache.cache_dir() is None
    _fresh(knowledge)
    assert lexicon_cache.warm_lexicon(knowledge) is False
    assert knowledge.hash in lexicon._BY_HASH


def test_an_unwritable_place_only_costs_the_compile(
    knowledge: Knowledge, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(lexicon_cache.ENV, str(blocker / "cache"))
    _fresh(knowledge)
    assert lexicon_cache.warm_lexicon(knowledge) is False
    assert read_text(NOTE, knowledge).findings


def test_only_the_newest_files_are_kept(knowledge: Knowledge, folder: Path) -> None:
    folder.mkdir(mode=0o700)
    old = [folder / f"lexicon-old{i}-x.pickle" for i in range(lexicon_cache.KEPT + 2)]
    for age, path in enumerate(old):
        path.write_bytes(b"stale")
        os.utime(path, (1_000_000 + age, 1_000_000 + age))
    _fresh(knowledge)
    lexicon_cache.warm_lexicon(knowledge)
    left = sorted(folder.glob("lexicon-*.pickle"))
    assert lexicon_cache.cache_path(knowledge, folder) in left
    assert len(left) == lexicon_cache.KEPT
    assert old[-1] in left and old[0] not in left  # the newest stale ones stay


def test_a_folder_that_cannot_be_read_only_costs_the_compile(
    knowledge: Knowledge, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(self: Path) -> bool:
        raise PermissionError("no access")

    monkeypatch.setattr(Path, "is_file", refuse)
    _fresh(knowledge)
    assert lexicon_cache.warm_lexicon(knowledge) is False
    assert read_text(NOTE, knowledge).findings
