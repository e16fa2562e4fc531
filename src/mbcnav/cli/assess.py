"""`mbcnav assess`: one patient from text and options, a Patient JSON, or a JSONL batch.

Human view by default (``cli.human``, imported only when shown), ``--json`` for the Assessment.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import IO, Annotated, Any, TextIO

import typer

from mbcnav import jsonin
from mbcnav._api import assess as assess_patient
from mbcnav._api import assess_many
from mbcnav.cli._app import EXIT_BAD_DATA, EXIT_USAGE, app
from mbcnav.errors import InputError, MbcnavError
from mbcnav.knowledge import Knowledge
from mbcnav.knowledge_cache import warm_knowledge
from mbcnav.lexicon_cache import warm_lexicon
from mbcnav.runtime import collected_after, freeze_heap, single_threaded_native_libraries
from mbcnav.types import Assessment

BATCH_CHUNK = 2000
_LINE = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode
"""``json.dumps(line, ensure_ascii=False)`` with one encoder for the whole batch (dumps makes
one per call for these options); an Assessment's JSON has no cycles to look for."""


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
            out.write(_LINE(line) + "\n")
        chunk.clear()

    for number, value in jsonin.lines(jsonin.stream_lines(handle)):
        if isinstance(value, InputError):
            chunk.append(({"line": number}, value))
        else:
            chunk.append((value, None))
        if len(chunk) >= BATCH_CHUNK:
            with collected_after():  # a chunk's objects are freed before its collection
                flush()
    with collected_after():
        flush()
    return errors


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
    knowledge = warm_knowledge()
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
        from mbcnav.cli.human import console, render_human

        render_human(result, knowledge, console())


__all__ = ["patient_from_options", "run_batch", "to_json"]
