"""Imports each command module so that its commands register on the app."""

from __future__ import annotations

import importlib

COMMAND_MODULES = ("kb", "assess", "demo", "screen", "serve", "evaluate", "schema", "qualify")

for _name in COMMAND_MODULES:
    importlib.import_module(f"mbcnav.cli.{_name}")
