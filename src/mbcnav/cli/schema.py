"""`mbcnav schema patient|assessment`: the JSON Schemas of the public shapes."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated, Any

import typer

from mbcnav.cli._app import app
from mbcnav.types import Assessment, Patient


class Shape(StrEnum):
    patient = "patient"
    assessment = "assessment"


def json_schema(shape: str) -> dict[str, Any]:
    """The JSON Schema of a Patient (input) or an Assessment (output, as serialised)."""
    if shape == "patient":
        return Patient.model_json_schema(mode="validation")
    return Assessment.model_json_schema(mode="serialization", by_alias=True)


@app.command("schema")
def schema(shape: Annotated[Shape, typer.Argument(help="patient or assessment")]) -> None:
    """Print the JSON Schema of a Patient or an Assessment."""
    typer.echo(json.dumps(json_schema(shape.value), indent=2))


__all__ = ["json_schema"]
