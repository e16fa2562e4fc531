"""Command line: thin wrappers over plain functions; one module per command family.

Exit codes: 0 success, 1 bad data (with a coded message), 2 bad usage.
"""

from __future__ import annotations

from mbcnav.cli import commands  # noqa: F401  (registers the commands on the app)
from mbcnav.cli._app import app


def main() -> None:
    app()


__all__ = ["app", "main"]
