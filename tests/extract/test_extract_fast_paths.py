"""The reader's fast paths agree with the plain definitions they replace, on generated text.

Each fast path (byte-table folding, the split-built offset map, grouped title lookbehinds,
list numbers found from ")", possessive heading labels, sentence cues without resolution,
compiled trigger reach, the one-field lab range check) is compared with a straightforward
version of the same rule, kept here as its specification.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from operator import itemgetter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mbcnav.extract import qualify
from mbcnav.extract.context import (
    CueHit,
    QualifierResult,
    ReachCue,
    asides_and_causes,
    heading_cues,
    reach_of,
    resolve_cues,
    sentence_cues,
)
from mbcnav.extract.labs import _in_range
from mbcnav.extract.lexicon import trigger_matcher
from mbcnav.extract.normalize import _FOLD, fold, fold_text
from mbcnav.extract.reader import _engine, _scan
from mbcnav.extract.rules import CATEGORIES, Category, Rule
from mbcnav.extract.sections import LABEL_REACH, _headings, _opens
from mbcnav.extract.sentences import (
    _BOUNDARY,
    _STOP_BOUNDARY,
    _list_numbers,
    sentence_of,
    sentence_starts,
)
from mbcnav.extract.words import WordIndex
from mbcnav.types import Labs, Trigger

SETTINGS = settings(max_examples=150, deadline=None)

PIECES = st.sampled_from(
    [
        "no",
        "not",
        "No",
        "denies",
        "no evidence of",
        "not only",
        "has not been",
        "history of",
        "her husband",
        "husband",
        "mother",
        "if",
        "but",
        "resolved",
        "possible",
        "negative",
        "cannot rule out",
        "?",
        "pain",
        "back pain",
        "fever",
        "cough",
        "Dr.",
        "e.g.",
        "Mrs.",
        "No.",
        "2)",
        "12)",
        "FAMILY HISTORY:",
        "Plan:",
        "Extremities:",
        "HEENT:",
        ".",
        ",",
        ";",
        "\n",
        "\n\n",
        "  ",
        "-",
        "é",
        # the once-per-sentence adjustments: brackets, negated causes, past years, headings
        "(",
        ")",
        "[",
        "]",
        "is not",
        "wasn't",
        "due to",
        "from",
        "in 2010",
        "in 2019",
        "HEADACHE HISTORY:",
    ]
)
TEXT = st.lists(PIECES, max_size=40).map(" ".join)
ASCII = st.text(alphabet=st.characters(max_codepoint=127), max_size=200)


# ---------------------------------------------------------------- folding and offsets


@SETTINGS
@given(text=ASCII)
def test_byte_fold_is_the_table_fold(text: str) -> None:
    assert fold(text) == text.translate(_FOLD)


def _reference_fold_text(text: str) -> tuple[str, list[int]]:
    """The collapsed text and, per collapsed position, its original offset (space runs kept
    as their first space)."""
    folded = text.translate(_FOLD)
    collapsed, origin = [], []
    for index, char in enumerate(folded):
        if char == " " and index and folded[index - 1] == " ":
            continue
        collapsed.append(char)
        origin.append(index)
    return "".join(collapsed), origin


@SETTINGS
@given(text=st.one_of(TEXT, ASCII, st.text(max_size=80)))
def test_offset_map_takes_every_word_back(text: str) -> None:
    folded = fold_text(text)
    collapsed, origin = _reference_fold_text(text)
    assert folded.padded == f" {collapsed} "
    for pos, char in enumerate(collapsed):
        if char != " ":
            assert folded.to_original(pos) == origin[pos]


# ---------------------------------------------------------------- sentences and sections

_TITLES = ("Dr", "DR", "Mr", "MR", "Ms", "MS", "Mrs", "MRS", "vs", "St", "No", "NO", "Fig")
_ONE_LOOKBEHIND_EACH = re.compile(
    r"[.!?\n](?:"
    r"(?<=[.!?])(?<!\s\?)(?<!^\?)"
    + "".join(rf"(?<!\b{title}\.)" for title in _TITLES)
    + r"(?<!\be\.g\.)(?<!\bi\.e\.)"
    r"[.!?]*[\"')\]]*(?:\s+,?\s*|,\s*)"
    r"(?=[\"'(\[]?[A-Z0-9\u2022*-]|\?[ \t]*[^\W\d_])"
    r"|(?<=\n)[ \t]*\n\s*"
    r"|(?<=\n)(?=[ \t]*(?:[-\u2022*]|\d{1,2}[.)]\s|[A-Z]))"
    r")"
)
_LIST_NUMBER = re.compile(r"\s(?=\d{1,2}\)\s)")
_BACKTRACKING_LABEL = re.compile(
    r"(?<![A-Za-z0-9])[A-Za-z][A-Za-z0-9/&()'-]*(?: [A-Za-z0-9/&()'-]+){0,7}[ \t,]*\Z"
)


@SETTINGS
@given(text=TEXT)
def test_sentence_boundaries_are_the_one_lookbehind_per_title_pattern(text: str) -> None:
    assert [m.end() for m in _BOUNDARY.finditer(text)] == [
        m.end() for m in _ONE_LOOKBEHIND_EACH.finditer(text)
    ]
    assert _list_numbers(text) == [m.end() for m in _LIST_NUMBER.finditer(text)]


STOPS_ONLY = st.one_of(TEXT, st.text(alphabet=" .,;:)(AaZz19\"'-\t")).map(
    lambda text: text.replace("\n", " ").replace("?", "").replace("!", "")
)


@SETTINGS
@given(text=STOPS_ONLY)
def test_a_text_whose_only_marks_are_full_stops_splits_as_with_every_mark(text: str) -> None:
    """The literal-first pattern used when a text has no "!", "?" or line break gives the
    boundaries of the full pattern."""
    assert [m.end() for m in _STOP_BOUNDARY.finditer(text)] == [
        m.end() for m in _BOUNDARY.finditer(text)
    ]
    assert sentence_starts(text) == sorted(
        {0, *(m.end() for m in _BOUNDARY.finditer(text)), *_list_numbers(text)}
    )


def test_list_numbers_at_the_start_and_after_line_breaks() -> None:
    text = "1) a\n2) b 12) c\t3)\td 123) e (4) f"
    assert _list_numbers(text) == [m.end() for m in _LIST_NUMBER.finditer(text)] == [5, 10, 16]


def _reference_headings(text: str) -> list[tuple[int, int, str]]:
    out = []
    for colon in re.finditer(r":(?![0-9])", text):
        pos = colon.start()
        match = _BACKTRACKING_LABEL.search(text, max(0, pos - LABEL_REACH), pos)
        if match is None:
            continue
        label = match.group(0).rstrip(" \t,")
        if label and _opens(text, match.start()):
            out.append((match.start(), colon.end(), label))
    return out


LABEL_TEXT = st.lists(
    st.sampled_from(
        ["A", "bc", "HISTORY", "x/y", "(z)", "it's", "-", " ", "  ", "\t", ",", ":", "."]
    ),
    max_size=60,
).map("".join)


@SETTINGS
@given(text=st.one_of(TEXT, LABEL_TEXT))
def test_heading_labels_are_the_backtracking_search(text: str) -> None:
    assert _headings(text) == _reference_headings(text)


# ---------------------------------------------------------------- context


def _reach(rules: tuple[Rule, ...]) -> tuple[frozenset[object], ...]:
    forward = {
        (r.category, r.max_tokens) for r in rules if r.direction in ("forward", "bidirectional")
    }
    backward = {
        (r.category, r.max_tokens) for r in rules if r.direction in ("backward", "bidirectional")
    }
    ends = frozenset().union(*(r.terminates for r in rules if r.direction == "terminate"))
    return frozenset(forward), frozenset(backward), ends


def _trigger_hits(text: str) -> list[CueHit]:
    hits = _scan(text, fold_text(text), trigger_matcher()).cues
    _engine(text, hits)  # adds the punctuation marks ("?liver mets") to ``hits``
    return sorted(hits, key=itemgetter(0))


@SETTINGS
@given(text=TEXT, data=st.data())
def test_sentence_cues_are_resolve_cues(text: str, data: st.DataObject) -> None:
    hits = _trigger_hits(text)
    first = data.draw(st.integers(0, len(text)))
    last = data.draw(st.integers(first, len(text)))
    inside = [hit for hit in hits if first <= hit[0] < last and hit[1] <= last]
    fast = [
        (s, e, (frozenset(r.forward), frozenset(r.backward), r.terminates))
        for s, e, r in sentence_cues(inside)
    ]
    plain = [
        (cue.start, cue.end, _reach(cue.rules))
        for cue in resolve_cues([(s, e, r.rules) for s, e, r in inside])
    ]
    assert fast == plain


def _reference_qualify(text: str, start: int, end: int) -> QualifierResult:
    """The engine as first written: resolve the sentence's hits, then walk its cues."""
    hits = _scan(text, fold_text(text), trigger_matcher()).cues
    engine, sections = _engine(text, hits)
    hits.sort(key=itemgetter(0))
    first, last = engine.sentence(start, end)
    starts = [hit[0] for hit in hits]
    low, high = bisect_left(starts, first), bisect_left(starts, last)
    resolved = resolve_cues([(s, e, r.rules) for s, e, r in hits[low:high] if e <= last])
    # the once-per-sentence adjustments (brackets, negated causes, headings) are part of the
    # definition; they act on the resolved cues' reaches
    cues = [(cue.start, cue.end, reach_of(cue.rules)) for cue in resolved]
    if cues:
        cues = asides_and_causes(text, first, last, cues, WordIndex(text))
        headings = sorted((s.heading_start, s.heading_end) for s in sections)
        if headings:
            cues = heading_cues(cues, headings, first, last)
    found: dict[Category, Trigger] = {}

    def scan(ordered: list[ReachCue], forward: bool) -> None:
        blocked: set[Category] = set()
        for cue_start, cue_end, reach in ordered:
            blocked |= reach.terminates
            for category, max_tokens in reach.forward if forward else reach.backward:
                if category in found or category in blocked:
                    continue
                gap = (cue_end, start) if forward else (end, cue_start)
                words = len(re.findall(r"[^\W_]+", text[gap[0] : gap[1]]))
                if max_tokens is not None and words > max_tokens:
                    continue
                found[category] = Trigger(
                    category=category, text=text[cue_start:cue_end], start=cue_start, end=cue_end
                )

    scan([c for c in reversed(cues) if c[1] <= start], True)
    scan([c for c in cues if c[0] >= end], False)
    # a pseudo-trigger of the sentence that the target starts inside: its own triggers before
    # the target reach it ("no change in vision")
    opened = [h for h in hits[low:high] if h[2].pseudo and h[0] < start < h[1]]
    for p_start, _, pseudo in reversed(opened):
        for category in sorted(pseudo.pseudo):
            if category in found:
                continue
            for s, e, r in hits:
                sets = any(
                    rule.category == category and rule.direction in ("forward", "bidirectional")
                    for rule in r.rules
                )
                if p_start <= s and e <= start and sets and category not in r.pseudo:
                    found[category] = Trigger(category=category, text=text[s:e], start=s, end=e)
                    break
    section_starts = [section.start for section in sections]
    index = bisect_right(section_starts, start) - 1
    if index >= 0:
        section = sections[index]
        if section.sets is not None and section.sets not in found and start >= section.heading_end:
            found[section.sets] = Trigger(
                category="section",
                text=section.heading,
                start=section.heading_start,
                end=section.heading_start + len(section.heading),
            )
    return QualifierResult(
        **{c: c in found for c in CATEGORIES},
        triggers=tuple(found[c] for c in CATEGORIES if c in found),
    )


