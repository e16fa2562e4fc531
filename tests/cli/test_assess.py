"""`mbcnav assess`, `mbcnav demo` and `mbcnav schema` through the real command line app."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from mbcnav.cli import app
from mbcnav.cli.schema import json_schema

RUNNER = CliRunner()
REPO = Path(__file__).resolve().parents[2]


def test_json_output_is_an_assessment() -> None:
    result = RUNNER.invoke(
        app,
        [
            "assess",
            "--json",
            "--finding",
            "sym:back_pain",
            "--finding",
            "sym:leg_weakness",
            "--finding",
            "sym:headache:absent",
            "--her2",
            "positive",
            "--er",
            "negative",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["sites"][0]["id"] == "site:spine"
    assert data["red_flags"][0]["id"] == "flag:spinal_cord_compression"
    assert all("for" in item for item in data["workup"])
    assert {"id": "sym:headache", "present": False} in [
        {"id": f["id"], "present": f["present"]} for f in data["findings"]
    ]


def test_human_view_orders_sections_and_fits_80_columns() -> None:
    result = RUNNER.invoke(
        app,
        [
            "assess",
            "--finding",
            "sym:back_pain",
            "--finding",
            "sym:urinary_retention",
            "--finding",
            "sym:leg_weakness",
            "--er",
            "positive",
            "--her2",
            "zero",
            "--known-site",
            "site:bone",
            "--setting",
            "metastatic",
        ],
    )
    assert result.exit_code == 0, result.output
    text = result.stdout
    order = [text.index(h) for h in ("RED FLAGS", "SITES OF SPREAD", "WORKUP", "TREATMENT")]
    assert order == sorted(order)
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "█" in text


def test_patient_from_stdin_and_bad_data_exit_codes() -> None:
    good = RUNNER.invoke(
        app,
        ["assess", "--json", "--patient", "-"],
        input=json.dumps({"findings": [{"id": "sym:seizure"}]}),
    )
    assert good.exit_code == 0, good.output
    assert json.loads(good.stdout)["red_flags"][0]["id"] == "flag:seizure"
    unknown = RUNNER.invoke(app, ["assess", "--finding", "sym:nope"])
    assert unknown.exit_code == 1 and "MBC-E102" in unknown.stderr
    malformed = RUNNER.invoke(app, ["assess", "--patient", "-"], input="{not json")
    assert malformed.exit_code == 1 and "MBC-E106" in malformed.stderr
    assert RUNNER.invoke(app, ["assess"]).exit_code == 2


def test_batch_bad_lines_become_error_lines_and_the_rest_go_on(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "one", "findings": [{"id": "sym:back_pain"}]}),
        "{broken json",
        json.dumps({"id": "two", "findings": [{"id": "sym:unknown_thing"}]}),
        json.dumps({"id": "three", "receptors": {"her2": "pos"}, "findings": []}),
        json.dumps({"id": "four", "labs": {"calcium_corrected_mmol_l": 3.1}}),
    ]
    batch = tmp_path / "in.jsonl"
    batch.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = RUNNER.invoke(app, ["assess", "--batch", str(batch)])
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == 5
    assert [o.get("id") for o in out] == ["one", None, "two", "three", "four"]
    assert [o["error"]["code"] for o in out if "error" in o] == ["MBC-E106", "MBC-E102", "MBC-E103"]
    assert out[4]["red_flags"][0]["id"] == "flag:hypercalcaemia"
    assert result.exit_code == 1


def test_demo_prints_the_human_view() -> None:
    result = RUNNER.invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    assert "demo-1" in result.stdout.splitlines()[0] and "RED FLAGS" in result.stdout


def test_schemas_print_and_match_the_files_in_docs() -> None:
    for shape in ("patient", "assessment"):
        result = RUNNER.invoke(app, ["schema", shape])
        assert result.exit_code == 0
        printed = json.loads(result.stdout)
        assert printed == json_schema(shape)
        assert printed == json.loads((REPO / "docs" / "schema" / f"{shape}.json").read_text())
    assert "for" in json_schema("assessment")["$defs"]["WorkupItem"]["properties"]


def test_human_view_gives_reasons_in_words() -> None:
    """Lab facts behind a flag or an option read as words with units, never field names."""
    patient = {"text": "confused", "labs": {"calcium_corrected_mmol_l": 3.6}}
    result = RUNNER.invoke(app, ["assess", "--patient", "-"], input=json.dumps(patient))
    assert result.exit_code == 0, result.output
    words = " ".join(result.stdout.split())
    assert "Corrected calcium 3.6 mmol/L (above" in words
    assert "calcium_corrected_mmol_l" not in words


def _option_ids(*args: str) -> set[str]:
    base = ["assess", "--json", "--finding", "sym:bone_pain", "--known-site", "site:bone"]
    base += ["--setting", "metastatic", "--er", "positive", "--pr", "positive", "--her2", "zero"]
    result = RUNNER.invoke(app, [*base, *args])
    assert result.exit_code == 0, result.output
    return {option["id"] for option in json.loads(result.stdout)["treatment_options"]}


def test_gene_options_and_the_old_pooled_pik3ca_option() -> None:
    after = ["--prior-therapy", "tx:ai_cdk46i"]
    akt1 = _option_ids(*after, "--akt1", "mutated")
    assert "tx:capivasertib_fulvestrant" in akt1 and "tx:alpelisib_fulvestrant" not in akt1
    gene = _option_ids(*after, "--pik3ca", "mutated")
    assert "tx:alpelisib_fulvestrant" in gene
    # --pik3ca altered keeps its old meaning: the pooled PIK3CA/AKT1/PTEN result.
    pooled = _option_ids(*after, "--pik3ca", "altered")
    assert "tx:capivasertib_fulvestrant" in pooled and "tx:alpelisib_fulvestrant" not in pooled


def test_menopausal_status_option_brings_ovarian_function_suppression() -> None:
    assert "tx:ovarian_function_suppression" in _option_ids("--menopausal-status", "premenopausal")
    assert "tx:ovarian_function_suppression" not in _option_ids()


def test_a_command_line_registers_only_its_own_command() -> None:
    from mbcnav.cli._app import COMMAND_MODULES, needed

    assert needed(["assess", "--batch", "notes.jsonl"]) == ("assess",)
    assert needed(["kb", "check"]) == ("kb",)
    assert needed(["--help"]) == COMMAND_MODULES
    assert needed(["no-such-command"]) == COMMAND_MODULES
    assert needed([]) == COMMAND_MODULES


def test_a_batch_process_imports_no_human_view_nor_other_commands(tmp_path: Path) -> None:
    """Start-up of ``assess --batch`` (and each screening worker) pays only for what it runs."""
    import subprocess
    import sys

    batch = tmp_path / "in.jsonl"
    batch.write_text('{"id": "1", "text": "Back pain."}\n', encoding="utf-8")
    script = (
        "import sys\n"
        "from mbcnav.cli import main\n"
        f"sys.argv = ['mbcnav', 'assess', '--batch', {str(batch)!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "names = ('rich', 'mbcnav.cli.human', 'mbcnav.cli.serve', 'mbcnav.render.html',"
        " 'mbcnav.evaluation')\n"
        "print([name for name in names if name in sys.modules], file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert json.loads(done.stdout)["id"] == "1"
    assert done.stderr.strip() == "[]"
