"""Read notes as fixed-size Arrow record batches and write results, in JSONL, CSV or Parquet.

Every reader yields batches in one normalised shape (:data:`INPUT_SCHEMA`) with a global ``row``
number, ``text`` kept as raw bytes (so a bad encoding becomes a coded row, not a crashed run) and
exactly ``batch_rows`` rows per batch but the last: the chunking is deterministic, which is what
lets ``--resume`` skip the chunks already done. Memory stays bounded by a few batches.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.dataset as pads
import pyarrow.parquet as pq

from mbcnav import jsonin
from mbcnav.batch._fhir import fhir_record
from mbcnav.errors import BatchError, InputError

FORMATS = ("jsonl", "csv", "parquet", "fhir")
OUTPUT_FORMATS = ("jsonl", "csv", "parquet")
SUFFIXES = {
    ".jsonl": "jsonl",
    ".json": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
}
FIELDS = ("id", "patient", "date", "text", "er", "pr", "her2", "setting")
INPUT_SCHEMA = pa.schema(
    [("row", pa.int64())]
    + [(name, pa.binary() if name == "text" else pa.string()) for name in FIELDS]
    + [("read_error", pa.string()), ("read_message", pa.string())]
)
READ_BLOCK = 1 << 22


@dataclass(frozen=True)
class Columns:
    """Which input column feeds each field; ``required`` names the ones that must exist."""

    id: str = "id"
    patient: str = "patient"
    date: str = "date"
    text: str = "text"
    er: str = "er"
    pr: str = "pr"
    her2: str = "her2"
    setting: str = "setting"
    required: frozenset[str] = field(default_factory=lambda: frozenset({"text"}))

    def source(self, name: str) -> str:
        return str(getattr(self, name))

    def missing(self, present: Iterable[str]) -> list[str]:
        """Required source columns absent from ``present``."""
        have = set(present)
        return [self.source(n) for n in sorted(self.required) if self.source(n) not in have]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {name: self.source(name) for name in FIELDS}
        out["required"] = sorted(self.required)
        return out


def detect_format(path: Path, fmt: str | None = None, *, output: bool = False) -> str:
    """The format named by ``fmt`` or by the file's extension; NDJSON of FHIR is sniffed."""
    allowed = OUTPUT_FORMATS if output else FORMATS
    if fmt is None:
        if not output and path.is_dir():
            return "parquet"
        fmt = SUFFIXES.get(path.suffix.lower())
        if fmt == "jsonl" and not output and _looks_like_fhir(path):
            fmt = "fhir"
        if fmt is None and output and path.suffix == "":
            fmt = "parquet"
    if fmt is None or fmt not in allowed:
        raise BatchError(
            f"The format of {path.name} is not known",
            code="MBC-E406",
            allowed="one of " + ", ".join(allowed) + " (by extension or --format)",
            got=fmt or path.suffix,
        )
    return fmt