@SETTINGS
@given(text=TEXT, data=st.data())
def test_qualify_is_the_engine_as_first_written(text: str, data: st.DataObject) -> None:
    """Every word and word pair as a target, and a few arbitrary spans (``qualify`` takes any)."""
    spans = [m.span() for m in re.finditer(r"[^\W_]+(?: [^\W_]+)?", text)]
    for _ in range(3):
        start = data.draw(st.integers(0, len(text)))
        spans.append((start, data.draw(st.integers(start, len(text)))))
    assert qualify(text, spans) == [_reference_qualify(text, *span) for span in spans]


def test_sentence_of_extends_to_cover_the_target() -> None:
    starts = sentence_starts("One. Two. Three.")
    assert sentence_of(starts, 5, 8, 16) == (5, 10)
    assert sentence_of(starts, 5, 14, 16) == (5, 14)


# ---------------------------------------------------------------- labs


@pytest.mark.parametrize("field", sorted(Labs.model_fields))
def test_lab_range_is_the_labs_model(field: str) -> None:
    for value in (-1.0, 0.0, 1e-9, 0.5, 9.999, 10.0, 39.9, 40.0, 49.9, 50.0, 99.0, 100.0, 250.0):
        for probe in (value, value + 1e-9, value - 1e-9):
            try:
                Labs.model_validate({field: probe})
                valid = True
            except ValueError:
                valid = False
            assert _in_range(field, probe) == valid
