"""Strict JSON in: every refusal is a coded InputError, valid JSON reads as json.loads reads it."""

from __future__ import annotations

import codecs
import io
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mbcnav import jsonin
from mbcnav.errors import InputError

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@given(JSON_VALUES)
def test_valid_json_reads_as_the_standard_library_reads_it(value: Any) -> None:
    text = json.dumps(value)
    assert jsonin.loads(text) == json.loads(text)
    assert jsonin.loads(text.encode("utf-8")) == json.loads(text)


@given(st.binary(max_size=200))
def test_any_bytes_give_a_value_or_a_coded_error(raw: bytes) -> None:
    try:
        jsonin.loads(raw)
    except InputError as error:
        assert error.code in {"MBC-E106", "MBC-E403"}


@pytest.mark.parametrize(
    ("raw", "code", "says"),
    [
        ("[" * 5000 + "]" * 5000, "MBC-E106", "nested at most 64"),
        ('{"age": ' + "9" * 5000 + "}", "MBC-E106", "at most 40 digits"),
        ('{"calcium": 1e400}', "MBC-E106", "finite"),
        ('{"calcium": NaN}', "MBC-E106", "finite"),
        ('{"age": 50, "age": 60}', "MBC-E106", "each key once"),
        ('{"text": "unterminated', "MBC-E106", "valid JSON"),
        (b'{"text": "caf\xe9"}', "MBC-E403", "UTF-8"),
    ],
)
def test_each_refusal_names_its_problem(raw: str | bytes, code: str, says: str) -> None:
    with pytest.raises(InputError) as caught:
        jsonin.loads(raw, "The patient")
    assert caught.value.code == code
    assert says in str(caught.value) and str(caught.value).startswith(f"[{code}] The patient")


def test_brackets_inside_strings_are_not_nesting() -> None:
    assert jsonin.loads(json.dumps({"text": "[" * 500})) == {"text": "[" * 500}


def test_lone_surrogates_are_replaced_one_for_one() -> None:
    value = jsonin.loads('{"text": "back pain \\ud800 headache", "\\udfff": ["\\ud83d\\ude00"]}')
    assert value == {"text": "back pain \ufffd headache", "\ufffd": ["\U0001f600"]}


def test_utf16_and_utf8_byte_order_marks() -> None:
    assert jsonin.loads(codecs.BOM_UTF16_LE + '{"a": "Zoë"}'.encode("utf-16-le")) == {"a": "Zoë"}
    assert jsonin.loads(codecs.BOM_UTF8 + b'{"a": 1}') == {"a": 1}


def test_lines_keep_going_past_bad_lines() -> None:
    raw = b'{"id": 1}\n\n[[[\n{"id": "\xff"}\n{"id": 4}\n'
    read = list(jsonin.lines(jsonin.stream_lines(io.BytesIO(raw))))
    assert [number for number, _ in read] == [1, 3, 4, 5]
    assert read[0][1] == {"id": 1} and read[3][1] == {"id": 4}
    assert [v.code for _, v in read if isinstance(v, InputError)] == ["MBC-E106", "MBC-E403"]


def test_utf16_stream_is_read_as_text_and_a_broken_line_is_one_error() -> None:
    good = '{"id": "a"}\n{"id": "Zoë"}\n'.encode("utf-16-le")
    raw = codecs.BOM_UTF16_LE + good + b"\x00\xd8" + '\n{"id": "c"}\n'.encode("utf-16-le")
    read = list(jsonin.lines(jsonin.stream_lines(io.BytesIO(raw))))
    values = [v for _, v in read]
    assert values[0] == {"id": "a"} and values[1] == {"id": "Zoë"} and values[3] == {"id": "c"}
    assert isinstance(values[2], InputError) and values[2].code == "MBC-E403"
