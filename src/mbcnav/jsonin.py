"""Strict JSON in: one reader for every adapter that takes JSON from outside.

Python's ``json.loads`` accepts what a clinical system should not (``NaN``, duplicate keys with
the last one silently winning) and fails in ways that escape as tracebacks (``RecursionError``
on deep nesting, ``ValueError`` past 4,300 digits, ``UnicodeDecodeError`` on bytes that are not
UTF-8). Here each becomes an ``InputError`` with a code that names the problem, so a batch can
report one bad record and go on with the rest.
"""

from __future__ import annotations

import codecs
import io
import json
import math
import re
from collections.abc import Iterable, Iterator
from typing import IO, Any, cast

from mbcnav.errors import InputError

MAX_DEPTH = 64
"""Deeper nesting than any Patient, FHIR resource or CDS Hooks request needs (FHIR Bundles
nest about 10 deep); refusing earlier than the interpreter's recursion limit keeps the error
coded and the cost bounded."""

MAX_NUMBER_DIGITS = 40
"""A lab value, an age or a score never needs more digits; 4,000-digit numbers cost quadratic
time to convert and overflow floats."""

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode(raw: bytes, what: str) -> str:
    """Bytes as text: UTF-8, or UTF-16/32 announced by a byte-order mark. MBC-E403 otherwise."""
    encoding = "utf-8"
    for bom, name in _BOMS:
        if raw.startswith(bom):
            raw, encoding = raw[len(bom) :], name
            break
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(
            what,
            code="MBC-E403",
            allowed="UTF-8 text (or UTF-16/32 with a byte-order mark)",
            got=f"bytes {raw[exc.start : exc.start + 4]!r} at {exc.start} ({encoding})",
        ) from None


def _number(text: str) -> float | int:
    digits = sum(c.isdigit() for c in text)
    if digits > MAX_NUMBER_DIGITS:
        raise _Refused(
            f"JSON with numbers of at most {MAX_NUMBER_DIGITS} digits", f"{digits} digits"
        )
    if text.lstrip("-").isdigit():
        return int(text)
    value = float(text)
    if not math.isfinite(value):
        raise _Refused("JSON with finite numbers", text[:20])
    return value


def _constant(name: str) -> Any:
    raise _Refused("JSON with finite numbers", name)


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _Refused("JSON with each key once per object", f"{key[:40]!r} twice")
        out[key] = value
    return out


class _Refused(ValueError):
    """A well-formed JSON construct mbcnav does not accept (raised from the decoder hooks)."""

    def __init__(self, allowed: str, got: str) -> None:
        super().__init__(allowed)
        self.allowed, self.got = allowed, got


def _depth(text: str) -> int:
    """Deepest bracket nesting outside strings, in one linear pass."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def loads(raw: str | bytes, what: str = "The input") -> Any:
    """Parse one JSON value strictly; every refusal is an InputError naming the problem.

    MBC-E403 bad encoding, MBC-E106 malformed or refused JSON (nesting deeper than
    ``MAX_DEPTH``, numbers longer than ``MAX_NUMBER_DIGITS``, NaN/Infinity, duplicate keys).
    Lone surrogates in strings (``"\\ud800"``, which no encoder can write out again) are
    replaced by U+FFFD, one code point for one, so offsets into a text stay valid.
    """
    text = decode(raw, what) if isinstance(raw, bytes) else raw
    if ("[" in text or "{" in text) and _depth(text) > MAX_DEPTH:
        raise InputError(
            what, code="MBC-E106", allowed=f"JSON nested at most {MAX_DEPTH} levels deep"
        )
    try:
        value = json.loads(
            text,
            parse_int=_number,
            parse_float=_number,
            parse_constant=_constant,
            object_pairs_hook=_object,
        )
    except _Refused as exc:
        raise InputError(what, code="MBC-E106", allowed=exc.allowed, got=exc.got) from None
    except (ValueError, RecursionError) as exc:
        raise InputError(what, code="MBC-E106", allowed="valid JSON", got=str(exc)) from None
    if _ESCAPED_SURROGATE.search(text) or _SURROGATE.search(text):
        return _scrub(value)
    return value


_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")
"""A \\u escape in the surrogate range (text decoded with ``surrogateescape`` carries them raw)."""
_SURROGATE = re.compile("[\ud800-\udfff]")


def _scrub(value: Any) -> Any:
    """``value`` with every lone surrogate in its strings (keys included) replaced."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_scrub(item) for item in value]
    if isinstance(value, dict):
        return {_scrub(key): _scrub(item) for key, item in value.items()}
    return value


def lines(handle: Iterable[bytes | str], what: str = "Line") -> Iterator[tuple[int, Any]]:
    """Each non-blank line of a JSON-lines stream: ``(number, value or InputError)``.

    A bad line is yielded as its error, so the caller writes one error row and goes on.
    """
    for number, raw in enumerate(handle, start=1):
        if not raw.strip():
            continue
        try:
            if isinstance(raw, str) and "\ufffd" in raw:
                raise InputError(f"{what} {number}", code="MBC-E403", allowed="valid UTF-16 text")
            yield number, loads(raw, f"{what} {number}")
        except InputError as error:
            yield number, error


def stream_lines(handle: IO[bytes]) -> Iterator[bytes | str]:
    """The lines of a byte stream: as bytes (UTF-8, decoded per line by ``loads``), or as text
    when a byte-order mark says UTF-16/32, where bytes cannot be split at newlines. Undecodable
    UTF-16 becomes U+FFFD, which ``lines`` reports as that line's MBC-E403."""
    if not isinstance(handle, io.BufferedReader):  # stdin's buffer is one already
        handle = io.BufferedReader(cast(io.RawIOBase, handle))
    head = handle.peek(4)[:4]
    for bom, name in _BOMS:
        if head.startswith(bom) and name != "utf-8":
            family = name.rsplit("-", 1)[0]  # "utf-16": the codec reads the mark and drops it
            text = io.TextIOWrapper(handle, encoding=family, errors="replace")
            try:
                yield from text
            finally:
                text.detach()  # the caller's handle stays the caller's to close
            return
    yield from handle


__all__ = ["MAX_DEPTH", "MAX_NUMBER_DIGITS", "decode", "lines", "loads", "stream_lines"]
