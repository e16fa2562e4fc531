"""The packaged knowledge base is sound, and every problem code is caught by its fixture."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from kb_fixtures import BROKEN, broken_in_memory, load_changelog, load_pins, read_patch

from mbcnav.errors import ERROR_TITLES, KnowledgeError
from mbcnav.knowledge import load_knowledge
from mbcnav.knowledge.checks import check_version
from mbcnav.knowledge.loader import check_knowledge, compile_records


def test_packaged_knowledge_has_no_problems() -> None:
    assert check_knowledge() == []


def test_every_knowledge_code_has_a_broken_fixture() -> None:
    covered = {read_patch(fixture)["expect"] for fixture in BROKEN}
    codes = {code for code in ERROR_TITLES if code.startswith("MBC-E2") and code != "MBC-E200"}
    assert codes <= covered, f"no fixture for {sorted(codes - covered)}"


@pytest.mark.parametrize("fixture", BROKEN, ids=lambda path: path.name)
def test_broken_fixture_triggers_its_code(fixture: Path) -> None:
    expected = read_patch(fixture)["expect"]
    kb = broken_in_memory(read_patch(fixture)["edits"], fixture.name)
    problems = list(kb.problems)
    if kb.records.meta is not None:
        problems += check_version(kb.records.meta.version, kb.digest, load_pins(), load_changelog())
    assert expected in {problem.code for problem in problems}, problems
    assert all(problem.message for problem in problems)
    if expected == "MBC-E209":
        return  # the data is sound; only its version is stale
    with pytest.raises(KnowledgeError) as caught:
        compile_records(kb.records, kb.problems, kb.digest, kb.where)
    assert caught.value.problems == kb.problems


def test_memory_and_disk_agree(broken: Callable[[Path], Path]) -> None:
    """The in-memory fixtures see exactly what the loader sees in a real folder."""
    fixture = next(f for f in BROKEN if f.name == "broken_MBC-E201")
    kb = broken_in_memory(read_patch(fixture)["edits"])
    assert check_knowledge(broken(fixture)) == kb.problems


def test_several_problems_are_reported_together(broken: Callable[[Path], Path]) -> None:
    fixture = next(f for f in BROKEN if f.name == "broken_MBC-E207")
    data_dir = broken(fixture)
    problems = broken_in_memory(read_patch(fixture)["edits"]).problems
    records = {problem.record for problem in problems}
    assert {"site:eye_orbit", "leak sym:headache"} <= records
    assert len({problem.code for problem in problems}) > 1
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(data_dir)
    assert caught.value.code == "MBC-E200"
    assert caught.value.problems == problems  # the disk and the in-memory copy agree
    assert "mbcnav kb check" in str(caught.value)


def test_a_missing_folder_is_one_problem(tmp_path: Path) -> None:
    problems = check_knowledge(tmp_path / "nowhere")
    assert [problem.code for problem in problems] == ["MBC-E201"]
