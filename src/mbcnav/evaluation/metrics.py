"""Scores of assessments against labelled records, per record and summed up per group.

Sites: a record *hits* at k when one of its confirmed sites (or an equivalent one: bone and
spine) is among the k most probable sites not already given as known; *recall* at k is the
share of its confirmed sites found there (at most k of them can be). Emergencies: one is raised
when a flag that answers it is raised at ``emergency`` or ``urgent`` (for our labelled cases,
which name flags, at any urgency); a false emergency is a
flag at ``emergency`` on a record whose key says there was none. Calibration: the Brier score
over every (record, site) pair scored, and a reliability table of predicted against observed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from mbcnav.evaluation.records import Half, Record, answer_keys
from mbcnav.types import Assessment

BINS = 10
"""Reliability-table bins of width 0.1 over the predicted probability."""


@dataclass(frozen=True, slots=True)
class Scored:
    """One record's figures, with what the reader found (for the list of misses)."""

    id: str
    half: Half | None
    shape: str
    sites: tuple[str, ...]
    ranked: tuple[tuple[str, float], ...]
    hit_at_1: bool | None
    hit_at_3: bool | None
    recall_at_1: float | None
    recall_at_3: float | None
    emergencies_hit: tuple[str, ...]
    emergencies_missed: tuple[str, ...]
    other_hit: tuple[str, ...]
    other_missed: tuple[str, ...]
    false_emergency: bool | None
    flags_raised: tuple[tuple[str, str], ...]
    flags_unexpected: tuple[str, ...]
    symptom_read: bool
    findings: tuple[str, ...]
    mentions: tuple[str, ...]
    pairs: tuple[tuple[float, int], ...] = field(default=(), repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "half": self.half,
            "shape": self.shape,
            "expected_sites": list(self.sites),
            "top_sites": [site for site, _ in self.ranked[:3]],
            "top_probabilities": [round(p, 4) for _, p in self.ranked[:3]],
            "hit_at_1": self.hit_at_1,
            "hit_at_3": self.hit_at_3,
            "recall_at_1": self.recall_at_1,
            "recall_at_3": self.recall_at_3,
            "emergencies_hit": list(self.emergencies_hit),
            "emergencies_missed": list(self.emergencies_missed),
            "other_emergencies_hit": list(self.other_hit),
            "other_emergencies_missed": list(self.other_missed),
            "false_emergency": self.false_emergency,
            "flags_raised": [f"{flag}:{urgency}" for flag, urgency in self.flags_raised],
            "flags_unexpected": list(self.flags_unexpected),
            "symptom_read": self.symptom_read,
            "findings": list(self.findings),
            "site_mentions": list(self.mentions),
        }


def _equivalents() -> dict[str, frozenset[str]]:
    out: dict[str, frozenset[str]] = {}
    for group in answer_keys().equivalent_sites:
        for site in group:
            out[site] = frozenset(group)
    return out


def _found(expected: tuple[str, ...], top: list[str]) -> set[str]:
    """Expected sites found in ``top``, an equivalent site counting for the expected one."""
    equivalents = _equivalents()
    return {s for s in expected if equivalents.get(s, frozenset({s})) & set(top)}


