"""The patients the engine regression test replays: golden cases, synthetic clinic notes and
MTSamples notes under a rotation of clinical profiles (so every kind of rule gets exercised).

Frozen on purpose: the stored outputs in tests/data/engine_regression.json.xz were made from
exactly these inputs, so change nothing here without regenerating them (see the test module).
"""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path
from typing import Any

TESTS = Path(__file__).resolve().parent
GOLDEN = TESTS / "golden" / "cases.jsonl"
MTSAMPLES = TESTS.parents[1] / "shared" / "data" / "mtsamples" / "mtsamples.csv"
CLINIC_NOTES = 200
MTSAMPLES_NOTES = 200

SENTENCES = (
    "Follow-up visit for metastatic breast cancer, ER positive, HER2 zero.",
    "She reports new back pain for three weeks, worse at night.",
    "Some numbness in both feet since last week.",
    "No headache, no vomiting, no visual change.",
    "Appetite reduced, lost 3 kg over two months.",
    "Mild dry cough, no haemoptysis.",
    "Denies shortness of breath on exertion.",
    "Mother had breast cancer at 52.",
    "Previously treated with letrozole and palbociclib.",
    "Pain in the right hip when walking, relieved by paracetamol.",
    "No jaundice, no abdominal swelling.",
    "Bowels and bladder normal, no incontinence.",
    "She feels more tired than usual and sleeps in the afternoon.",
    "Examination: no palpable axillary or supraclavicular nodes.",
    "Tenderness over the lower thoracic spine on percussion.",
    "Chest clear, oxygen saturation 97% on air.",
    "Liver edge not palpable, abdomen soft and non-tender.",
    "Power 5/5 in all limbs, reflexes symmetrical.",
    "Calcium 2.61 mmol/L, bilirubin 14 umol/L, ALP 180 U/L.",
    "Plan: MRI whole spine and bone scan, review in two weeks.",
    "She is worried about her daughter's exams and has not been sleeping well.",
    "Occasional nausea after meals but no vomiting.",
    "Left shoulder ache after gardening, improving.",
    "No seizures, no confusion reported by her husband.",
    "Breathless climbing two flights of stairs, which is new.",
    "Ankle swelling in the evenings, both sides.",
)


def clinic_note(seed: int, length: int = 3000) -> str:
    """A dense follow-up note (the service benchmark's workload); each seed shuffles differently."""
    rng = random.Random(seed)
    parts: list[str] = []
    while sum(len(part) + 1 for part in parts) < length:
        order = list(SENTENCES)
        rng.shuffle(order)
        parts.extend(order)
    text = " ".join(parts)[:length]
    return f"{text[: length - 12]} (visit {seed:05d})"


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
