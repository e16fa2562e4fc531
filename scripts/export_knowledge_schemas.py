"""Write (or, with --check, verify) the JSON Schemas of the knowledge YAML files.

    python scripts/export_knowledge_schemas.py           # rewrites src/mbcnav/knowledge/jsonschema/
    python scripts/export_knowledge_schemas.py --check   # exit 1 if a committed schema is stale

Run it after changing a model in src/mbcnav/knowledge/schema.py; docs/knowledge/EDITING.md says
how to point an editor at the files.
"""

from __future__ import annotations

import sys

from mbcnav.knowledge.editor_schema import SCHEMA_DIR, all_schemas


def main(argv: list[str]) -> int:
    wanted = all_schemas()
    if "--check" in argv:
        stale = [
            name
            for name, text in wanted.items()
            if not (SCHEMA_DIR / name).is_file()
            or (SCHEMA_DIR / name).read_text(encoding="utf-8") != text
        ]
        for name in stale:
            print(f"stale: {SCHEMA_DIR / name}", file=sys.stderr)
        return 1 if stale else 0
    SCHEMA_DIR.mkdir(exist_ok=True)
    for name, text in wanted.items():
        (SCHEMA_DIR / name).write_text(text, encoding="utf-8")
        print(SCHEMA_DIR / name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
