"""The absolute neutrophil count read from text, in either unit, never from a differential.

A count below 0.5 x 10^9/L with a fever is neutropenic sepsis, so a misread percentage
("neutrophils 80" in a differential) would raise a false emergency: the reader drops a bare
value that could be one.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mbcnav.extract.labs import read_labs

FIELD = "neutrophils_10e9_l"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("neutrophil count 0.4 x 10^9/L", 0.4),
        ("ANC 300", 0.3),
        ("an absolute neutrophil count of 1,800", 1.8),
        ("neutrophils 250/uL", 0.25),
        ("neuts 6.2", 6.2),
        ("Neutrophils: 0.1", 0.1),
    ],
)
def test_count_is_read_in_both_units(text: str, value: float) -> None:
    assert read_labs(text)[FIELD] == value


@pytest.mark.parametrize(
    "text",
    [
        "neutrophils 62%",
        "neutrophils 62 percent",
        "Neutrophils 81, lymphocytes 12, monocytes 5",
        "ANC 45",
    ],
)
def test_differential_or_ambiguous_value_is_not_a_count(text: str) -> None:
    assert FIELD not in read_labs(text)


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=30, max_value=99))
def test_bare_two_digit_value_is_never_guessed(value: int) -> None:
    assert FIELD not in read_labs(f"neutrophils {value}")


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=100, max_value=99_999))
def test_count_per_microlitre_is_converted(value: int) -> None:
    assert read_labs(f"ANC {value}")[FIELD] == round(value / 1000, 4)
