"""Reading speed on all of MTSamples, one core, after warm-up: mbcnav vs medspaCy vs negspacy.

Every system reads every distinct MTSamples note with the same lexicon (all symptom and site
terms of the packaged knowledge base) and reports characters and notes per second after a
warm-up, and its peak resident memory. Each system runs in its own child process pinned to
one CPU, so figures do not mix. Seconds are the process's CPU seconds (``time.process_time``):
on a shared machine wall time also counts other people's work, CPU time does not. Fast systems
take the best of ``--repeat`` passes; the wall time of each pass is printed too.

- mbcnav: ``read_text`` (normalisation, one automaton pass for terms and triggers, sentences,
  sections, context, site mentions, labs).
- medspaCy default pipeline: ``medspacy.load()`` (tokenizer, PyRuSH sentences, TargetMatcher
  with the same terms, ConText), ``nlp.pipe(batch_size=50)``; PyRuSH's DEBUG logging
  (loguru) is switched off, as it would otherwise flood stderr and slow it further.
- negspacy: ``spacy.blank("en")`` + ``sentencizer`` + ``entity_ruler`` (same terms,
  ``phrase_matcher_attr="LOWER"``) + ``negex`` (en_clinical termset).

``--matchers`` also times the matcher choice: the space-padded Aho-Corasick automaton
against one compiled ``re`` alternation with word boundaries, on the same terms and notes.
Peers are optional: ``pip install -e '.[bench]'``.
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing as mp
import os
import re
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

DEFAULT_DATA = Path("/work/shared/data/mtsamples/mtsamples.csv")
WARMUP = 50


def load_notes(path: Path, limit: int | None = None) -> list[str]:
    csv.field_size_limit(1 << 30)
    with path.open(encoding="utf-8", newline="") as handle:
        notes = [row["transcription"] for row in csv.DictReader(handle) if row["transcription"]]
    return notes[:limit] if limit else notes


def lexicon_terms() -> list[tuple[str, str]]:
    from mbcnav.knowledge import load_knowledge

    knowledge = load_knowledge()
    out = [
        (term, symptom.id)
        for symptom in knowledge.symptoms.values()
        for term in symptom.terms.all_terms()
    ]
    out += [(term, site.id) for site in knowledge.sites.values() for term in site.terms.all_terms()]
    return out


def _pin() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _best(passes: int, one_pass: Callable[[], int]) -> tuple[float, int, float]:
    """(best CPU seconds, mentions, wall seconds of that pass) over ``passes`` passes."""
    best = (float("inf"), 0, 0.0)
    for _ in range(passes):
        cpu, wall = time.process_time(), time.perf_counter()
        found = one_pass()
        took = (time.process_time() - cpu, found, time.perf_counter() - wall)
        best = min(best, took)
    return best


def run_mbcnav(notes: list[str], passes: int) -> tuple[float, int, float]:
    from mbcnav.extract import read_text
    from mbcnav.knowledge import load_knowledge

    knowledge = load_knowledge()
    for note in notes[:WARMUP]:
        read_text(note, knowledge)
    return _best(passes, lambda: sum(len(read_text(n, knowledge).findings) for n in notes))


def run_medspacy(notes: list[str], passes: int) -> tuple[float, int, float]:
    import medspacy
    from loguru import logger
    from medspacy.ner import TargetRule

    logger.remove()  # PyRuSH 1.0.13 logs every sentence split at DEBUG; that is not its speed
    nlp = medspacy.load()
    matcher = nlp.get_pipe("medspacy_target_matcher")
    matcher.add([TargetRule(term, ident) for term, ident in lexicon_terms()])
    list(nlp.pipe(notes[:WARMUP], batch_size=50))
    return _best(1, lambda: sum(len(doc.ents) for doc in nlp.pipe(notes, batch_size=50)))


def run_negspacy(notes: list[str], passes: int) -> tuple[float, int, float]:
    import spacy
    from negspacy.negation import Negex  # noqa: F401  (registers the factory)
    from negspacy.termsets import termset

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    ruler.add_patterns([{"label": "FINDING", "pattern": term} for term, _ in lexicon_terms()])
    nlp.add_pipe("negex", config={"neg_termset": termset("en_clinical").get_patterns()})
    list(nlp.pipe(notes[:WARMUP], batch_size=50))
    return _best(passes, lambda: sum(len(doc.ents) for doc in nlp.pipe(notes, batch_size=50)))


def run_matchers(notes: list[str], passes: int) -> tuple[float, int, float]:
    """Print the matcher comparison; returns the automaton's time."""
    from mbcnav.extract.matcher import PhraseMatcher
    from mbcnav.extract.normalize import fold_phrase, fold_text

    terms = lexicon_terms()
    automaton = PhraseMatcher(terms)
    ac_seconds, hits, ac_wall = _best(
        passes, lambda: sum(len(automaton.find(fold_text(note))) for note in notes)
    )
    keys = sorted({fold_phrase(t) for t, _ in terms}, key=len, reverse=True)
    alternation = re.compile(
        r"\b(?:" + "|".join(r"\s+".join(map(re.escape, k.split())) for k in keys) + r")\b", re.I
    )
    re_seconds, regex_hits, _ = _best(1, lambda: sum(len(alternation.findall(n)) for n in notes))
    chars = sum(map(len, notes))
    print(
        f"matcher  aho-corasick(space-padded) {chars / ac_seconds / 1e6:7.2f} M chars/s "
        f"({hits} hits, overlapping) | re alternation \\b "
        f"{chars / re_seconds / 1e6:7.2f} M chars/s "
        f"({regex_hits} hits, leftmost only) | {len(keys)} terms"
    )
    return ac_seconds, hits, ac_wall


