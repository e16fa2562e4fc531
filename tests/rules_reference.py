"""The condition interpreter as it was before conditions were compiled (commit ff271a7), kept
as the reference the compiled functions must agree with, reason for reason."""

# ruff: noqa
# mypy: ignore-errors

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mbcnav.knowledge.schema import (
    AllOf,
    AnyOf,
    AtLeast,
    BiomarkerCompare,
    Condition,
    FindingAbsent,
    FindingPresent,
    FlagRaised,
    LabCompare,
    Not,
    PriorModality,
    PriorTherapy,
    ReceptorIn,
    SettingIn,
    SiteStatus,
    SubtypeIn,
)
from mbcnav.rules import Facts, Match

_NO = Match(False)


def _merge(parts: list[tuple[str, ...]]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(reason for part in parts for reason in part))


def _compare(value: float | None, rule: LabCompare | BiomarkerCompare) -> tuple[bool, str]:
    """Apply every bound the rule names; a missing value never satisfies a comparison."""
    bounds = (("gt", rule.gt), ("ge", rule.ge), ("lt", rule.lt), ("le", rule.le))
    named = [(op, bound) for op, bound in bounds if bound is not None]
    if value is None or not named:
        return False, ""
    symbols = {"gt": ">", "ge": ">=", "lt": "<", "le": "<="}
    tests = {
        "gt": lambda v, b: v > b,
        "ge": lambda v, b: v >= b,
        "lt": lambda v, b: v < b,
        "le": lambda v, b: v <= b,
    }
    ok = all(tests[op](value, bound) for op, bound in named)
    text = " and ".join(f"{symbols[op]}{bound:g}" for op, bound in named)
    return ok, text


def _biomarker(rule: BiomarkerCompare, facts: Facts) -> Match:
    value = facts.biomarkers.get(rule.biomarker)
    if rule.in_ is not None:
        if isinstance(value, str) and value in rule.in_:
            return Match(True, (f"{rule.biomarker}={value}",))
        return _NO
    numeric = value if isinstance(value, int | float) else None
    ok, text = _compare(numeric, rule)
    if not ok or numeric is None:
        return _NO
    return Match(True, (f"{rule.biomarker}={numeric:g} ({text})",))


def _site(rule: SiteStatus, facts: Facts) -> Match:
    known = rule.site in facts.known_sites
    suspected = rule.site in facts.suspected_sites
    wanted = {
        "known": known,
        "suspected": suspected,
        "known_or_suspected": known or suspected,
    }[rule.status]
    if not wanted:
        return _NO
    return Match(True, (rule.site if known else f"{rule.site} (suspected)",))


def _at_least(rule: AtLeast, facts: Facts) -> Match:
    hits = [m for m in (evaluate(c, facts) for c in rule.of) if m.matched]
    if len(hits) < rule.at_least:
        return _NO
    return Match(True, _merge([m.because for m in hits]))


def _all(rule: AllOf, facts: Facts) -> Match:
    reasons: list[tuple[str, ...]] = []
    for part in rule.all:
        result = evaluate(part, facts)
        if not result.matched:
            return _NO
        reasons.append(result.because)
    return Match(True, _merge(reasons))


def _any(rule: AnyOf, facts: Facts) -> Match:
    hits = [r.because for r in (evaluate(part, facts) for part in rule.any) if r.matched]
    return Match(True, _merge(hits)) if hits else _NO


def _not(rule: Not, facts: Facts) -> Match:
    return _NO if evaluate(rule.not_, facts).matched else Match(True)


def _finding(rule: FindingPresent, facts: Facts) -> Match:
    return Match(True, (rule.finding,)) if rule.finding in facts.present else _NO


def _absent(rule: FindingAbsent, facts: Facts) -> Match:
    return Match(True, (f"no {rule.absent}",)) if rule.absent in facts.absent else _NO


def _lab(rule: LabCompare, facts: Facts) -> Match:
    ok, text = _compare(facts.labs.get(rule.lab), rule)
    return Match(True, (f"{rule.lab}={facts.labs[rule.lab]:g} ({text})",)) if ok else _NO


def _receptor(rule: ReceptorIn, facts: Facts) -> Match:
    value = facts.receptors.get(rule.receptor, "unknown")
    return Match(True, (f"{rule.receptor}={value}",)) if value in rule.in_ else _NO


def _setting(rule: SettingIn, facts: Facts) -> Match:
    return Match(True, (f"setting={facts.setting}",)) if facts.setting in rule.setting else _NO


def _subtype(rule: SubtypeIn, facts: Facts) -> Match:
    return Match(True, (f"subtype={facts.subtype}",)) if facts.subtype in rule.subtype else _NO


def _flag(rule: FlagRaised, facts: Facts) -> Match:
    return Match(True, (rule.flag,)) if rule.flag in facts.flags else _NO


def _prior_therapy(rule: PriorTherapy, facts: Facts) -> Match:
    ident = rule.prior_therapy
    return Match(True, (f"after {ident}",)) if ident in facts.prior_therapies else _NO


def _prior_modality(rule: PriorModality, facts: Facts) -> Match:
    name = rule.prior_modality
    return Match(True, (f"after {name}",)) if name in facts.prior_modalities else _NO


_HANDLERS: dict[type, Callable[[Any, Facts], Match]] = {
    AllOf: _all,
    AnyOf: _any,
    Not: _not,
    AtLeast: _at_least,
    FindingPresent: _finding,
    FindingAbsent: _absent,
    LabCompare: _lab,
    ReceptorIn: _receptor,
    BiomarkerCompare: _biomarker,
    SettingIn: _setting,
    SubtypeIn: _subtype,
    SiteStatus: _site,
    FlagRaised: _flag,
    PriorTherapy: _prior_therapy,
    PriorModality: _prior_modality,
}


def evaluate(condition: Condition, facts: Facts) -> Match:
    """Evaluate one condition against a patient's facts; the reasons are de-duplicated ids."""
    handler = _HANDLERS.get(type(condition))
    if handler is None:
        raise TypeError(f"not a condition: {condition!r}")
    return handler(condition, facts)
