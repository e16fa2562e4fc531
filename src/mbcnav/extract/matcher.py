"""One-pass multi-phrase matching with word boundaries, all per-character work in C.

Phrases and texts are folded the same way (``normalize.fold_text``): lower case, punctuation
and line breaks turned into single spaces. Each phrase is stored as ``" phrase "`` in an
Aho-Corasick automaton (pyahocorasick) and the text is searched with a space on each side, so a
hit is by construction a whole-word match and the automaton never reports a match inside a
word. Python runs once per whole-word hit, never per character.

Chosen by measurement (``benchmarks/bench_extract_speed.py --matchers``): on MTSamples the
automaton with space-padded keys ran ~10x faster than one big ``re`` alternation with ``\\b``
and kept its speed as lexicons grow, where the alternation slows with every term.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Generic, TypeVar

import ahocorasick

from mbcnav.extract.normalize import Folded, fold_phrase

P = TypeVar("P")


Hit = tuple[int, int, tuple[P, ...]]
"""A whole-word hit: collapsed-text ``start``, ``end`` and the payloads of the phrase."""

RawHit = tuple[int, tuple[int, tuple[P, ...]]]
"""The automaton's own hit: padded index of the trailing space, (phrase length, payloads)."""


class PhraseMatcher(Generic[P]):
    """Find every whole-word occurrence of any phrase, overlapping hits included."""

    def __init__(self, phrases: Iterable[tuple[str, P]]) -> None:
        grouped: dict[str, list[P]] = {}
        for phrase, payload in phrases:
            key = fold_phrase(phrase)
            if key:
                bucket = grouped.setdefault(key, [])
                if payload not in bucket:
                    bucket.append(payload)
        self._build({key: tuple(payloads) for key, payloads in grouped.items()})

    @classmethod
    def folded(cls, grouped: Mapping[str, tuple[P, ...]]) -> PhraseMatcher[P]:
        """A matcher over keys already folded (``fold_phrase``) and grouped: compiling the
        lexicon's tens of thousands of phrases then folds each once, not twice."""
        matcher: PhraseMatcher[P] = cls.__new__(cls)
        matcher._build({key: payloads for key, payloads in grouped.items() if key})
        return matcher

    def _build(self, grouped: Mapping[str, tuple[P, ...]]) -> None:
        """Add every key; keys of one length and the same payloads share one value tuple.

        The lexicon's tens of thousands of keys name a few thousand payloads: unshared, their
        value tuples are most of the objects in the process, and the garbage collector walks
        every one on each full collection, which a long run of reads triggers again and again.
        Payloads are compared by identity (equal objects would cost a deep hash each).
        """
        self._automaton = ahocorasick.Automaton()
        values: dict[tuple[int, tuple[int, ...]], tuple[int, tuple[P, ...]]] = {}
        for key, payloads in grouped.items():
            shape = (len(key), tuple(map(id, payloads)))
            value = values.get(shape)
            if value is None:
                value = values[shape] = (len(key), payloads)
            self._automaton.add_word(f" {key} ", value)
        self._size = len(grouped)
        if grouped:
            self._automaton.make_automaton()

    def __len__(self) -> int:
        return self._size

    def find(self, folded: Folded) -> list[Hit[P]]:
        """Hits in collapsed-text coordinates, ordered by end then start (automaton order).

        ``last`` is the padded index of the trailing space; padded index i is collapsed index
        i - 1, so a phrase of ``length`` occupies collapsed [last - length - 1, last - 1).
        """
        return [
            (last - length - 1, last - 1, payloads) for last, (length, payloads) in self.raw(folded)
        ]

    def raw(self, folded: Folded) -> Iterator[RawHit[P]]:
        """The automaton's hits as it reports them (C iteration), for callers that map offsets
        back themselves and would pay for ``find``'s intermediate list."""
        if not self._size:
            return iter(())
        hits: Iterator[RawHit[P]] = self._automaton.iter(folded.padded)
        return hits


__all__ = ["Hit", "PhraseMatcher", "RawHit"]
