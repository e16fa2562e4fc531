"""Real MTSamples notes for the batch tests."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest


@pytest.fixture(scope="session")
def mtsamples(shared_dir: Path) -> pa.Table:
    """Real transcribed notes (2,357), text as ``text`` and ids as strings."""
    table = pacsv.read_csv(
        str(shared_dir / "data" / "mtsamples" / "mtsamples.csv"),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            include_columns=["note_id", "transcription"],
            column_types={"note_id": pa.string()},
        ),
    )
    return table.rename_columns(["id", "text"])
