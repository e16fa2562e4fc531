"""Properties of the reader on any text: no crash, exact spans, determinism, case blindness."""

from __future__ import annotations

import pytest
from extract_fixtures import SYMPTOMS
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from mbcnav.errors import InputError
from mbcnav.extract import qualify, read_text
from mbcnav.extract.normalize import MIN_CONTROL_COUNT
from mbcnav.knowledge import Knowledge

ANY_CHAR = st.characters(exclude_categories=())  # includes NUL and lone surrogates
NOISE = st.text(alphabet=ANY_CHAR, max_size=200)
WORDS = st.sampled_from(
    [
        "no",
        "denies",
        "but",
        "history of",
        "mother",
        "if",
        "possible",
        "pain",
        "fever",
        ":",
        ",",
        ".",
        "\n",
        "FAMILY HISTORY:",
        "back",
        "calcium 11 mg/dL",
        "calcium was high",
        "LFTs normal",
        "SpO2 88%",
        "BP 84/50",
        "T",
        "38.6",
        "/",
        "mmHg",
        "  ",
        "é",
        "İ",
        "ß",
        "\x00",
    ]
)
PROSE = st.lists(WORDS, max_size=40).map(" ".join)
TERMS = sorted(
    {
        t
        for terms in SYMPTOMS.values()
        for kind, ts in terms.items()
        if kind != "abbreviations"
        for t in ts
    }
)
FAST = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FAST
@given(text=st.one_of(NOISE, PROSE))
def test_never_crashes_and_spans_are_exact(text: str, tiny_kb: Knowledge) -> None:
    try:
        reading = read_text(text, tiny_kb)
    except InputError as error:
        assert error.code == "MBC-E601"
        return
    for finding in reading.findings:
        assert finding.start is not None and finding.end is not None
        assert text[finding.start : finding.end] == finding.text
        for trigger in finding.triggers:
            if trigger.category != "section":
                assert text[trigger.start : trigger.end] == trigger.text
    for mention in reading.site_mentions:
        assert text[mention.start : mention.end] == mention.text


@FAST
@given(text=st.one_of(NOISE, PROSE), data=st.data())
def test_qualify_never_crashes(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    try:
        results = qualify(text, [(start, end)])
    except InputError as error:
        assert error.code == "MBC-E601"
        return
    assert len(results) == 1


@FAST
@given(text=PROSE)
def test_deterministic(text: str, tiny_kb: Knowledge) -> None:
    def outcome() -> object:  # a text that is mostly NUL bytes is refused, the same way each time
        try:
            return read_text(text, tiny_kb)
        except InputError as error:
            return error.code

    assert outcome() == outcome()


@FAST
@given(
    before=PROSE,
    term=st.sampled_from(TERMS),
    after=PROSE,
    case=st.sampled_from([str.upper, str.lower, str.title, str.swapcase]),
)
def test_letter_case_does_not_change_what_is_found(
    before: str, term: str, after: str, case: object, tiny_kb: Knowledge
) -> None:
    text = f"{before} {term} {after}"
    changed = f"{before} {case(term)} {after}"  # type: ignore[operator]
    assume(text.count("\x00") < MIN_CONTROL_COUNT)  # else it may be refused as binary data
    ids = [f.id for f in read_text(text, tiny_kb).findings]
    assert ids == [f.id for f in read_text(changed, tiny_kb).findings]


def test_over_the_limit_is_a_coded_error(tiny_kb: Knowledge) -> None:
    with pytest.raises(InputError) as caught:
        read_text("pain " * 30, tiny_kb, max_chars=100)
    assert caught.value.code == "MBC-E600"
    with pytest.raises(InputError) as caught:
        qualify("pain " * 30, [(0, 4)], max_chars=100)
    assert caught.value.code == "MBC-E600"


def test_binary_data_is_a_coded_error(tiny_kb: Knowledge) -> None:
    with pytest.raises(InputError) as caught:
        read_text("\x00\x01\x02\x03" * 8 + "pain", tiny_kb)
    assert caught.value.code == "MBC-E601"


def test_undecodable_bytes_are_a_coded_error(tiny_kb: Knowledge) -> None:
    with pytest.raises(InputError) as caught:
        read_text(b"\xff\xfe pain", tiny_kb)  # type: ignore[arg-type]
    assert caught.value.code == "MBC-E601"


def test_span_outside_text_is_a_coded_error() -> None:
    with pytest.raises(InputError) as caught:
        qualify("no pain", [(3, 99)])
    assert caught.value.code == "MBC-E103"
