"""Vital signs written in text ("SpO2 88% on air", "RR 28", "BP 84/50", "T 38.6", "101.3 F").

Names, value shapes, units and plausible ranges come from ``data/vitals.yaml``. Names and
unit words are phrases in the shared automaton; only where one is found does one anchored
regular expression read the value after a name, or a bounded window before a unit ("110
beats/min", "63/44 mm Hg"), so reading stays linear in the text. Values are converted (°F to
°C, kPa to mmHg) and a value outside the physiologically possible range, a fraction where a
count is written, or a systolic not above its diastolic is dropped rather than clipped. When a
note gives several values the most abnormal is kept (``worst``). The thresholds that make a
value a finding are the knowledge's (``derive_from`` on these fields), not this module's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from mbcnav.extract.matcher import PhraseMatcher
from mbcnav.extract.normalize import fold_phrase, fold_text
from mbcnav.knowledge.loader import yaml_text

PREFIX = "vital:"
"""Payloads of vital-sign phrases in the shared automaton start with this (lab fields do not)."""

_WINDOW = 16
"""Characters looked at before a unit word for its unnamed value ("tachycardic (110 bpm)")."""


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class VitalUnit(_Model):
    pattern: str
    factor: float = Field(default=1.0, gt=0)
    fahrenheit: bool = False
    scale_free: bool = Field(
        default=False, description="A unit that does not say which scale ('38.5°'): size decides"
    )


class Unitless(_Model):
    low: float
    high: float
    factor: float = Field(default=1.0, gt=0)
    fahrenheit: bool = False


class VitalSpec(_Model):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    field: str
    second: str | None = None
    names: tuple[str, ...] = Field(min_length=1)
    as_written: tuple[str, ...] = ()
    unit_names: tuple[str, ...] = ()
    glued: tuple[str, ...] = Field(
        default=(), description="Names written glued to a whole-number value ('HR83', 'BP90/60')"
    )
    units_as_written: tuple[str, ...] = ()
    units: tuple[VitalUnit, ...] = Field(min_length=1)
    unitless: tuple[Unitless, ...] = ()
    plausible: tuple[float, float]
    second_plausible: tuple[float, float] | None = None
    integer: bool = False
    out_of: int | None = Field(
        default=None, description="A score written over its maximum ('GCS 13/15'): the maximum"
    )
    worst: Literal["min", "max"]
    sources: tuple[str, ...] = Field(min_length=1)


class VitalRules(_Model):
    sources: tuple[dict[str, str], ...]
    vitals: tuple[VitalSpec, ...]


_FILLER = (  # each word whole, and no backtracking into the fillers (possessive below)
    r"(?:\s*+(?:(?:was|were|is|are|of|at|to|measured|recorded|reading|readings|only|down\s+to"
    r"|dropped\s+to|fell\s+to|up\s+to|around|approximately|about)(?![a-z])|[:=,\-(~]))"
)
_NOT_A_VITAL = (
    r"(?![\d.,]*\d)(?!\s*(?:mm\b|cm\b|mg|mcg|kg|ml\b|mmol|g\b|g/|x\s*10|×|years?|y\b"
    r"|months?|days?|weeks?|hours?|%\s*of))"
)
"""After the number: no other unit or a quantity of something else ("28 mm", "38 years")."""


@dataclass(frozen=True, slots=True)
class _Compiled:
    spec: VitalSpec
    after: re.Pattern[str]
    before: re.Pattern[str]
    units: tuple[tuple[re.Pattern[str], VitalUnit], ...]
    exact: frozenset[str]
    exact_units: frozenset[str]
    glued: frozenset[str]


def _compile(spec: VitalSpec) -> _Compiled:
    units = "|".join(f"(?:{unit.pattern})" for unit in spec.units)
    number = r"\d{1,3}(?:\.\d{1,2})?"
    if spec.second is None:  # a single value is not the first half of a pair ("B/P: 142/70")
        # ... unless the second number is the score's maximum ("13/15", "13 out of 15")
        out_of = rf"(?:\s*(?:/|out\s+of)\s*{spec.out_of}(?!\d))?" if spec.out_of is not None else ""
        value = rf"(?P<value>{number}){out_of}(?!\s*/\s*\d)"
        before = rf"(?<![\d./])(?P<value>{number})\s*(?:degrees?\s*|[°º]\s*)?$"
    else:
        value = rf"(?P<value>{number})\s*/\s*(?P<second>{number})"
        before = rf"(?<![\d./])(?P<value>{number})\s*/\s*(?P<second>{number})\s*$"
    after = re.compile(
        rf"{_FILLER}{{0,4}}+\s*{value}{_NOT_A_VITAL}(?:\s*(?P<unit>{units})(?![a-z]))?",
        re.IGNORECASE,
    )
    return _Compiled(
        spec,
        after,
        re.compile(before),
        tuple((re.compile(u.pattern, re.IGNORECASE), u) for u in spec.units),
        frozenset(spec.as_written),
        frozenset(spec.units_as_written),
        frozenset(spec.glued),
    )


@lru_cache(maxsize=1)
def _rules() -> dict[str, _Compiled]:
    raw = (resources.files("mbcnav.extract") / "data" / "vitals.yaml").read_text("utf-8")
    specs = VitalRules.model_validate(yaml_text(raw)).vitals
    return {spec.id: _compile(spec) for spec in specs}


def vital_phrases() -> list[tuple[str, str]]:
    """(phrase, payload) for every vital-sign name and unit word, for the shared automaton.

    Payloads: ``vital:<id>`` for a name, ``vital:<id>:exact`` for a name that counts only as
    written, ``vital:<id>:unit`` for a unit word read backwards (``:unit_exact`` as written),
    ``vital:<id>:glued<n>`` for a name of ``n`` characters glued to a whole number ("HR83"): one
    phrase per plausible whole number, so the automaton finds them with no extra pass.
    """
    out: list[tuple[str, str]] = []
    for ident, vital in _rules().items():
        spec = vital.spec
        names = {fold_phrase(name) for name in spec.names}
        out += [(name, f"{PREFIX}{ident}") for name in spec.names]
        out += [
            (name, f"{PREFIX}{ident}:exact")
            for name in spec.as_written
            if fold_phrase(name) not in names
        ]
        out += [(name, f"{PREFIX}{ident}:unit") for name in spec.unit_names]
        out += [(name, f"{PREFIX}{ident}:unit_exact") for name in spec.units_as_written]
        low, high = int(spec.plausible[0]), int(spec.plausible[1])
        glued = {fold_phrase(name) for name in spec.glued}
        out += [
            (f"{name}{number}", f"{PREFIX}{ident}:glued{len(name)}")
            for name in sorted(glued)
            for number in range(low, high + 1)
        ]
    return out


@lru_cache(maxsize=1)
def fields() -> dict[str, Literal["min", "max"]]:
    """Every field a vital sign is read into, with the direction kept when several are given."""
    out: dict[str, Literal["min", "max"]] = {}
    for vital in _rules().values():
        out[vital.spec.field] = vital.spec.worst
        if vital.spec.second is not None:
            out[vital.spec.second] = vital.spec.worst
    return out


def read_vital(payload: str, text: str, start: int, end: int) -> dict[str, float]:
    """The values a vital-sign phrase at ``text[start:end]`` introduces (empty if none)."""
    vital, how = _payload(payload)
    if vital is None:
        return {}
    if how == "unit_exact" and text[start:end] not in vital.exact_units:
        return {}
    unit: str | None
    if how.startswith("unit"):
        match = vital.before.search(text, max(0, start - _WINDOW), start)
        unit = text[start:end]
    elif how.startswith("glued"):
        name_end = start + int(how.removeprefix("glued"))
        if text[start:name_end] not in vital.glued:
            return {}
        match = vital.after.match(text, name_end)
        unit = match.group("unit") if match is not None else None
    else:
        if how == "exact" and text[start:end] not in vital.exact:
            return {}
        match = vital.after.match(text, end)
        unit = match.group("unit") if match is not None else None
    if match is None:
        return {}
    second = match.group("second") if vital.spec.second is not None else None
    return _values(vital, match.group("value"), second, unit)


@lru_cache(maxsize=256)
def _payload(payload: str) -> tuple[_Compiled | None, str]:
    """The vital sign a payload names and how its phrase reads (``exact``, ``unit``, ...):
    parsed once per payload, not once per hit."""
    ident, _, how = payload.removeprefix(PREFIX).partition(":")
    return _rules().get(ident), how


def _values(vital: _Compiled, first: str, second: str | None, unit: str | None) -> dict[str, float]:
    spec = vital.spec
    if spec.integer and ("." in first or (second is not None and "." in second)):
        return {}
    value = _convert(vital, float(first), unit)
    if value is None or not spec.plausible[0] <= value <= spec.plausible[1]:
        return {}
    out = {spec.field: round(value, 2)}
    if spec.second is not None and second is not None:
        low, high = spec.second_plausible or spec.plausible
        other = _convert(vital, float(second), unit)
        if other is None or not low <= other <= high or other >= value:
            return {}
        out[spec.second] = round(other, 2)
    return out


def _convert(vital: _Compiled, value: float, unit: str | None) -> float | None:
    rule: VitalUnit | Unitless | None = None
    if unit:
        for pattern, candidate in vital.units:
            if pattern.fullmatch(unit.strip()):
                rule = candidate
                break
        if rule is None:
            return None
    if rule is None or (isinstance(rule, VitalUnit) and rule.scale_free):
        rule = next((r for r in vital.spec.unitless if r.low <= value <= r.high), None)
        if rule is None:
            return None
    value *= rule.factor
    return (value - 32.0) * 5.0 / 9.0 if rule.fahrenheit else value


def keep_worst(out: MutableMapping[str, float], values: Mapping[str, float]) -> None:
    """Merge ``values`` into ``out``, keeping each field's most abnormal value."""
    worst = fields()
    for key, value in values.items():
        old = out.get(key)
        if old is None or (value < old if worst.get(key) == "min" else value > old):
            out[key] = value


def read_vitals(text: str) -> dict[str, float]:
    """Vital signs written in ``text``, keyed by field, the most abnormal of each kept."""
    folded = fold_text(text)
    out: dict[str, float] = {}
    for start, end, payloads in sorted(_matcher().find(folded)):
        original = folded.span(start, end)
        for payload in payloads:
            keep_worst(out, read_vital(payload, text, *original))
    return out


@lru_cache(maxsize=1)
def _matcher() -> PhraseMatcher[str]:
    return PhraseMatcher(vital_phrases())


__all__ = ["PREFIX", "fields", "keep_worst", "read_vital", "read_vitals", "vital_phrases"]
