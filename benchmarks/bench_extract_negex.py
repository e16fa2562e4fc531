"""Negation, historical and hypothetical accuracy on the NegEx/ConText dev rows, side by side.

mbcnav (``qualify``), medspaCy ConText, negspacy and the issue's baseline regex (a negation
word earlier in the sentence), on the same rows, with the protocol of
``shared/data/negex/README.md``: each condition is mapped to a character span of its sentence
(tokens joined by ``\\s+``, case-insensitive, the UPPER-CASE occurrence preferred), given as the
only target, and scored with Negated / Historical / "Not particular" as the positive class.
"Clean" rows: the span was found exactly and the target holds no negation word itself.

medspaCy: ``spacy.blank("en")`` plus the ``medspacy_context`` component with its default rules,
each row one sentence, the gold span as the only entity (no TargetMatcher). negspacy:
``spacy.blank("en")`` + ``sentencizer`` + ``negex`` with the ``en_clinical`` termset, the gold
span as the only entity. Peers are optional: install with ``pip install -e '.[bench]'``.

Usage: python benchmarks/bench_extract_negex.py [--data dev.tsv] [--errors mbcnav]
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from mbcnav.extract import qualify

DEFAULT_DATA = Path("/work/shared/data/negex/dev.tsv")
NEGATION_WORDS = re.compile(r"\b(?:no|not|without|negative|denies|absent|free of)\b", re.I)


@dataclass(frozen=True)
class Row:
    condition: str
    sentence: str
    start: int
    end: int
    exact: bool
    negated: bool
    historical: bool
    hypothetical: bool

    @property
    def clean(self) -> bool:
        return self.exact and NEGATION_WORDS.search(self.sentence[self.start : self.end]) is None


@dataclass(frozen=True)
class Prediction:
    negated: bool
    historical: bool
    hypothetical: bool


def locate(condition: str, sentence: str) -> tuple[int, int, bool]:
    """The protocol's span: tokens joined by \\s+, prefer the UPPER-CASE occurrence."""
    tokens = condition.split()
    pattern = re.compile(r"\s+".join(re.escape(t) for t in tokens), re.I)
    matches = list(pattern.finditer(sentence))
    if matches:
        upper = [m for m in matches if m.group(0) == m.group(0).upper()]
        chosen = (upper or matches)[0]
        return chosen.start(), chosen.end(), True
    words = [re.escape(w) for w in re.findall(r"\w+", condition)]
    loose = re.compile(r"\W*".join(words), re.I) if words else None
    found = loose.search(sentence) if loose else None
    if found:
        return found.start(), found.end(), False
    return 0, len(sentence), False


def load_rows(path: Path) -> list[Row]:
    rows: list[Row] = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t")
        next(reader)
        for record in reader:
            if len(record) < 6:
                continue
            _, condition, sentence, negation, temporality, _experiencer = record[:6]
            start, end, exact = locate(condition, sentence)
            rows.append(
                Row(
                    condition,
                    sentence,
                    start,
                    end,
                    exact,
                    negation.strip().lower() == "negated",
                    temporality.strip().lower() == "historical",
                    temporality.strip().lower() == "not particular",
                )
            )
    return rows


def run_mbcnav(rows: list[Row]) -> list[Prediction]:
    out = []
    for row in rows:
        (result,) = qualify(row.sentence, [(row.start, row.end)])
        out.append(Prediction(result.negated, result.historical, result.hypothetical))
    return out


def run_medspacy(rows: list[Row]) -> list[Prediction]:
    import medspacy  # noqa: F401  (registers the factories)
    import spacy

    nlp = spacy.blank("en")
    context = nlp.add_pipe("medspacy_context")
    out = []
    for row in rows:
        doc = nlp.make_doc(row.sentence)
        for index, token in enumerate(doc):  # the row is one sentence
            token.is_sent_start = index == 0
        span = doc.char_span(row.start, row.end, label="CONDITION", alignment_mode="expand")
        if span is None:
            out.append(Prediction(False, False, False))
            continue
        doc.ents = [span]
        doc = context(doc)
        ent = doc.ents[0]
        out.append(Prediction(ent._.is_negated, ent._.is_historical, ent._.is_hypothetical))
    return out


