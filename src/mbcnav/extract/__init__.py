"""Reading clinical and patients' text: symptoms, sites of spread, labs, and their context.

``read_text(text, knowledge)`` finds the knowledge base's symptom and site terms in one
automaton pass, qualifies each (negated, historical, hypothetical, family, uncertain) with
ConText-style rules kept as data, and reads numeric labs. ``qualify(text, spans)`` gives the
same context for targets someone else found.
"""

from mbcnav.extract.context import QualifierResult
from mbcnav.extract.normalize import MAX_CHARS, MAX_QUALIFY_CHARS
from mbcnav.extract.reader import ALGORITHM, TextReading, qualify, read_text
from mbcnav.extract.sections import Section

__all__ = [
    "ALGORITHM",
    "MAX_CHARS",
    "MAX_QUALIFY_CHARS",
    "QualifierResult",
    "Section",
    "TextReading",
    "qualify",
    "read_text",
]
