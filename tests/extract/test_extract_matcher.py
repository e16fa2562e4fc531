"""The automaton agrees with a naive matcher; rules and lexicon compile as data."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mbcnav.errors import KnowledgeError
from mbcnav.extract.matcher import PhraseMatcher
from mbcnav.extract.normalize import fold, fold_text
from mbcnav.extract.rules import default_rules, parse_rules

VOCABULARY = ["a", "b", "ab", "ba", "abc", "é", "ß", "x1", "İ"]
SEPARATORS = [" ", "  ", ", ", ".", "-", "/", "\n", "\x00", "'"]
PHRASE = st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=3).map(" ".join)


def naive(text: str, phrases: list[str]) -> set[tuple[int, int, str]]:
    """Token by token: a phrase matches consecutive whole words, any separators between."""
    tokens = [(m.start(), m.end(), m.group(0)) for m in re.finditer(r"[^\W_]+", fold(text))]
    out = set()
    for phrase in phrases:
        words = phrase.split()
        folded_words = [fold(w) for w in words]
        for i in range(len(tokens) - len(words) + 1):
            window = tokens[i : i + len(words)]
            if [t[2] for t in window] == folded_words:
                out.add((window[0][0], window[-1][1], phrase))
    return out


@settings(max_examples=200, deadline=None)
@given(
    phrases=st.lists(PHRASE, min_size=1, max_size=6, unique=True),
    pieces=st.lists(
        st.tuples(st.sampled_from(VOCABULARY), st.sampled_from(SEPARATORS)), max_size=30
    ),
    case=st.sampled_from([str.lower, str.upper, str.title]),
)
def test_automaton_agrees_with_naive(
    phrases: list[str], pieces: list[tuple[str, str]], case: object
) -> None:
    text = "".join(case(w) + s for w, s in pieces)  # type: ignore[operator]
    matcher = PhraseMatcher((p, p) for p in phrases)
    folded = fold_text(text)
    fast = {
        (*folded.span(start, end), payload)
        for start, end, payloads in matcher.find(folded)
        for payload in payloads
    }
    # phrases that fold to the same key share payloads: compare by folded key
    key = {p: " ".join(fold(w) for w in p.split()) for p in phrases}
    expected = {
        (s, e, p2) for s, e, p in naive(text, phrases) for p2 in phrases if key[p2] == key[p]
    }
    assert fast == expected


def test_fold_keeps_length_and_maps_offsets_back() -> None:
    text = "Straße  İstanbul\x00\udcff N/V,,  ok"
    assert len(fold(text)) == len(text)
    folded = fold_text(text)
    collapsed = folded.padded[1:-1]
    assert "  " not in collapsed
    for match in re.finditer(r"\S+", collapsed):
        start, end = folded.span(match.start(), match.end())
        assert fold(text[start:end]) == match.group(0)


def test_packaged_rules_cite_their_sources() -> None:
    rules = default_rules()
    known = {source.id for source in rules.sources}
    assert {"negex_2001", "context_2009"} <= known
    assert all(group.sources for group in rules.groups)


def test_rules_reject_unknown_keys() -> None:
    raw = {
        "sources": [{"id": "x", "citation": "y"}],
        "groups": [
            {
                "name": "g",
                "direction": "forward",
                "category": "negated",
                "phrases": ["no"],
                "sources": ["x"],
                "windw": 3,
            }
        ],
        "sections": {"sources": ["x"], "kinds": []},
    }
    with pytest.raises(KnowledgeError) as caught:
        parse_rules(raw)
    assert caught.value.code == "MBC-E202"


def test_rules_reject_unknown_sources() -> None:
    raw = {
        "sources": [{"id": "x", "citation": "y"}],
        "groups": [
            {
                "name": "g",
                "direction": "forward",
                "category": "negated",
                "phrases": ["no"],
                "sources": ["nowhere"],
            }
        ],
        "sections": {"sources": ["x"], "kinds": []},
    }
    with pytest.raises(KnowledgeError):
        parse_rules(raw)


@pytest.mark.parametrize(("pattern", "source"), [("(", "x"), (r"\?", "nowhere")])
def test_rules_reject_bad_marks(pattern: str, source: str) -> None:
    raw = {
        "sources": [{"id": "x", "citation": "y"}],
        "groups": [],
        "marks": [
            {
                "name": "m",
                "pattern": pattern,
                "direction": "forward",
                "category": "uncertain",
                "sources": [source],
            }
        ],
        "sections": {"sources": ["x"], "kinds": []},
    }
    with pytest.raises(KnowledgeError) as caught:
        parse_rules(raw)
    assert caught.value.code == "MBC-E202"


@pytest.mark.parametrize(
    ("mark", "valid"),
    [
        ({"direction": "terminate", "terminates": ["negated"]}, True),
        ({"direction": "terminate"}, False),  # ends nothing
        ({"direction": "forward"}, False),  # sets nothing
        ({"direction": "forward", "category": "uncertain"}, True),
    ],
)
def test_marks_either_set_a_category_or_end_scopes(mark: dict[str, object], valid: bool) -> None:
    raw = {
        "sources": [{"id": "x", "citation": "y"}],
        "groups": [],
        "marks": [{"name": "m", "pattern": ";", "sources": ["x"], **mark}],
        "sections": {"sources": ["x"], "kinds": []},
    }
    if valid:
        assert parse_rules(raw).marks[0].direction == mark["direction"]
    else:
        with pytest.raises(KnowledgeError) as caught:
            parse_rules(raw)
        assert caught.value.code == "MBC-E202"
