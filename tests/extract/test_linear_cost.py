"""Reading costs time linear in the text, whatever the text holds (issue 13, item 2).

One 52 KB text of dots held the service for 40 s: a reader that is fast on notes can still be
quadratic on text built against it. For each adversarial text (``adversarial_texts.TEXTS``,
and units drawn at random from the same pieces) ``read_text``, ``qualify`` and the whole
``assess``, measured at two lengths:

- spend at most ``FACTOR`` times the CPU time they spend on an ordinary dense note of the same
  length, times how much denser the text is in what the reader finds and weighs (phrases,
  colons, headings, findings, site mentions) when it is denser: a text that is all site
  mentions must be read, not refused, and each costs about what an ordinary note's cost;
- spend at most ``GROWTH`` times as much per character on the long text as on the short one
  (a quadratic path spends ``SIZE / PROBE`` times as much).

Ratios of CPU time, not absolute times, so the test holds on a loaded or slow machine; the
short text first, so a quadratic path fails in a second rather than after minutes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from functools import cache, partial

import pytest
from adversarial_texts import TEXTS, UNITS, cpu_cost, ordinary, repeat
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from mbcnav import assess
from mbcnav.extract import qualify, read_text
from mbcnav.extract.lexicon import matcher_for
from mbcnav.extract.normalize import fold_text
from mbcnav.extract.reader import _headings, _scan
from mbcnav.extract.sections import find_sections
from mbcnav.knowledge import Knowledge, load_knowledge

SIZE = 16_000
"""Long enough that a quadratic path costs many times a linear one (the field test used 52 KB)."""
PROBE = 2_000
FACTOR = 3.0
PROBE_FACTOR = 2 * FACTOR
"""The short text only catches gross cost fast; fixed per-call costs weigh more in it."""
GROWTH = 2.0
SPAN_EVERY = 100
"""``qualify`` gets one target per this many characters: callers send many targets per note."""


def _spans(text: str) -> list[tuple[int, int]]:
    return [(at, min(at + 5, len(text))) for at in range(0, len(text), SPAN_EVERY)]


Reader = Callable[[str, Knowledge], object]

READERS: dict[str, Reader] = {
    "read_text": lambda text, kb: read_text(text, kb),
    "qualify": lambda text, kb: qualify(text, _spans(text)),
    "assess": lambda text, kb: assess({"text": text}, knowledge=kb),
}


@cache
def _knowledge() -> Knowledge:
    return load_knowledge()


@cache
def _ordinary_cost(reader: str, length: int) -> float:
    text = ordinary(length)
    return cpu_cost(lambda: READERS[reader](text, _knowledge()), runs=5)


def _items(text: str) -> int:
    """What the reader finds and weighs in ``text``: every phrase the automaton finds (terms,
    context cues, spread cues, tests, lab names), every colon (the heading scan visits each),
    every section, finding and mention."""
    hits = _scan(text, fold_text(text), matcher_for(_knowledge()))
    found = sum(len(getattr(hits, part.name)) for part in fields(hits))
    reading = read_text(text, _knowledge())
    headings = len(find_sections(text, _headings()).sections)
    colons = text.count(":")
    return found + colons + headings + len(reading.findings) + len(reading.site_mentions)


@cache
def _ordinary_items(length: int) -> int:
    return _items(ordinary(length))


def assert_linear(name: str, text_of: Callable[[int], str]) -> None:
    """Each reader on ``text_of(length)`` costs at most a factor more than on an ordinary note
    (scaled by how much denser it is), and no more per character when the text is longer."""
    per_char: dict[tuple[str, int], float] = {}
    for length, factor in ((PROBE, PROBE_FACTOR), (SIZE, FACTOR)):
        text = text_of(length)
        denser = max(1.0, _items(text) / max(_ordinary_items(length), 1))
        for reader, read in READERS.items():
            base = _ordinary_cost(reader, length)
            allowed = factor * denser * base
            spent = cpu_cost(partial(read, text, _knowledge()), give_up=5 * allowed)
            assert spent <= allowed, (
                f"{reader} on {name!r} ({length:,} chars): {spent * 1e3:.1f} ms CPU, "
                f"{spent / base:.1f}x an ordinary note's {base * 1e3:.1f} ms "
                f"(allowed {factor}x times {denser:.1f}, how much denser the text is)"
            )
            per_char[reader, length] = spent / length
    for reader in READERS:
        growth = per_char[reader, SIZE] / per_char[reader, PROBE]
        assert growth <= GROWTH, (
            f"{reader} on {name!r}: {growth:.1f}x the time per character at {SIZE:,} "
            f"characters as at {PROBE:,} (allowed {GROWTH}x)"
        )


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_named_adversarial_text_costs_linear_time(name: str) -> None:
    assert_linear(name, TEXTS[name])


_PIECES = st.one_of(
    st.sampled_from(sorted(UNITS.values())),
    st.text(alphabet=".?!;:,- \n\t()aAbT1\u0130", min_size=1, max_size=12),
)
_UNIT = st.lists(
    st.tuples(_PIECES, st.integers(min_value=1, max_value=40)), min_size=1, max_size=4
).map(lambda parts: "".join(piece * times for piece, times in parts))
_PREFIX = st.sampled_from(["", "back pain ", "no ", "? ", "HISTORY: ", "liver "])


@settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    database=None,
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(unit=_UNIT, prefix=_PREFIX)
def test_any_repeated_text_costs_linear_time(unit: str, prefix: str) -> None:
    assert_linear(f"{prefix}{unit!r}*", lambda length: repeat(unit, length, prefix))


def test_an_ordinary_note_is_its_own_baseline() -> None:
    """The measure itself: an ordinary note passes, a quadratic reader does not."""
    assert_linear("ordinary", ordinary)

    def quadratic(text: str) -> list[int]:
        return [text.count(text[i]) for i in range(0, len(text), 2)]

    short = cpu_cost(partial(quadratic, ordinary(PROBE)))
    long = cpu_cost(partial(quadratic, ordinary(SIZE)))
    assert long > 2 * (SIZE / PROBE) * short


def test_qualify_targets_reaching_past_their_sentence_cost_linear_time() -> None:
    """Targets from every 100th character to the end of the note cost what short ones do
    (each used to have its own stretch of text resolved: time quadratic in the note)."""
    text = ordinary(SIZE)
    short = [(at, at + 5) for at in range(0, SIZE - 5, SPAN_EVERY)]
    long = [(at, SIZE) for at in range(0, SIZE - 5, SPAN_EVERY)]
    base = cpu_cost(partial(qualify, text, short), runs=5)
    spent = cpu_cost(partial(qualify, text, long), give_up=10 * FACTOR * base)
    assert spent <= FACTOR * base, f"{spent / base:.1f}x the time of short targets"
