"""`mbcnav assess`: one patient from text and options, a Patient JSON, or a JSONL batch.

Human view by default (red flags first, then sites with probability bars and reasons, then
workup, then treatment options by modality; fits 80 columns), ``--json`` for the Assessment.
"""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path
from typing import IO, Annotated, Any, TextIO

import typer
from rich.console import Console
from rich.text import Text

from mbcnav import jsonin
from mbcnav._api import assess as assess_patient
from mbcnav._api import assess_many
from mbcnav.cli._app import EXIT_BAD_DATA, EXIT_USAGE, app
from mbcnav.errors import InputError, MbcnavError
from mbcnav.knowledge import Knowledge, load_knowledge
from mbcnav.lexicon_cache import warm_lexicon
from mbcnav.render.text import confirm_first, readable, reason_label
from mbcnav.runtime import freeze_heap, single_threaded_native_libraries
from mbcnav.types import MODALITIES, Assessment

BATCH_CHUNK = 2000
SHOWN_SITES = 8
SHOWN_REASONS = 3
BAR_WIDTH = 16
WIDTH = 80
LABEL_WIDTH = 26
URGENCY_STYLE = {"emergency": "bold red", "urgent": "red", "soon": "yellow", "routine": "green"}


def to_json(assessment: Assessment) -> dict[str, Any]:
    """The Assessment as CONTRACTS.md shows it (``for`` spelled as in the contract)."""
    return assessment.model_dump(mode="json", by_alias=True)


def _finding(value: str) -> dict[str, Any]:
    """``sym:x`` is present, ``sym:x:absent`` absent; ids are checked by the engine."""
    absent = value.endswith(":absent")
    return {"id": value.removesuffix(":absent"), "present": not absent}


def _lab(value: str) -> tuple[str, float]:
    name, _, number = value.partition("=")
    try:
        return name.strip(), float(number)
    except ValueError as exc:
        raise typer.BadParameter(f"expected NAME=NUMBER, got {value!r}") from exc


def _pik3ca_options(pik3ca: str | None, pooled: str | None) -> dict[str, str | None]:
    """``--pik3ca`` once took the pooled PIK3CA/AKT1/PTEN result (altered|not_altered); those
    values still mean that, so old command lines keep their answer, while mutated|wildtype name
    the PIK3CA gene itself."""
    if pik3ca in ("altered", "not_altered"):
        return {"pik3ca": None, "pik3ca_akt1_pten": pooled or pik3ca}
    return {"pik3ca": pik3ca, "pik3ca_akt1_pten": pooled}


def patient_from_options(text: str | None, **options: Any) -> dict[str, Any]:
    """Build a Patient dict from the command-line options (only what was given)."""
    patient: dict[str, Any] = {}
    if text:
        patient["text"] = text
    if options.get("ident"):
        patient["id"] = options["ident"]
    receptors = {k: options[k] for k in ("er", "pr", "her2") if options.get(k)}
    if receptors:
        patient["receptors"] = receptors
    names = ("esr1", "pik3ca_akt1_pten", "pik3ca", "akt1", "pten", "gbrca")
    biomarkers = {k: options[k] for k in names if options.get(k)}
    if options.get("pd_l1_cps") is not None:
        biomarkers["pd_l1_cps"] = options["pd_l1_cps"]
    if biomarkers:
        patient["biomarkers"] = biomarkers
    for key in ("setting", "age", "sex", "menopausal_status"):
        if options.get(key) is not None:
            patient[key] = options[key]
    if options.get("known_site"):
        patient["known_sites"] = list(options["known_site"])
    if options.get("prior_therapy"):
        patient["prior_therapies"] = list(options["prior_therapy"])
    if options.get("finding"):
        patient["findings"] = [_finding(v) for v in options["finding"]]
    if options.get("lab"):
        patient["labs"] = dict(_lab(v) for v in options["lab"])
    return patient


def _read_patient(source: str) -> Any:
    try:
        raw = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    except OSError as exc:
        raise InputError("The patient file", allowed="readable", got=source) from exc
    return jsonin.loads(raw, "The patient file")


