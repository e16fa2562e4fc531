"""`mbcnav qualify --batch FILE.jsonl`: context only, for targets someone else found.

Each input line is ``{"id": …, "text": …, "spans": [[start, end], …]}``; each output line is
``{"id": …, "qualifiers": [{"negated", "historical", "hypothetical", "family", "uncertain",
"triggers"}, …]}`` in the same order, one entry per span. A bad line gives
``{"id": …, "error": {"code": …, "message": …}}`` and the rest go on; the exit code is then 1.
A text longer than one note (``MAX_QUALIFY_CHARS``, the limit ``assess`` sets) is such a line,
MBC-E600.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import IO, Annotated, Any, TextIO

import typer

from mbcnav import jsonin
from mbcnav.cli._app import EXIT_BAD_DATA, app
from mbcnav.errors import InputError, MbcnavError
from mbcnav.extract import qualify


def _spans(raw: Any) -> list[tuple[int, int]]:
    ok = isinstance(raw, list) and all(
        isinstance(s, list | tuple)
        and len(s) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in s)
        for s in raw
    )
    if not ok:
        raise InputError(
            "'spans'", code="MBC-E103", allowed="a list of [start, end] integer pairs", got=raw
        )
    return [(s[0], s[1]) for s in raw]


def qualify_line(data: Any) -> dict[str, Any]:
    """One parsed JSONL value (or the error reading it) in, one result or coded error out."""
    ident: Any = None
    try:
        if isinstance(data, MbcnavError):
            raise data
        if not isinstance(data, dict):
            raise InputError("The line", code="MBC-E106", allowed="one JSON object", got=data)
        ident = data.get("id")
        text = data.get("text")
        if not isinstance(text, str):
            raise InputError("'text'", code="MBC-E103", allowed="a string", got=text)
        results = qualify(text, _spans(data.get("spans", [])))
    except MbcnavError as error:
        return {"id": ident, "error": {"code": error.code, "message": error.detail}}
    return {"id": ident, "qualifiers": [r.to_dict() for r in results]}


def run(handle: IO[bytes], out: TextIO) -> int:
    """Qualify every non-empty line; returns the number of lines that failed."""
    errors = 0
    for _, value in jsonin.lines(jsonin.stream_lines(handle)):
        result = qualify_line(value)
        errors += "error" in result
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
    return errors


@app.command("qualify")
def qualify_command(
    batch: Annotated[
        str, typer.Option("--batch", help="JSONL of {id, text, spans}; '-' reads stdin")
    ],
) -> None:
    """Context (negated, historical, hypothetical, family, uncertain) for given spans."""
    try:
        if batch == "-":
            errors = run(sys.stdin.buffer, sys.stdout)
        else:
            with Path(batch).open("rb") as handle:
                errors = run(handle, sys.stdout)
    except OSError as exc:
        error = InputError("The batch file", allowed="a readable file", got=batch)
        typer.echo(str(error), err=True)
        raise typer.Exit(EXIT_BAD_DATA) from exc
    if errors:
        typer.echo(f"{errors} line(s) could not be qualified", err=True)
        raise typer.Exit(EXIT_BAD_DATA)


__all__ = ["qualify_line", "run"]
