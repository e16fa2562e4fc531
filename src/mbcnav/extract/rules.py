"""Context rules as validated data: trigger groups, terminators and note-section headings.

The rules live in ``data/context_rules.yaml`` (read with importlib.resources, validated by
pydantic with ``extra="forbid"`` so a misspelt key fails loudly) and are compiled once into
one phrase automaton per use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from mbcnav.errors import KnowledgeError
from mbcnav.extract.normalize import fold_phrase
from mbcnav.knowledge.loader import yaml_text

Category = Literal["negated", "historical", "hypothetical", "family", "uncertain"]
Direction = Literal["forward", "backward", "bidirectional", "pseudo", "terminate"]
CATEGORIES: tuple[Category, ...] = ("negated", "historical", "hypothetical", "family", "uncertain")


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RuleSource(_Model):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    citation: str


class RuleGroup(_Model):
    """Phrases sharing one category and direction, with where they come from."""

    name: str
    direction: Direction
    category: Category | None = None
    terminates: tuple[Category, ...] = ()
    max_tokens: int | None = Field(default=None, ge=0)
    phrases: tuple[str, ...] = Field(min_length=1)
    sources: tuple[str, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _category_fits_direction(self) -> RuleGroup:
        if self.direction == "terminate" and not self.terminates:
            raise ValueError(f"terminate group {self.name} must list what it terminates")
        if self.direction != "terminate" and self.category is None:
            raise ValueError(f"group {self.name} needs a category")
        return self


class MarkGroup(_Model):
    """A punctuation trigger the word automaton cannot see ("?liver mets", a semicolon), as a regex.

    It sets ``category`` in ``direction`` and also ends the scope of ``terminates``; a
    ``terminate`` mark (a clause break the folding turns into a space) only ends scopes.
    """

    name: str
    pattern: str
    direction: Literal["forward", "backward", "terminate"]
    category: Category | None = None
    terminates: tuple[Category, ...] = ()
    max_tokens: int | None = Field(default=None, ge=0)
    sources: tuple[str, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _pattern_compiles(self) -> MarkGroup:
        if self.direction == "terminate" and not self.terminates:
            raise ValueError(f"terminate mark {self.name} must list what it terminates")
        if self.direction != "terminate" and self.category is None:
            raise ValueError(f"mark {self.name} needs a category")
        try:
            re.compile(self.pattern)
        except re.error as exc:
            raise ValueError(f"mark {self.name}: bad pattern: {exc}") from exc
        return self


class SectionKind(_Model):
    name: str
    sets: Category | None = None
    headings: tuple[str, ...] = Field(min_length=1)


class Sections(_Model):
    sources: tuple[str, ...] = Field(min_length=1)
    kinds: tuple[SectionKind, ...]


class Attributions(_Model):
    """Phrases that name a cause ("due to", "caused by", "from"). Right after a negation
    trigger, with at most an aside in brackets between, they make the negation deny the cause,
    not the finding before it: in "the pain is not due to X" the pain is present."""

    phrases: tuple[str, ...] = Field(min_length=1)
    sources: tuple[str, ...] = Field(min_length=1)


class PastYears(_Model):
    """A year clearly before the note's latest year, after a preposition ("in 2019", "in May of
    2013"), dates what it stands beside as history; ``dates.past_year_cues`` reads them."""

    prepositions: tuple[str, ...] = Field(min_length=1)
    modifiers: tuple[str, ...] = ()
    months: tuple[str, ...] = ()
    also_dates: tuple[str, ...] = ()
    """Words after which a year is a date of the note's story (the latest one is "now") even
    if it sets no history itself ("since 2019", "from 2023")."""
    min_years_before: int = Field(ge=1)
    backward_tokens: int = Field(ge=0)
    forward_tokens: int = Field(ge=0)
    sources: tuple[str, ...] = Field(min_length=1)


class ContextRules(_Model):
    sources: tuple[RuleSource, ...]
    groups: tuple[RuleGroup, ...]
    marks: tuple[MarkGroup, ...] = ()
    attributions: Attributions | None = None
    past_years: PastYears | None = None
    sections: Sections

    @model_validator(mode="after")
    def _sources_exist(self) -> ContextRules:
        known = {source.id for source in self.sources}
        cited = {s for group in self.groups for s in group.sources}
        cited |= {s for mark in self.marks for s in mark.sources}
        cited |= set(self.sections.sources)
        if self.attributions is not None:
            cited |= set(self.attributions.sources)
        if self.past_years is not None:
            cited |= set(self.past_years.sources)
        missing = sorted(cited - known)
        if missing:
            raise ValueError(f"rule groups cite unknown sources: {missing}")
        return self


