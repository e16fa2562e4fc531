"""`mbcnav evaluate CASES.jsonl`: accuracy on labelled cases.

Each line: ``{"id", "patient": <Patient>, "expected": {"sites": [...], "red_flags": [...]}}``.

* site recall@k: per case, |expected ∩ top-k sites| / min(k, |expected|), averaged over the
  cases that expect sites (so recall@1 is "the top site is an expected one");
* red-flag sensitivity: raised expected flags / expected flags (over all cases);
* red-flag false-alarm rate: raised unexpected flags / (case, flag) pairs not expected, over
  every flag in the knowledge base.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from mbcnav._api import assess_many
from mbcnav.cli._app import EXIT_BAD_DATA, app
from mbcnav.errors import MbcnavError
from mbcnav.knowledge import Knowledge, load_knowledge
from mbcnav.types import Assessment


def _recall(expected: list[str], ranked: list[str], k: int) -> float:
    return len(set(expected) & set(ranked[:k])) / min(k, len(expected))


def score_case(case: dict[str, Any], result: Assessment, flags: int) -> dict[str, Any]:
    """Per-case figures: recall@1/@3, flags hit, missed and raised without being expected."""
    expected = case.get("expected") or {}
    sites = list(expected.get("sites") or [])
    ranked = [s.id for s in result.sites]
    wanted = set(expected.get("red_flags") or [])
    raised = {f.id for f in result.red_flags}
    return {
        "id": case.get("id"),
        "recall_at_1": _recall(sites, ranked, 1) if sites else None,
        "recall_at_3": _recall(sites, ranked, 3) if sites else None,
        "top_sites": ranked[:3],
        "flags_hit": sorted(wanted & raised),
        "flags_missed": sorted(wanted - raised),
        "flags_unexpected": sorted(raised - wanted),
        "negatives": flags - len(wanted),
    }


def summarise(rows: list[dict[str, Any]], errors: int) -> dict[str, Any]:
    """Averages over the scored cases (see the module docstring for the definitions)."""

    def mean(key: str) -> float | None:
        values = [r[key] for r in rows if r[key] is not None]
        return sum(values) / len(values) if values else None

    hit = sum(len(r["flags_hit"]) for r in rows)
    missed = sum(len(r["flags_missed"]) for r in rows)
    false = sum(len(r["flags_unexpected"]) for r in rows)
    negatives = sum(r["negatives"] for r in rows)
    return {
        "cases": len(rows),
        "errors": errors,
        "site_recall_at_1": mean("recall_at_1"),
        "site_recall_at_3": mean("recall_at_3"),
        "red_flag_sensitivity": hit / (hit + missed) if hit + missed else None,
        "red_flag_false_alarm_rate": false / negatives if negatives else None,
    }


def evaluate_cases(cases: list[dict[str, Any]], knowledge: Knowledge) -> dict[str, Any]:
    """Assess every case in one batch and score it; bad cases are counted, not fatal."""
    results = assess_many([c.get("patient") or {} for c in cases], knowledge=knowledge)
    rows: list[dict[str, Any]] = []
    failures: list[dict[str, Any]] = []
    for case, result in zip(cases, results, strict=True):
        if isinstance(result, MbcnavError):
            failures.append({"id": case.get("id"), "error": result.to_dict()})
        else:
            rows.append(score_case(case, result, len(knowledge.red_flags)))
    return {"summary": summarise(rows, len(failures)), "cases": rows, "failures": failures}


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


@app.command("evaluate")
def evaluate(
    cases_file: Annotated[Path, typer.Argument(help="Labelled cases, one JSON per line")],
    details: Annotated[bool, typer.Option("--details", help="One line per case")] = False,
    out: Annotated[Path | None, typer.Option("--out", help="Write the figures as JSON")] = None,
) -> None:
    """Site recall at 1 and 3, red-flag sensitivity and false-alarm rate on labelled cases."""
    try:
        lines = cases_file.read_text(encoding="utf-8").splitlines()
        cases = [json.loads(line) for line in lines if line.strip()]
    except (OSError, json.JSONDecodeError) as exc:
        typer.echo(f"[MBC-E106] The cases file must be JSON lines. Got {exc} instead.", err=True)
        raise typer.Exit(EXIT_BAD_DATA) from exc
    report = evaluate_cases(cases, load_knowledge())
    summary = report["summary"]
    if details:
        for row in report["cases"]:
            typer.echo(
                f"{row['id']}: r@1={_fmt(row['recall_at_1'])} r@3={_fmt(row['recall_at_3'])} "
                f"top={','.join(row['top_sites'])} missed={row['flags_missed']} "
                f"unexpected={row['flags_unexpected']}"
            )
        for failure in report["failures"]:
            typer.echo(f"{failure['id']}: error {failure['error']['code']}")
    typer.echo(
        f"cases {summary['cases']} (errors {summary['errors']})  "
        f"site recall@1 {_fmt(summary['site_recall_at_1'])}  "
        f"recall@3 {_fmt(summary['site_recall_at_3'])}  "
        f"red-flag sensitivity {_fmt(summary['red_flag_sensitivity'])}  "
        f"false-alarm rate {_fmt(summary['red_flag_false_alarm_rate'])}"
    )
    if out is not None:
        out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    if summary["errors"]:
        raise typer.Exit(EXIT_BAD_DATA)


__all__ = ["evaluate_cases", "score_case", "summarise"]
