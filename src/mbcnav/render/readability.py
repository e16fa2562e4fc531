"""Flesch–Kincaid grade level, so the patient handout's reading level is measured, not hoped for.

Grade = 0.39 · words/sentences + 11.8 · syllables/words − 15.59 (Kincaid et al., 1975).
Sentences end at ``.``, ``!``, ``?`` or a line break (a list item is one sentence).
Syllables are counted by vowel groups with the usual silent-``e`` corrections.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)|\n+")
_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?")
_VOWELS = re.compile(r"[aeiouy]+")


def syllables(word: str) -> int:
    """Estimated syllables of one English word (at least one)."""
    word = word.lower().replace("’", "'").split("'")[0]
    if len(word) <= 3:
        return 1
    count = len(_VOWELS.findall(word))
    if word.endswith("e") and not word.endswith(("le", "ee", "ye")):
        count -= 1
    if word.endswith(("ed", "es")) and not word.endswith(("ted", "ded", "ses", "zes", "ches")):
        count -= 1
    return max(count, 1)


@dataclass(frozen=True)
class TextStats:
    sentences: int
    words: int
    syllables: int

    @property
    def grade(self) -> float:
        if not self.words:
            return 0.0
        return 0.39 * self.words / self.sentences + 11.8 * self.syllables / self.words - 15.59


def text_stats(text: str) -> TextStats:
    """Count sentences, words and syllables of ``text``."""
    sentences = [part for part in _SENTENCE_END.split(text) if _WORD.search(part)]
    words = _WORD.findall(text)
    return TextStats(
        sentences=max(len(sentences), 1),
        words=len(words),
        syllables=sum(syllables(word) for word in words),
    )


def flesch_kincaid_grade(text: str) -> float:
    """The US school grade needed to read ``text`` (lower is easier)."""
    return text_stats(text).grade
