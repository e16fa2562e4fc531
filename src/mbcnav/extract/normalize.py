"""Input limits and a length-preserving fold, so every offset we report indexes the caller's text.

Matching runs on a *folded* copy of the text: lower case, every character that is not a letter
or digit turned into a space, one character out for one character in. Runs of spaces are then
collapsed (punctuation and line breaks become single separators) and an offset map takes match
positions back to the original text. All per-character work happens in C (``str.translate``,
``re``); Python only touches the places where spaces were collapsed.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from mbcnav.errors import InputError

MAX_CHARS = 2_000_000
"""Largest text read in one call (about 600 pages); bigger inputs are split by the caller."""

MAX_CONTROL_SHARE = 0.10
"""Above this share of C0 control characters a 'text' is binary data, not a note."""

MIN_CONTROL_COUNT = 8
"""A few stray control characters (a NUL from a bad export) are read as spaces, not refused."""

_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_SPACES = re.compile(r" {2,}")


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
    if _CONTROL.search(text) is not None:
        controls = len(_CONTROL.findall(text))
        if controls >= MIN_CONTROL_COUNT and controls > MAX_CONTROL_SHARE * len(text):
            raise InputError(
                "The text looks like binary data, not a note",
                code="MBC-E601",
                allowed=f"at most {MAX_CONTROL_SHARE:.0%} control characters",
                got=f"{controls} of {len(text)} characters",
            )
    return text


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


def fold(text: str) -> str:
    """Lower-case letters and digits, every other character a space; same length as ``text``."""
    return text.translate(_FOLD)


def fold_phrase(phrase: str) -> str:
    """Fold a lexicon or trigger phrase the way texts are folded, with single spaces."""
    return " ".join(fold(phrase).split())


@dataclass(frozen=True, slots=True)
class Folded:
    """The folded, space-collapsed text padded with one space each side, plus its offset map.

    ``padded[i]`` for ``i >= 1`` is collapsed position ``i - 1``; ``to_original`` maps a
    collapsed position (of a non-space character) back to the original text.
    """

    padded: str
    breaks: tuple[int, ...]
    shifts: tuple[int, ...]

    def to_original(self, pos: int) -> int:
        if not self.breaks:
            return pos
        index = bisect_right(self.breaks, pos) - 1
        return pos + (self.shifts[index] if index >= 0 else 0)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a collapsed [start, end) of non-space boundaries to the original text."""
        return self.to_original(start), self.to_original(end - 1) + 1


def fold_text(text: str) -> Folded:
    """Fold ``text`` and collapse space runs, keeping what is needed to map offsets back."""
    folded = fold(text)
    collapsed = _SPACES.sub(" ", folded)
    if len(collapsed) == len(folded):
        return Folded(" " + folded + " ", (), ())
    breaks: list[int] = []
    shifts: list[int] = []
    shift = 0
    for match in _SPACES.finditer(folded):
        start, end = match.span()
        shift += end - start - 1
        breaks.append(end - shift)
        shifts.append(shift)
    return Folded(" " + collapsed + " ", tuple(breaks), tuple(shifts))
