"""Command line: thin wrappers over plain functions; one module per command family.

Exit codes: 0 success, 1 bad data (with a coded message), 2 bad usage.

``from mbcnav.cli import app`` gives the app with every command; ``main()`` registers only the
command it runs, so a process's start-up pays for nothing else.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from typer import Typer

    app: Typer


def main() -> None:
    from mbcnav.cli._app import app, needed, register

    register(needed(sys.argv[1:]))
    app()


def __getattr__(name: str) -> Any:
    if name == "app":
        from mbcnav.cli._app import app, register

        register()
        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["app", "main"]
