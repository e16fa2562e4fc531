"""Write docs/errors.md from mbcnav.errors.ERROR_TITLES, so the catalogue never drifts.

Usage: python scripts/export_error_catalogue.py [--check]
"""

from __future__ import annotations

import sys
from pathlib import Path

from mbcnav.errors import ERROR_TITLES

TARGET = Path(__file__).resolve().parents[1] / "docs" / "errors.md"
RANGES = {
    "1": "Input (Patient, findings, labs, options)",
    "2": "Knowledge base",
    "3": "Interop (FHIR, mCODE, CDS Hooks)",
    "4": "Batch screening",
    "5": "HTTP service",
    "6": "Text reading",
}


def render() -> str:
    lines = [
        "# Error codes",
        "",
        "Every error mbcnav raises on purpose carries a stable code and one message template:",
        "what was wrong, what is allowed, what we got — for example",
        "`[MBC-E103] The 'receptors.her2' value must be one of positive, low, ultralow, zero,",
        'negative, unknown. Got \'pos\' instead.` Batch lines carry `{"code", "message"}`; HTTP',
        "errors are `application/problem+json` with the code. The command line exits 1 on bad",
        "data and 2 on bad usage.",
        "",
        "Generated from `mbcnav.errors.ERROR_TITLES` by `scripts/export_error_catalogue.py`.",
    ]
    current = ""
    for code, title in ERROR_TITLES.items():
        group = code[len("MBC-E")]
        if group != current:
            current = group
            lines += ["", f"## E{group}xx — {RANGES.get(group, 'Other')}", "", "| code | meaning |"]
            lines.append("|---|---|")
        lines.append(f"| `{code}` | {title} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    text = render()
    if "--check" in sys.argv[1:]:
        if not TARGET.exists() or TARGET.read_text(encoding="utf-8") != text:
            print(f"{TARGET} is out of date: run python scripts/export_error_catalogue.py")
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
