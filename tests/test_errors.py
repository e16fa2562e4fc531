"""The error tree's promises: one template, stable codes, a catalogue that matches the code."""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from mbcnav.errors import ERROR_TITLES, InputError, KnowledgeError, MbcnavError, format_message

REPO = Path(__file__).resolve().parents[1]


def test_the_message_names_what_is_allowed_and_what_we_got() -> None:
    error = InputError(
        "The 'receptors.her2' value", code="MBC-E103", allowed="one of positive, low", got="pos"
    )
    assert str(error) == (
        "[MBC-E103] The 'receptors.her2' value must be one of positive, low. Got 'pos' instead."
    )
    assert error.to_dict() == {"code": "MBC-E103", "message": error.detail}
    assert error.title == "invalid value"


def test_long_values_are_shortened_in_messages() -> None:
    message = format_message("The text", got="x" * 500)
    assert len(message) < 120
    assert message.endswith("...' instead.") or message.endswith("... instead.")


@pytest.mark.parametrize("cls", [InputError, KnowledgeError])
def test_every_error_is_an_mbcnav_error_with_a_known_default_code(cls: type[MbcnavError]) -> None:
    error = cls("Something")
    assert isinstance(error, MbcnavError)
    assert error.code in ERROR_TITLES


def test_codes_are_well_formed_and_unique() -> None:
    assert all(code.startswith("MBC-E") and len(code) == 8 for code in ERROR_TITLES)
    assert len(set(ERROR_TITLES.values())) == len(ERROR_TITLES)


def test_the_catalogue_in_docs_matches_the_code() -> None:
    script = REPO / "scripts" / "export_error_catalogue.py"
    result = subprocess.run(
        [sys.executable, str(script), "--check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_errors_cross_process_boundaries_with_code_field_and_message() -> None:
    """The service's engine processes send errors back pickled; nothing may be lost."""
    error = InputError("The patient", code="MBC-E101", allowed="non-empty", got={}, field="text")
    knowledge = KnowledgeError("The knowledge base", code="MBC-E201", problems=[{"line": 3}])
    for original in (error, knowledge):
        copy = pickle.loads(pickle.dumps(original))
        assert type(copy) is type(original)
        assert (copy.code, copy.detail, copy.field, str(copy)) == (
            original.code,
            original.detail,
            original.field,
            str(original),
        )
    assert pickle.loads(pickle.dumps(knowledge)).problems == [{"line": 3}]