def run_negspacy(rows: list[Row]) -> list[Prediction]:
    import spacy
    from negspacy.negation import Negex  # noqa: F401  (registers the factory)
    from negspacy.termsets import termset

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    negex = nlp.add_pipe(
        "negex",
        config={"neg_termset": termset("en_clinical").get_patterns(), "ent_types": ["CONDITION"]},
    )
    out = []
    for row in rows:
        doc = nlp(row.sentence)
        span = doc.char_span(row.start, row.end, label="CONDITION", alignment_mode="expand")
        if span is None:
            out.append(Prediction(False, False, False))
            continue
        doc.ents = [span]
        doc = negex(doc)
        out.append(Prediction(doc.ents[0]._.negex, False, False))
    return out


def run_regex(rows: list[Row]) -> list[Prediction]:
    """The issue's baseline: a negation word anywhere earlier in the sentence."""
    return [
        Prediction(NEGATION_WORDS.search(r.sentence[: r.start]) is not None, False, False)
        for r in rows
    ]


SYSTEMS: dict[str, Callable[[list[Row]], list[Prediction]]] = {
    "regex": run_regex,
    "mbcnav": run_mbcnav,
    "medspacy": run_medspacy,
    "negspacy": run_negspacy,
}


def score(pairs: Iterator[tuple[bool, bool]]) -> tuple[int, int, int, int, float, float, float]:
    tp = fp = fn = tn = 0
    for gold, pred in pairs:
        tp += gold and pred
        fp += pred and not gold
        fn += gold and not pred
        tn += not gold and not pred
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return tp, fp, fn, tn, precision, recall, f1


def report(name: str, rows: list[Row], preds: list[Prediction], seconds: float) -> None:
    clean = [i for i, r in enumerate(rows) if r.clean]
    lines = [
        ("negation, all rows", ((r.negated, p.negated) for r, p in zip(rows, preds, strict=True))),
        ("negation, clean rows", ((rows[i].negated, preds[i].negated) for i in clean)),
        ("historical", ((r.historical, p.historical) for r, p in zip(rows, preds, strict=True))),
        (
            "hypothetical",
            ((r.hypothetical, p.hypothetical) for r, p in zip(rows, preds, strict=True)),
        ),
    ]
    for label, pairs in lines:
        tp, fp, fn, tn, precision, recall, f1 = score(pairs)
        if name in {"negspacy", "regex"} and label in {"historical", "hypothetical"}:
            print(f"{name:9s} {label:21s} (not supported)")
            continue
        print(
            f"{name:9s} {label:21s} n={tp + fp + fn + tn:5d} TP={tp:4d} FP={fp:3d} FN={fn:3d} "
            f"P={precision:.3f} R={recall:.3f} F1={f1:.3f}"
        )
    print(f"{name:9s} time {seconds:.2f} s for {len(rows)} rows")


def print_errors(rows: list[Row], preds: list[Prediction], what: str) -> None:
    for row, pred in zip(rows, preds, strict=True):
        gold, got = getattr(row, what), getattr(pred, what)
        if gold != got:
            marked = row.sentence[: row.start] + "[[" + row.sentence[row.start : row.end] + "]]"
            marked += row.sentence[row.end :]
            print(f"{'FN' if gold else 'FP'} {what}: {marked}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--systems", default="regex,mbcnav,medspacy,negspacy")
    parser.add_argument("--errors", default="", help="print mbcnav errors: negated,historical,…")
    args = parser.parse_args(argv)
    rows = load_rows(args.data)
    exact, clean = sum(r.exact for r in rows), sum(r.clean for r in rows)
    print(f"{args.data.name}: {len(rows)} rows, {exact} exact spans, {clean} clean")
    for name in args.systems.split(","):
        try:
            started = time.perf_counter()
            preds = SYSTEMS[name](rows)
            seconds = time.perf_counter() - started
        except ImportError as exc:
            print(f"{name:9s} skipped: {exc} (install the 'bench' extra)")
            continue
        report(name, rows, preds, seconds)
        if name == "mbcnav" and args.errors:
            for what in args.errors.split(","):
                print_errors(rows, preds, what)
    return 0


if __name__ == "__main__":
    sys.exit(main())
