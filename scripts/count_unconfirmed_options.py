"""Count treatment options offered for disease nobody has confirmed (issue 12, build item 1).

    PYTHONPATH=src python scripts/count_unconfirmed_options.py            # golden + dev cases
    PYTHONPATH=src python scripts/count_unconfirmed_options.py --list     # and every offence

Reads only the public Assessment, so it runs against any version of the engine (point
PYTHONPATH at another checkout's src/ for a "before" figure). An offered option counts as
resting on unconfirmed disease when it is not a red-flag measure (no raised flag among its
reasons) and either

* it is systemic (chemotherapy, endocrine, targeted, immunotherapy) while spread is not
  confirmed (the caller's setting is not ``metastatic``, and no site is known or the caller
  said ``surveillance``), or
* it is aimed at sites none of which is known (its ``for_sites``), or it is marked
  ``suspected`` (it rests on a site that is only suspected).

Red-flag measures on unconfirmed disease (dexamethasone for suspected cord compression, ...) are
reported apart: they are meant to stay. So is the uncomplicated-bone-pain radiotherapy row next
to a cord-compression flag. Cases: tests/golden/cases.jsonl and, when the shared folder is beside
the checkout, ../shared/data/cases/dev.jsonl (text = presenting_text, receptors from subtype,
known_sites mapped lymph_node -> site:lymph_nodes else site:<name>, setting metastatic if
presentation is known_metastatic else suspected).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mbcnav import assess_many, load_knowledge
from mbcnav.errors import MbcnavError

REPO = Path(__file__).resolve().parents[1]
GOLDEN = REPO / "tests" / "golden" / "cases.jsonl"
DEV = REPO.parent / "shared" / "data" / "cases" / "dev.jsonl"
SYSTEMIC = frozenset({"chemotherapy", "hormonal_therapy", "targeted_therapy", "immunotherapy"})
MSCC = "flag:spinal_cord_compression"
BONE_PAIN_RT = "tx:rt_bone_single_fraction"
RECEPTOR = {"positive": "positive", "negative": "negative", "low": "positive"}


def golden_patients(path: Path = GOLDEN) -> Iterator[tuple[str, dict[str, Any]]]:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            case = json.loads(line)
            yield f"golden:{case['id']}", case["patient"]


def dev_patients(path: Path = DEV) -> Iterator[tuple[str, dict[str, Any]]]:
    sites = set(load_knowledge().sites)
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        case = json.loads(line)
        subtype = case.get("subtype") or {}
        receptors = {
            "er": RECEPTOR.get(subtype.get("ER") or "", "unknown"),
            "pr": RECEPTOR.get(subtype.get("PR") or "", "unknown"),
            "her2": {"positive": "positive", "negative": "negative"}.get(
                subtype.get("HER2") or "", "unknown"
            ),
        }
        known = []
        for name in case.get("known_sites") or ():
            name = name.removeprefix("other:")
            site = "site:lymph_nodes" if name == "lymph_node" else f"site:{name}"
            if site in sites:
                known.append(site)
        setting = "metastatic" if case.get("presentation") == "known_metastatic" else "suspected"
        yield (
            f"dev:{case['id']}",
            {
                "id": case["id"],
                "text": case["presenting_text"],
                "receptors": receptors,
                "known_sites": known,
                "setting": setting,
            },
        )


def _setting(patient: dict[str, Any], known: set[str]) -> str:
    """Confirmed spread: the caller's ``metastatic``, or a known site unless the caller said
    ``surveillance`` (as the engine reads it, CONTRACTS.md)."""
    setting = str(patient.get("setting", "suspected"))
    return "metastatic" if known and setting == "suspected" else setting


def offences(patient: dict[str, Any], assessment: Any) -> dict[str, list[str]]:
    """The offered options of one assessment, sorted into the counts this script reports."""
    known = {site.id for site in assessment.sites if site.known}
    flags = {flag.id for flag in assessment.red_flags}
    setting = _setting(patient, known)
    found: dict[str, list[str]] = {"unconfirmed": [], "flag_measure": [], "bone_pain_rt": []}
    for option in assessment.treatment_options:
        systemic = option.modality in SYSTEMIC and setting != "metastatic"
        off_site = bool(option.for_sites) and not set(option.for_sites) & known
        if systemic or off_site or option.suspected:
            measure = bool(set(option.because) & flags)
            found["flag_measure" if measure else "unconfirmed"].append(option.id)
        if option.id == BONE_PAIN_RT and MSCC in flags:
            found["bone_pain_rt"].append(option.id)
    return found


def count(cases: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """Totals over the cases, and which case offered what."""
    results = assess_many([patient for _, patient in cases])
    totals: Counter[str] = Counter()
    listed: dict[str, dict[str, list[str]]] = {}
    for (name, patient), result in zip(cases, results, strict=True):
        if isinstance(result, MbcnavError):
            totals["errors"] += 1
            continue
        totals["cases"] += 1
        totals["offered"] += len(result.treatment_options)
        totals["after_confirmation"] += len(getattr(result, "after_confirmation", ()))
        found = offences(patient, result)
        for kind, ids in found.items():
            totals[kind] += len(ids)
        if any(found.values()):
            listed[name] = {kind: ids for kind, ids in found.items() if ids}
    return {"totals": dict(totals), "cases": listed}


def main(argv: list[str]) -> int:
    sets = {"golden": list(golden_patients())}
    if DEV.is_file():
        sets["dev"] = list(dev_patients())
    for name, cases in sets.items():
        report = count(cases)
        totals = report["totals"]
        print(
            f"{name}: {totals.get('cases', 0)} cases, {totals.get('offered', 0)} options offered; "
            f"unconfirmed {totals.get('unconfirmed', 0)}, red-flag measures on unconfirmed "
            f"disease {totals.get('flag_measure', 0)}, bone-pain RT beside MSCC "
            f"{totals.get('bone_pain_rt', 0)}; listed after confirmation "
            f"{totals.get('after_confirmation', 0)}"
        )
        if "--list" in argv:
            for case, found in report["cases"].items():
                print(f"  {case}: {json.dumps(found)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
