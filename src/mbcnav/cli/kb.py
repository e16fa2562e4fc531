"""`mbcnav kb check` and `mbcnav kb show`: validate, summarise and export the knowledge base."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from mbcnav.cli._app import EXIT_BAD_DATA, kb_app
from mbcnav.errors import KnowledgeError
from mbcnav.knowledge import Knowledge, load_knowledge
from mbcnav.knowledge.checks import Problem
from mbcnav.knowledge.loader import check_knowledge, content_hash, default_data_dir

PathArg = Annotated[
    Path | None, typer.Argument(help="Knowledge data folder (default: the packaged one)")
]


def _problem_table(problems: list[Problem]) -> Table:
    table = Table(title=f"{len(problems)} knowledge problem(s)", show_lines=False)
    for column in ("code", "file", "record", "field", "message"):
        table.add_column(column, overflow="fold")
    for problem in problems:
        table.add_row(problem.code, problem.file, problem.record, problem.field, problem.message)
    return table


@kb_app.command("check")
def check(path: PathArg = None) -> None:
    """Validate the knowledge base and list every problem (exit 1 if there is any)."""
    data_dir = path or default_data_dir()
    problems = check_knowledge(data_dir)
    if problems:
        Console(stderr=True, width=160).print(_problem_table(problems))
        raise typer.Exit(EXIT_BAD_DATA)
    typer.echo(f"knowledge {data_dir}: OK ({content_hash(data_dir)})")


def export(knowledge: Knowledge) -> dict[str, Any]:
    """The compiled knowledge as JSON-ready data (what `kb show --json` prints)."""

    def dump(records: Any) -> list[Any]:
        return [record.model_dump(mode="json", by_alias=True) for record in records.values()]

    return {
        "version": knowledge.version,
        "hash": knowledge.hash,
        "meta": knowledge.meta.model_dump(mode="json", by_alias=True),
        "sites": dump(knowledge.sites),
        "routes": dump(knowledge.routes),
        "symptoms": dump(knowledge.symptoms),
        "network": knowledge.network.model_dump(mode="json", by_alias=True),
        "red_flags": dump(knowledge.red_flags),
        "workup": dump(knowledge.workup),
        "treatments": dump(knowledge.treatments),
        "prior_therapies": dump(knowledge.prior_therapies),
        "treatment_gates": dump(knowledge.treatment_gates),
        "sources": dump(knowledge.sources),
    }


def _summary(knowledge: Knowledge) -> Table:
    network = knowledge.network
    table = Table()
    table.add_column("part")
    table.add_column("records", justify="right")
    rows = {
        "sources": len(knowledge.sources),
        "routes": len(knowledge.routes),
        "sites": len(knowledge.sites),
        "symptoms": len(knowledge.symptoms),
        "network priors": len(network.priors),
        "network links": len(network.links),
        "network leaks": len(network.leaks),
        "red flags": len(knowledge.red_flags),
        "workup": len(knowledge.workup),
        "treatments": len(knowledge.treatments),
        "prior therapies": len(knowledge.prior_therapies),
        "treatment gates": len(knowledge.treatment_gates),
    }
    for name, count in rows.items():
        table.add_row(name, str(count))
    return table


@kb_app.command("show")
def show(
    path: PathArg = None,
    as_json: Annotated[bool, typer.Option("--json", help="Export the compiled knowledge")] = False,
) -> None:
    """Summarise the knowledge base (``--json`` exports it whole)."""
    try:
        knowledge = load_knowledge(path)
    except KnowledgeError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(EXIT_BAD_DATA) from exc
    if as_json:
        typer.echo(json.dumps(export(knowledge), ensure_ascii=False, indent=2))
        return
    console = Console(width=100)
    console.print(f"mbcnav knowledge {knowledge.version}", highlight=False)
    console.print(f"hash {knowledge.hash}", highlight=False)
    console.print(f"data {path or default_data_dir()}", highlight=False, soft_wrap=True)
    console.print(_summary(knowledge))
