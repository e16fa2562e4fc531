"""The committed editor schemas match the models, accept the real data and reject typos."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
import yaml

from mbcnav.knowledge.editor_schema import SCHEMA_DIR, all_schemas, schema_file_name
from mbcnav.knowledge.loader import FILES, default_data_dir


def _committed(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SCHEMA_DIR / schema_file_name(name)).read_text("utf-8"))
    return loaded


def _data(name: str) -> Any:
    return yaml.safe_load((default_data_dir() / f"{name}.yaml").read_text("utf-8"))


def test_committed_schemas_are_what_the_models_produce() -> None:
    """Re-run scripts/export_knowledge_schemas.py if this fails after a model change."""
    wanted = all_schemas()
    committed = {path.name: path.read_text("utf-8") for path in SCHEMA_DIR.glob("*.json")}
    assert sorted(committed) == sorted(wanted)
    stale = [name for name, text in wanted.items() if committed[name] != text]
    assert not stale, f"stale schemas: {stale}"


@pytest.mark.parametrize("name", FILES)
def test_every_data_file_validates_against_its_schema(name: str) -> None:
    schema = _committed(name)
    jsonschema.Draft202012Validator.check_schema(schema)
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(_data(name)))
    assert not errors, [error.message for error in errors[:5]]


def test_a_misspelt_field_is_flagged() -> None:
    data = _data("sources")
    data["sources"][0]["ulr"] = data["sources"][0].pop("url", "https://example.org")
    validator = jsonschema.Draft202012Validator(_committed("sources"))
    messages = [error.message for error in validator.iter_errors(data)]
    assert any("ulr" in message for message in messages), messages


def test_a_malformed_condition_is_flagged() -> None:
    data = _data("red_flags")
    data["red_flags"][0]["when"] = {"finding_typo": "sym:back_pain"}
    validator = jsonschema.Draft202012Validator(_committed("red_flags"))
    assert list(validator.iter_errors(data))


def test_list_files_need_their_top_level_key() -> None:
    validator = jsonschema.Draft202012Validator(_committed("treatments"))
    assert not validator.is_valid({"treatment": _data("treatments")["treatments"]})
