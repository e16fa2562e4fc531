"""Precision and recall per qualifier and per site status on the hand-labelled MTSamples set.

The set (``tests/data/gold/``, labelling guide in ``LABELLING.md``): 44 MTSamples notes that
mention cancer, metastasis or the article's symptoms, with every symptom mention (knowledge-base
symptom ids) and site-of-spread mention, their qualifiers and site status. A system mention
matches a gold one when the ids agree and the spans overlap; qualifiers and statuses are scored
on matched pairs. ``--misses`` lists the unmatched mentions.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "extract"))

import extract_gold

from mbcnav.knowledge import load_knowledge


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true")
    args = parser.parse_args(argv)
    result = extract_gold.score(load_knowledge())
    print("\n".join(extract_gold.report(result)))
    if args.misses:
        print("\n".join(result.misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
