"""``python -m mbcnav`` is the same command line as the console script."""

from __future__ import annotations

import json
import subprocess
import sys


def test_module_runs_the_command_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mbcnav", "schema", "patient"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    schema = json.loads(done.stdout)
    assert "properties" in schema


def test_module_reports_a_usage_error_without_traceback() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mbcnav", "no-such-command"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert "no-such-command" in done.stderr
