"""Labs written in text: numbers ("corrected calcium 3.1 mmol/L", "bilirubin 2.3 mg/dL") and
words ("her calcium was high", "deranged LFTs", "bilirubin climbing", "LFTs normal").

Names, units, factors and direction words come from ``data/labs.yaml``. The names are phrases
in the shared automaton; only where a name is found does one anchored regular expression read
``… value [unit]`` or ``… direction word`` after it (or a direction word in a bounded window
before it). Values are converted to the ``mbcnav.types.Labs`` field's
unit; a value whose unit is not written is read only if its size says which unit it is, and a
value outside the Labs field's allowed range is dropped rather than clipped. The last value
written in the note wins (notes usually end with the latest result).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from mbcnav.extract.matcher import PhraseMatcher
from mbcnav.extract.normalize import fold_text
from mbcnav.knowledge.loader import yaml_text
from mbcnav.types import Labs


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class UnitRule(_Model):
    pattern: str
    factor: float = Field(gt=0)
    field: str | None = Field(
        default=None, description="The value is another field's ('bilirubin 3 x ULN')"
    )
    plausible: tuple[float, float] | None = None


class UnitlessRule(_Model):
    below: float = Field(gt=0)
    factor: float = Field(gt=0)


class LabSpec(_Model):
    field: str
    names: tuple[str, ...] = Field(min_length=1)
    units: tuple[UnitRule, ...]
    unitless: tuple[UnitlessRule, ...] = ()
    plausible: tuple[float, float] | None = None
    decimal_comma: bool = Field(
        default=False,
        description="'3,2' is 3.2 (the lab's values are never written with thousands separators)",
    )
    sources: tuple[str, ...] = Field(min_length=1)


Direction = Literal["high", "rising", "low", "abnormal", "normal"]
FindingId = Annotated[str, Field(pattern=r"^sym:[a-z0-9_]+$")]


class WordLab(_Model):
    """A lab read in words: a numeric lab's ``field`` (its names) or ``names`` of its own, and
    the finding each direction word names."""

    field: str | None = None
    names: tuple[str, ...] = ()
    high: FindingId | None = None
    rising: FindingId | None = None
    low: FindingId | None = None
    abnormal: FindingId | None = None
    normal: FindingId | None = None

    def finding(self, direction: Direction) -> str | None:
        """The finding a direction word names; a trend without its own finding is high."""
        found: str | None = getattr(self, direction)
        if found is None and direction == "rising":
            return self.high
        return found


class Words(_Model):
    directions: dict[Direction, tuple[str, ...]]
    not_after: tuple[str, ...] = ()
    not_before: tuple[str, ...] = ()
    labs: tuple[WordLab, ...]


class LabRules(_Model):
    sources: tuple[dict[str, str], ...]
    labs: tuple[LabSpec, ...]
    words: Words


@dataclass(frozen=True, slots=True)
class _Compiled:
    spec: LabSpec
    tail: re.Pattern[str]
    units: tuple[tuple[re.Pattern[str], UnitRule], ...]


def _compile(spec: LabSpec) -> _Compiled:
    """The part after the lab's name: fillers, the number, and an optional unit.

    The number's quantifiers are possessive: whether the number is a percentage or a dose
    depends only on where its run of digits and dots ends, so giving digits back never helps,
    and trying it made a long run of digits cost time quadratic in its length.
    """
    units = "|".join(f"(?:{unit.pattern})" for unit in spec.units)
    point = "[.,]" if spec.decimal_comma else r"\."
    whole = r"\d{1,5}+" if spec.decimal_comma else r"(?:\d{1,3}+(?:,\d{3})++(?!\d)|\d{1,5}+)"
    tail = re.compile(
        r"(?:\s*(?:levels?|values?|concentration|was|were|is|had|has|been|elevated|raised|high"
        r"|increased|risen|rose|rapidly|sharply|further|of|at|to|:|=|,|-|\()){0,4}\s*"
        rf"(?P<value>{whole}(?:{point}\d++)?+)(?![\d.,]*+\s*+(?:%|mg\b(?!\s*/\s*d?l)|mcg|ml\b))"
        rf"(?:\s*(?P<unit>{units})\b)?",
        re.IGNORECASE,
    )
    return _Compiled(
        spec, tail, tuple((re.compile(u.pattern, re.IGNORECASE), u) for u in spec.units)
    )


def _number(written: str, decimal_comma: bool) -> float:
    """A lab's value as written: '3,2' is 3.2 where the lab takes a decimal comma, and
    '1,250' is 1250 where it does not (the pattern only lets a comma through in groups of three)."""
    return float(written.replace(",", "." if decimal_comma else ""))


@lru_cache(maxsize=1)
def _all_rules() -> LabRules:
    raw = (resources.files("mbcnav.extract") / "data" / "labs.yaml").read_text("utf-8")
    return LabRules.model_validate(yaml_text(raw))


@lru_cache(maxsize=1)
def _rules() -> dict[str, _Compiled]:
    return {spec.field: _compile(spec) for spec in _all_rules().labs}


WORDS = "words:"
"""Payloads of lab names read in words start with this, then the index of the word lab."""


def lab_phrases() -> list[tuple[str, str]]:
    """(name, payload) for every way a lab is named, for the shared automaton: the Labs field
    for a numeric lab, ``words:<n>`` for the n-th lab read in words."""
    out = [(name, field) for field, lab in _rules().items() for name in lab.spec.names]
    for index, lab in enumerate(_word_rules().labs):
        names = lab.names or (_rules()[lab.field].spec.names if lab.field else ())
        out += [(name, f"{WORDS}{index}") for name in names]
    return out


@lru_cache(maxsize=64)
def _field_validator(field: str) -> TypeAdapter[float | None]:
    """The ``Labs`` field's own type and constraints (it has no model-level validators), so a
    range check costs one validation of one value, not the construction of a model."""
    return TypeAdapter(Annotated[float | None, Labs.model_fields[field]])


def _in_range(field: str, value: float) -> bool:
    if field not in Labs.model_fields:
        plausible = _rules()[field].spec.plausible
        return plausible is not None and plausible[0] <= value <= plausible[1]
    try:
        _field_validator(field).validate_python(value)
    except ValueError:
        return False
    return True


def _convert(lab: _Compiled, value: float, unit: str | None) -> tuple[str, float] | None:
    """(field, converted value): a unit may say the value is another field's (a multiple of
    the upper limit of normal), checked against that unit's own plausible range."""
    field = lab.spec.field
    if unit:
        for pattern, rule in lab.units:
            if pattern.fullmatch(unit):
                if rule.field is None:
                    return field, value * rule.factor
                low, high = rule.plausible or (0.0, float("inf"))
                return (rule.field, value * rule.factor) if low <= value <= high else None
        return None
    for unitless in lab.spec.unitless:
        if value < unitless.below:
            return field, value * unitless.factor
    return None


