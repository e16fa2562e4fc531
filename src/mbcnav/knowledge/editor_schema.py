"""JSON Schemas of the knowledge files, so an editor can check a YAML file while it is typed.

The pydantic models in ``schema.py`` stay the single source of truth: each schema here is derived
from them, shaped like the file on disk (a list file holds ``{<name>: [record, ...]}``;
``meta.yaml`` and ``network.yaml`` are one mapping each). The committed copies live in
``knowledge/jsonschema/`` and a test keeps them equal to what this module produces.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from mbcnav.knowledge.loader import FILES, LIST_FILES, ONE_FILES

SCHEMA_DIR = Path(__file__).resolve().parent / "jsonschema"
DIALECT = "https://json-schema.org/draft/2020-12/schema"


def schema_file_name(name: str) -> str:
    """The schema's file name for the knowledge file ``<name>.yaml``."""
    return f"{name}.schema.json"


def _list_file(name: str, model: type[BaseModel]) -> dict[str, Any]:
    """A list file: one top-level key holding the records, each checked against the model."""
    record = model.model_json_schema(mode="validation")
    defs = record.pop("$defs", {})
    defs[model.__name__] = record
    return {
        "type": "object",
        "properties": {
            name: {"type": "array", "items": {"$ref": f"#/$defs/{model.__name__}"}},
        },
        "required": [name],
        "additionalProperties": False,
        "$defs": defs,
    }


def file_schema(name: str) -> dict[str, Any]:
    """The JSON Schema of ``<name>.yaml`` (a stem of ``loader.FILES``)."""
    if name in LIST_FILES:
        body = _list_file(name, LIST_FILES[name])
    else:
        body = ONE_FILES[name].model_json_schema(mode="validation")
    header = {"$schema": DIALECT, "title": f"mbcnav knowledge: {name}.yaml"}
    body.pop("title", None)
    return {**header, **body}


def render(schema: dict[str, Any]) -> str:
    """The committed text of a schema: stable, diff-friendly JSON."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def all_schemas() -> dict[str, str]:
    """File name -> rendered schema, for every knowledge file."""
    return {schema_file_name(name): render(file_schema(name)) for name in FILES}


__all__ = ["DIALECT", "SCHEMA_DIR", "all_schemas", "file_schema", "render", "schema_file_name"]
