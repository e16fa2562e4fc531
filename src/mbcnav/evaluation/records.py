"""Labelled records in the three shapes `mbcnav evaluate` reads, turned into one form.

* our labelled cases: ``{"id", "patient": <Patient>, "expected": {"sites", "red_flags"}}``;
* published case records (``presenting_text``, ``subtype``, ``presentation``, ``known_sites``,
  ``confirmed_sites``, ``emergency``, controls marked ``control_no_metastasis``);
* patients' own words (``words``, ``confirmed_sites`` or null, ``emergency`` or null).

Each becomes a :class:`Record`: the Patient the engine is given (only what a clinician would
know at presentation: the text, receptors, sites known before, the setting) and the answer key
in mbcnav ids. Answer-key words are mapped through ``answer_keys.yaml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from mbcnav.knowledge import Knowledge
from mbcnav.knowledge.loader import yaml_text

Shape = Literal["labelled", "case", "words"]
Half = Literal["odd", "even"]


class AnswerKeys(BaseModel):
    """``answer_keys.yaml``: how answer keys name sites and emergencies."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    sites: dict[str, str]
    equivalent_sites: list[list[str]]
    emergencies: dict[str, list[str]]
    other_emergencies: dict[str, list[str]]
    raised_at: list[str]
    false_at: list[str]


@lru_cache(maxsize=1)
def answer_keys() -> AnswerKeys:
    raw = (resources.files("mbcnav.evaluation") / "answer_keys.yaml").read_text("utf-8")
    return AnswerKeys.model_validate(yaml_text(raw))


@dataclass(frozen=True, slots=True)
class Record:
    """One labelled record: the engine's input and the answer key, in mbcnav ids.

    ``sites`` are the confirmed sites the knowledge has, less those already known (a site given
    as input is not a prediction); ``outside`` are confirmed sites the knowledge lacks.
    ``emergencies`` maps each expected emergency to the flags that answer it; ``none_expected``
    is True when the key says no emergency (a raised emergency there is a false one), False when
    it names one, None when the key does not say.
    """

    id: str
    shape: Shape
    patient: dict[str, Any]
    sites: tuple[str, ...]
    outside: tuple[str, ...]
    emergencies: dict[str, tuple[str, ...]]
    other_emergencies: dict[str, tuple[str, ...]]
    none_expected: bool | None
    score_sites: bool
    control: bool = False

    @property
    def half(self) -> Half | None:
        """Odd- or even-numbered id (``dev-sk-003`` is odd): tune on one, check on the other."""
        match = re.search(r"(\d+)\D*$", self.id)
        if match is None:
            return None
        return "odd" if int(match.group(1)) % 2 else "even"


def site_id(name: str, knowledge: Knowledge) -> str | None:
    """An answer key's site name as a knowledge site id, or None when the knowledge lacks it."""
    keys = answer_keys()
    bare = name.removeprefix("other:")
    candidate = keys.sites.get(bare) or (bare if bare.startswith("site:") else f"site:{bare}")
    return candidate if candidate in knowledge.site_ids else None


_RECEPTOR = {"positive": "positive", "low": "positive", "negative": "negative"}
"""ER/PR low (1-10 %) is reported as positive (ASCO/CAP 2020); null is unknown."""
_HER2 = {"positive": "positive", "low": "low", "ultralow": "ultralow", "negative": "negative"}


def _receptors(subtype: dict[str, Any] | None) -> dict[str, str]:
    subtype = subtype or {}
    return {
        "er": _RECEPTOR.get(str(subtype.get("ER")), "unknown"),
        "pr": _RECEPTOR.get(str(subtype.get("PR")), "unknown"),
        "her2": _HER2.get(str(subtype.get("HER2")), "unknown"),
    }


def _emergencies(
    names: list[str] | None, knowledge: Knowledge
) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]], bool | None]:
    if names is None:
        return {}, {}, None
    keys = answer_keys()
    flags = set(knowledge.red_flags)
    scored: dict[str, tuple[str, ...]] = {}
    other: dict[str, tuple[str, ...]] = {}
    for name in names:
        if name in keys.emergencies:
            scored[name] = tuple(keys.emergencies[name])
        elif name.startswith("other:"):
            known = tuple(f for f in keys.other_emergencies.get(name[6:], []) if f in flags)
            if known:
                other[name] = known
    return scored, other, names == ["none"]


