"""The knowledge data may change only with a new version, a changelog entry and a new pin."""

from __future__ import annotations

from kb_fixtures import load_changelog, load_pins

from mbcnav.knowledge import Knowledge
from mbcnav.knowledge.checks import check_version


def test_version_and_hash_are_pinned(knowledge: Knowledge) -> None:
    problems = check_version(knowledge.version, knowledge.hash, load_pins(), load_changelog())
    assert not problems, "\n".join(problem.message for problem in problems)


def test_each_pinned_version_has_its_own_hash() -> None:
    hashes = list(load_pins().values())
    assert len(hashes) == len(set(hashes)), "two versions pin the same content"


def test_changelog_entry_for_a_new_version_is_required() -> None:
    problems = check_version("9.9.9", "sha256:x", {"9.9.9": "sha256:x"}, load_changelog())
    assert [problem.code for problem in problems] == ["MBC-E209"]
    assert "CHANGELOG" in problems[0].message


def test_changed_data_without_a_bump_says_what_to_do(knowledge: Knowledge) -> None:
    problems = check_version(knowledge.version, "sha256:changed", load_pins(), load_changelog())
    assert [problem.code for problem in problems] == ["MBC-E209"]
    message = problems[0].message
    assert "meta.yaml" in message and "pin_knowledge.py" in message
