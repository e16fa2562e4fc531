"""The condition interpreter: one small language for red flags, derived findings, workup and
treatment tables (see the docstring of :mod:`mbcnav.knowledge.schema`).

``evaluate`` returns whether a condition holds *and* the facts that made it hold, so every
flag and option can show the clinician why it was raised. Clinical content lives in the
knowledge conditions; this module only knows how to read them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any, TypeVar

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
    MenopausalIn,
    Not,
    PriorModality,
    PriorTherapy,
    ReceptorIn,
    SettingIn,
    SiteStatus,
    SubtypeIn,
)

K = TypeVar("K")
T = TypeVar("T")


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
    menopausal_status: str = "unknown"
    known_sites: frozenset[str] = frozenset()
    suspected_sites: frozenset[str] = frozenset()
    flags: frozenset[str] = frozenset()
    prior_therapies: frozenset[str] = frozenset()
    prior_modalities: frozenset[str] = frozenset()

    def but(self, **changes: Any) -> Facts:
        """A copy with ``changes``: ``dataclasses.replace`` at a third of the cost (there is
        nothing to check beyond the field names)."""
        unknown = changes.keys() - self.__dataclass_fields__.keys()
        if unknown:
            raise TypeError(f"Facts has no field {sorted(unknown)}")
        copy = object.__new__(type(self))
        copy.__dict__.update(self.__dict__, **changes)
        return copy


@dataclass(frozen=True)
class Match:
    """The verdict on one condition and the facts (ids or short phrases) behind it."""

    matched: bool
    because: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return self.matched


_NO = Match(False)
_HOLDS = Match(True)

Compiled = Callable[[Facts], Match]
"""A condition turned into a function of the facts (see :func:`compiled`)."""

_CACHE_LIMIT = 4096
F = TypeVar("F")
_COMPILED: dict[int, tuple[object, Compiled]] = {}
_TESTED: dict[int, tuple[object, Callable[[Facts], bool]]] = {}


def _merge(parts: list[tuple[str, ...]]) -> tuple[str, ...]:
    """The parts' reasons in order, each once (every part is already de-duplicated)."""
    if len(parts) == 1:
        return parts[0]
    return tuple(dict.fromkeys(reason for part in parts for reason in part))


_SYMBOLS = {"gt": ">", "ge": ">=", "lt": "<", "le": "<="}
_TESTS: dict[str, Callable[[float, float], bool]] = {
    "gt": lambda v, b: v > b,
    "ge": lambda v, b: v >= b,
    "lt": lambda v, b: v < b,
    "le": lambda v, b: v <= b,
}


def _comparison(rule: LabCompare | BiomarkerCompare) -> tuple[Callable[[Any], bool], str]:
    """Every bound the rule names as one test, and its text; a missing value never passes."""
    bounds = (("gt", rule.gt), ("ge", rule.ge), ("lt", rule.lt), ("le", rule.le))
    named = [(_TESTS[op], bound) for op, bound in bounds if bound is not None]
    text = " and ".join(f"{_SYMBOLS[op]}{bound:g}" for op, bound in bounds if bound is not None)

    def passes(value: Any) -> bool:
        return value is not None and bool(named) and all(test(value, b) for test, b in named)

    return passes, text


def _biomarker(rule: BiomarkerCompare) -> Compiled:
    name, among = rule.biomarker, rule.in_
    if among is not None:

        def listed(facts: Facts) -> Match:
            value = facts.biomarkers.get(name)
            if isinstance(value, str) and value in among:
                return Match(True, (f"{name}={value}",))
            return _NO

        return listed
    passes, text = _comparison(rule)

    def compared(facts: Facts) -> Match:
        value = facts.biomarkers.get(name)
        numeric = value if isinstance(value, int | float) else None
        if not passes(numeric):
            return _NO
        return Match(True, (f"{name}={numeric:g} ({text})",))

    return compared


def _lab(rule: LabCompare) -> Compiled:
    name = rule.lab
    passes, text = _comparison(rule)

    def compared(facts: Facts) -> Match:
        value = facts.labs.get(name)
        return Match(True, (f"{name}={value:g} ({text})",)) if passes(value) else _NO

    return compared


