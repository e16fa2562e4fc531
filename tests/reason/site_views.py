"""What an assessment of a short text shows: its top sites and the findings it read."""

from __future__ import annotations

from mbcnav import assess
from mbcnav.knowledge import Knowledge


def top_sites(text: str, knowledge: Knowledge, setting: str = "suspected", n: int = 3) -> list[str]:
    result = assess({"text": text, "setting": setting}, knowledge=knowledge)
    return [site.id for site in result.sites[:n]]


def read_findings(text: str, knowledge: Knowledge) -> dict[str, bool]:
    result = assess({"text": text}, knowledge=knowledge)
    return {f.id: f.present for f in result.findings}
