"""`mbcnav screen IN --out OUT`: screen a cohort's notes, one result row per note."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mbcnav.cli._app import EXIT_BAD_DATA, EXIT_USAGE, app
from mbcnav.errors import MbcnavError

if TYPE_CHECKING:
    from mbcnav.batch.io import Columns

_COLUMN_HELP = "Input column holding the note's {}"


def _columns(**given: str | None) -> Columns:
    """Columns the user named must exist; the others fall back to their default names."""
    from mbcnav.batch.io import Columns

    named = {field: value for field, value in given.items() if value is not None}
    return Columns(**named, required=frozenset({"text", *named}))


@app.command("screen")
def screen(
    source: Annotated[str, typer.Argument(help="Notes: .jsonl, .csv, .parquet, FHIR .ndjson")],
    out: Annotated[str, typer.Option("--out", "-o", help="Results: .jsonl, .csv, .parquet")],
    fmt: Annotated[
        str | None, typer.Option("--format", help="Input format: jsonl, csv, parquet, fhir")
    ] = None,
    out_format: Annotated[
        str | None, typer.Option("--out-format", help="Output format (default: by extension)")
    ] = None,
    id_col: Annotated[str | None, typer.Option(help=_COLUMN_HELP.format("id"))] = None,
    patient_col: Annotated[str | None, typer.Option(help=_COLUMN_HELP.format("patient"))] = None,
    date_col: Annotated[str | None, typer.Option(help=_COLUMN_HELP.format("date"))] = None,
    text_col: Annotated[str | None, typer.Option(help=_COLUMN_HELP.format("text"))] = None,
    er_col: Annotated[str | None, typer.Option(help=_COLUMN_HELP.format("ER status"))] = None,
    pr_col: Annotated[str | None, typer.Option(help=_COLUMN_HELP.format("PR status"))] = None,
    her2_col: Annotated[str | None, typer.Option(help=_COLUMN_HELP.format("HER2 status"))] = None,
    setting_col: Annotated[str | None, typer.Option(help=_COLUMN_HELP.format("setting"))] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Worker processes (default: all cores)")
    ] = None,
    engine: Annotated[str, typer.Option(help="local or spark")] = "local",
    master: Annotated[str | None, typer.Option(help="Spark master URL (default local[*])")] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue a killed run where it stopped")
    ] = False,
    patients: Annotated[
        Path | None, typer.Option("--patients", help="Also write a per-patient summary here")
    ] = None,
    chunk_rows: Annotated[int, typer.Option(min=1, help="Notes per chunk")] = 2000,
    top_sites: Annotated[int, typer.Option(min=0, help="Sites kept per note (0: all)")] = 3,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar")] = False,
) -> None:
    """Screen every note of a cohort: likely sites of spread, red flags and findings per note."""
    if engine not in ("local", "spark"):
        typer.echo(f"--engine must be local or spark. Got {engine!r} instead.", err=True)
        raise typer.Exit(EXIT_USAGE)
    from mbcnav.batch.chunk import ChunkOptions
    from mbcnav.batch.io import detect_format
    from mbcnav.batch.local import ScreenJob, run_local

    try:
        columns = _columns(
            id=id_col,
            patient=patient_col,
            date=date_col,
            text=text_col,
            er=er_col,
            pr=pr_col,
            her2=her2_col,
            setting=setting_col,
        )
        job = ScreenJob(
            source=Path(source),
            out=Path(out),
            in_format=detect_format(Path(source), fmt),
            out_format=detect_format(Path(out), out_format, output=True),
            columns=columns,
            chunk_rows=chunk_rows,
            options=ChunkOptions(top_sites=top_sites),
        )
        if engine == "spark":
            from mbcnav.batch.spark import run_spark

            if resume:
                typer.echo(
                    "--resume applies to the local engine; Spark retries tasks itself.", err=True
                )

            summary = run_spark(job, master=master, source=source, out=out)
        else:
            progress = not quiet and sys.stderr.isatty()
            summary = run_local(job, workers=workers, resume=resume, progress=progress)
        if patients is not None:
            from mbcnav.batch.patients import write_patient_summary

            write_patient_summary(job.out, patients, job.out_format)
    except MbcnavError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(EXIT_BAD_DATA) from exc
    typer.echo(
        f"screened {summary.rows:,} notes ({summary.errors:,} with a coded error) in "
        f"{summary.seconds:.1f} s, {summary.notes_per_second:,.0f} notes/s -> {out}",
        err=True,
    )