SYSTEMS = {
    "mbcnav": run_mbcnav,
    "medspacy": run_medspacy,
    "negspacy": run_negspacy,
    "matchers": run_matchers,
}


def _child(name: str, path: str, limit: int | None, passes: int, queue: mp.Queue) -> None:  # type: ignore[type-arg]
    _pin()
    notes = load_notes(Path(path), limit)
    try:
        seconds, found, wall = SYSTEMS[name](notes, passes)
    except ImportError as exc:
        queue.put((name, None, str(exc)))
        return
    queue.put((name, (seconds, found, len(notes), sum(map(len, notes)), _peak_mb(), wall), ""))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--systems", default="mbcnav,medspacy,negspacy")
    parser.add_argument("--limit", type=int, default=None, help="first N notes only")
    parser.add_argument("--matchers", action="store_true", help="also compare matchers")
    parser.add_argument("--repeat", type=int, default=3, help="passes for fast systems")
    args = parser.parse_args(argv)
    names = args.systems.split(",") + (["matchers"] if args.matchers else [])
    context = mp.get_context("spawn")
    results: dict[str, float] = {}
    for name in names:
        queue = context.Queue()
        child = context.Process(
            target=_child, args=(name, str(args.data), args.limit, args.repeat, queue)
        )
        child.start()
        label, figures, error = queue.get()
        child.join()
        if figures is None:
            print(f"{label:9s} skipped: {error} (install the 'bench' extra)")
            continue
        seconds, found, count, chars, peak, wall = figures
        results[name] = chars / seconds
        if name == "matchers":
            continue
        print(
            f"{label:9s} {count} notes {chars / 1e6:.2f} M chars in {seconds:7.2f} CPU s "
            f"(wall {wall:7.2f} s): {chars / seconds:12,.0f} chars/s {count / seconds:9,.1f} "
            f"notes/s peak RSS {peak:6.0f} MB ({found} mentions)",
            flush=True,
        )
    if "mbcnav" in results:
        for peer in ("medspacy", "negspacy"):
            if peer in results:
                print(f"mbcnav / {peer}: {results['mbcnav'] / results[peer]:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
