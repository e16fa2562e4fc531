"""The condition interpreter: one small language for red flags, derived findings, workup and
treatment tables (see the docstring of :mod:`mbcnav.knowledge.schema`).

``evaluate`` returns whether a condition holds *and* the facts that made it hold, so every
flag and option can show the clinician why it was raised. Clinical content lives in the
knowledge conditions; this module only knows how to read them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

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


@dataclass(frozen=True)
class Facts:
    """Everything a condition may ask about one patient, already merged and normalised."""

    present: frozenset[str] = frozenset()
    absent: frozenset[str] = frozenset()
    labs: Mapping[str, float] = field(default_factory=dict)
    receptors: Mapping[str, str] = field(default_factory=dict)
    biomarkers: Mapping[str, str | float | None] = field(default_factory=dict)
    setting: str = "suspected"
    subtype: str = "unknown"
    known_sites: frozenset[str] = frozenset()
    suspected_sites: frozenset[str] = frozenset()
    flags: frozenset[str] = frozenset()
    prior_therapies: frozenset[str] = frozenset()
    prior_modalities: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Match:
    """The verdict on one condition and the facts (ids or short phrases) behind it."""

    matched: bool
    because: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return self.matched


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


def evaluate(condition: Condition, facts: Facts) -> Match:
    """Evaluate one condition against a patient's facts; the reasons are de-duplicated ids."""
    match condition:
        case AllOf(all=parts):
            results = [evaluate(part, facts) for part in parts]
            if all(r.matched for r in results):
                return Match(True, _merge([r.because for r in results]))
            return _NO
        case AnyOf(any=parts):
            hits = [r for r in (evaluate(part, facts) for part in parts) if r.matched]
            return Match(True, _merge([r.because for r in hits])) if hits else _NO
        case Not(not_=inner):
            return _NO if evaluate(inner, facts).matched else Match(True)
        case AtLeast():
            return _at_least(condition, facts)
        case FindingPresent(finding=ident):
            return Match(True, (ident,)) if ident in facts.present else _NO
        case FindingAbsent(absent=ident):
            return Match(True, (f"no {ident}",)) if ident in facts.absent else _NO
        case LabCompare(lab=name):
            ok, text = _compare(facts.labs.get(name), condition)
            return Match(True, (f"{name}={facts.labs[name]:g} ({text})",)) if ok else _NO
        case ReceptorIn(receptor=name, in_=allowed):
            value = facts.receptors.get(name, "unknown")
            return Match(True, (f"{name}={value}",)) if value in allowed else _NO
        case BiomarkerCompare():
            return _biomarker(condition, facts)
        case SettingIn(setting=allowed):
            return Match(True, (f"setting={facts.setting}",)) if facts.setting in allowed else _NO
        case SubtypeIn(subtype=allowed):
            return Match(True, (f"subtype={facts.subtype}",)) if facts.subtype in allowed else _NO
        case SiteStatus():
            return _site(condition, facts)
        case FlagRaised(flag=ident):
            return Match(True, (ident,)) if ident in facts.flags else _NO
        case PriorTherapy(prior_therapy=ident):
            return Match(True, (f"after {ident}",)) if ident in facts.prior_therapies else _NO
        case PriorModality(prior_modality=name):
            return Match(True, (f"after {name}",)) if name in facts.prior_modalities else _NO
    raise TypeError(f"not a condition: {condition!r}")


def referenced_ids(condition: Condition) -> set[str]:
    """Every finding, site, flag and therapy id a condition names (for knowledge checks)."""
    match condition:
        case AllOf(all=parts) | AnyOf(any=parts) | AtLeast(of=parts):
            return set().union(*(referenced_ids(p) for p in parts)) if parts else set()
        case Not(not_=inner):
            return referenced_ids(inner)
        case FindingPresent(finding=ident) | FindingAbsent(absent=ident):
            return {ident}
        case SiteStatus(site=ident) | FlagRaised(flag=ident) | PriorTherapy(prior_therapy=ident):
            return {ident}
    return set()


__all__ = ["Facts", "Match", "evaluate", "referenced_ids"]
