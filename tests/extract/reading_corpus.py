"""The corpora of the reading regression test and the dense-note benchmark, and a reading digest.

Used by ``test_reading_regression.py`` (every reading must keep its recorded digest) and
``benchmarks/bench_extract_dense.py`` (CPU per note). The clinic notes are the service
benchmark's dense follow-up notes (``benchmarks/bench_service.py``), frozen here so the recorded
digests do not move when that benchmark changes. MTSamples and the NegEx rows live outside the
repository (``/work/shared/data``, not redistributable); only their digests are stored.

Regenerate the digests, after an intended change of output only:

    PYTHONPATH=src python tests/extract/reading_corpus.py --write
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import hashlib
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from mbcnav.extract import TextReading, qualify, read_text
from mbcnav.knowledge import Knowledge, load_knowledge

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))  # run as a script too: the shared clinic notes

from clinic_notes import clinic_note  # noqa: E402

FIXTURE = ROOT / "tests" / "data" / "extract_reading_digests.json"
GOLD_NOTES = ROOT / "tests" / "data" / "gold" / "mtsamples_notes.jsonl"
SHARED = ROOT.parent / "shared" / "data"
MTSAMPLES = SHARED / "mtsamples" / "mtsamples.csv"
NEGEX = SHARED / "negex" / "dev.tsv"
CLINIC_NOTES = 400
MTSAMPLES_NOTES = 300


def clinic_notes(count: int = CLINIC_NOTES) -> list[str]:
    return [clinic_note(seed) for seed in range(count)]


def mtsamples_notes(limit: int | None = None, path: Path = MTSAMPLES) -> list[str]:
    """Non-empty MTSamples transcriptions in file order (all 2,357 without a limit)."""
    csv.field_size_limit(1 << 30)
    with path.open(encoding="utf-8", newline="") as handle:
        notes = [row["transcription"] for row in csv.DictReader(handle) if row["transcription"]]
    return notes[:limit] if limit else notes


def gold_notes() -> list[tuple[str, str]]:
    """(note id, text) of the hand-labelled gold notes."""
    rows = [json.loads(line) for line in GOLD_NOTES.read_text("utf-8").splitlines() if line]
    return [(row["note_id"], row["text"]) for row in rows]


def negex_rows(path: Path = NEGEX) -> list[tuple[str, int, int]]:
    """(sentence, start, end) of each dev row, the span located as ``bench_extract_negex`` does."""
    rows: list[tuple[str, int, int]] = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t")
        next(reader)
        for record in reader:
            if len(record) >= 6:
                rows.append((record[2], *_locate(record[1], record[2])))
    return rows


def _locate(condition: str, sentence: str) -> tuple[int, int]:
    pattern = re.compile(r"\s+".join(re.escape(t) for t in condition.split()), re.I)
    matches = list(pattern.finditer(sentence))
    if matches:
        upper = [m for m in matches if m.group(0) == m.group(0).upper()]
        chosen = (upper or matches)[0]
        return chosen.start(), chosen.end()
    words = [re.escape(w) for w in re.findall(r"\w+", condition)]
    found = re.compile(r"\W*".join(words), re.I).search(sentence) if words else None
    return (found.start(), found.end()) if found else (0, len(sentence))


def reading_record(reading: TextReading) -> dict[str, object]:
    """Everything ``read_text`` returns, as plain JSON data (labs in insertion order)."""
    return {
        "findings": [finding.model_dump(mode="json") for finding in reading.findings],
        "site_mentions": [mention.model_dump(mode="json") for mention in reading.site_mentions],
        "labs": [[name, repr(value)] for name, value in reading.labs.items()],
        "sections": [dataclasses.asdict(section) for section in reading.sections],
        "algorithm": reading.algorithm,
    }


def digest(record: object) -> str:
    data = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(data.encode()).hexdigest()


def reading_digest(text: str, knowledge: Knowledge) -> str:
    return digest(reading_record(read_text(text, knowledge)))


def qualify_digest(text: str, start: int, end: int) -> str:
    (result,) = qualify(text, [(start, end)])
    return digest(result.to_dict())


def corpora(knowledge: Knowledge) -> Iterator[tuple[str, list[str]]]:
    """(corpus name, digest of each item in order); corpora whose data is absent are skipped."""
    yield "clinic", [reading_digest(note, knowledge) for note in clinic_notes()]
    yield "gold", [reading_digest(text, knowledge) for _, text in gold_notes()]
    if MTSAMPLES.exists():
        notes = mtsamples_notes(MTSAMPLES_NOTES)
        yield "mtsamples", [reading_digest(note, knowledge) for note in notes]
    if NEGEX.exists():
        rows = negex_rows()
        yield "negex_read", [reading_digest(sentence, knowledge) for sentence, _, _ in rows]
        yield "negex_qualify", [qualify_digest(*row) for row in rows]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="record the current digests")
    args = parser.parse_args(argv)
    knowledge = load_knowledge()
    found = dict(corpora(knowledge))
    print(", ".join(f"{name}: {len(items)}" for name, items in found.items()))
    if args.write:
        recorded = {"knowledge": knowledge.hash, "corpora": found}
        FIXTURE.write_text(json.dumps(recorded, indent=1, sort_keys=True) + "\n", "utf-8")
        print(f"wrote {FIXTURE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
