"""The checks every concept class gets, shared by the modules that list classes.

A class is (finding, word order A, word order B, an inflection, (word to misspell, text with
{}), a clause-limit negative, a negated form): the concept must read in either order, inflected
and misspelt, must not pair across a clause, and must read absent when negated.
"""

from __future__ import annotations

from mbcnav.extract import read_text
from mbcnav.extract.concepts import word_forms
from mbcnav.knowledge import Knowledge

ConceptClass = tuple[str, str, str, str, tuple[str, str], str, str]


def found(text: str, knowledge: Knowledge) -> set[tuple[str, bool]]:
    """(finding id, present) for everything read in ``text``."""
    return {(f.id, f.present) for f in read_text(text, knowledge).findings}


def misspelt(word: str) -> str:
    """The first generated misspelling of ``word`` (the table must have one)."""
    variants = word_forms().misspellings.get(word, ())
    assert variants, f"no generated misspelling of {word!r}"
    return sorted(variants)[0]


def check_concept_class(case: ConceptClass, knowledge: Knowledge) -> None:
    finding, first, second, inflected, (word, template), across_clause, negated = case
    for text in (first, second):
        assert (finding, True) in found(text, knowledge), f"word order: {text!r}"
    assert (finding, True) in found(inflected, knowledge), f"inflection: {inflected!r}"
    text = template.format(misspelt(word))
    assert (finding, True) in found(text, knowledge), f"misspelling: {text!r}"
    paired = {ident for ident, _ in found(across_clause, knowledge)}
    assert finding not in paired, f"paired across a clause: {across_clause!r}"
    read = found(negated, knowledge)
    assert (finding, False) in read and (finding, True) not in read, f"negation: {negated!r}"
