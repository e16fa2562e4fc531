"""`mbcnav demo`: assess a built-in example patient and print the human view (`make run`)."""

from __future__ import annotations

from typing import Any

from mbcnav._api import assess
from mbcnav.cli._app import app
from mbcnav.cli.human import console, render_human
from mbcnav.knowledge import load_knowledge

DEMO_PATIENT: dict[str, Any] = {
    "id": "demo-1",
    "findings": [
        {"id": "sym:back_pain", "present": True},
        {"id": "sym:leg_weakness", "present": True},
        {"id": "sym:nocturnal_spinal_pain", "present": True},
        {"id": "sym:headache", "present": False},
    ],
    "labs": {"calcium_corrected_mmol_l": 2.75},
    "receptors": {"er": "positive", "pr": "positive", "her2": "zero"},
    "setting": "surveillance",
    "age": 61,
    "sex": "female",
}


@app.command("demo")
def demo() -> None:
    """Assess a built-in example patient (HR+/HER2−, back pain and leg weakness)."""
    knowledge = load_knowledge()
    render_human(assess(DEMO_PATIENT, knowledge=knowledge), knowledge, console())


__all__ = ["DEMO_PATIENT", "demo"]