@dataclass(frozen=True, slots=True)
class Rule:
    """One compiled trigger: what it sets (or ends), in which direction, how far it reaches."""

    group: str
    direction: Direction
    category: Category | None
    terminates: frozenset[Category]
    max_tokens: int | None


def parse_rules(raw: object) -> ContextRules:
    """Validate a parsed YAML mapping; raise a coded KnowledgeError listing what is wrong."""
    try:
        return ContextRules.model_validate(raw)
    except ValidationError as exc:
        raise KnowledgeError(
            f"The context rules do not match their schema: {exc}", code="MBC-E202"
        ) from exc


@lru_cache(maxsize=1)
def default_rules() -> ContextRules:
    """The packaged rules, read and validated once per process."""
    text = (resources.files("mbcnav.extract") / "data" / "context_rules.yaml").read_text("utf-8")
    return parse_rules(yaml_text(text))


def rule_phrases(rules: ContextRules) -> list[tuple[str, Rule]]:
    """Every (phrase, Rule) pair, ready for a PhraseMatcher."""
    out: list[tuple[str, Rule]] = []
    for group in rules.groups:
        rule = Rule(
            group=group.name,
            direction=group.direction,
            category=group.category,
            terminates=frozenset(group.terminates),
            max_tokens=group.max_tokens,
        )
        pseudo = group.direction == "pseudo"
        out.extend(
            (form, rule) for phrase in group.phrases for form in contracted_forms(phrase, pseudo)
        )
    return out


_AUXILIARIES = ("does", "do", "did", "is", "was", "are", "were", "has", "have", "had")
_MODALS = ("can", "could", "would", "will")
_AUX_NOT = re.compile(rf"\b({'|'.join(_AUXILIARIES)}) not\b")


def contracted_forms(phrase: str, pseudo: bool) -> list[str]:
    """The phrase and the ways people contract it: "does not have" is also "doesn't have" and
    "doesnt have". A pseudo-trigger starting with "not" ("not help") also gets each auxiliary's
    contraction ("doesn't help", "hasn't helped" stays listed in full where it differs), modals
    included, since a pseudo only ever shields. Negation triggers skip "can't" and "couldn't":
    in patients' words those name an inability ("I can't feel my legs"), a complaint."""
    forms = [phrase]
    if _AUX_NOT.search(phrase):
        forms += [_AUX_NOT.sub(r"\1n't", phrase), _AUX_NOT.sub(r"\1nt", phrase)]
    if pseudo and phrase.startswith("not "):
        rest = phrase[4:]
        for aux in (*_AUXILIARIES, *_MODALS):
            stem = "wo" if aux == "will" else "ca" if aux == "can" else aux
            forms += [f"{stem}n't {rest}", f"{stem}nt {rest}"]
    return list(dict.fromkeys(forms))


def mark_rules(rules: ContextRules) -> tuple[tuple[re.Pattern[str], tuple[Rule, ...]], ...]:
    """(compiled pattern, its trigger Rule and, if it ends scopes, a terminator Rule)."""
    out: list[tuple[re.Pattern[str], tuple[Rule, ...]]] = []
    for mark in rules.marks:
        found = []
        if mark.direction != "terminate":
            found.append(
                Rule(mark.name, mark.direction, mark.category, frozenset(), mark.max_tokens)
            )
        if mark.terminates:
            found.append(Rule(mark.name, "terminate", None, frozenset(mark.terminates), None))
        out.append((re.compile(mark.pattern), tuple(found)))
    return tuple(out)


def attribution_phrases(rules: ContextRules) -> frozenset[tuple[str, ...]]:
    """The attribution phrases as tuples of folded words."""
    if rules.attributions is None:
        return frozenset()
    return frozenset(tuple(fold_phrase(p).split()) for p in rules.attributions.phrases)


def section_headings(rules: ContextRules) -> dict[str, SectionKind]:
    """Folded heading text -> section kind."""
    return {
        fold_phrase(heading): kind for kind in rules.sections.kinds for heading in kind.headings
    }


__all__ = [
    "CATEGORIES",
    "Attributions",
    "Category",
    "ContextRules",
    "Direction",
    "MarkGroup",
    "PastYears",
    "Rule",
    "RuleGroup",
    "SectionKind",
    "attribution_phrases",
    "contracted_forms",
    "default_rules",
    "mark_rules",
    "parse_rules",
    "rule_phrases",
    "section_headings",
]
