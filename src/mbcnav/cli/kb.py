"""`mbcnav kb check` and `mbcnav kb show`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from mbcnav.cli._app import EXIT_BAD_DATA, kb_app
from mbcnav.errors import KnowledgeError
from mbcnav.knowledge import load_knowledge


@kb_app.command("check")
def check(path: Annotated[Path | None, typer.Argument(help="Knowledge data folder")] = None) -> None:
    """Validate the knowledge base and list every problem."""
    try:
        knowledge = load_knowledge(path)
    except KnowledgeError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(EXIT_BAD_DATA) from exc
    typer.echo(f"knowledge {knowledge.version} {knowledge.hash}: OK")


@kb_app.command("show")
def show(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Summarise the knowledge base (``--json`` exports it whole)."""
    knowledge = load_knowledge()
    if as_json:
        typer.echo(json.dumps({"version": knowledge.version, "hash": knowledge.hash}))
        return
    typer.echo(f"mbcnav knowledge {knowledge.version} ({knowledge.hash})")