def _error_line(data: Any, error: MbcnavError) -> dict[str, Any]:
    """``{"id", "error"}`` as CONTRACTS.md shows it; a line that could not be read names its
    ``line`` number instead of an id."""
    ident = data.get("id") if isinstance(data, dict) else None
    line: dict[str, Any] = {"id": ident, "error": {"code": error.code, "message": error.detail}}
    if isinstance(data, dict) and "line" in data and len(data) == 1:
        line["line"] = data["line"]
    return line


def _prepare_batch(knowledge: Knowledge) -> None:
    """A batch is a long-running process, set up as the screening workers are: warm the engine
    on one tiny patient (knowledge tables, the lexicon's automaton), then move all of it out of
    the garbage collector's view and collect young objects less often (Python's default
    collected every 700 allocations and re-traced the lexicon each full collection: a fifth
    of a batch's CPU time). One BLAS thread: the engine's matrices are small. The lexicon's
    automaton comes from the disk cache when an earlier process left one (``lexicon_cache``)."""
    single_threaded_native_libraries()
    warm_lexicon(knowledge)
    assess_many([{"text": "Back pain."}], knowledge=knowledge)
    freeze_heap()


def run_batch(handle: IO[bytes], out: TextIO, knowledge: Knowledge) -> int:
    """Assess a JSONL stream chunk by chunk (batched inference); returns the number of errors.

    A line that cannot be read, parsed or assessed gives one error line; every other line its
    Assessment, in input order."""
    errors = 0
    chunk: list[tuple[Any, MbcnavError | None]] = []

    def flush() -> None:
        nonlocal errors
        good = [data for data, error in chunk if error is None]
        results = iter(assess_many(good, knowledge=knowledge))
        for data, error in chunk:
            result = error if error is not None else next(results)
            if isinstance(result, MbcnavError):
                errors += 1
                line = _error_line(data, result)
            else:
                line = to_json(result)
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
        chunk.clear()

    for number, value in jsonin.lines(jsonin.stream_lines(handle)):
        if isinstance(value, InputError):
            chunk.append(({"line": number}, value))
        else:
            chunk.append((value, None))
        if len(chunk) >= BATCH_CHUNK:
            flush()
    flush()
    return errors


# ------------------------------------------------------------------ human view


def _pct(probability: float) -> str:
    return f"{probability:.0%}" if probability >= 0.1 else f"{probability:.1%}"


def _bar(probability: float) -> str:
    filled = round(probability * BAR_WIDTH)
    return "█" * filled + "░" * (BAR_WIDTH - filled)


def _say(console: Console, indent: int, text: str, style: str = "") -> None:
    """Print wrapped to 80 columns with a hanging indent, so continuation lines stay aligned."""
    pad = " " * indent
    console.print(
        textwrap.fill(text, WIDTH, initial_indent=pad, subsequent_indent=pad + "  "),
        style=style or None,
        soft_wrap=True,
    )


def _headline(console: Console, urgency: str, label: str) -> None:
    line = Text("  ")
    line.append(f"{urgency.upper():<10}", style=URGENCY_STYLE[urgency])
    rest = textwrap.wrap(label, WIDTH - 12) or [""]
    line.append(rest[0])
    console.print(line, soft_wrap=True)
    for more in rest[1:]:
        console.print(" " * 12 + more, soft_wrap=True)


def _name(knowledge: Knowledge, ident: str) -> str:
    for table in (knowledge.symptoms, knowledge.sites, knowledge.red_flags):
        if ident in table:
            return table[ident].label
    return ident


def _flags(console: Console, assessment: Assessment, knowledge: Knowledge) -> None:
    console.print(Text("RED FLAGS", style="bold"))
    if not assessment.red_flags:
        console.print("  none raised")
    for flag in assessment.red_flags:
        _headline(console, flag.urgency, flag.label or flag.id)
        if flag.because:
            reasons = ", ".join(readable(knowledge, b) for b in flag.because)
            _say(console, 12, f"because: {reasons}", "dim")
        for action in flag.actions:
            _say(console, 12, f"→ {action}")