def score(record: Record, result: Assessment) -> Scored:
    """Figures for one record's assessment."""
    keys = answer_keys()
    known = set(record.patient.get("known_sites") or ())
    if record.shape == "labelled":  # our cases may expect a known site at the top
        known = set()
    ranked = tuple((s.id, s.probability) for s in result.sites if s.id not in known)
    names = [site for site, _ in ranked]
    hit1 = hit3 = None
    recall1 = recall3 = None
    pairs: tuple[tuple[float, int], ...] = ()
    if record.score_sites:
        found1, found3 = _found(record.sites, names[:1]), _found(record.sites, names[:3])
        hit1, hit3 = bool(found1), bool(found3)
        recall1 = min(1.0, len(found1) / min(1, len(record.sites)))
        recall3 = min(1.0, len(found3) / min(3, len(record.sites)))
        pairs = tuple((p, int(site in record.sites)) for site, p in ranked)
    raised = {f.id: f.urgency for f in result.red_flags}
    counting = {  # our labelled cases name the flag itself, at whatever urgency it is raised
        flag
        for flag, urgency in raised.items()
        if urgency in keys.raised_at or record.shape == "labelled"
    }

    def split(expected: dict[str, tuple[str, ...]]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        hit = tuple(name for name, flags in expected.items() if counting & set(flags))
        return hit, tuple(name for name in expected if name not in hit)

    hit, missed = split(record.emergencies)
    other_hit, other_missed = split(record.other_emergencies)
    expected_flags = {f for flags in record.emergencies.values() for f in flags}
    false = None
    if record.none_expected:
        false = any(u in keys.false_at for u in raised.values())
    text_findings = [f for f in result.findings if f.source == "text"]
    return Scored(
        id=record.id,
        half=record.half,
        shape=record.shape,
        sites=record.sites,
        ranked=ranked,
        hit_at_1=hit1,
        hit_at_3=hit3,
        recall_at_1=recall1,
        recall_at_3=recall3,
        emergencies_hit=hit,
        emergencies_missed=missed,
        other_hit=other_hit,
        other_missed=other_missed,
        false_emergency=false,
        flags_raised=tuple(sorted(raised.items())),
        flags_unexpected=tuple(sorted(set(raised) - expected_flags)),
        symptom_read=any(f.present for f in text_findings),
        findings=tuple(
            f"{f.id}{'' if f.present else ' (absent)'} «{f.text}»" for f in text_findings
        ),
        mentions=tuple(f"{m.site} {m.status} «{m.text}»" for m in result.site_mentions),
        pairs=pairs,
    )


def _mean(values: Iterable[float | bool | None]) -> float | None:
    kept = [float(v) for v in values if v is not None]
    return sum(kept) / len(kept) if kept else None


def reliability(pairs: list[tuple[float, int]]) -> list[dict[str, Any]]:
    """Predicted against observed, in bins of width 1/BINS (empty bins left out)."""
    bins: list[list[tuple[float, int]]] = [[] for _ in range(BINS)]
    for p, y in pairs:
        bins[min(int(p * BINS), BINS - 1)].append((p, y))
    return [
        {
            "bin": f"{i / BINS:.1f}-{(i + 1) / BINS:.1f}",
            "n": len(b),
            "predicted": sum(p for p, _ in b) / len(b),
            "observed": sum(y for _, y in b) / len(b),
        }
        for i, b in enumerate(bins)
        if b
    ]


def per_site(rows: list[Scored]) -> dict[str, dict[str, Any]]:
    """For each confirmed site: how many records, and the share found at 1 and at 3."""
    out: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row.hit_at_1 is None:
            continue
        names = [site for site, _ in row.ranked]
        for site in row.sites:
            entry = out.setdefault(site, {"n": 0, "at_1": 0, "at_3": 0})
            entry["n"] += 1
            entry["at_1"] += bool(_found((site,), names[:1]))
            entry["at_3"] += bool(_found((site,), names[:3]))
    return {
        site: {"n": e["n"], "hit_at_1": e["at_1"] / e["n"], "hit_at_3": e["at_3"] / e["n"]}
        for site, e in sorted(out.items())
    }


def summarise(rows: list[Scored], errors: int, flags: int) -> dict[str, Any]:
    """A group's figures (see the module docstring); ``flags`` is the knowledge's flag count."""
    hit = sum(len(r.emergencies_hit) for r in rows)
    missed = sum(len(r.emergencies_missed) for r in rows)
    other_hit = sum(len(r.other_hit) for r in rows)
    other_missed = sum(len(r.other_missed) for r in rows)
    negatives = sum(flags - len(r.emergencies_hit) - len(r.emergencies_missed) for r in rows)
    unexpected = sum(len(r.flags_unexpected) for r in rows)
    pairs = [pair for r in rows for pair in r.pairs]
    scored_sites = [r for r in rows if r.hit_at_1 is not None]
    return {
        "cases": len(rows),
        "errors": errors,
        "site_cases": len(scored_sites),
        "site_hit_at_1": _mean(r.hit_at_1 for r in rows),
        "site_hit_at_3": _mean(r.hit_at_3 for r in rows),
        "site_recall_at_1": _mean(r.recall_at_1 for r in rows),
        "site_recall_at_3": _mean(r.recall_at_3 for r in rows),
        "emergencies_expected": hit + missed,
        "emergencies_raised": hit,
        "emergency_sensitivity": hit / (hit + missed) if hit + missed else None,
        "other_emergencies_expected": other_hit + other_missed,
        "other_emergencies_raised": other_hit,
        "no_emergency_cases": sum(1 for r in rows if r.false_emergency is not None),
        "false_emergencies": sum(1 for r in rows if r.false_emergency),
        "false_emergency_rate": _mean(r.false_emergency for r in rows),
        "red_flag_sensitivity": hit / (hit + missed) if hit + missed else None,
        "red_flag_false_alarm_rate": unexpected / negatives if negatives else None,
        "symptom_read_share": _mean(r.symptom_read for r in rows),
        "brier": _mean((p - y) ** 2 for p, y in pairs),
        "reliability": reliability(pairs),
        "per_site": per_site(scored_sites),
    }


__all__ = ["BINS", "Scored", "per_site", "reliability", "score", "summarise"]
