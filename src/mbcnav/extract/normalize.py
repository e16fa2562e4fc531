"""Input limits and a length-preserving fold, so every offset we report indexes the caller's text.

Matching runs on a *folded* copy of the text: lower case, every character that is not a letter
or digit turned into a space, one character out for one character in. Runs of spaces are then
collapsed (punctuation and line breaks become single separators) and an offset map takes match
positions back to the original text. All per-character work happens in C (``str.translate``,
``bytes.translate`` for ASCII text, one ``re.split``); the offset map is built with
``itertools.accumulate``, so Python does not even loop over the collapsed places.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, count
from operator import add

from mbcnav.errors import InputError

MAX_CHARS = 2_000_000
"""Largest text read in one call (about 600 pages); bigger inputs are split by the caller."""

MAX_QUALIFY_CHARS = 100_000
"""Largest text ``qualify`` takes: one note, the same limit ``assess`` sets on a patient's text
(``mbcnav._api.MAX_TEXT_CHARS``; a test keeps the two equal), so a caller cannot make one call
of either cost more than the other."""

MAX_CONTROL_SHARE = 0.10
"""Above this share of C0 control characters a 'text' is binary data, not a note."""

MIN_CONTROL_COUNT = 8
"""A few stray control characters (a NUL from a bad export) are read as spaces, not refused."""

_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F])
_SPACE_RUNS = re.compile(r"  ( *)")
"""Two or more spaces, the spaces beyond two captured, so one ``split`` gives the words and
each run's length less two. The literal two-space prefix lets the regex engine search for it
in C instead of trying the pattern at every single space (a sixth faster on MTSamples)."""


class _FoldTable(dict[int, int]):
    """A lazy str.translate table: letters and digits to lower case (if one char), rest to space."""

    def __missing__(self, code: int) -> int:
        char = chr(code)
        if char.isalnum():
            low = char.lower()
            out = ord(low) if len(low) == 1 else code
        else:
            out = 32
        self[code] = out
        return out


_FOLD = _FoldTable()


def check_text(text: object, *, max_chars: int = MAX_CHARS) -> str:
    """Return ``text`` if it is readable note text, else raise a coded InputError."""
    if isinstance(text, bytes | bytearray):
        text = decode_text(bytes(text))
    if not isinstance(text, str):
        raise InputError("The text must be a string", code="MBC-E601", got=type(text).__name__)
    if len(text) > max_chars:
        raise InputError(
            "The text is too large to read in one call",
            code="MBC-E600",
            allowed=f"at most {max_chars:,} characters",
            got=f"{len(text):,} characters",
        )
    if _has_controls(text):
        controls = len(_CONTROL.findall(text))
        if controls >= MIN_CONTROL_COUNT and controls > MAX_CONTROL_SHARE * len(text):
            raise InputError(
                "The text looks like binary data, not a note",
                code="MBC-E601",
                allowed=f"at most {MAX_CONTROL_SHARE:.0%} control characters",
                got=f"{controls} of {len(text)} characters",
            )
    return text


def _has_controls(text: str) -> bool:
    if text.isascii():  # a C-speed byte deletion instead of a regex scan
        data = text.encode("ascii")
        return len(data.translate(None, _CONTROL_BYTES)) != len(data)
    return _CONTROL.search(text) is not None


def decode_text(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM) or raise MBC-E601; never guess a legacy code page."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            "The text is not valid UTF-8",
            code="MBC-E601",
            got=f"byte {exc.start}: {data[exc.start : exc.start + 4]!r}",
        ) from exc


_ASCII_FOLD = bytes([*(_FOLD[code] for code in range(128)), *range(128, 256)])
"""The same fold as a byte table, for ASCII text (``bytes.translate`` is several times faster)."""


def fold(text: str) -> str:
    """Lower-case letters and digits, every other character a space; same length as ``text``."""
    if text.isascii():
        return text.encode("ascii").translate(_ASCII_FOLD).decode("ascii")
    return text.translate(_FOLD)


@lru_cache(maxsize=1 << 16)
def fold_phrase(phrase: str) -> str:
    """Fold a lexicon or trigger phrase the way texts are folded, with single spaces (cached:
    compiling the lexicon folds each of its tens of thousands of phrases several times)."""
    return " ".join(fold(phrase).split())


@dataclass(frozen=True, slots=True)
class Folded:
    """The folded, space-collapsed text padded with one space each side, plus its offset map.

    ``padded[i]`` for ``i >= 1`` is collapsed position ``i - 1``. From collapsed position
    ``breaks[k]`` on (up to the next break) the original text is ``shifts[k]`` characters
    further on; ``breaks[0] == shifts[0] == 0``, so ``bisect_right(breaks, pos) - 1`` is never
    negative. ``to_original`` maps a collapsed position (of a non-space character) back.
    """

    padded: str
    breaks: tuple[int, ...] = (0,)
    shifts: tuple[int, ...] = (0,)

    def to_original(self, pos: int) -> int:
        return pos + self.shifts[bisect_right(self.breaks, pos) - 1]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a collapsed [start, end) of non-space boundaries to the original text."""
        return self.to_original(start), self.to_original(end - 1) + 1


def fold_text(text: str) -> Folded:
    """Fold ``text`` and collapse space runs, keeping what is needed to map offsets back.

    ``split`` gives ``part0, more0, part1, more1, …`` where run k is ``len(morek) + 2``
    spaces: collapsed, part ``k + 1`` starts at ``len(part0) + … + len(partk) + k + 1`` and is
    ``len(run0) + … + len(runk) - (k + 1) = len(more0) + … + len(morek) + k + 1`` characters
    further on in the original.
    """
    folded = fold(text)
    pieces = _SPACE_RUNS.split(folded)
    if len(pieces) == 1:
        return Folded(f" {folded} ")
    parts = pieces[0::2]
    breaks = (0, *map(add, accumulate(map(len, parts[:-1])), count(1)))
    shifts = (0, *map(add, accumulate(map(len, pieces[1::2])), count(1)))
    return Folded(f" {' '.join(parts)} ", breaks, shifts)
