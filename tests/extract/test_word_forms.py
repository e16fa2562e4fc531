"""The generated word-form table: reproducible from its script, and sound."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from mbcnav.extract.concepts import word_forms

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "build_word_forms.py"


def test_the_script_reproduces_the_table_byte_for_byte() -> None:
    pytest.importorskip("lemminflect")
    spec = importlib.util.spec_from_file_location("build_word_forms", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.build() == module.OUT.read_text(encoding="utf-8")


def test_a_misspelling_names_one_word_and_is_no_vocabulary_form() -> None:
    table = word_forms()
    forms = {form for found in table.forms.values() for form in found} | set(table.forms)
    for word, variants in table.misspellings.items():
        assert not forms.intersection(variants), word


def test_variants_change_one_word_at_a_time() -> None:
    variants = word_forms().variants("pain in my hip")
    assert "pains in my hip" in variants and "pain in my hips" in variants
    assert "pains in my hips" not in variants