def _looks_like_fhir(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            for line in handle:
                if line.strip():
                    return b'"resourceType"' in line
    except OSError:
        return False
    return False


def _check_exists(path: Path) -> None:
    if not path.exists():
        raise BatchError("The input file does not exist", code="MBC-E400", got=str(path))


# --------------------------------------------------------------------------- tabular input


def _normalise_column(array: pa.Array | pa.ChunkedArray, name: str) -> pa.Array:
    target = pa.binary() if name == "text" else pa.string()
    if pa.types.is_dictionary(array.type):
        array = array.cast(array.type.value_type)
    if name == "text" and not (pa.types.is_string(array.type) or _is_binary(array.type)):
        array = array.cast(pa.string())
    if pa.types.is_large_string(array.type) or pa.types.is_large_binary(array.type):
        array = array.cast(pa.string() if pa.types.is_large_string(array.type) else pa.binary())
    out = array.cast(target) if array.type != target else array
    return out.combine_chunks() if isinstance(out, pa.ChunkedArray) else out


def _is_binary(kind: pa.DataType) -> bool:
    return bool(pa.types.is_binary(kind) or pa.types.is_large_binary(kind))


def normalise_table(batch: pa.RecordBatch, columns: Columns, first_row: int) -> pa.RecordBatch:
    """Rename and cast a batch of source columns to :data:`INPUT_SCHEMA`, numbering its rows.

    A column holding lists, structs or maps cannot be a note's text or id: each row with such a
    value gets a coded read error (MBC-E400) instead of the run stopping at the cast."""
    n = batch.num_rows
    names = set(batch.schema.names)
    arrays: list[pa.Array] = [pa.array(range(first_row, first_row + n), pa.int64())]
    errors: list[str | None] = [None] * n
    for name in FIELDS:
        source = columns.source(name)
        if source in names and pa.types.is_nested(batch.schema.field(source).type):
            column = batch.column(source)
            for index, valid in enumerate(column.is_valid().to_pylist()):
                if valid and errors[index] is None:
                    errors[index] = f"The column {source!r} holds a list or record, not text."
            arrays.append(pa.nulls(n, INPUT_SCHEMA.field(name).type))
        elif source in names:
            arrays.append(_normalise_column(batch.column(source), name))
        else:
            arrays.append(pa.nulls(n, INPUT_SCHEMA.field(name).type))
    codes = [None if message is None else "MBC-E400" for message in errors]
    arrays += [pa.array(codes, pa.string()), pa.array(errors, pa.string())]
    return pa.RecordBatch.from_arrays(arrays, schema=INPUT_SCHEMA)


def _rejected_batch(rejected: list[tuple[str | None, str]]) -> pa.RecordBatch:
    """Rows the CSV parser could not split into the header's columns, as coded error rows."""
    n = len(rejected)
    arrays: list[pa.Array] = [pa.nulls(n, pa.int64())]
    for name in FIELDS:
        values = [ident for ident, _ in rejected] if name == "id" else [None] * n
        arrays.append(pa.array(values, INPUT_SCHEMA.field(name).type))
    arrays.append(pa.array(["MBC-E400"] * n, pa.string()))
    arrays.append(pa.array([message for _, message in rejected], pa.string()))
    return pa.RecordBatch.from_arrays(arrays, schema=INPUT_SCHEMA)


def _check_columns(present: Iterable[str], columns: Columns, path: Path) -> list[str]:
    present = list(present)
    missing = [
        columns.source(n) for n in sorted(columns.required) if columns.source(n) not in present
    ]
    if missing:
        raise BatchError(
            f"The input {path.name} lacks the column(s) {', '.join(missing)}",
            code="MBC-E401",
            allowed="one of the columns present (--id-col, --text-col, ...)",
            got=present,
        )
    return [columns.source(n) for n in FIELDS if columns.source(n) in present]


def _parquet_batches(path: Path, columns: Columns, rows: int) -> Iterator[pa.RecordBatch]:
    """One row group in memory at a time (a file); one fragment at a time (a dataset folder)."""
    if path.is_file():
        # read_row_group, not iter_batches: the latter held on to ~1 KB per row read (pyarrow 25)
        parquet = pq.ParquetFile(str(path))
        wanted = _check_columns(parquet.schema_arrow.names, columns, path)
        for group in range(parquet.num_row_groups):
            table = parquet.read_row_group(group, columns=wanted, use_threads=False)
            yield from table.to_batches(max_chunksize=rows)
            del table
        return
    dataset = pads.dataset(str(path), format="parquet")
    wanted = _check_columns(dataset.schema.names, columns, path)
    yield from dataset.to_batches(
        columns=wanted, batch_size=rows, batch_readahead=1, fragment_readahead=1
    )


def _csv_batches(
    path: Path, columns: Columns, rows: int, rejected: list[tuple[str | None, str]]
) -> Iterator[pa.RecordBatch]:
    """CSV batches; a row with the wrong number of fields is set aside in ``rejected`` (its id,
    if its first fields hold one, and why) rather than refusing the whole file."""
    with path.open("rb") as handle:
        header = pacsv.open_csv(
            handle,
            parse_options=pacsv.ParseOptions(
                newlines_in_values=True, invalid_row_handler=lambda _: "skip"
            ),
        ).schema.names
    wanted = _check_columns(header, columns, path)
    types = {name: pa.string() for name in wanted}
    types[columns.text] = pa.binary()
    id_index = header.index(columns.id) if columns.id in header else None

    def reject(row: Any) -> str:
        ident = None
        if id_index is not None:
            fields = next(csv.reader([row.text or ""]), [])
            ident = fields[id_index][:200] if id_index < len(fields) else None
        rejected.append(
            (
                ident,
                f"The CSV row has {row.actual_columns} fields where the header has "
                f"{row.expected_columns}.",
            )
        )
        return "skip"

    reader = pacsv.open_csv(
        str(path),
        read_options=pacsv.ReadOptions(block_size=READ_BLOCK),
        parse_options=pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=reject),
        convert_options=pacsv.ConvertOptions(
            include_columns=wanted, column_types=types, strings_can_be_null=False
        ),
    )
    yield from reader


