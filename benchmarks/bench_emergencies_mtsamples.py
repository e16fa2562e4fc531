"""Red flags on MTSamples: raised where a note's diagnosis names an emergency, and how many
notes raise any emergency-level flag at all.

Notes are *selected* by the words of their diagnosis, impression, procedure and description
(never shown to the engine); the engine reads only the presenting part (history, examination,
results: every section whose heading is not a diagnosis, plan, procedure, course or report) in
the ``suspected`` setting. A kind is raised when one of its flags is at ``emergency`` or
``urgent``. The second count runs every note's whole text and counts notes with any flag at
``emergency``: MTSamples has almost no cancer, so these are the notes a new trigger must not
flood (many are still true by the guideline, e.g. radicular pain with neck pain is NG234 box 1).
"""

from __future__ import annotations

import argparse
import csv
import re
from collections import Counter
from pathlib import Path

from mbcnav import assess

NOTES = Path(__file__).resolve().parents[2] / "shared" / "data" / "mtsamples" / "mtsamples.csv"
HEADING = re.compile(r"(?<![A-Za-z0-9])([A-Z][A-Z0-9 /&()-]{1,50}):")
NOT_PRESENTING = re.compile(
    r"DIAGNOS|IMPRESSION|ASSESSMENT|PLAN|PROCEDURE|OPERATI|FINDINGS|COURSE|DISCHARGE|CONCLUSION"
    r"|INTERPRETATION|SUMMARY|DISCUSSION|RECOMMENDATION|SPECIMEN|TECHNIQUE|INDICATION|TITLE"
    r"|ANESTHESIA|COMPLICATION|DRAIN|FLUID|BLOOD LOSS|DISPOSITION|CONDITION|REASON|QUESTION"
    r"|AXIS|PROBLEM|FINAL|CONSULT|RESULT|PATHOLOG|RADIOLOG|MRI|CT |CT$|X-RAY|IMAGING|STUDIES"
    r"|STUDY|ULTRASOUND|ECHO|EKG|ECG|TEST"
)
KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "cord compression": (
        r"cord compression|cauda equina|myelopathy|epidural (?:metasta|tumou?r|mass|abscess)",
        ("flag:spinal_cord_compression",),
    ),
    "hypercalcaemia": (r"hypercalc", ("flag:hypercalcaemia",)),
    "raised ICP / seizure": (
        r"intracranial pressure|intracranial hypertension|hydrocephalus|seizure"
        r"|status epilepticus|(?:brain|cerebral|intracranial) (?:tumou?r|mass|metasta|lesion)"
        r"|glioblastoma",
        ("flag:raised_intracranial_pressure", "flag:seizure"),
    ),
    "effusion / respiratory": (
        r"tamponade|pericardial effusion|pleural effusion|respiratory failure|respiratory distress",
        ("flag:respiratory_compromise", "flag:cardiac_tamponade"),
    ),
    "pathological fracture": (
        r"patholog\w* fracture|impending fracture",
        ("flag:pathological_fracture",),
    ),
    "liver failure": (
        r"liver failure|hepatic failure|hepatic encephalopathy|fulminant hepat|hepatorenal",
        ("flag:hepatic_visceral_crisis",),
    ),
    "SVC obstruction": (
        r"(?:superior vena cava|svc) (?:syndrome|obstruction)",
        ("flag:svc_obstruction",),
    ),
    "neutropenic fever": (r"neutropeni", ("flag:neutropenic_sepsis",)),
}


def _sections(text: str) -> list[tuple[str, str]]:
    pieces, last, heading = [], 0, ""
    for match in HEADING.finditer(text):
        pieces.append((heading, text[last : match.start()]))
        heading, last = match.group(1).strip(), match.end()
    pieces.append((heading, text[last:]))
    return pieces


def _flags(text: str) -> dict[str, str]:
    if not text.strip():
        return {}
    result = assess({"text": text, "setting": "suspected"})
    return {flag.id: flag.urgency for flag in result.red_flags}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="list the notes not raised")
    args = parser.parse_args(argv)
    with NOTES.open(encoding="utf-8") as handle:
        notes = list(csv.DictReader(handle))
    for kind, (pattern, flags) in KINDS.items():
        words = re.compile(pattern, re.IGNORECASE)
        raised, missed = 0, []
        for note in notes:
            pieces = _sections(note["transcription"])
            told = " ".join(
                [note["description"], note["sample_name"], note["keywords"]]
                + [body for heading, body in pieces if heading and NOT_PRESENTING.search(heading)]
            )
            if not words.search(told):
                continue
            shown = " ".join(b for h, b in pieces if not (h and NOT_PRESENTING.search(h)))
            found = _flags(shown)
            if any(found.get(flag) in ("emergency", "urgent") for flag in flags):
                raised += 1
            else:
                missed.append(note["note_id"])
        print(f"{kind:24s} raised {raised}/{raised + len(missed)}")
        if args.misses and missed:
            print("    not raised:", " ".join(missed))
    per_flag: Counter[str] = Counter()
    flooded = 0
    for note in notes:
        emergencies = [f for f, u in _flags(note["transcription"]).items() if u == "emergency"]
        flooded += bool(emergencies)
        per_flag.update(emergencies)
    print(f"notes with an emergency-level flag: {flooded}/{len(notes)}")
    for flag, count in per_flag.most_common():
        print(f"    {flag:36s} {count}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
