from __future__ import annotations

import pytest

from mbcnav.render.readability import flesch_kincaid_grade, syllables, text_stats


@pytest.mark.parametrize(
    ("word", "count"),
    [("cat", 1), ("table", 2), ("hormones", 2), ("medicine", 3), ("chemotherapy", 5), ("used", 1)],
)
def test_syllables(word: str, count: int) -> None:
    assert syllables(word) == count


def test_simple_text_reads_easier_than_jargon() -> None:
    easy = "The cat sat on the mat. It was glad."
    hard = (
        "Metastatic breast carcinoma necessitates multidisciplinary consideration of "
        "individualised therapeutic alternatives."
    )
    assert flesch_kincaid_grade(easy) < 2 < 12 < flesch_kincaid_grade(hard)


def test_known_grade_by_hand() -> None:
    # 2 sentences, 8 words, 8 syllables: 0.39*4 + 11.8*1 - 15.59 = -2.23
    assert flesch_kincaid_grade("The cat sat down. The dog ran off.") == pytest.approx(-2.23)


def test_list_lines_are_sentences_and_colons_are_not() -> None:
    stats = text_stats("Chemotherapy: drugs that kill cancer cells\nSurgery: an operation")
    assert stats.sentences == 2
    assert text_stats("").grade == 0.0
