"""Byte-for-byte regression net for the engine: 452 patients (golden cases, dense clinic notes,
MTSamples notes under varied profiles) must give exactly the Assessment JSON stored in
tests/data/engine_regression.json.xz, on the single path, the batched path and the screening
path. Speed work must not move a single digit; a deliberate change of output regenerates the
file (and the diff of the regenerated outputs is what a reviewer reads):

    PYTHONPATH=src .venv/bin/python tests/test_engine_regression.py --write
"""

from __future__ import annotations

import json
import lzma
import sys
from pathlib import Path
from typing import Any

import pytest

from engine_workload import MTSAMPLES, all_patients
from mbcnav import Assessment, MbcnavError, assess, assess_many
from mbcnav.knowledge import Knowledge, load_knowledge

STORED = Path(__file__).with_name("data") / "engine_regression.json.xz"
Outputs = dict[str, dict[str, str]]

pytestmark = pytest.mark.skipif(not MTSAMPLES.is_file(), reason=f"{MTSAMPLES} not found")


def _dump(result: Assessment | MbcnavError) -> str:
    if isinstance(result, MbcnavError):
        return f"error {result.code}: {result}"
    return result.model_dump_json(by_alias=True)


def _single(patient: dict[str, Any], knowledge: Knowledge) -> str:
    try:
        return _dump(assess(patient, knowledge=knowledge))
    except MbcnavError as exc:
        return _dump(exc)


def compute(knowledge: Knowledge) -> tuple[Outputs, list[str], list[str]]:
    """Full single-path outputs and screening outputs per case, plus batched full outputs."""
    cases = all_patients()
    patients = [patient for _, patient in cases]
    full = [_single(patient, knowledge) for patient in patients]
    batched = [_dump(r) for r in assess_many(patients, knowledge=knowledge)]
    screen = [_dump(r) for r in assess_many(patients, knowledge=knowledge, detail="screen")]
    outputs = {
        case: {"full": f, "screen": s} for (case, _), f, s in zip(cases, full, screen, strict=True)
    }
    return outputs, full, batched


def _differs(case: str, kind: str, want: str, got: str) -> str:
    if want.startswith("error") or got.startswith("error"):
        return f"{case} [{kind}]: {want[:120]!r} != {got[:120]!r}"
    old, new = json.loads(want), json.loads(got)
    keys = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
    return f"{case} [{kind}]: fields {keys} differ"


@pytest.fixture(scope="module")
def outputs(knowledge: Knowledge) -> tuple[Outputs, list[str], list[str]]:
    return compute(knowledge)


def test_every_output_is_unchanged(outputs: tuple[Outputs, list[str], list[str]]) -> None:
    stored: Outputs = json.loads(lzma.decompress(STORED.read_bytes()))
    current = outputs[0]
    assert list(current) == list(stored), "the regression cases themselves changed"
    changed = [
        _differs(case, kind, stored[case][kind], current[case][kind])
        for case in stored
        for kind in ("full", "screen")
        if stored[case][kind] != current[case][kind]
    ]
    assert not changed, f"{len(changed)} outputs changed, first: " + "; ".join(changed[:5])


def test_the_batched_path_gives_the_single_path_bytes(
    outputs: tuple[Outputs, list[str], list[str]],
) -> None:
    _, full, batched = outputs
    assert batched == full


def test_screening_agrees_with_the_full_path(
    outputs: tuple[Outputs, list[str], list[str]],
) -> None:
    for case, both in outputs[0].items():
        full, screen = json.loads(both["full"]), json.loads(both["screen"])
        for field in ("findings", "site_mentions", "red_flags"):
            assert full[field] == screen[field], f"{case}: {field}"
        assert [(s["id"], s["probability"]) for s in full["sites"]] == [
            (s["id"], s["probability"]) for s in screen["sites"]
        ], case


def test_the_cases_cover_what_the_engine_can_say(
    outputs: tuple[Outputs, list[str], list[str]],
) -> None:
    assessed = [json.loads(o["full"]) for o in outputs[0].values()]
    assert len(assessed) >= 450
    assert sum(bool(a["red_flags"]) for a in assessed) >= 100
    assert sum(bool(a["treatment_options"]) for a in assessed) >= 200
    assert sum(any(s["because"] for s in a["sites"]) for a in assessed) >= 300


def _write() -> None:
    outputs, full, batched = compute(load_knowledge())
    assert batched == full, "the batched path differs from the single path"
    blob = json.dumps(outputs, sort_keys=False).encode()
    STORED.parent.mkdir(exist_ok=True)
    STORED.write_bytes(lzma.compress(blob, preset=9 | lzma.PRESET_EXTREME))
    print(f"wrote {len(outputs)} cases to {STORED} ({STORED.stat().st_size} bytes)")


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit(__doc__)
    _write()
