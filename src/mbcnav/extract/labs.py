"""Numeric labs written in text ("corrected calcium 3.1 mmol/L", "bilirubin 2.3 mg/dL").

Names, units and factors come from ``data/labs.yaml``. The names are phrases in the shared
automaton; only where a name is found does one anchored regular expression read
``… value [unit]`` after it. Values are converted to the ``mbcnav.types.Labs`` field's
unit; a value whose unit is not written is read only if its size says which unit it is, and a
value outside the Labs field's allowed range is dropped rather than clipped. The last value
written in the note wins (notes usually end with the latest result).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Annotated

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


class UnitlessRule(_Model):
    below: float = Field(gt=0)
    factor: float = Field(gt=0)


class LabSpec(_Model):
    field: str
    names: tuple[str, ...] = Field(min_length=1)
    units: tuple[UnitRule, ...]
    unitless: tuple[UnitlessRule, ...] = ()
    sources: tuple[str, ...] = Field(min_length=1)


class LabRules(_Model):
    sources: tuple[dict[str, str], ...]
    labs: tuple[LabSpec, ...]


@dataclass(frozen=True, slots=True)
class _Compiled:
    spec: LabSpec
    tail: re.Pattern[str]
    units: tuple[tuple[re.Pattern[str], float], ...]


def _compile(spec: LabSpec) -> _Compiled:
    """The part after the lab's name: fillers, the number, and an optional unit.

    The number's quantifiers are possessive: whether the number is a percentage or a dose
    depends only on where its run of digits and dots ends, so giving digits back never helps,
    and trying it made a long run of digits cost time quadratic in its length.
    """
    units = "|".join(f"(?:{unit.pattern})" for unit in spec.units)
    tail = re.compile(
        r"(?:\s*(?:level|value|was|is|of|at|:|=|,|-)){0,3}\s*"
        r"(?P<value>\d{1,5}+(?:\.\d++)?+)(?![\d.]*+\s*+(?:%|mg\b(?!\s*/\s*d?l)|mcg|ml\b))"
        rf"(?:\s*(?P<unit>{units})\b)?",
        re.IGNORECASE,
    )
    return _Compiled(
        spec, tail, tuple((re.compile(u.pattern, re.IGNORECASE), u.factor) for u in spec.units)
    )


@lru_cache(maxsize=1)
def _rules() -> dict[str, _Compiled]:
    raw = (resources.files("mbcnav.extract") / "data" / "labs.yaml").read_text("utf-8")
    specs = LabRules.model_validate(yaml_text(raw)).labs
    return {spec.field: _compile(spec) for spec in specs}


def lab_phrases() -> list[tuple[str, str]]:
    """(name, Labs field) for every way a lab is named, for the shared automaton."""
    return [(name, field) for field, lab in _rules().items() for name in lab.spec.names]


@lru_cache(maxsize=64)
def _field_validator(field: str) -> TypeAdapter[float | None]:
    """The ``Labs`` field's own type and constraints (it has no model-level validators), so a
    range check costs one validation of one value, not the construction of a model."""
    return TypeAdapter(Annotated[float | None, Labs.model_fields[field]])


def _in_range(field: str, value: float) -> bool:
    try:
        _field_validator(field).validate_python(value)
    except ValueError:
        return False
    return True


def _convert(lab: _Compiled, value: float, unit: str | None) -> float | None:
    if unit:
        for pattern, factor in lab.units:
            if pattern.fullmatch(unit):
                return value * factor
        return None
    for rule in lab.spec.unitless:
        if value < rule.below:
            return value * rule.factor
    return None


def value_after(field: str, text: str, end: int) -> float | None:
    """The value of lab ``field`` written right after its name ends at ``end``, converted."""
    lab = _rules()[field]
    match = lab.tail.match(text, end)
    if match is None:
        return None
    value = _convert(lab, float(match.group("value")), match.group("unit"))
    if value is None or not _in_range(field, value):
        return None
    return round(value, 4)


def read_labs(text: str) -> dict[str, float]:
    """Lab values named in ``text``, keyed by ``Labs`` field name, in the field's unit."""
    folded = fold_text(text)
    hits = _name_matcher().find(folded)
    out: dict[str, float] = {}
    for start, end, fields in sorted(hits):
        _, original_end = folded.span(start, end)
        for field in fields:
            value = value_after(field, text, original_end)
            if value is not None:
                out[field] = value
    return out


@lru_cache(maxsize=1)
def _name_matcher() -> PhraseMatcher[str]:
    return PhraseMatcher(lab_phrases())


__all__ = ["lab_phrases", "read_labs", "value_after"]