def _sites(console: Console, assessment: Assessment, knowledge: Knowledge) -> None:
    console.print(Text("\nSITES OF SPREAD (most probable first)", style="bold"))
    shown = list(assessment.sites[:SHOWN_SITES])
    for site in shown:
        label = textwrap.shorten(site.label or site.id, LABEL_WIDTH, placeholder="…")
        tail = "known" if site.known else f"{site.probability:4.0%}  prior {_pct(site.prior)}"
        console.print(f"  {label:<{LABEL_WIDTH}} {_bar(site.probability)} {tail}", soft_wrap=True)
        reasons = [
            f"{'+' if b.log_odds > 0 else '−'}{abs(b.log_odds):.1f} "
            f"{reason_label(knowledge, b.finding, b.present)}"
            for b in site.because[:SHOWN_REASONS]
        ]
        if reasons:
            _say(console, 6, "; ".join(reasons), "dim")
    if assessment.site_mentions:
        named = [f"{_name(knowledge, m.site)} ({m.status})" for m in assessment.site_mentions]
        _say(console, 2, f"named in the text: {', '.join(dict.fromkeys(named))}", "dim")
    hidden = len(assessment.sites) - len(shown)
    if hidden > 0:
        console.print(f"  … {hidden} less probable sites (--json shows all)", style="dim")


def _workup(console: Console, assessment: Assessment) -> None:
    console.print(Text("\nWORKUP", style="bold"))
    if not assessment.workup:
        console.print("  nothing further suggested")
    for item in assessment.workup:
        _headline(console, item.urgency, item.label or item.id)
        if item.for_:
            _say(console, 12, f"for: {', '.join(item.for_)}", "dim")


def _treatment(console: Console, assessment: Assessment, knowledge: Knowledge) -> None:
    console.print(Text("\nTREATMENT OPTIONS (by modality)", style="bold"))
    waiting = confirm_first(assessment)
    if waiting:
        _say(console, 2, waiting, "bold")
    if not assessment.treatment_options:
        console.print("  none selected by the tables for this profile")
    for modality in MODALITIES:
        options = [o for o in assessment.treatment_options if o.modality == modality]
        if not options:
            continue
        console.print(f"  {modality.replace('_', ' ').capitalize()}", style="bold cyan")
        for option in options:
            line = f"line {option.line}, " if option.line else ""
            mark = " [suspected site]" if option.suspected else ""
            _say(console, 4, f"• {option.label or option.id}{mark}")
            _say(console, 6, f"{line}{option.intent.replace('_', ' ')}", "dim")
            if option.because:
                reasons = ", ".join(readable(knowledge, b) for b in option.because)
                _say(console, 6, f"because: {reasons}", "dim")
    if assessment.after_confirmation:
        console.print("  To consider once confirmed", style="bold cyan")
    by_reason: dict[str, list[str]] = {}
    for deferred in assessment.after_confirmation:
        by_reason.setdefault(deferred.reason, []).append(deferred.label or deferred.id)
    for reason, labels in by_reason.items():
        _say(console, 4, reason, "dim")
        for label in labels:
            _say(console, 4, f"• {label}")


def render_human(assessment: Assessment, knowledge: Knowledge, console: Console) -> None:
    """Print the human view: flags, sites, workup, treatment options, notice."""
    title = f"mbcnav assessment{f' {assessment.id}' if assessment.id else ''}"
    console.print(Text(title, style="bold underline"))
    _flags(console, assessment, knowledge)
    _sites(console, assessment, knowledge)
    _workup(console, assessment)
    _treatment(console, assessment, knowledge)
    version = assessment.provenance.knowledge_version
    console.print(f"\n{assessment.notice}\nknowledge {version}", style="dim")


def _console() -> Console:
    return Console(width=WIDTH, highlight=False)


def _fail(error: MbcnavError) -> typer.Exit:
    typer.echo(str(error), err=True)
    return typer.Exit(EXIT_BAD_DATA)


