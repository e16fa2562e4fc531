"""Span overlap sets answer as a walk over every span would (``extract/spans.py``)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from mbcnav.extract.spans import SpanSet, Taken

SPAN = st.tuples(st.integers(0, 40), st.integers(0, 12)).map(lambda p: (p[0], p[0] + p[1]))
NON_EMPTY = SPAN.filter(lambda span: span[0] < span[1])


def _walk(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in spans)


@settings(max_examples=300, deadline=None)
@given(spans=st.lists(SPAN, max_size=12), query=SPAN)
def test_span_set_is_the_walk(spans: list[tuple[int, int]], query: tuple[int, int]) -> None:
    assert SpanSet(spans).overlaps(*query) == _walk(spans, *query)


@settings(max_examples=300, deadline=None)
@given(
    added=st.lists(st.tuples(st.sampled_from("ab"), NON_EMPTY), max_size=12),
    key=st.sampled_from("ab"),
    query=NON_EMPTY,
)
def test_taken_is_the_walk_over_what_was_added(
    added: list[tuple[str, tuple[int, int]]], key: str, query: tuple[int, int]
) -> None:
    taken = Taken()
    for name, (start, end) in added:
        taken.add(name, start, end)
    assert taken.overlaps(key, *query) == _walk([s for k, s in added if k == key], *query)
