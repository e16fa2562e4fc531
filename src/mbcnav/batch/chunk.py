"""The one pure chunk function both engines run: a batch of notes in, a batch of results out.

``screen_chunk`` never raises for a bad row: every input row yields exactly one output row,
either a result or a coded error (E402 empty text, E403 bad encoding, E404 oversize note, E405
bad date, or the engine's own input codes). Rows are checked here in plain Python, then every
good row goes to the engine in one lean ``assess_screened`` call (``assess_many(...,
detail="screen")`` reduced to a row's fields): screening output uses only findings, site
probabilities and red flags, which equal the full path's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pyarrow as pa

from mbcnav._api import MAX_TEXT_CHARS, Screened, assess_screened
from mbcnav.batch.io import INPUT_SCHEMA
from mbcnav.errors import BatchError, MbcnavError, format_message
from mbcnav.knowledge import Knowledge, load_knowledge
from mbcnav.lexicon_cache import warm_lexicon
from mbcnav.runtime import freeze_heap, single_threaded_native_libraries
from mbcnav.types import Assessment, Qualifiers

AssessMany = Callable[..., Sequence[Assessment | Screened | MbcnavError]]

SITE = pa.struct([("id", pa.string()), ("probability", pa.float64())])
FLAG = pa.struct([("id", pa.string()), ("urgency", pa.string())])
QUALIFIERS = ("negated", "historical", "hypothetical", "family", "uncertain")
FINDING = pa.struct(
    [("id", pa.string()), ("present", pa.bool_())] + [(q, pa.bool_()) for q in QUALIFIERS]
)
OUTPUT_SCHEMA = pa.schema(
    [
        ("row", pa.int64()),
        ("id", pa.string()),
        ("patient", pa.string()),
        ("date", pa.string()),
        ("sites", pa.list_(SITE)),
        ("red_flags", pa.list_(FLAG)),
        ("urgency", pa.string()),
        ("findings", pa.list_(FINDING)),
        ("knowledge_version", pa.string()),
        ("knowledge_hash", pa.string()),
        ("error_code", pa.string()),
        ("error_message", pa.string()),
    ]
)
RESULT_FIELDS = ("sites", "red_flags", "urgency", "findings")
PROFILE = ("er", "pr", "her2")
DIGITS = 6
"""Probabilities are rounded so that engines that batch rows differently still agree exactly."""


@dataclass(frozen=True)
class ChunkOptions:
    top_sites: int = 3
    max_chars: int = MAX_TEXT_CHARS


def prepare_worker(knowledge: Knowledge) -> None:
    """Warm the engine's caches on a tiny note, then freeze them out of the garbage collector.

    Run once per worker process, before its first chunk: the long-lived knowledge, lexicon and
    tables are never traced again, and young-generation collections run less often. The
    lexicon's automaton comes from the disk cache when an earlier process left one
    (``lexicon_cache``).
    """
    single_threaded_native_libraries()
    warm_lexicon(knowledge)
    batch = pa.RecordBatch.from_pylist([{"row": 0, "text": b"Back pain."}], schema=INPUT_SCHEMA)
    screen_chunk(batch, knowledge)
    freeze_heap()


class RowError(Exception):
    """A row that cannot be screened; carries its stable code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def normalise_date(value: str | None) -> str | None:
    """ISO 8601 date or date-time, returned in one canonical ISO form; else E405."""
    value = _clean(value)
    if value is None:
        return None
    try:
        if len(value) == 10:
            return date.fromisoformat(value).isoformat()
        return datetime.fromisoformat(value.replace(" ", "T", 1)).isoformat()
    except ValueError:
        raise RowError(
            "MBC-E405",
            format_message("The note date", "an ISO 8601 date or date-time", value),
        ) from None


def note_text(raw: bytes | None, max_chars: int) -> str:
    """Decode and size-check one note (E402 empty, E403 bad UTF-8, E404 too large)."""
    if raw is None or not raw.strip():
        raise RowError("MBC-E402", "The note text is empty.")
    if len(raw) > 4 * max_chars:
        raise RowError("MBC-E404", _too_large(max_chars, f"{len(raw):,} bytes"))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        got = f"byte {exc.start}: {raw[exc.start : exc.start + 4]!r}"
        raise RowError("MBC-E403", format_message("The note text", "valid UTF-8", got)) from None
    if len(text) > max_chars:
        raise RowError("MBC-E404", _too_large(max_chars, f"{len(text):,} characters"))
    if not text.strip():
        raise RowError("MBC-E402", "The note text is empty.")
    return text


def _too_large(max_chars: int, got: str) -> str:
    return format_message("The note", f"at most {max_chars:,} characters", got)


def _patient(row: Mapping[str, Any], options: ChunkOptions) -> dict[str, Any]:
    if row["read_error"]:
        raise RowError(row["read_error"], row["read_message"] or "The row cannot be read.")
    patient: dict[str, Any] = {"text": note_text(row["text"], options.max_chars)}
    ident = _clean(row["id"])
    if ident is not None:
        patient["id"] = ident
    receptors = {k: v.lower() for k in PROFILE if (v := _clean(row[k])) is not None}
    if receptors:
        patient["receptors"] = receptors
    setting = _clean(row["setting"])
    if setting is not None:
        patient["setting"] = setting.lower()
    return patient


