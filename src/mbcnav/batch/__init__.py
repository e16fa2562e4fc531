"""Cohort screening: notes in (JSONL, CSV, Parquet, FHIR NDJSON), one result row per note out.

The same pure chunk function (:func:`mbcnav.batch.chunk.screen_chunk`) runs in a local process
pool and inside Spark's ``mapInArrow``, so both engines give the same rows.
"""

from mbcnav.batch.chunk import OUTPUT_SCHEMA, screen_chunk
from mbcnav.batch.io import INPUT_SCHEMA, Columns, detect_format, read_batches

__all__ = [
    "INPUT_SCHEMA",
    "OUTPUT_SCHEMA",
    "Columns",
    "detect_format",
    "read_batches",
    "screen_chunk",
]