def _site(rule: SiteStatus) -> Compiled:
    site, status = rule.site, rule.status
    if status not in ("known", "suspected", "known_or_suspected"):
        raise KeyError(status)
    as_known = Match(True, (site,))
    as_suspected = Match(True, (f"{site} (suspected)",))

    def check(facts: Facts) -> Match:
        known = site in facts.known_sites
        if status == "known":
            return as_known if known else _NO
        suspected = site in facts.suspected_sites
        if status == "suspected":
            return (as_known if known else as_suspected) if suspected else _NO
        return as_known if known else (as_suspected if suspected else _NO)

    return check


def _at_least(rule: AtLeast) -> Compiled:
    parts, needed = tuple(_compile(c) for c in rule.of), rule.at_least

    def check(facts: Facts) -> Match:
        reasons = []
        for part in parts:
            result = part(facts)
            if result.matched:
                reasons.append(result.because)
        return Match(True, _merge(reasons)) if len(reasons) >= needed else _NO

    return check


def _all(rule: AllOf) -> Compiled:
    parts = tuple(_compile(c) for c in rule.all)

    def check(facts: Facts) -> Match:
        reasons: list[tuple[str, ...]] = []
        for part in parts:
            result = part(facts)
            if not result.matched:
                return _NO
            reasons.append(result.because)
        return Match(True, _merge(reasons))

    return check


def _any(rule: AnyOf) -> Compiled:
    parts = tuple(_compile(c) for c in rule.any)

    def check(facts: Facts) -> Match:
        reasons = []
        for part in parts:
            result = part(facts)
            if result.matched:
                reasons.append(result.because)
        return Match(True, _merge(reasons)) if reasons else _NO

    return check


def _not(rule: Not) -> Compiled:
    inner = _test(rule.not_)
    return lambda facts: _NO if inner(facts) else _HOLDS


def _member(ident: str, reason: str, field: str) -> Compiled:
    """Holds when ``ident`` is in the facts' set ``field``, giving ``reason``."""
    yes, of = Match(True, (reason,)), attrgetter(field)
    return lambda facts: yes if ident in of(facts) else _NO


def _one_of(among: tuple[str, ...], name: str, value_of: Callable[[Facts], str]) -> Compiled:
    """Holds when the facts' value is among the rule's, giving ``name=value``."""
    yes = {value: Match(True, (f"{name}={value}",)) for value in among}
    return lambda facts: yes.get(value_of(facts), _NO)


def _receptor(rule: ReceptorIn) -> Compiled:
    name = rule.receptor
    return _one_of(rule.in_, name, lambda facts: facts.receptors.get(name, "unknown"))


_BUILDERS: dict[type, Callable[[Any], Compiled]] = {
    AllOf: _all,
    AnyOf: _any,
    Not: _not,
    AtLeast: _at_least,
    FindingPresent: lambda rule: _member(rule.finding, rule.finding, "present"),
    FindingAbsent: lambda rule: _member(rule.absent, f"no {rule.absent}", "absent"),
    LabCompare: _lab,
    ReceptorIn: _receptor,
    BiomarkerCompare: _biomarker,
    SettingIn: lambda rule: _one_of(rule.setting, "setting", attrgetter("setting")),
    SubtypeIn: lambda rule: _one_of(rule.subtype, "subtype", attrgetter("subtype")),
    MenopausalIn: lambda rule: _one_of(
        rule.menopausal_status, "menopausal_status", attrgetter("menopausal_status")
    ),
    SiteStatus: _site,
    FlagRaised: lambda rule: _member(rule.flag, rule.flag, "flags"),
    PriorTherapy: lambda rule: _member(
        rule.prior_therapy, f"after {rule.prior_therapy}", "prior_therapies"
    ),
    PriorModality: lambda rule: _member(
        rule.prior_modality, f"after {rule.prior_modality}", "prior_modalities"
    ),
}


def _compile(condition: Any) -> Compiled:
    builder = _BUILDERS.get(type(condition))
    if builder is None:

        def refuse(facts: Facts) -> Match:
            raise TypeError(f"not a condition: {condition!r}")

        return refuse
    return builder(condition)


Test = Callable[[Facts], bool]
"""Whether a condition holds, without its reasons (see :func:`compiled_test`)."""