# --------------------------------------------------------------------------- line input

LINES_SCHEMA = pa.schema([("row", pa.int64()), ("line", pa.binary())])


def _json_value(line: bytes) -> tuple[Any, str | None]:
    """Parse one line strictly (``mbcnav.jsonin``); a line that is not UTF-8 is read once more
    with its bad bytes escaped, so that its error row (MBC-E403) still names its id."""
    try:
        return jsonin.loads(line, "The line"), None
    except InputError as error:
        if error.code != "MBC-E403":
            raise
    return jsonin.loads(line.decode("utf-8", "surrogateescape"), "The line"), "MBC-E403"


def _to_bytes(value: Any) -> bytes | None:
    if value is None or isinstance(value, bytes):
        return value
    text = value if isinstance(value, str) else json.dumps(value)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape")


def _to_str(value: Any) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(value)
    return text.encode("utf-8", "replace").decode("utf-8")


def _parse_line(line: bytes, fmt: str, columns: Columns) -> dict[str, Any]:
    try:
        value, encoding_error = _json_value(line)
    except InputError as exc:
        return {"read_error": "MBC-E400", "read_message": exc.detail}
    if fmt == "fhir":
        record = fhir_record(value)
    elif isinstance(value, dict):
        record = {name: value.get(columns.source(name)) for name in FIELDS}
    else:
        return {"read_error": "MBC-E400", "read_message": "The line must hold a JSON object."}
    if encoding_error and not record.get("read_error"):
        record["read_error"] = encoding_error
        record["read_message"] = "The line is not valid UTF-8."
    return record


def lines_to_input(batch: pa.RecordBatch, fmt: str, columns: Columns) -> pa.RecordBatch:
    """Parse a batch of (row, line) into :data:`INPUT_SCHEMA`: shared by local and Spark runs."""
    lines = batch.column("line").to_pylist()
    records = [_parse_line(line, fmt, columns) for line in lines]
    arrays: list[pa.Array] = [batch.column("row").cast(pa.int64())]
    for name in FIELDS:
        convert = _to_bytes if name == "text" else _to_str
        values = [convert(record.get(name)) for record in records]
        arrays.append(pa.array(values, INPUT_SCHEMA.field(name).type))
    for name in ("read_error", "read_message"):
        arrays.append(pa.array([record.get(name) for record in records], pa.string()))
    return pa.RecordBatch.from_arrays(arrays, schema=INPUT_SCHEMA)


def iter_lines(path: Path) -> Iterator[bytes]:
    """Non-blank lines as bytes, without the line break (LF or CRLF)."""
    with path.open("rb") as handle:
        for line in handle:
            stripped = line.rstrip(b"\r\n")
            if stripped.strip():
                yield stripped


def _line_batches(path: Path, rows: int) -> Iterator[pa.RecordBatch]:
    buffer: list[bytes] = []
    first = 0
    for line in iter_lines(path):
        buffer.append(line)
        if len(buffer) == rows:
            yield _lines_batch(first, buffer)
            first += rows
            buffer = []
    if buffer:
        yield _lines_batch(first, buffer)