def screen_many(
    patients: Sequence[Mapping[str, Any]], *, knowledge: Knowledge | None = None
) -> list[Screened | MbcnavError]:
    """The default engine: the lean screening path (no explanations, workup or treatment, and
    no Assessment built: only what a row holds)."""
    return list(assess_screened(patients, knowledge=knowledge))


def _qualifiers(qualifiers: Qualifiers) -> dict[str, bool]:
    return {name: getattr(qualifiers, name) for name in QUALIFIERS}


def _result(assessment: Assessment | Screened, options: ChunkOptions) -> dict[str, Any]:
    sites = assessment.sites if options.top_sites <= 0 else assessment.sites[: options.top_sites]
    flags = assessment.red_flags
    return {
        "sites": [{"id": s.id, "probability": round(s.probability, DIGITS)} for s in sites],
        "red_flags": [{"id": f.id, "urgency": f.urgency} for f in flags],
        "urgency": flags[0].urgency if flags else None,
        "findings": [
            {"id": f.id, "present": f.present, **_qualifiers(f.qualifiers)}
            for f in assessment.findings
        ],
    }


def _assess(
    patients: list[dict[str, Any]], knowledge: Knowledge, engine: AssessMany
) -> list[Assessment | Screened | MbcnavError | RowError]:
    """One batched call; if the engine itself fails, fall back row by row to isolate it.

    When every row fails the engine is broken, not the data: stop (E408) so that the run can
    be resumed once it is fixed, rather than write a million error rows.
    """
    try:
        return list(engine(patients, knowledge=knowledge))
    except Exception as exc:  # a lossless batch isolates an engine bug to its row
        results = [_assess_one(p, knowledge, engine) for p in patients]
        if all(isinstance(r, RowError) for r in results):
            raise BatchError(
                f"The engine fails on every row of a chunk: {type(exc).__name__}: {exc}",
                code="MBC-E408",
            ) from exc
        return results


def _assess_one(
    patient: dict[str, Any], knowledge: Knowledge, engine: AssessMany
) -> Assessment | Screened | MbcnavError | RowError:
    try:
        return engine([patient], knowledge=knowledge)[0]
    except Exception as exc:  # see _assess
        return RowError("MBC-E408", f"The engine failed on this row: {type(exc).__name__}: {exc}")


def _column(values: Iterable[Any], name: str) -> pa.Array:
    return pa.array(list(values), OUTPUT_SCHEMA.field(name).type)


def screen_chunk(
    batch: pa.RecordBatch,
    knowledge: Knowledge | None = None,
    options: ChunkOptions | None = None,
    engine: AssessMany = screen_many,
) -> pa.RecordBatch:
    """Screen one batch of :data:`~mbcnav.batch.io.INPUT_SCHEMA` rows into OUTPUT_SCHEMA rows."""
    knowledge = knowledge or load_knowledge()
    options = options or ChunkOptions()
    rows = batch.to_pylist()
    dates: list[str | None] = []
    outcome: list[dict[str, Any] | RowError | MbcnavError | Assessment | Screened] = []
    for row in rows:
        when = _clean(row["date"])
        try:
            when = normalise_date(when)
            outcome.append(_patient(row, options))
        except RowError as exc:
            outcome.append(exc)
        dates.append(when)
    todo = [i for i, item in enumerate(outcome) if isinstance(item, dict)]
    results = _assess([outcome[i] for i in todo], knowledge, engine)  # type: ignore[misc]
    for index, result in zip(todo, results, strict=True):
        outcome[index] = result
    return _to_batch(rows, dates, outcome, knowledge, options)


def _to_batch(
    rows: list[dict[str, Any]],
    dates: list[str | None],
    outcome: Sequence[object],
    knowledge: Knowledge,
    options: ChunkOptions,
) -> pa.RecordBatch:
    empty: dict[str, Any] = {"sites": None, "red_flags": None, "urgency": None, "findings": None}
    results: list[dict[str, Any]] = []
    errors: list[tuple[str | None, str | None]] = []
    for item in outcome:
        if isinstance(item, Assessment | Screened):
            results.append(_result(item, options))
            errors.append((None, None))
        elif isinstance(item, MbcnavError):
            results.append(empty)
            errors.append((item.code, item.detail))
        else:
            assert isinstance(item, RowError)
            results.append(empty)
            errors.append((item.code, item.message))
    n = len(rows)
    arrays = [
        _column((r["row"] for r in rows), "row"),
        _column((_clean(r["id"]) or str(r["row"]) for r in rows), "id"),
        _column((_clean(r["patient"]) for r in rows), "patient"),
        _column(dates, "date"),
        *(_column((r[name] for r in results), name) for name in RESULT_FIELDS),
        pa.array([knowledge.version] * n, pa.string()),
        pa.array([knowledge.hash] * n, pa.string()),
        _column((e[0] for e in errors), "error_code"),
        _column((e[1] for e in errors), "error_message"),
    ]
    return pa.RecordBatch.from_arrays(arrays, schema=OUTPUT_SCHEMA)