def _test(condition: Any) -> Test:
    """The verdict alone: ``any`` and ``at_least`` may stop early, no reasons are built."""
    match condition:
        case AllOf(all=parts):
            return _all_test(*_split(parts))
        case AnyOf(any=parts):
            return _any_test(*_split(parts))
        case AtLeast(of=parts, at_least=needed):
            tests = tuple(_test(c) for c in parts)
            return lambda facts: sum(1 for test in tests if test(facts)) >= needed
        case Not(not_=inner):
            test = _test(inner)
            return lambda facts: not test(facts)
        case FindingPresent(finding=ident):
            return lambda facts: ident in facts.present
        case FlagRaised(flag=ident):
            return lambda facts: ident in facts.flags
        case PriorTherapy(prior_therapy=ident):
            return lambda facts: ident in facts.prior_therapies
    full = _compile(condition)
    return lambda facts: full(facts).matched


def _split(parts: tuple[Condition, ...]) -> tuple[frozenset[str], tuple[Test, ...]]:
    """The findings a group asks to be present, as one set (a C-speed set test instead of a
    Python call per finding: most groups are lists of findings), and its other tests."""
    findings = frozenset(c.finding for c in parts if isinstance(c, FindingPresent))
    return findings, tuple(_test(c) for c in parts if not isinstance(c, FindingPresent))


def _all_test(findings: frozenset[str], tests: tuple[Test, ...]) -> Test:
    """A loop, not ``all(<generator>)``: no generator object on each of the many calls."""

    def holds(facts: Facts) -> bool:
        if not findings.issubset(facts.present):
            return False
        for test in tests:  # noqa: SIM110
            if not test(facts):
                return False
        return True

    return holds


def _any_test(findings: frozenset[str], tests: tuple[Test, ...]) -> Test:
    """A loop, not ``any(<generator>)``: no generator object on each of the many calls."""

    def holds(facts: Facts) -> bool:
        if not findings.isdisjoint(facts.present):
            return True
        for test in tests:  # noqa: SIM110
            if test(facts):
                return True
        return False

    return holds


Needs = dict[str, frozenset[str]]
"""Facts fields (sets, or the labs mapping) and ids: a condition holds only if one of the ids
is in its field."""

_MEMBER_FIELDS = {
    FindingPresent: ("present", attrgetter("finding")),
    LabCompare: ("labs", attrgetter("lab")),
    FlagRaised: ("flags", attrgetter("flag")),
    PriorTherapy: ("prior_therapies", attrgetter("prior_therapy")),
    PriorModality: ("prior_modalities", attrgetter("prior_modality")),
}


def needed(condition: Condition) -> Needs | None:
    """Ids at least one of which a patient's facts must hold for the condition to hold
    (``None``: no such set). Most rules are groups of findings, lab bounds or sites and most
    notes have none of them, so a C-speed set test or two settles them without walking the
    condition."""
    member = _MEMBER_FIELDS.get(type(condition))
    if member is not None:
        return {member[0]: frozenset({member[1](condition)})}
    match condition:
        case SiteStatus(site=site):
            # every status asks for a known site, a suspected one, or either
            return {"known_sites": frozenset({site}), "suspected_sites": frozenset({site})}
        case AllOf(all=parts):
            needs = [n for p in parts if (n := needed(p)) is not None]
            return min(needs, key=lambda n: sum(map(len, n.values()))) if needs else None
        case AnyOf(any=parts) | AtLeast(of=parts) if parts:
            if isinstance(condition, AtLeast) and condition.at_least < 1:
                return None
            union: dict[str, frozenset[str]] = {}
            for part in parts:
                part_needs = needed(part)
                if part_needs is None:
                    return None
                for name, ids in part_needs.items():
                    union[name] = union.get(name, frozenset()) | ids
            return union
    return None


def _possible(needs: Needs) -> Test:
    checks = tuple((ids, attrgetter(name)) for name, ids in needs.items())
    if len(checks) == 1:
        ((ids, of),) = checks
        return lambda facts: not ids.isdisjoint(of(facts))

    def possible(facts: Facts) -> bool:
        for ids, of in checks:  # noqa: SIM110
            if not ids.isdisjoint(of(facts)):
                return True
        return False

    return possible


