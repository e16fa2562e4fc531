"""The packaged knowledge base is sound, and every problem code is caught by its fixture."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from kb_fixtures import BROKEN, load_changelog, load_pins, read_patch

from mbcnav.errors import ERROR_TITLES, KnowledgeError
from mbcnav.knowledge import load_knowledge
from mbcnav.knowledge.checks import Problem, check_version, run_checks
from mbcnav.knowledge.loader import check_knowledge, content_hash, read_records


def test_packaged_knowledge_has_no_problems() -> None:
    assert check_knowledge() == []


def test_every_knowledge_code_has_a_broken_fixture() -> None:
    covered = {read_patch(fixture)["expect"] for fixture in BROKEN}
    codes = {code for code in ERROR_TITLES if code.startswith("MBC-E2") and code != "MBC-E200"}
    assert codes <= covered, f"no fixture for {sorted(codes - covered)}"


def _problems_of(data_dir: Path) -> list[Problem]:
    records, problems = read_records(data_dir)
    problems += run_checks(records)
    if records.meta is not None:
        problems += check_version(
            records.meta.version, content_hash(data_dir), load_pins(), load_changelog()
        )
    return problems


@pytest.mark.parametrize("fixture", BROKEN, ids=lambda path: path.name)
def test_broken_fixture_triggers_its_code(fixture: Path, broken: Callable[[Path], Path]) -> None:
    expected = read_patch(fixture)["expect"]
    data_dir = broken(fixture)
    problems = _problems_of(data_dir)
    assert expected in {problem.code for problem in problems}, problems
    assert all(problem.message for problem in problems)
    if expected == "MBC-E209":
        return  # the data is sound; only its version is stale
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(data_dir)
    assert caught.value.problems == [p for p in problems if p.code != "MBC-E209"]


def test_several_problems_are_reported_together(broken: Callable[[Path], Path]) -> None:
    fixture = next(f for f in BROKEN if f.name == "broken_MBC-E207")
    data_dir = broken(fixture)
    problems = check_knowledge(data_dir)
    records = {problem.record for problem in problems}
    assert {"site:eye_orbit", "leak sym:headache"} <= records
    assert len({problem.code for problem in problems}) > 1
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(data_dir)
    assert caught.value.code == "MBC-E200"
    assert "mbcnav kb check" in str(caught.value)


def test_a_missing_folder_is_one_problem(tmp_path: Path) -> None:
    problems = check_knowledge(tmp_path / "nowhere")
    assert [problem.code for problem in problems] == ["MBC-E201"]
