"""The hand-labelled MTSamples gold set: loading, span resolution and scoring.

Used by ``test_extract_gold.py`` (floors) and ``benchmarks/bench_extract_gold.py`` (figures).
Labels are lines ``note_id | sym|site | surface | nth | id | qualifiers-or-status``; the span is
the nth case-sensitive occurrence of the surface in the note (see LABELLING.md).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from mbcnav.extract import read_text
from mbcnav.knowledge import Knowledge

GOLD_DIR = Path(__file__).resolve().parents[1] / "data" / "gold"
QUALIFIERS = ("negated", "historical", "hypothetical", "family", "uncertain")
STATUSES = ("known", "suspected", "negated", "historical")


@dataclass(frozen=True)
class Gold:
    note_id: str
    kind: str  # "sym" or "site"
    ident: str
    start: int
    end: int
    flags: frozenset[str]  # qualifiers for sym, {status} for site


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, gold: bool, got: bool) -> None:
        self.tp += gold and got
        self.fp += got and not gold
        self.fn += gold and not got

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def line(self, label: str) -> str:
        return (
            f"{label:22s} TP={self.tp:4d} FP={self.fp:4d} FN={self.fn:4d} "
            f"P={self.precision:.3f} R={self.recall:.3f}"
        )


@dataclass
class Score:
    notes: int = 0
    gold_symptoms: int = 0
    gold_sites: int = 0
    symptoms: Counts = field(default_factory=Counts)
    sites: Counts = field(default_factory=Counts)
    qualifiers: dict[str, Counts] = field(default_factory=lambda: {q: Counts() for q in QUALIFIERS})
    statuses: dict[str, Counts] = field(default_factory=lambda: {s: Counts() for s in STATUSES})
    misses: list[str] = field(default_factory=list)


def load_notes(directory: Path = GOLD_DIR) -> dict[str, str]:
    lines = (directory / "mtsamples_notes.jsonl").read_text(encoding="utf-8").splitlines()
    return {row["note_id"]: row["text"] for row in map(json.loads, lines) if row}


def _nth(text: str, surface: str, nth: int) -> int:
    start = -1
    for _ in range(nth):
        start = text.find(surface, start + 1)
        if start < 0:
            raise ValueError(f"occurrence {nth} of {surface!r} not found")
    return start


def load_gold(notes: dict[str, str], directory: Path = GOLD_DIR) -> list[Gold]:
    out = []
    for raw in (directory / "mtsamples_labels.txt").read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        note_id, kind, surface, nth, ident, flags = (part.strip() for part in raw.split("|"))
        start = _nth(notes[note_id], surface, int(nth))
        tags = frozenset() if flags == "-" else frozenset(flags.split(","))
        out.append(Gold(note_id, kind, ident, start, start + len(surface), tags))
    return out


def _match(
    gold: list[Gold], got: list[tuple[str, int, int, frozenset[str]]]
) -> list[tuple[Gold | None, tuple[str, int, int, frozenset[str]] | None]]:
    """One-to-one pairs by id and overlapping span; the unmatched are paired with None."""
    pairs: list[tuple[Gold | None, tuple[str, int, int, frozenset[str]] | None]] = []
    free = list(got)
    for item in gold:
        hit = next(
            (g for g in free if g[0] == item.ident and g[1] < item.end and item.start < g[2]), None
        )
        if hit is not None:
            free.remove(hit)
        pairs.append((item, hit))
    pairs.extend((None, g) for g in free)
    return pairs


def labelled_symptoms(directory: Path = GOLD_DIR) -> frozenset[str]:
    """The symptom ids the labels cover: a finding added to the knowledge later ("fever") is
    neither a hit nor a false positive until the notes are labelled for it."""
    lines = (directory / "labelled_symptoms.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def score(knowledge: Knowledge, directory: Path = GOLD_DIR) -> Score:
    notes = load_notes(directory)
    gold = load_gold(notes, directory)
    labelled = labelled_symptoms(directory)
    result = Score(notes=len(notes))
    for note_id, text in notes.items():
        reading = read_text(text, knowledge)
        symptoms = [
            (
                f.id,
                f.start or 0,
                f.end or 0,
                frozenset(q for q in QUALIFIERS if getattr(f.qualifiers, q)),
            )
            for f in reading.findings
            # Context findings (treatment, onset) are not symptoms; the set labels symptoms,
            # and only those it was labelled for.
            if f.id in labelled and knowledge.symptoms[f.id].in_network
        ]
        sites = [(m.site, m.start, m.end, frozenset({m.status})) for m in reading.site_mentions]
        mine = [g for g in gold if g.note_id == note_id]
        _tally(
            result,
            text,
            [g for g in mine if g.kind == "sym"],
            symptoms,
            result.symptoms,
            result.qualifiers,
            QUALIFIERS,
        )
        _tally(
            result,
            text,
            [g for g in mine if g.kind == "site"],
            sites,
            result.sites,
            result.statuses,
            STATUSES,
        )
    result.gold_symptoms = sum(g.kind == "sym" for g in gold)
    result.gold_sites = sum(g.kind == "site" for g in gold)
    return result


def _tally(
    result: Score,
    text: str,
    gold: list[Gold],
    got: list[tuple[str, int, int, frozenset[str]]],
    detection: Counts,
    per_tag: dict[str, Counts],
    tags: Iterable[str],
) -> None:
    for item, hit in _match(gold, got):
        detection.add(item is not None, hit is not None)
        if item is None and hit is not None:
            result.misses.append(f"FP {hit[0]} {text[hit[1] : hit[2]]!r}")
        elif item is not None and hit is None:
            result.misses.append(f"FN {item.ident} {text[item.start : item.end]!r}")
        if item is not None and hit is not None:
            for tag in tags:
                per_tag[tag].add(tag in item.flags, tag in hit[3])


def report(result: Score) -> list[str]:
    lines = [
        f"gold: {result.notes} notes, {result.gold_symptoms} symptom mentions, "
        f"{result.gold_sites} site mentions",
        result.symptoms.line("symptom detection"),
    ]
    lines += [c.line(f"  qualifier {q}") for q, c in result.qualifiers.items()]
    lines.append(result.sites.line("site detection"))
    lines += [c.line(f"  status {s}") for s, c in result.statuses.items()]
    return lines
