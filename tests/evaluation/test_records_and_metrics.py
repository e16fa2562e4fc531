"""`mbcnav evaluate` on case records: answer keys mapped to our ids, and figures that can miss."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from mbcnav import assess
from mbcnav.cli import app
from mbcnav.evaluation import score, to_record
from mbcnav.evaluation.metrics import reliability
from mbcnav.evaluation.records import site_id
from mbcnav.knowledge import Knowledge, load_knowledge

RUNNER = CliRunner()


@pytest.fixture(scope="module")
def knowledge() -> Knowledge:
    return load_knowledge()


def _case(ident: str, text: str, **fields: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": ident,
        "presenting_text": text,
        "subtype": {"ER": "positive", "PR": None, "HER2": "low"},
        "presentation": "recurrent",
        "known_sites": [],
        "confirmed_sites": [],
        "emergency": ["none"],
        "site_eval": True,
        "control_no_metastasis": False,
        "age": 61,
        "sex": "F",
    }
    record.update(fields)
    return record


def test_case_record_becomes_what_a_clinician_knew(knowledge: Knowledge) -> None:
    raw = _case(
        "dev-vi-007",
        "Jaundice.",
        presentation="known_metastatic",
        known_sites=["bone"],
        confirmed_sites=["liver", "bone", "lymph_node", "other:thyroid"],
        emergency=["liver_failure_visceral_crisis"],
    )
    record = to_record(raw, knowledge)
    assert record.patient["setting"] == "metastatic"
    assert record.patient["known_sites"] == ["site:bone"]
    assert record.patient["receptors"] == {"er": "positive", "pr": "unknown", "her2": "low"}
    assert record.patient["sex"] == "female" and record.patient["age"] == 61
    assert record.sites == ("site:liver", "site:lymph_nodes")  # bone was known already
    assert record.outside == ("other:thyroid",)
    assert record.emergencies == {
        "liver_failure_visceral_crisis": ("flag:hepatic_visceral_crisis",)
    }
    assert record.none_expected is False and record.half == "odd"


def test_words_record_is_suspected_with_receptors_unknown(knowledge: Knowledge) -> None:
    record = to_record(
        {"id": "pvd-010", "words": "my hip hurts", "confirmed_sites": None, "emergency": None},
        knowledge,
    )
    assert record.patient == {"id": "pvd-010", "text": "my hip hurts", "setting": "suspected"}
    assert not record.score_sites and record.none_expected is None and record.half == "even"


def test_unknown_shape_is_named(knowledge: Knowledge) -> None:
    with pytest.raises(ValueError, match="presenting_text"):
        to_record({"id": "x"}, knowledge)
    with pytest.raises(ValueError, match="JSON object"):
        to_record([1, 2], knowledge)


def test_other_sites_map_only_when_the_knowledge_has_them(knowledge: Knowledge) -> None:
    assert site_id("other:bone_marrow", knowledge) == "site:bone_marrow"
    assert site_id("lymph_node", knowledge) == "site:lymph_nodes"
    assert site_id("other:thyroid", knowledge) is None


def test_bone_and_spine_count_for_each_other(knowledge: Knowledge) -> None:
    raw = _case(
        "dev-sk-002", "Severe low back pain at night, worse on coughing.", confirmed_sites=["bone"]
    )
    record = to_record(raw, knowledge)
    result = assess(record.patient, knowledge=knowledge)
    scored = score(record, result)
    assert scored.ranked[0][0] == "site:spine"
    assert scored.hit_at_1 is True and scored.recall_at_1 == 1.0


def test_a_miss_and_a_false_emergency_are_counted(knowledge: Knowledge) -> None:
    seizure = _case(
        "dev-ra-003",
        "She had a generalised tonic-clonic seizure this morning.",
        confirmed_sites=["ovary"],
    )
    record = to_record(seizure, knowledge)
    scored = score(record, assess(record.patient, knowledge=knowledge))
    assert scored.hit_at_3 is False
    assert "site:brain" in [site for site, _ in scored.ranked[:3]]
    assert scored.false_emergency is True
    assert scored.symptom_read


def test_cli_prints_halves_and_lists_misses(tmp_path: Path) -> None:
    records = [
        _case(
            "dev-sk-001",
            "Severe thoracic back pain waking her at night; legs weak.",
            confirmed_sites=["spine"],
            emergency=["spinal_cord_compression"],
        ),
        _case("dev-sk-002", "She had a generalised seizure.", confirmed_sites=["ovary"]),
        {"id": "pvd-003", "words": "I was so tired", "confirmed_sites": None, "emergency": None},
    ]
    path = tmp_path / "records.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\nnot json\n", encoding="utf-8")
    out = tmp_path / "report.json"
    result = RUNNER.invoke(app, ["evaluate", str(path), "--details", "--out", str(out)])
    assert result.exit_code == 1  # the unreadable line is an error, the others are scored
    report = json.loads(out.read_text())
    assert report["summary"]["cases"] == 3 and report["summary"]["errors"] == 1
    assert report["halves"]["odd"]["site_hit_at_3"] == 1.0
    assert report["halves"]["even"]["site_hit_at_3"] == 0.0
    assert report["summary"]["emergencies_raised"] == 1
    assert "dev-sk-002 [even]: sites site:ovary not in top 3" in result.stdout
    assert "line 4: error MBC-E106" in result.stdout
    assert "emergency sensitivity" in result.stdout


def test_reliability_bins_predicted_against_observed() -> None:
    rows = reliability([(0.05, 0), (0.07, 1), (0.95, 1), (1.0, 1)])
    assert rows == [
        {"bin": "0.0-0.1", "n": 2, "predicted": pytest.approx(0.06), "observed": 0.5},
        {"bin": "0.9-1.0", "n": 2, "predicted": pytest.approx(0.975), "observed": 1.0},
    ]
