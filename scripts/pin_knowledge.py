"""Print (or, with --write, record) the knowledge version and content hash the tests pin.

    python scripts/pin_knowledge.py            # prints: 1.0.0 sha256:...
    python scripts/pin_knowledge.py --write    # adds/updates the pair in the pins file

Run it after bumping 'version' in src/mbcnav/knowledge/data/meta.yaml and adding the matching
entry to docs/knowledge/CHANGELOG.md.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from mbcnav.knowledge.loader import content_hash, default_data_dir, read_records

PINS = Path(__file__).resolve().parent.parent / "tests" / "knowledge" / "knowledge_pins.json"


def main(argv: list[str]) -> int:
    data_dir = default_data_dir()
    records, problems = read_records(data_dir)
    if records.meta is None:
        print(f"meta.yaml cannot be read: {problems}", file=sys.stderr)
        return 1
    version, digest = records.meta.version, content_hash(data_dir)
    print(f"{version} {digest}")
    if "--write" in argv:
        pins = json.loads(PINS.read_text(encoding="utf-8")) if PINS.exists() else {}
        pins[version] = digest
        PINS.write_text(json.dumps(pins, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        print(f"pinned in {PINS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
