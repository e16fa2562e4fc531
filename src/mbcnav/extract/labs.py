"""Numeric labs written in text ("corrected calcium 3.1 mmol/L", "bilirubin 2.3 mg/dL").

Names, units and factors come from ``data/labs.yaml``; one compiled regular expression per
lab finds ``name … value [unit]``. Values are converted to the ``mbcnav.types.Labs`` field's
unit; a value whose unit is not written is read only if its size says which unit it is, and a
value outside the Labs field's allowed range is dropped rather than clipped. The last value
written in the note wins (notes usually end with the latest result).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict, Field

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
    pattern: re.Pattern[str]
    units: tuple[tuple[re.Pattern[str], float], ...]


def _compile(spec: LabSpec) -> _Compiled:
    names = "|".join(
        r"\s*".join(re.escape(word) for word in re.split(r"[\s-]+", name))
        for name in sorted(spec.names, key=len, reverse=True)
    )
    units = "|".join(f"(?:{unit.pattern})" for unit in spec.units)
    pattern = re.compile(
        rf"\b(?:{names})\b(?:\s*(?:level|value|was|is|of|at|:|=|,|-)){{0,3}}\s*"
        rf"(?P<value>\d{{1,5}}(?:\.\d+)?)(?![\d.]*\s*(?:%|mg\b(?!\s*/\s*d?l)|mcg|ml\b))"
        rf"(?:\s*(?P<unit>{units})\b)?",
        re.IGNORECASE,
    )
    return _Compiled(
        spec, pattern, tuple((re.compile(u.pattern, re.IGNORECASE), u.factor) for u in spec.units)
    )


@lru_cache(maxsize=1)
def _rules() -> tuple[_Compiled, ...]:
    raw = (resources.files("mbcnav.extract") / "data" / "labs.yaml").read_text("utf-8")
    return tuple(_compile(spec) for spec in LabRules.model_validate(yaml.safe_load(raw)).labs)


def _in_range(field: str, value: float) -> bool:
    try:
        Labs.model_validate({field: value})
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


def read_labs(text: str) -> dict[str, float]:
    """Lab values named in ``text``, keyed by ``Labs`` field name, in the field's unit."""
    out: dict[str, float] = {}
    for lab in _rules():
        for match in lab.pattern.finditer(text):
            value = _convert(lab, float(match.group("value")), match.group("unit"))
            if value is not None and _in_range(lab.spec.field, value):
                out[lab.spec.field] = round(value, 4)
    return out


__all__ = ["read_labs"]
