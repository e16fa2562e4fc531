"""The typer application every command module adds itself to."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="mbcnav",
    help="Decision support for metastatic breast cancer. It supports, and does not replace, "
    "a clinician's judgement.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
kb_app = typer.Typer(help="Check and show the knowledge base.", no_args_is_help=True)
app.add_typer(kb_app, name="kb")

EXIT_OK = 0
EXIT_BAD_DATA = 1
EXIT_USAGE = 2
