"""The reader's linear-time paths give the answers of the plain definitions they replace.

Long sentences are read through an index of their cues, long gaps counted through an index of
the text's words, runs of stops tried once: each is compared, on generated text, with the
straightforward version (``test_extract_fast_paths`` keeps those as specifications), with the
index forced on for every sentence and every gap.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_extract_fast_paths import _ONE_LOOKBEHIND_EACH, TEXT, _reference_qualify

from mbcnav.extract import context, qualify, words
from mbcnav.extract.sentences import _BOUNDARY
from mbcnav.extract.words import WordIndex

SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
RUNS = st.text(alphabet=".?!.?,;: \t\n\"')]([-*AaTgeDr1\u2022", max_size=60)


@SETTINGS
@given(text=st.one_of(RUNS, TEXT))
def test_runs_of_stops_split_as_the_backtracking_pattern(text: str) -> None:
    assert [m.end() for m in _BOUNDARY.finditer(text)] == [
        m.end() for m in _ONE_LOOKBEHIND_EACH.finditer(text)
    ]


@SETTINGS
@given(text=st.one_of(TEXT, st.text(max_size=80)), data=st.data())
def test_word_counts_from_the_index_are_the_regex_counts(
    text: str, data: st.DataObject, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(words, "DIRECT_LIMIT", -1)
    index = WordIndex(text)
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    count = len(re.findall(r"[^\W_]+", text[start:end]))
    assert index.count(start, end) == count
    budget = data.draw(st.integers(0, 5))
    low, high = index.back_to(end, budget), index.on_to(start, budget)
    assert index.count(low, end) <= budget and (low == 0 or index.count(low - 1, end) > budget)
    assert index.count(start, high) <= budget
    assert high == len(text) or index.count(start, high + 1) > budget


@SETTINGS
@given(text=st.lists(TEXT, min_size=1, max_size=4).map(" , ".join), data=st.data())
def test_indexed_sentences_qualify_as_the_engine_as_first_written(
    text: str, data: st.DataObject, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every sentence indexed, every gap counted from the word index."""
    monkeypatch.setattr(context, "SCAN_LIMIT", 0)
    monkeypatch.setattr(words, "DIRECT_LIMIT", -1)
    spans = [m.span() for m in re.finditer(r"[^\W_]+(?: [^\W_]+)?", text)]
    for _ in range(3):
        start = data.draw(st.integers(0, len(text)))
        spans.append((start, data.draw(st.integers(start, len(text)))))
    assert qualify(text, spans) == [_reference_qualify(text, *span) for span in spans]