def _lines_batch(first: int, lines: Sequence[bytes]) -> pa.RecordBatch:
    numbers = pa.array(range(first, first + len(lines)), pa.int64())
    return pa.RecordBatch.from_arrays([numbers, pa.array(lines, pa.binary())], schema=LINES_SCHEMA)


# --------------------------------------------------------------------------- public readers


def rebatch(batches: Iterable[pa.RecordBatch], rows: int) -> Iterator[pa.RecordBatch]:
    """Re-cut a stream of batches into batches of exactly ``rows`` rows (the last may be short)."""
    pending: list[pa.RecordBatch] = []
    count = 0
    for batch in batches:
        pending.append(batch)
        count += batch.num_rows
        while count >= rows:
            table = pa.Table.from_batches(pending).combine_chunks()
            yield table.slice(0, rows).to_batches()[0]
            rest = table.slice(rows)
            count = rest.num_rows
            pending = rest.to_batches() if count else []
    if count:
        table = pa.Table.from_batches(pending).combine_chunks()
        yield table.to_batches()[0]


def read_batches(
    path: Path, fmt: str, columns: Columns, batch_rows: int
) -> Iterator[pa.RecordBatch]:
    """Stream the input as :data:`INPUT_SCHEMA` batches of ``batch_rows`` rows."""
    _check_exists(path)
    if fmt in ("jsonl", "fhir"):
        for lines in _line_batches(path, batch_rows):
            yield lines_to_input(lines, fmt, columns)
        return
    rejected: list[tuple[str | None, str]] = []
    source = _parquet_batches(path, columns, batch_rows) if fmt == "parquet" else None
    if fmt == "csv":
        source = _csv_batches(path, columns, batch_rows, rejected)
    if source is None:
        raise BatchError("The input format is not supported", code="MBC-E406", got=fmt)
    first = 0
    try:
        for batch in rebatch(_normalised(source, columns, rejected), batch_rows):
            numbers = pa.array(range(first, first + batch.num_rows), pa.int64())
            yield batch.set_column(0, INPUT_SCHEMA.field("row"), numbers)
            first += batch.num_rows
    except (pa.ArrowInvalid, OSError) as exc:
        raise BatchError(f"The input {path.name} cannot be read: {exc}", code="MBC-E400") from exc


def _normalised(
    source: Iterable[pa.RecordBatch], columns: Columns, rejected: list[tuple[str | None, str]]
) -> Iterator[pa.RecordBatch]:
    """Source batches in :data:`INPUT_SCHEMA`, each followed by the rows its parse rejected
    (numbered later, once re-cut: the order is the same on every run, so ``--resume`` holds)."""
    for batch in source:
        yield normalise_table(batch, columns, 0)
        if rejected:
            yield _rejected_batch(rejected)
            rejected.clear()
    if rejected:
        yield _rejected_batch(rejected)


def count_rows(path: Path, fmt: str, columns: Columns) -> int:
    """Rows the input holds (for the progress bar's ETA); cheap next to screening them."""
    _check_exists(path)
    if fmt == "parquet":
        return int(pads.dataset(str(path), format="parquet").count_rows())
    if fmt == "csv":
        rejected: list[tuple[str | None, str]] = []
        rows = sum(b.num_rows for b in _csv_batches(path, columns, 1 << 16, rejected))
        return int(rows) + len(rejected)
    return sum(1 for _ in iter_lines(path))


# --------------------------------------------------------------------------- writers


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A CSV cell a spreadsheet would run as a formula (OWASP, CSV injection): such cells are
written with a leading apostrophe, which spreadsheets show as text and do not run."""


def neutralise_cell(value: str) -> str:
    """``value`` safe to open in a spreadsheet."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _jsonable_table(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Nested columns as JSON strings (CSV has no lists); every text cell neutralised."""
    arrays: list[pa.Array] = []
    for column, field_ in zip(batch.columns, batch.schema, strict=True):
        if pa.types.is_nested(field_.type):
            values = [None if v is None else json.dumps(v) for v in column.to_pylist()]
            arrays.append(pa.array([_safe(v) for v in values], pa.string()))
        elif pa.types.is_string(field_.type) or pa.types.is_large_string(field_.type):
            arrays.append(pa.array([_safe(v) for v in column.to_pylist()], field_.type))
        else:
            arrays.append(column)
    return pa.RecordBatch.from_arrays(arrays, names=batch.schema.names)


