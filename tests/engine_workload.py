"""The patients the engine regression test replays: golden cases, synthetic clinic notes and
MTSamples notes under a rotation of clinical profiles (so every kind of rule gets exercised).

Frozen on purpose: the stored outputs in tests/data/engine_regression.json.xz were made from
exactly these inputs, so change nothing here without regenerating them (see the test module).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from clinic_notes import clinic_note

TESTS = Path(__file__).resolve().parent
GOLDEN = TESTS / "golden" / "cases.jsonl"
MTSAMPLES = TESTS.parents[1] / "shared" / "data" / "mtsamples" / "mtsamples.csv"
CLINIC_NOTES = 200
MTSAMPLES_NOTES = 200


def clinic_patient(index: int) -> dict[str, Any]:
    """The service benchmark's request (the second half gets a varied clinical profile)."""
    if index >= CLINIC_NOTES // 2:
        return {"text": clinic_note(index), **_profile(index)}
    return {
        "text": clinic_note(index),
        "receptors": {"er": "positive", "pr": "positive", "her2": "zero"},
        "setting": "metastatic",
        "known_sites": ["site:bone"],
    }


RECEPTORS: tuple[dict[str, str], ...] = (
    {"er": "positive", "pr": "positive", "her2": "zero"},
    {"er": "positive", "pr": "negative", "her2": "positive"},
    {"er": "negative", "pr": "negative", "her2": "positive"},
    {"er": "negative", "pr": "negative", "her2": "negative"},
    {"er": "positive", "pr": "unknown", "her2": "low"},
    {},
)
SETTINGS: tuple[str | None, ...] = ("suspected", "metastatic", "surveillance", None)
KNOWN_SITES: tuple[tuple[str, ...], ...] = ((), ("site:bone",), ("site:liver", "site:lung"), ())
PRIOR_THERAPIES: tuple[tuple[str, ...], ...] = (
    (),
    ("tx:adjuvant_ai",),
    ("tx:prior_et_metastatic", "tx:cdk46i"),
    ("tx:adjuvant_trastuzumab", "tx:prior_taxane_metastatic"),
    ("tx:prior_t_dxd",),
)
BIOMARKERS: tuple[dict[str, Any], ...] = (
    {},
    {"esr1": "mutated", "pik3ca_akt1_pten": "altered"},
    {"gbrca": "mutated", "pd_l1_cps": 12.0},
)
LABS: tuple[dict[str, float], ...] = (
    {},
    {"calcium_corrected_mmol_l": 3.1},
    {"bilirubin_mg_dl": 2.4, "alp_u_l": 410.0},
    {"sodium_mmol_l": 124.0, "albumin_g_l": 28.0},
)


def _profile(index: int) -> dict[str, Any]:
    """A different clinical profile per note (co-prime cycle lengths mix the dimensions)."""
    patient: dict[str, Any] = {
        "receptors": RECEPTORS[index % len(RECEPTORS)],
        "known_sites": list(KNOWN_SITES[index % len(KNOWN_SITES)]),
        "prior_therapies": list(PRIOR_THERAPIES[index % len(PRIOR_THERAPIES)]),
        "biomarkers": BIOMARKERS[index % len(BIOMARKERS)],
        "labs": LABS[(index // 7) % len(LABS)],
    }
    setting = SETTINGS[(index // 3) % len(SETTINGS)]
    if setting is not None:
        patient["setting"] = setting
    return patient


def golden_patients() -> list[tuple[str, dict[str, Any]]]:
    cases = [json.loads(line) for line in GOLDEN.read_text(encoding="utf-8").splitlines()]
    return [(f"golden:{case['id']}", case["patient"]) for case in cases]


def mtsamples_patients() -> list[tuple[str, dict[str, Any]]]:
    with MTSAMPLES.open(encoding="utf-8", newline="") as handle:
        rows = [row for _, row in zip(range(MTSAMPLES_NOTES), csv.DictReader(handle), strict=False)]
    return [
        (f"mtsamples:{row['note_id']}", {"text": row["transcription"], **_profile(index)})
        for index, row in enumerate(rows)
    ]


def all_patients() -> list[tuple[str, dict[str, Any]]]:
    """Every regression case as (case id, patient JSON), in a fixed order."""
    clinic = [(f"clinic:{i}", clinic_patient(i)) for i in range(CLINIC_NOTES)]
    return golden_patients() + clinic + mtsamples_patients()