def value_after(field: str, text: str, end: int) -> tuple[str, float] | None:
    """The value of lab ``field`` written right after its name ends at ``end``, converted,
    with the field it is a value of (``field`` itself, or e.g. ``bilirubin_x_uln``)."""
    lab = _rules()[field]
    match = lab.tail.match(text, end)
    if match is None:
        return None
    read = _convert(lab, _number(match.group("value"), lab.spec.decimal_comma), match.group("unit"))
    if read is None:
        return None
    name, value = read
    if name == field and not _in_range(field, value):
        return None
    return name, round(value, 4)


def read_labs(text: str) -> dict[str, float]:
    """Lab values named in ``text``, keyed by ``Labs`` field name, in the field's unit."""
    folded = fold_text(text)
    hits = sorted(_name_matcher().find(folded), key=lambda hit: (hit[0], -hit[1]))
    out: dict[str, float] = {}
    reach = -1
    for start, end, fields in hits:
        if end <= reach:
            continue  # inside a longer name: "calcium" of "ionised calcium" is not a lab of its own
        reach = end
        _, original_end = folded.span(start, end)
        for field in fields:
            read = value_after(field, text, original_end)
            if read is not None:
                out[read[0]] = read[1]
    return out


@lru_cache(maxsize=1)
def _name_matcher() -> PhraseMatcher[str]:
    return PhraseMatcher((name, p) for name, p in lab_phrases() if not p.startswith(WORDS))


# ---------------------------------------------------------------- labs in words

_WINDOW = 40
"""Characters looked at before a lab's name for a direction word ("raised serum calcium")."""

_GAP = (  # each word whole, and no backtracking into the gap (possessive): linear per name
    r"(?:\s*+(?:(?:levels?|values?|results?|counts?|tests?|was|were|is|are|has|have|had|been|being"
    r"|be|became|become|remained|remains|kept|keeps|continued\s+to|continues\s+to|began\s+to"
    r"|started|now|still|further|again|also|found\s+to\s+be"
    r"|noted\s+to\s+be|markedly|significantly|very|slightly|mildly|moderately|severely"
    r"|persistently|progressively|steadily|rapidly|quite|a\s+bit|a\s+little|all|both|her|his"
    r"|my|the|serum|blood|plasma|total|corrected)(?![a-z])|[:,\-]))"
)


@dataclass(frozen=True, slots=True)
class WordReading:
    """A lab named in words: the finding, whether stated present, and the words' span."""

    finding: str
    present: bool
    start: int
    end: int


_Ends = tuple[str, ...] | None
"""The last words a phrase list's phrases can end with (lower case); None when some is not
ASCII (case-insensitive matching of other letters is not ``lower``)."""


