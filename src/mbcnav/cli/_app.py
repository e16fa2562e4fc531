"""The typer application every command module adds itself to."""

from __future__ import annotations

import importlib
from collections.abc import Sequence

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

COMMAND_MODULES = ("kb", "assess", "demo", "screen", "serve", "evaluate", "schema", "qualify")
"""One module per command family, each named as its command (``kb`` holds the ``kb`` group)."""


def register(modules: Sequence[str] = COMMAND_MODULES) -> None:
    """Import command modules so that their commands register on the app."""
    for name in modules:
        importlib.import_module(f"mbcnav.cli.{name}")


def needed(argv: Sequence[str]) -> tuple[str, ...]:
    """The command modules a command line needs: only its command's when it names one (a
    batch or screening process then never imports the web server's, the handout's or the
    evaluator's dependencies), else all of them (top-level help, a mistyped command)."""
    first = next((arg for arg in argv if not arg.startswith("-")), None)
    return (first,) if first in COMMAND_MODULES else COMMAND_MODULES
