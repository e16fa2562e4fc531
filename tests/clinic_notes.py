"""The dense follow-up notes that the service and engine benchmarks and the regression nets
share: nearly every sentence carries a symptom, a negation, a lab or a plan. Frozen: the
regression digests and fixtures were recorded from exactly these notes."""

from __future__ import annotations

import random
from typing import Any

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
    """A 3,000-character follow-up note; each seed orders the sentences differently, so no two
    requests in a run carry the same text (nothing can be served from a cache)."""
    rng = random.Random(seed)
    parts: list[str] = []
    while sum(len(part) + 1 for part in parts) < length:
        order = list(SENTENCES)
        rng.shuffle(order)
        parts.extend(order)
    text = " ".join(parts)[:length]
    return f"{text[: length - 12]} (visit {seed:05d})"


def patient_request(index: int) -> dict[str, Any]:
    """One Patient around note ``index``: ER+/HER2-zero, bone metastases known."""
    return {
        "text": clinic_note(index),
        "receptors": {"er": "positive", "pr": "positive", "her2": "zero"},
        "setting": "metastatic",
        "known_sites": ["site:bone"],
    }


__all__ = ["SENTENCES", "clinic_note", "patient_request"]