def _site_key(
    confirmed: list[str] | None, known: tuple[str, ...], knowledge: Knowledge
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    mapped = [(name, site_id(name, knowledge)) for name in confirmed or []]
    sites = tuple(dict.fromkeys(s for _, s in mapped if s is not None and s not in known))
    outside = tuple(name for name, s in mapped if s is None)
    return sites, outside


def from_case(raw: dict[str, Any], knowledge: Knowledge) -> Record:
    """A published case record: the presenting text with what was known before it."""
    known = tuple(
        dict.fromkeys(s for s in (site_id(n, knowledge) for n in raw.get("known_sites") or []) if s)
    )
    metastatic = raw.get("presentation") == "known_metastatic" or bool(known)
    patient: dict[str, Any] = {
        "id": raw.get("id"),
        "text": raw.get("presenting_text") or "",
        "receptors": _receptors(raw.get("subtype")),
        "known_sites": list(known),
        "setting": "metastatic" if metastatic else "suspected",
    }
    if isinstance(raw.get("age"), int):
        patient["age"] = raw["age"]
    if raw.get("sex") in ("F", "M"):
        patient["sex"] = "female" if raw["sex"] == "F" else "male"
    sites, outside = _site_key(raw.get("confirmed_sites"), known, knowledge)
    scored, other, none = _emergencies(raw.get("emergency"), knowledge)
    control = bool(raw.get("control_no_metastasis"))
    return Record(
        id=str(raw.get("id")),
        shape="case",
        patient=patient,
        sites=sites,
        outside=outside,
        emergencies=scored,
        other_emergencies=other,
        none_expected=none,
        score_sites=bool(sites) and raw.get("site_eval", True) is not False and not control,
        control=control,
    )


def from_words(raw: dict[str, Any], knowledge: Knowledge) -> Record:
    """A patient's own description: the words alone, setting suspected, receptors unknown."""
    sites, outside = _site_key(raw.get("confirmed_sites"), (), knowledge)
    scored, other, none = _emergencies(raw.get("emergency"), knowledge)
    return Record(
        id=str(raw.get("id")),
        shape="words",
        patient={"id": raw.get("id"), "text": raw.get("words") or "", "setting": "suspected"},
        sites=sites,
        outside=outside,
        emergencies=scored,
        other_emergencies=other,
        none_expected=none,
        score_sites=bool(sites),
        control=raw.get("confirmed_sites") == [],
    )


def from_labelled(raw: dict[str, Any], knowledge: Knowledge) -> Record:
    """Our own labelled case: the Patient as given, expected sites and flags by id."""
    expected = raw.get("expected") or {}
    sites = tuple(expected.get("sites") or [])
    flags = tuple(expected.get("red_flags") or [])
    return Record(
        id=str(raw.get("id")),
        shape="labelled",
        patient=dict(raw.get("patient") or {}),
        sites=sites,
        outside=(),
        emergencies={flag: (flag,) for flag in flags},
        other_emergencies={},
        none_expected=not flags,
        score_sites=bool(sites),
    )


def to_record(raw: object, knowledge: Knowledge) -> Record:
    """Recognise a line's shape by its fields. Raises ValueError naming what is missing."""
    if not isinstance(raw, dict):
        raise ValueError(f"a record must be a JSON object, not {type(raw).__name__}")
    if "presenting_text" in raw:
        return from_case(raw, knowledge)
    if "words" in raw:
        return from_words(raw, knowledge)
    if "patient" in raw:
        return from_labelled(raw, knowledge)
    raise ValueError("a record needs 'patient' (labelled case), 'presenting_text' or 'words'")


__all__ = [
    "AnswerKeys",
    "Half",
    "Record",
    "Shape",
    "answer_keys",
    "from_case",
    "from_labelled",
    "from_words",
    "site_id",
    "to_record",
]
