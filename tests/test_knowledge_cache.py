"""The loaded knowledge's disk cache: the same knowledge back, and every doubtful file falls
back to reading the YAML."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

from mbcnav import knowledge_cache, lexicon_cache
from mbcnav.knowledge import Knowledge, load_knowledge, loader


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cache"
    monkeypatch.setenv(lexicon_cache.ENV, str(path))
    return path


@pytest.fixture(autouse=True)
def fresh_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """As in a new process: the packaged knowledge not loaded yet."""
    monkeypatch.setattr(loader, "_DEFAULT", [])


def _no_yaml(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(data_dir: Path) -> Knowledge:
        raise AssertionError(f"read the YAML under {data_dir}")

    monkeypatch.setattr(loader, "_load", refuse)


def _yaml_reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The knowledge folders read from YAML from now on (the loader still reads them)."""
    read: list[Path] = []
    load = loader._load

    def counted(data_dir: Path) -> Knowledge:
        read.append(data_dir)
        return load(data_dir)

    monkeypatch.setattr(loader, "_load", counted)
    return read


def test_a_second_process_gets_the_same_knowledge_without_reading_yaml(
    knowledge: Knowledge, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = knowledge_cache.warm_knowledge()
    assert first == knowledge
    assert knowledge_cache.knowledge_path(folder).is_file()
    monkeypatch.setattr(loader, "_DEFAULT", [])
    _no_yaml(monkeypatch)
    second = knowledge_cache.warm_knowledge()
    assert second == knowledge
    assert second.hash == knowledge.hash
    assert second.symptoms == knowledge.symptoms
    assert second.symptoms["sym:back_pain"] == knowledge.symptoms["sym:back_pain"]
    assert load_knowledge() is second  # the packaged knowledge of the process from now on
    with pytest.raises(TypeError):
        second.symptoms["sym:new"] = second.symptoms["sym:back_pain"]  # type: ignore[index]


def test_changed_knowledge_files_name_another_file(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = knowledge_cache.knowledge_path(folder)
    knowledge_cache.warm_knowledge()
    read_bytes = Path.read_bytes

    def edited(self: Path) -> bytes:
        data = read_bytes(self)
        return data + b"\n# edited\n" if self.name == "symptoms.yaml" else data

    monkeypatch.setattr(Path, "read_bytes", edited)
    lexicon_cache.fingerprint.cache_clear()
    knowledge_cache.knowledge_fingerprint.cache_clear()
    try:
        after = knowledge_cache.knowledge_path(folder)
    finally:
        monkeypatch.undo()
        lexicon_cache.fingerprint.cache_clear()
        knowledge_cache.knowledge_fingerprint.cache_clear()
    assert after != before
    assert not after.exists()  # so the edited knowledge is read from its YAML, never the old file


def test_the_file_name_follows_the_libraries(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = knowledge_cache.knowledge_path(folder)
    monkeypatch.setattr(knowledge_cache, "_LIBRARIES", ("pydantic", "no-such-library"))
    knowledge_cache.knowledge_fingerprint.cache_clear()
    try:
        assert knowledge_cache.knowledge_path(folder) != before
    finally:
        monkeypatch.undo()
        knowledge_cache.knowledge_fingerprint.cache_clear()


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not a pickle",
        pickle.dumps({"a": 1}),
        pickle.dumps(knowledge_cache.Stored(999, {})),
        pickle.dumps(knowledge_cache.Stored(1, {"meta": None})),
    ],
)
def test_a_damaged_or_foreign_file_is_read_over(
    knowledge: Knowledge, folder: Path, content: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder.mkdir(mode=0o700)
    path = knowledge_cache.knowledge_path(folder)
    path.write_bytes(content)
    assert knowledge_cache.warm_knowledge() == knowledge
    monkeypatch.setattr(loader, "_DEFAULT", [])
    _no_yaml(monkeypatch)
    assert knowledge_cache.warm_knowledge() == knowledge  # rewritten whole


def test_a_folder_others_can_write_is_not_trusted(
    knowledge: Knowledge, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    knowledge_cache.warm_knowledge()
    os.chmod(folder, 0o777)
    monkeypatch.setattr(loader, "_DEFAULT", [])
    read = _yaml_reads(monkeypatch)
    assert knowledge_cache.warm_knowledge() == knowledge
    assert read == [loader.default_data_dir()]


def test_an_unwritable_place_only_costs_the_reading(
    knowledge: Knowledge, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(lexicon_cache.ENV, str(blocker / "cache"))
    assert knowledge_cache.warm_knowledge() == knowledge


def test_a_failed_write_only_costs_the_reading(
    knowledge: Knowledge, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(*args: object, **kwargs: object) -> tuple[int, str]:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(lexicon_cache.tempfile, "mkstemp", full)
    assert knowledge_cache.warm_knowledge() == knowledge
    assert list(folder.iterdir()) == []


def test_off_reads_the_yaml_and_writes_nothing(
    knowledge: Knowledge, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(lexicon_cache.ENV, "off")
    assert knowledge_cache.warm_knowledge() == knowledge
    assert list(tmp_path.iterdir()) == []


def test_an_already_loaded_knowledge_is_kept(knowledge: Knowledge, folder: Path) -> None:
    loaded = load_knowledge()
    knowledge_cache.warm_knowledge()  # writes the file
    assert knowledge_cache.warm_knowledge() is loaded
    assert load_knowledge() is loaded


def test_another_knowledge_folder_is_always_read(
    knowledge: Knowledge, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    knowledge_cache.warm_knowledge()
    read = _yaml_reads(monkeypatch)
    data = loader.default_data_dir()
    assert knowledge_cache.cached_knowledge(data) == knowledge
    assert read == [data]
