"""Texts built to make a reader slow, and a CPU-time measure of what reading them costs.

Each generator repeats a short unit to a given length: a reader whose work on one part of the
text depends on how much of the rest is like it (a regex backtracking over a run, pairing every
cue with every site word, a window the size of the sentence) costs time quadratic in such text.
The same units, drawn at random, feed the property test (``test_linear_cost.py``); the named
ones are the field test's reproductions (``shared/reference/field-test-2026-12.md``) and their
kin, and ``benchmarks/bench_adversarial_text.py`` prints the figures for each.

Cost is CPU seconds of this process (``time.process_time``): on a shared machine wall time also
counts other people's work. The best of a few runs is taken, after a collection, so a garbage
collection triggered by an earlier test is not charged to this one.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from functools import partial

from clinic_notes import clinic_note

PREFIX = "back pain "
"""A symptom first, so every reader path (sentences, context, sections) runs on the text."""


def repeat(unit: str, length: int, prefix: str = PREFIX) -> str:
    """``prefix`` then ``unit`` repeated, cut to exactly ``length`` characters."""
    body = unit * (max(length - len(prefix), 0) // max(len(unit), 1) + 1)
    return (prefix + body)[:length]


def ordinary(length: int) -> str:
    """A dense follow-up note of ``length`` characters (the regression nets' workload)."""
    return clinic_note(7, length)


UNITS: dict[str, str] = {
    # field-test reproductions
    "dots": ".",
    "question_marks": "?",
    "no_evidence_of_metastases": "no evidence of liver or lung or bone or brain metastases; ",
    "bone_mets_query": "bone mets? ",
    # runs of punctuation and space
    "mixed_stops": ".?!",
    "semicolons": ";",
    "stop_space_lower": ". x",
    "stop_then_spaces": ". " + " " * 200 + "x",
    "newline_spaces": "\n" + " \t" * 100 + "x",
    "query_spaces": "?" + " " * 200 + "1",
    "commas": ",",
    "colons": ":",
    "headings": "PAST MEDICAL HISTORY: ",
    "title_dots": "Dr.. ",
    # long tokens and numbers
    "long_token": "a",
    "digits": "7",
    "lab_number_run": "calcium 2." + "1" * 300 + "% ",
    "lab_fillers": "calcium is of at - ",
    # cue phrases, site words and their pairings
    "negation_list": "no headache, ",
    "denies_then_sites": "denies liver, lung, bone, brain, ",
    "spread_cues": "metastatic to the liver and bone and lung ",
    "suggestive_confirm": "lytic lesion not consistent with metastases, ",
    "imaging_tests": "bone scan negative, MRI brain normal, CT chest showed metastases, ",
    "history_sites": "history of bone metastases and ",
    "spine_words": "lytic lesion in T10 vertebra ",
    "query_sites": "?liver mets ?bone mets ",
    # text that is not English
    "unicode": "İß\u0301\u200d\u202e\U0001f600乳腺癌ﬁ ",
}


def _one_long_number(length: int) -> str:
    """A lab name, then one number as long as the text, then "%" (a percentage, not a value)."""
    head = PREFIX + "calcium 2."
    return head + "1" * max(length - len(head) - 1, 0) + "%"


TEXTS: dict[str, Callable[[int], str]] = {
    **{name: partial(repeat, unit) for name, unit in UNITS.items()},
    "lab_one_long_number": _one_long_number,
}
"""Every named adversarial text, by the length wanted."""


def cpu_cost(work: Callable[[], object], runs: int = 3, give_up: float | None = None) -> float:
    """Best CPU seconds of ``runs`` calls; stops after one call that takes over ``give_up``."""
    best = float("inf")
    for _ in range(runs):
        gc.collect()
        start = time.process_time()
        work()
        spent = time.process_time() - start
        best = min(best, spent)
        if give_up is not None and spent > give_up:
            break
    return best


__all__ = ["PREFIX", "TEXTS", "UNITS", "cpu_cost", "ordinary", "repeat"]