def _ends(phrases: list[str]) -> _Ends:
    last = sorted({phrase.casefold().split()[-1] for phrase in phrases})
    if not all(word.isascii() for word in last):
        return None
    return tuple(last)


def _last_word(text: str, low: int, high: int) -> str | None:
    """The last word of ``text[low:high]`` in lower case, "" when the window is blank, None
    when the word is not ASCII (then any phrase may end there)."""
    tail = text[low:high].rstrip()
    if not tail:
        return ""
    token = tail.rsplit(None, 1)[-1]
    return token.lower() if token.isascii() else None


def _could_end(token: str | None, ends: _Ends) -> bool:
    """``_may_end`` of a window whose ``_last_word`` is ``token`` (one suffix test in C)."""
    return ends is None or token is None or token.endswith(ends)


def _may_end(text: str, low: int, high: int, ends: _Ends) -> bool:
    """False only when ``text[low:high]``, trailing white space aside, cannot end with any of
    the phrases: its last word does not end with any phrase's last word. The windows before a
    lab's name are searched with patterns anchored at its end, one try per character;
    most windows end with no such word, and this one look spares the search."""
    return _could_end(_last_word(text, low, high), ends)


@dataclass(frozen=True, slots=True)
class _WordRules:
    labs: tuple[WordLab, ...]
    after: re.Pattern[str]
    before: re.Pattern[str]
    direction_of: dict[str, Direction]
    other_before: re.Pattern[str]
    other_after: re.Pattern[str]
    before_ends: _Ends = None
    other_before_ends: _Ends = None


def _alternation(words: list[str]) -> str:
    ordered = sorted({w.casefold() for w in words}, key=lambda w: (-len(w), w))
    return "|".join(r"\s+".join(map(re.escape, w.split())) for w in ordered)


@lru_cache(maxsize=1)
def _word_rules() -> _WordRules:
    words = _all_rules().words
    direction_of = {
        " ".join(word.casefold().split()): direction
        for direction, listed in words.directions.items()
        for word in listed
    }
    every = _alternation(list(direction_of))
    after = re.compile(
        rf"{_GAP}{{0,4}}+(?P<neg>\s*+(?:not|n't|never|no\s+longer))?+{_GAP}{{0,2}}+"
        rf"\s*(?P<word>{every})(?![a-z0-9])",
        re.IGNORECASE,
    )
    leading_words = [w for w, d in direction_of.items() if d != "normal"]
    leading = _alternation(leading_words)
    specimens = "|".join(_SPECIMENS)
    before = re.compile(
        rf"(?<![a-z])(?P<word>{leading})(?:\s+(?:{specimens}))?\s*$",
        re.IGNORECASE,
    )
    other_before = re.compile(
        rf"(?<![a-z])(?:{_alternation(list(words.not_after))})\s*$", re.IGNORECASE
    )
    other_after = re.compile(
        rf"\s*(?:{_alternation(list(words.not_before))})(?![a-z])", re.IGNORECASE
    )
    return _WordRules(
        words.labs,
        after,
        before,
        direction_of,
        other_before,
        other_after,
        _ends([*leading_words, *_SPECIMENS]),
        _ends(list(words.not_after)),
    )


_SPECIMENS = ("serum", "blood", "plasma", "total", "corrected")
"""Words between a direction word and the lab's name ("raised serum calcium")."""


def _direction(rules: _WordRules, word: str) -> Direction:
    return rules.direction_of[" ".join(word.casefold().split())]


def words_around(payload: str, text: str, start: int, end: int) -> list[WordReading]:
    """Findings a lab named in words at ``text[start:end]`` states, with where the words end:
    a direction word after the name ("calcium was high", "LFTs not normal") or before it
    ("raised serum calcium")."""
    rules = _word_rules()
    lab = rules.labs[int(payload.removeprefix(WORDS))]
    low = max(0, start - _WINDOW)
    token = _last_word(text, low, start)  # both windows before the name are this one
    if rules.other_after.match(text, end) or (
        _could_end(token, rules.other_before_ends) and rules.other_before.search(text, low, start)
    ):
        return []  # "urine sodium", "calcium score": another measurement
    out: list[WordReading] = []
    match = rules.after.match(text, end)
    if match is not None:
        direction = _direction(rules, match.group("word"))
        present = match.group("neg") is None
        if direction == "normal":  # "LFTs normal": absent; "LFTs not normal": abnormal
            direction = "abnormal" if not present else "normal"
            present = not present
        finding = lab.finding(direction)
        if finding is not None:
            out.append(WordReading(finding, present, start, match.end()))
    match = rules.before.search(text, low, start) if _could_end(token, rules.before_ends) else None
    if match is not None:
        finding = lab.finding(_direction(rules, match.group("word")))
        if finding is not None:
            out.append(WordReading(finding, True, match.start(), end))
    return out


__all__ = ["WORDS", "WordReading", "lab_phrases", "read_labs", "value_after", "words_around"]
