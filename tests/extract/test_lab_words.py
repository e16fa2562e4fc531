"""Labs in words and new numeric labs: findings stated high, low, abnormal, normal or not."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mbcnav.extract import read_text
from mbcnav.extract.labs import read_labs
from mbcnav.knowledge import Knowledge, load_knowledge


def _findings(text: str, knowledge: Knowledge) -> dict[str, bool]:
    return {f.id: f.present for f in read_text(text, knowledge).findings}


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        ("Her calcium was high on admission.", "sym:hypercalcaemia"),
        ("Serum calcium levels were markedly elevated.", "sym:hypercalcaemia"),
        ("She had deranged LFTs.", "sym:raised_transaminases"),
        ("Her liver function tests were deranged.", "sym:raised_transaminases"),
        ("Abnormal liver function tests prompted a scan.", "sym:raised_transaminases"),
        ("My liver numbers went up.", "sym:raised_transaminases"),
        ("Her bilirubin kept climbing.", "sym:rising_bilirubin"),
        ("The bilirubin was rising despite stenting.", "sym:rising_bilirubin"),
        ("Her bilirubin has doubled since May.", "sym:rising_bilirubin"),
        ("Her calcium kept rising.", "sym:hypercalcaemia"),
        ("ALP was raised.", "sym:raised_alp"),
        ("Blood tests showed low platelets.", "sym:pancytopenia"),
        ("Her platelets were low.", "sym:pancytopenia"),
        ("Her white cell count was low.", "sym:neutropenia"),
        ("Neutrophils were very low.", "sym:neutropenia"),
        ("She was found to have a low serum sodium.", "sym:hyponatraemia"),
        ("Sodium was low at 128.", "sym:hyponatraemia"),
        ("Pancytopenia on the full blood count.", "sym:pancytopenia"),
        ("She was hypercalcaemic and confused.", "sym:hypercalcaemia"),
    ],
)
def test_a_lab_stated_abnormal_in_words_is_a_present_finding(
    text: str, finding: str, knowledge: Knowledge
) -> None:
    assert _findings(text, knowledge).get(finding) is True


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        ("LFTs were normal.", "sym:raised_transaminases"),
        ("Her calcium was not high.", "sym:hypercalcaemia"),
        ("Calcium normal, bilirubin within normal limits.", "sym:raised_bilirubin"),
        ("No hypercalcaemia.", "sym:hypercalcaemia"),
        ("Sodium was normal.", "sym:hyponatraemia"),
    ],
)
def test_a_lab_stated_normal_or_negated_is_an_absent_finding(
    text: str, finding: str, knowledge: Knowledge
) -> None:
    assert _findings(text, knowledge).get(finding) is False


def test_not_normal_is_abnormal(knowledge: Knowledge) -> None:
    assert _findings("Liver function tests were not normal.", knowledge) == {
        "sym:raised_transaminases": True
    }


def test_a_direction_word_in_another_clause_does_not_pair(knowledge: Knowledge) -> None:
    assert "sym:hypercalcaemia" not in _findings(
        "Calcium supplements were stopped. Her blood pressure was high.", knowledge
    )


@pytest.mark.parametrize(
    "text",
    [
        "Random urine sodium was low at 12.",
        "People of this age group would have a higher calcium score.",
        "Her calcium supplements were increased.",
    ],
)
def test_another_measurement_of_the_same_substance_names_no_finding(
    text: str, knowledge: Knowledge
) -> None:
    assert read_text(text, knowledge).findings == ()


def test_spans_cover_the_name_and_the_word(knowledge: Knowledge) -> None:
    text = "Her bilirubin was rising."
    (finding,) = read_text(text, knowledge).findings
    assert text[finding.start or 0 : finding.end or 0] == "bilirubin was rising"


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [
        ("Haemoglobin was 5.5 g/dL", "haemoglobin_g_l", 55.0),
        ("Hb 92 g/L", "haemoglobin_g_l", 92.0),
        ("platelets 77 ×10^3/µL", "platelets_10e9_l", 77.0),
        ("platelet count 45 x 10^9/L", "platelets_10e9_l", 45.0),
        ("Na 128 mmol/L", "sodium_mmol_l", 128.0),
        ("ALT 98, AST 120", "alt_u_l", 98.0),
        ("ALT 98, AST 120", "ast_u_l", 120.0),
        ("bilirubin 3 x ULN", "bilirubin_x_uln", 3.0),
        ("bilirubin was 2.5 times the upper limit of normal", "bilirubin_x_uln", 2.5),
        ("INR 2.4", "inr", 2.4),
        ("an INR of 1.9 on admission", "inr", 1.9),
        ("calcium (3.2 mmol/L) and creatinine 150", "calcium_corrected_mmol_l", 3.2),
        ("calcium levels were 3.4 mmol/L", "calcium_corrected_mmol_l", 3.4),
        ("ionised calcium 1.62 mmol/L", "calcium_ionised_mmol_l", 1.62),
        ("calcium 2,95 mmol/L", "calcium_corrected_mmol_l", 2.95),
        ("INR 2,1", "inr", 2.1),
        ("corrected calcium level was elevated at 3.5 mmol/L", "calcium_corrected_mmol_l", 3.5),
        ("total bilirubin increased to 12 mg/dL", "bilirubin_umol_l", 205.2),
        ("bilirubin had risen to 210 umol/L", "bilirubin_umol_l", 210.0),
        ("ferritin 20 ng/mL", "ferritin_ug_l", 20.0),
        ("serum ferritin was 8 µg/L", "ferritin_ug_l", 8.0),
        ("Ferritin 250", "ferritin_ug_l", 250.0),
    ],
)
def test_new_numeric_labs_are_read_and_converted(text: str, field: str, value: float) -> None:
    assert read_labs(text)[field] == value


@pytest.mark.parametrize(
    "text",
    [
        "Hb 900 g/L",
        "Na 20 mmol/L",
        "platelets 7000 x 10^9/L",
        "bilirubin 300 x ULN",
        "ferritin 0 ng/mL",
        "ferritin 0.1 ng/mL",
        "INR 45",
        "ionized calcium 8.5",
    ],
)
def test_impossible_lab_values_are_dropped(text: str) -> None:
    assert read_labs(text) == {}


@given(
    st.lists(
        st.one_of(
            st.sampled_from(
                [
                    "calcium",
                    "LFTs",
                    "bilirubin",
                    "was",
                    "not",
                    "high",
                    "normal",
                    "low",
                    "platelets",
                    "raised",
                    "Hb",
                    "sodium",
                    ".",
                    ",",
                ]
            ),
            st.from_regex(r"\d{1,6}(\.\d{1,2})?", fullmatch=True),
            st.text(max_size=6),
        ),
        max_size=12,
    ).map(" ".join)
)
def test_lab_reading_never_raises_and_values_are_in_range(text: str) -> None:
    for field, value in read_labs(text).items():
        assert value >= 0, field
        if field == "haemoglobin_g_l":
            assert 10 <= value <= 250
        if field == "platelets_10e9_l":
            assert value <= 5000


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "her",
                "calcium",
                "LFTs",
                "bilirubin",
                "was",
                "were",
                "not",
                "high",
                "normal",
                "low",
                "rising",
                "platelets",
                "raised",
                "sodium",
                "deranged",
                ".",
                ",",
                ";",
                "no",
                "denies",
                "if",
                "SpO2 88%",
                "T 38.6",
                "BP 84/50",
                "\n",
            ]
        ),
        max_size=25,
    ).map(" ".join)
)
def test_findings_from_lab_words_have_exact_spans(text: str) -> None:
    for finding in read_text(text, _KNOWLEDGE).findings:
        assert text[finding.start or 0 : finding.end or 0] == finding.text


_KNOWLEDGE = load_knowledge()


def test_an_ionised_calcium_is_never_a_corrected_one() -> None:
    """The shorter name inside a longer one ("calcium" of "ionised calcium") reads nothing."""
    assert read_labs("Ionised calcium 1.4 mmol/L") == {"calcium_ionised_mmol_l": 1.4}


def test_a_comma_after_a_value_is_not_a_decimal_comma() -> None:
    """ "calcium 3, albumin 30" is a list, and a decimal comma is read only for labs whose values
    never carry thousands separators (platelets 45,000 stays 45)."""
    assert read_labs("calcium 3, albumin 30") == {
        "calcium_corrected_mmol_l": 3.0,
        "albumin_g_l": 30.0,
    }
    assert read_labs("platelets 45,000") == {"platelets_10e9_l": 45.0}


def test_thousands_separators_are_read_where_the_lab_takes_no_decimal_comma() -> None:
    """ "ALP 1,250" is 1250 (it was read as 1, hiding a very high ALP); a comma not followed by
    exactly three digits still ends the number, and decimal-comma labs keep their reading."""
    assert read_labs("ALP 1,250 U/L") == {"alp_u_l": 1250.0}
    assert read_labs("alkaline phosphatase was 12,400") == {"alp_u_l": 12400.0}
    assert read_labs("ALP 250, ALT 40") == {"alp_u_l": 250.0, "alt_u_l": 40.0}
    assert read_labs("ALP 1,2500") == {"alp_u_l": 1.0}
    assert read_labs("calcium 2,95 mmol/L") == {"calcium_corrected_mmol_l": 2.95}


@given(st.integers(min_value=1000, max_value=99_999))
def test_a_grouped_value_reads_as_the_same_value_ungrouped(value: int) -> None:
    assert read_labs(f"ALP {value:,} U/L") == read_labs(f"ALP {value} U/L")


_WINDOW_WORDS = st.sampled_from(
    [
        "raised",
        "Raised",
        "serum",
        "very HIGH",
        "urine",
        "24-hour urine",
        "up",
        "backup",
        "the",
        "ionised",
        "Ionized",
        "LOW",
        "went  up",
        "(high",
        "2raised",
        "corrected",
        "calcium",
        "é",
    ]
)
_WINDOW_GAPS = st.sampled_from([" ", "  ", "\n", "\t", ", ", "-", "", "\u00a0", " \n"])


@settings(max_examples=400, deadline=None)
@given(
    pieces=st.lists(st.tuples(_WINDOW_WORDS, _WINDOW_GAPS), max_size=8),
    noise=st.text(max_size=12),
    cut=st.integers(0, 3),
)
def test_the_window_look_never_skips_a_direction_word(
    pieces: list[tuple[str, str]], noise: str, cut: int
) -> None:
    """``_may_end`` is a shortcut before the anchored searches of the window before a lab's
    name: whenever a search would find something, it lets the search run."""
    from mbcnav.extract.labs import _may_end, _word_rules

    rules = _word_rules()
    text = noise + "".join(word + gap for word, gap in pieces) + "calcium"
    high = len(text) - len("calcium")
    for low in range(max(0, high - 40 - cut), high + 1):
        for pattern, ends in (
            (rules.before, rules.before_ends),
            (rules.other_before, rules.other_before_ends),
        ):
            if pattern.search(text, low, high) is not None:
                assert _may_end(text, low, high, ends)
