"""Every reading of the regression corpora keeps its recorded digest: speed work changes no output.

The digests (``tests/data/extract_reading_digests.json``) cover all of ``read_text``'s result
(findings with qualifiers, triggers and spans, site mentions, labs in order, sections) for 400
dense clinic notes, the gold notes, the first 300 MTSamples notes and the NegEx dev sentences,
plus ``qualify`` on each NegEx row's span. After an *intended* change of output, regenerate
them with ``PYTHONPATH=src python tests/extract/reading_corpus.py --write`` and say why in the
commit.
"""

from __future__ import annotations

import json

import pytest
import reading_corpus

from mbcnav.knowledge import Knowledge, load_knowledge


@pytest.fixture(scope="module")
def knowledge() -> Knowledge:
    return load_knowledge()


@pytest.fixture(scope="module")
def recorded() -> dict[str, object]:
    data: dict[str, object] = json.loads(reading_corpus.FIXTURE.read_text("utf-8"))
    return data


def test_fixture_was_made_with_this_knowledge(
    knowledge: Knowledge, recorded: dict[str, object]
) -> None:
    assert recorded["knowledge"] == knowledge.hash, (
        "the knowledge base changed since the digests were recorded: check the readings' "
        "changes are intended, then regenerate (see this module's docstring)"
    )


def test_every_reading_keeps_its_digest(knowledge: Knowledge, recorded: dict[str, object]) -> None:
    expected = recorded["corpora"]
    assert isinstance(expected, dict)
    found = dict(reading_corpus.corpora(knowledge))
    assert {"clinic", "gold"} <= set(found)
    for name, digests in found.items():
        want = expected[name]
        changed = [i for i, (got, old) in enumerate(zip(digests, want, strict=True)) if got != old]
        assert not changed, f"{name}: {len(changed)} readings changed, first items {changed[:10]}"


def test_digest_sees_a_changed_qualifier(knowledge: Knowledge) -> None:
    """The digest covers qualifiers: a negated and an asserted mention differ."""
    asserted = reading_corpus.reading_digest("She reports back pain.", knowledge)
    negated = reading_corpus.reading_digest("She denies back pain.", knowledge)
    assert asserted != negated
