"""`mbcnav evaluate RECORDS.jsonl`: how well mbcnav reads and ranks labelled records.

It reads our labelled cases (``{"id", "patient", "expected"}``), published case records
(``presenting_text`` with an answer key) and patients' own words (``words``) as they are, and
prints for all records and for the odd- and even-numbered halves (tune on one, check on the
other): site hit and recall at 1 and 3, emergencies raised, false emergencies, the share of
records with a symptom read, the Brier score, per-site figures and a reliability table.
``--details`` lists each miss with what the reader found. Definitions: ``mbcnav.evaluation``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any

import typer

from mbcnav import jsonin
from mbcnav._api import assess_many
from mbcnav.cli._app import EXIT_BAD_DATA, app
from mbcnav.errors import MbcnavError
from mbcnav.evaluation import Record, Scored, score, summarise, to_record
from mbcnav.knowledge import Knowledge, load_knowledge

GROUPS = ("all", "odd", "even")


def _records(
    stream: Iterable[bytes | str], knowledge: Knowledge
) -> tuple[list[Record], list[dict[str, Any]]]:
    """Each line as a Record; a line that cannot be read is a failure, never the end of the run."""
    records: list[Record] = []
    failures: list[dict[str, Any]] = []
    for number, value in jsonin.lines(stream):
        try:
            if isinstance(value, MbcnavError):
                raise value
            records.append(to_record(value, knowledge))
        except (ValueError, MbcnavError) as exc:
            code = exc.code if isinstance(exc, MbcnavError) else "MBC-E106"
            message = f"line {number} cannot be read as a record: {str(exc)[:200]}"
            failures.append({"id": f"line {number}", "error": {"code": code, "message": message}})
    return records, failures


def evaluate_records(records: list[Record], knowledge: Knowledge) -> dict[str, Any]:
    """Assess every record in one batch and score it; a record that fails is counted, not fatal."""
    results = assess_many([r.patient for r in records], knowledge=knowledge)
    rows: list[Scored] = []
    failures: list[dict[str, Any]] = []
    for record, result in zip(records, results, strict=True):
        if isinstance(result, MbcnavError):
            failures.append({"id": record.id, "error": result.to_dict()})
        else:
            rows.append(score(record, result))
    flags = len(knowledge.red_flags)
    halves = {
        half: summarise([r for r in rows if r.half == half], 0, flags) for half in ("odd", "even")
    }
    return {
        "summary": summarise(rows, len(failures), flags),
        "halves": halves,
        "cases": [row.to_dict() for row in rows],
        "failures": failures,
    }


def _fmt(value: float | None) -> str:
    return "  n/a" if value is None else f"{value:.3f}"


def _count(summary: dict[str, Any], hit: str, total: str) -> str:
    return f"{summary[hit]}/{summary[total]}"


_ROWS: tuple[tuple[str, str], ...] = (
    ("site hit@1 (a confirmed site first)", "site_hit_at_1"),
    ("site hit@3 (a confirmed site in top 3)", "site_hit_at_3"),
    ("site recall@1", "site_recall_at_1"),
    ("site recall@3", "site_recall_at_3"),
    ("emergency sensitivity", "emergency_sensitivity"),
    ("false-emergency rate", "false_emergency_rate"),
    ("records with a symptom read", "symptom_read_share"),
    ("Brier score (sites)", "brier"),
)


def _table(report: dict[str, Any]) -> list[str]:
    groups = {"all": report["summary"], **report["halves"]}
    lines = [f"{'':40}" + "".join(f"{g:>10}" for g in GROUPS)]
    lines.append(
        f"{'records (scored for sites)':40}"
        + "".join(f"{groups[g]['cases']:>5} ({groups[g]['site_cases']:>2})" for g in GROUPS)
    )
    for label, key in _ROWS:
        lines.append(f"{label:40}" + "".join(f"{_fmt(groups[g][key]):>10}" for g in GROUPS))
    lines.append(
        f"{'emergencies raised':40}"
        + "".join(
            f"{_count(groups[g], 'emergencies_raised', 'emergencies_expected'):>10}" for g in GROUPS
        )
    )
    lines.append(
        f"{'false emergencies':40}"
        + "".join(
            f"{_count(groups[g], 'false_emergencies', 'no_emergency_cases'):>10}" for g in GROUPS
        )
    )
    lines.append(
        f"{'other emergencies raised (flag exists)':40}"
        + "".join(
            f"{_count(groups[g], 'other_emergencies_raised', 'other_emergencies_expected'):>10}"
            for g in GROUPS
        )
    )
    return lines


def _per_site(summary: dict[str, Any]) -> list[str]:
    lines = ["per site (all)                n   hit@1   hit@3"]
    for site, entry in summary["per_site"].items():
        lines.append(
            f"  {site:26}{entry['n']:>4}  {entry['hit_at_1']:.3f}   {entry['hit_at_3']:.3f}"
        )
    lines.append("reliability (all sites)   n   predicted  observed")
    for row in summary["reliability"]:
        lines.append(
            f"  {row['bin']:20}{row['n']:>6}      {row['predicted']:.3f}     {row['observed']:.3f}"
        )
    return lines


def _miss(row: dict[str, Any]) -> str | None:
    """One block per record with a miss: sites not in top 3, emergencies missed or false."""
    problems = []
    if row["hit_at_3"] is False:
        problems.append(f"sites {','.join(row['expected_sites'])} not in top 3")
    if row["emergencies_missed"]:
        problems.append(f"emergency missed {','.join(row['emergencies_missed'])}")
    if row["false_emergency"]:
        problems.append("false emergency")
    if row["shape"] == "words" and not row["symptom_read"]:
        problems.append("no symptom read")
    if not problems:
        return None
    top = ", ".join(
        f"{s} {p:.2f}" for s, p in zip(row["top_sites"], row["top_probabilities"], strict=True)
    )
    lines = [f"{row['id']} [{row['half']}]: {'; '.join(problems)}", f"    top: {top}"]
    lines.append(f"    read: {'; '.join(row['findings']) or '(nothing)'}")
    if row["site_mentions"]:
        lines.append(f"    sites named: {'; '.join(row['site_mentions'])}")
    if row["flags_raised"]:
        lines.append(f"    flags: {', '.join(row['flags_raised'])}")
    return "\n".join(lines)


@app.command("evaluate")
def evaluate(
    cases_file: Annotated[Path, typer.Argument(help="Labelled records, one JSON per line")],
    details: Annotated[bool, typer.Option("--details", help="List each miss")] = False,
    out: Annotated[Path | None, typer.Option("--out", help="Write the figures as JSON")] = None,
) -> None:
    """Site hit and recall at 1 and 3, emergencies, calibration, on labelled records."""
    knowledge = load_knowledge()
    try:
        with cases_file.open("rb") as handle:
            records, unreadable = _records(jsonin.stream_lines(handle), knowledge)
    except OSError as exc:
        typer.echo(f"[MBC-E100] The records file cannot be read: {exc}.", err=True)
        raise typer.Exit(EXIT_BAD_DATA) from exc
    report = evaluate_records(records, knowledge)
    report["failures"] = unreadable + report["failures"]
    report["summary"]["errors"] = len(report["failures"])
    summary = report["summary"]
    if details:
        for row in report["cases"]:
            block = _miss(row)
            if block:
                typer.echo(block)
        for failure in report["failures"]:
            typer.echo(f"{failure['id']}: error {failure['error']['code']}")
        typer.echo("")
    for line in _table(report):
        typer.echo(line)
    for line in _per_site(summary):
        typer.echo(line)
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


__all__ = ["evaluate_records"]
