"""Imports each command module so that its commands register on the app (the list is
``_app.COMMAND_MODULES``)."""

from __future__ import annotations

from mbcnav.cli._app import register

register()