def _safe(value: str | None) -> str | None:
    return None if value is None else neutralise_cell(value)


def _write_failed(path: Path, exc: OSError) -> BatchError:
    """Disk full, quota, permissions: one coded error naming the file and the system's reason."""
    return BatchError(
        f"The results could not be written to {path.name} ({exc.strerror or exc}); "
        "nothing partial was left behind",
        code="MBC-E409",
    )


class BatchWriter:
    """Writes record batches to one file atomically: a temp file renamed on :meth:`close`.

    If writing fails (disk full, quota), the temp file is removed and a coded MBC-E409 raised:
    no partial file is ever left where the output or its temp file would be."""

    def __init__(self, path: Path, fmt: str, schema: pa.Schema) -> None:
        self.path = path
        self.fmt = fmt
        self.tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
        self._parquet: pq.ParquetWriter | None = None
        self._csv: pacsv.CSVWriter | None = None
        self._handle: Any = None
        try:
            self.tmp.parent.mkdir(parents=True, exist_ok=True)
            if fmt == "parquet":
                self._parquet = pq.ParquetWriter(str(self.tmp), schema, compression="zstd")
            elif fmt == "jsonl":
                self._handle = self.tmp.open("w", encoding="utf-8", newline="\n")
            else:
                csv_schema = _jsonable_table(pa.RecordBatch.from_pylist([], schema=schema)).schema
                self._csv = pacsv.CSVWriter(str(self.tmp), csv_schema)
        except OSError as exc:
            raise self._abandon(exc) from exc

    def write(self, batch: pa.RecordBatch) -> None:
        try:
            if self._parquet is not None:
                self._parquet.write_batch(batch)
            elif self._csv is not None:
                self._csv.write_batch(_jsonable_table(batch))
            elif self._handle is not None:
                dumps = json.dumps
                self._handle.writelines(
                    dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n"
                    for row in batch.to_pylist()
                )
        except OSError as exc:
            raise self._abandon(exc) from exc

    def close(self) -> None:
        try:
            for closable in (self._parquet, self._csv, self._handle):
                if closable is not None:
                    closable.close()
            os.replace(self.tmp, self.path)
        except OSError as exc:
            raise self._abandon(exc) from exc

    def _abandon(self, exc: OSError) -> BatchError:
        for closable in (self._parquet, self._csv, self._handle):
            with contextlib.suppress(Exception):
                if closable is not None:
                    closable.close()
        self.tmp.unlink(missing_ok=True)
        return _write_failed(self.path, exc)


def write_batches(
    batches: Iterable[pa.RecordBatch], path: Path, fmt: str, schema: pa.Schema
) -> int:
    """Write all batches to ``path`` in ``fmt``; returns the number of rows written."""
    writer = BatchWriter(path, fmt, schema)
    rows = 0
    try:
        for batch in batches:
            writer.write(batch)
            rows += batch.num_rows
    except BaseException:
        writer.tmp.unlink(missing_ok=True)
        raise
    writer.close()
    return rows


def read_output(path: Path, fmt: str | None = None) -> pa.Table:
    """Read back a result file (all formats) - for the patient summary and for tests."""
    fmt = detect_format(path, fmt, output=True)
    if fmt == "parquet":
        return pads.dataset(str(path), format="parquet").to_table()
    if fmt == "csv":
        header = pacsv.open_csv(str(path)).schema.names
        types = {name: pa.int64() if name == "row" else pa.string() for name in header}
        return pacsv.read_csv(
            str(path),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(column_types=types, strings_can_be_null=True),
        )
    rows = [json.loads(line) for line in iter_lines(path)]
    return pa.Table.from_pylist(rows)
