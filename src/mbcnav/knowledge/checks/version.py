"""Versioning (MBC-E209): data changes travel with a new version, a pin and a changelog entry."""

from __future__ import annotations

import re
from collections.abc import Mapping

from mbcnav.knowledge.checks.problem import Problem

CHANGELOG = "docs/knowledge/CHANGELOG.md"
PIN_HELP = (
    "bump 'version' in knowledge/data/meta.yaml, add a '## <version>' entry to "
    f"{CHANGELOG} saying what changed, then run 'python scripts/pin_knowledge.py --write'"
)


def check_version(
    version: str, content_hash: str, pins: Mapping[str, str], changelog: str
) -> list[Problem]:
    """The data may change only together with a new version and a changelog entry."""
    problems: list[Problem] = []
    pinned = pins.get(version)
    if pinned is None:
        problems.append(
            Problem(
                "MBC-E209",
                "meta.yaml",
                version,
                "version",
                f"Version {version} is not pinned; {PIN_HELP}",
            )
        )
    elif pinned != content_hash:
        problems.append(
            Problem(
                "MBC-E209",
                "meta.yaml",
                version,
                "version",
                f"The knowledge data changed ({content_hash}) but meta.yaml still says {version}, "
                f"pinned to {pinned}; {PIN_HELP}",
            )
        )
    heading = re.compile(rf"^##\s+\[?{re.escape(version)}\]?(\s|$)", re.MULTILINE)
    if not heading.search(changelog):
        problems.append(
            Problem(
                "MBC-E209",
                CHANGELOG,
                version,
                "",
                f"{CHANGELOG} has no '## {version}' entry; {PIN_HELP}",
            )
        )
    return problems