@dataclass(frozen=True)
class Candidates:
    """Which of a list of conditions may hold for some facts (:func:`candidates`)."""

    always: tuple[int, ...]
    by_field: tuple[tuple[Callable[[Facts], Any], frozenset[str], dict[str, tuple[int, ...]]], ...]

    def __call__(self, facts: Facts) -> Sequence[int]:
        """The positions (in list order) of the conditions whose needed ids the facts hold,
        and of those without needed ids: every other condition is false for these facts."""
        found: set[int] | None = None
        for held, ids, index in self.by_field:
            hits = ids.intersection(held(facts))  # C-level; a set walks the smaller side
            if hits:
                if found is None:
                    found = set(self.always)
                for ident in hits:
                    found.update(index[ident])
        return self.always if found is None else sorted(found)


def candidates(conditions: list[Condition]) -> Candidates:
    """An index of the conditions by their needed ids, so a caller asks only the few a
    patient's facts can satisfy instead of every rule of a table."""
    always: set[int] = set()
    by_field: dict[str, dict[str, list[int]]] = {}
    for position, condition in enumerate(conditions):
        needs = needed(condition)
        if needs is None:
            always.add(position)
            continue
        for name, ids in needs.items():
            for ident in ids:
                by_field.setdefault(name, {}).setdefault(ident, []).append(position)
    return Candidates(
        tuple(sorted(always)),
        tuple(
            (attrgetter(name), frozenset(index), {ident: tuple(at) for ident, at in index.items()})
            for name, index in by_field.items()
        ),
    )


def _gated_compile(condition: Any) -> Compiled:
    full, needs = _compile(condition), needed(condition)
    if needs is None:
        return full
    possible = _possible(needs)
    return lambda facts: full(facts) if possible(facts) else _NO


def _gated_test(condition: Any) -> Test:
    test, needs = _test(condition), needed(condition)
    if needs is None:
        return test
    possible = _possible(needs)
    return lambda facts: possible(facts) and test(facts)


def compiled(condition: Condition) -> Compiled:
    """The condition as a function of the facts: built once per condition object (they are
    immutable) and kept while it lives, so a knowledge's tables are read only once."""
    return _cached(_COMPILED, condition, _gated_compile)


def compiled_test(condition: Condition) -> Test:
    """As :func:`compiled`, for callers that need only whether the condition holds."""
    return _cached(_TESTED, condition, _gated_test)


def _cached(
    cache: dict[int, tuple[Any, F]],
    key: object,
    build: Callable[[Any], F],
    limit: int = _CACHE_LIMIT,
) -> F:
    """``build(key)`` once per object, for objects that are immutable but not hashable."""
    hit = cache.get(id(key))
    if hit is not None and hit[0] is key:
        return hit[1]
    value = build(key)
    if len(cache) >= limit:
        cache.clear()
    cache[id(key)] = (key, value)
    return value


def evaluate(condition: Condition, facts: Facts) -> Match:
    """Evaluate one condition against a patient's facts; the reasons are de-duplicated ids."""
    return compiled(condition)(facts)


def per_knowledge(build: Callable[[K], T]) -> Callable[[K], T]:
    """``build(knowledge)`` computed once per knowledge object (immutable, but not hashable),
    for the tables the engine derives from it; a few objects at a time."""
    cache: dict[int, tuple[Any, T]] = {}

    @functools.wraps(build)
    def cached(knowledge: K) -> T:
        return _cached(cache, knowledge, build, limit=8)

    return cached


def names_a_flag(condition: Condition) -> bool:
    """Whether the condition asks about a raised flag anywhere inside."""
    match condition:
        case AllOf(all=parts) | AnyOf(any=parts) | AtLeast(of=parts):
            return any(names_a_flag(p) for p in parts)
        case Not(not_=inner):
            return names_a_flag(inner)
        case FlagRaised():
            return True
    return False


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


__all__ = [
    "Candidates",
    "Compiled",
    "Facts",
    "Match",
    "Test",
    "candidates",
    "compiled",
    "compiled_test",
    "evaluate",
    "names_a_flag",
    "needed",
    "per_knowledge",
    "referenced_ids",
]