@app.command("assess")
def assess(
    text: Annotated[
        str | None, typer.Argument(help="Free text: a note or the patient's words")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the Assessment JSON")] = False,
    patient_file: Annotated[
        str | None, typer.Option("--patient", help="A Patient JSON file, - for stdin")
    ] = None,
    batch: Annotated[
        Path | None,
        typer.Option(
            "--batch",
            help="Patient JSONL in, Assessment JSONL out (a bad line gives an error line; "
            "exit 1 if any line was bad)",
        ),
    ] = None,
    ident: Annotated[str | None, typer.Option("--id", help="Caller's patient id")] = None,
    er: Annotated[str | None, typer.Option("--er", help="positive|negative|unknown")] = None,
    pr: Annotated[str | None, typer.Option("--pr", help="positive|negative|unknown")] = None,
    her2: Annotated[
        str | None, typer.Option("--her2", help="positive|low|ultralow|zero|negative|unknown")
    ] = None,
    setting: Annotated[
        str | None, typer.Option("--setting", help="surveillance|suspected|metastatic")
    ] = None,
    known_site: Annotated[
        list[str] | None, typer.Option("--known-site", help="site:ID (repeatable)")
    ] = None,
    finding: Annotated[
        list[str] | None, typer.Option("--finding", help="sym:NAME or sym:NAME:absent (repeatable)")
    ] = None,
    lab: Annotated[
        list[str] | None, typer.Option("--lab", help="NAME=VALUE, e.g. calcium_mg_dl=12.5")
    ] = None,
    pd_l1_cps: Annotated[float | None, typer.Option("--pd-l1-cps")] = None,
    esr1: Annotated[str | None, typer.Option("--esr1", help="mutated|wildtype")] = None,
    pik3ca: Annotated[
        str | None,
        typer.Option(
            "--pik3ca",
            help="mutated|wildtype (PIK3CA gene); altered|not_altered still means the pooled "
            "PIK3CA/AKT1/PTEN result",
        ),
    ] = None,
    akt1: Annotated[str | None, typer.Option("--akt1", help="mutated|wildtype")] = None,
    pten: Annotated[str | None, typer.Option("--pten", help="altered|not_altered")] = None,
    pik3ca_akt1_pten: Annotated[
        str | None,
        typer.Option("--pik3ca-akt1-pten", help="altered|not_altered (pooled; gene not named)"),
    ] = None,
    gbrca: Annotated[str | None, typer.Option("--gbrca", help="mutated|negative")] = None,
    prior_therapy: Annotated[
        list[str] | None, typer.Option("--prior-therapy", help="tx:ID (repeatable)")
    ] = None,
    age: Annotated[int | None, typer.Option("--age")] = None,
    sex: Annotated[str | None, typer.Option("--sex")] = None,
    menopausal_status: Annotated[
        str | None,
        typer.Option(
            "--menopausal-status", help="premenopausal|perimenopausal|postmenopausal|unknown"
        ),
    ] = None,
) -> None:
    """Assess one patient (or a JSONL batch): sites, red flags, workup, treatment options."""
    sources = sum(x is not None for x in (patient_file, batch)) + bool(text or finding or lab)
    if sources != 1:
        typer.echo(
            "Give exactly one of TEXT/--finding/--lab, --patient FILE or --batch FILE.", err=True
        )
        raise typer.Exit(EXIT_USAGE)
    knowledge = load_knowledge()
    if batch is not None:
        _prepare_batch(knowledge)
        try:
            with batch.open("rb") as handle:
                errors = run_batch(handle, sys.stdout, knowledge)
        except OSError as exc:
            raise _fail(InputError("The batch file", allowed="readable", got=str(batch))) from exc
        raise typer.Exit(EXIT_BAD_DATA if errors else 0)
    try:
        data = (
            _read_patient(patient_file)
            if patient_file is not None
            else patient_from_options(
                text,
                ident=ident,
                er=er,
                pr=pr,
                her2=her2,
                setting=setting,
                known_site=known_site,
                finding=finding,
                lab=lab,
                pd_l1_cps=pd_l1_cps,
                esr1=esr1,
                **_pik3ca_options(pik3ca, pik3ca_akt1_pten),
                akt1=akt1,
                pten=pten,
                gbrca=gbrca,
                prior_therapy=prior_therapy,
                age=age,
                sex=sex,
                menopausal_status=menopausal_status,
            )
        )
        result = assess_patient(data, knowledge=knowledge)
    except MbcnavError as exc:
        raise _fail(exc) from exc
    if as_json:
        typer.echo(json.dumps(to_json(result), ensure_ascii=False, indent=2))
    else:
        render_human(result, knowledge, _console())


__all__ = ["patient_from_options", "render_human", "run_batch", "to_json"]
