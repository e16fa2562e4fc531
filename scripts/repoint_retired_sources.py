"""Re-point citations of retired sources to their replacements in the knowledge data files.

    python scripts/repoint_retired_sources.py            # lists the files that cite a retired id
    python scripts/repoint_retired_sources.py --write    # rewrites them
    python scripts/repoint_retired_sources.py --data DIR # another data folder

The retired ids and their replacements are in source_rules.yaml (``retired``). Use it after a
merge brings in records written before a source was retired; `mbcnav kb check` then names what
is left (a retired id with no replacement, or prose that names the old source).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from mbcnav.knowledge.loader import default_data_dir
from mbcnav.knowledge.retire import repoint
from mbcnav.knowledge.schema import SourceRules

SKIP = {"sources.yaml", "source_rules.yaml", "meta.yaml"}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data", type=Path, default=default_data_dir())
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)
    rules_text = (args.data / "source_rules.yaml").read_text(encoding="utf-8")
    rules = SourceRules.model_validate(yaml.safe_load(rules_text))
    retired = {r.id.removeprefix("src:"): list(r.replaced_by) for r in rules.retired}
    changed = 0
    for path in sorted(args.data.glob("*.yaml")):
        if path.name in SKIP:
            continue
        text = path.read_text(encoding="utf-8")
        new = repoint(text, retired)
        if new != text:
            changed += 1
            print(f"{'rewrote' if args.write else 'would rewrite'} {path.name}")
            if args.write:
                path.write_text(new, encoding="utf-8")
    print(f"{changed} file(s) cited a retired source")
    return 1 if changed and not args.write else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
