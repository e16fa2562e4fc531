"""Note text from FHIR attachments: base64 ``data`` in any charset, as plain text, HTML or RTF.

EHRs rarely send plain text: Epic and Oracle Health give clinical notes as ``text/html`` and
``text/rtf`` renditions of one document (several ``content`` entries), usually by ``url`` to a
Binary. So one attachment is chosen per document (plain text first, RTF last), and its text is
decoded with the charset its ``contentType`` names. Mapping only: fetching a Binary is the
caller's job.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re
from collections.abc import Mapping
from html.parser import HTMLParser
from typing import Any

# readable content types, best first (markdown is plain text for the extractor)
PREFERENCE = ("text/plain", "text/markdown", "text/html", "application/xhtml+xml", "text/rtf")
_ALIASES = {"application/rtf": "text/rtf", "text/richtext": "text/rtf"}


class NoteError(ValueError):
    """An attachment that claims to be text but cannot be read as text."""


def media_type(content_type: Any) -> tuple[str, str | None]:
    """``"text/html; charset=ISO-8859-1"`` → ``("text/html", "iso-8859-1")``."""
    parts = str(content_type or "").split(";")
    kind = parts[0].strip().lower()
    charset = None
    for param in parts[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip("\"'").lower()
    return _ALIASES.get(kind, kind), charset


def readable(content_type: Any) -> bool:
    return media_type(content_type)[0] in PREFERENCE


def best_attachment(resource: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The one attachment of a DocumentReference to read: inline or by URL, best type first.

    An attachment with no ``contentType`` counts as plain text (a server's default)."""
    found: list[tuple[int, int, Mapping[str, Any]]] = []
    for position, content in enumerate(resource.get("content") or ()):
        attachment = content.get("attachment") if isinstance(content, Mapping) else None
        if not isinstance(attachment, Mapping) or not (
            attachment.get("data") or attachment.get("url")
        ):
            continue
        kind = media_type(attachment.get("contentType") or "text/plain")[0]
        if kind in PREFERENCE:
            found.append((PREFERENCE.index(kind), position, attachment))
    return min(found, key=lambda item: item[:2])[2] if found else None


def attachment_text(attachment: Mapping[str, Any]) -> str:
    """The text of an inline attachment; ``NoteError`` when it is not what it claims."""
    kind, charset = media_type(attachment.get("contentType") or "text/plain")
    raw = re.sub(r"\s+", "", str(attachment.get("data") or ""))
    try:
        data = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise NoteError("the attachment is not valid base64") from exc
    return to_text(data, kind, charset)


def to_text(data: bytes, kind: str, charset: str | None) -> str:
    if kind == "text/rtf":
        return rtf_text(data.decode("latin-1"))
    text = _decode(data, charset)
    if kind in ("text/html", "application/xhtml+xml"):
        return html_text(text)
    return text.strip()


def _decode(data: bytes, charset: str | None) -> str:
    name = charset or "utf-8"
    try:
        name = codecs.lookup(name).name
    except LookupError as exc:
        raise NoteError(f"unknown charset {charset!r}") from exc
    if name == "utf-8":
        name = "utf-8-sig"
    try:
        return data.decode(name)
    except UnicodeDecodeError as exc:
        raise NoteError(f"the text is not valid {charset or 'UTF-8'}") from exc


class _HtmlText(HTMLParser):
    _SKIP = frozenset({"script", "style", "head", "title"})
    _BLOCK = frozenset(
        {"br", "p", "div", "li", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6", "section"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """``<br/>`` is one line break, not an opening and a closing one."""
        self.handle_starttag(tag, attrs)
        if tag in self._SKIP:
            self._skipping = max(0, self._skipping - 1)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def _tidy(text: str) -> str:
    lines = (" ".join(line.split()) for line in text.splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def html_text(html: str) -> str:
    """Visible text of an HTML note: no tags, scripts or styles; entities decoded."""
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    return _tidy("".join(parser.parts))


_RTF_TOKEN = re.compile(
    r"\\([a-zA-Z]{1,32})(-?\d{1,10})? ?"  # control word and its argument
    r"|\\'([0-9a-fA-F]{2})"  # a byte in the document's code page
    r"|\\([^a-zA-Z])"  # control symbol
    r"|([{}])|[\r\n]+|([^\\{}\r\n]+)"
)
_RTF_SKIP = frozenset(
    {
        "fonttbl", "colortbl", "stylesheet", "info", "pict", "header", "footer", "headerl",
        "headerr", "footerl", "footerr", "listtable", "listoverridetable", "rsidtbl",
        "generator", "xmlnstbl", "themedata", "colorschememapping", "datastore", "latentstyles",
        "object", "fldinst", "filetbl", "revtbl", "pgdsctbl",
    }
)  # fmt: skip
_RTF_SYMBOLS = {"~": " ", "_": "-", "-": "", "\n": "\n", "\r": "\n"}
_RTF_BREAKS = {"par": "\n", "line": "\n", "sect": "\n", "row": "\n", "cell": " ", "tab": "\t"}


def rtf_text(rtf: str) -> str:
    """Plain text of an RTF note: destinations such as font tables skipped, escapes decoded."""
    out: list[str] = []
    stack: list[tuple[bool, int]] = []
    skipping, uc, pending_skip = False, 1, 0
    for match in _RTF_TOKEN.finditer(rtf):
        word, arg, hexcode, symbol, brace, text = match.groups()
        if brace == "{":
            stack.append((skipping, uc))
        elif brace == "}":
            skipping, uc = stack.pop() if stack else (False, 1)
        elif symbol == "*":
            skipping = True
        elif skipping:
            continue
        elif pending_skip and (hexcode or text):
            taken = 1 if hexcode else min(pending_skip, len(text))
            pending_skip -= taken
            if text and taken < len(text):
                out.append(text[taken:])
        elif word:
            if word in _RTF_SKIP:
                skipping = True
            elif word == "uc":
                uc = int(arg or 1)
            elif word == "u" and arg:
                out.append(chr(int(arg) % 65536))
                pending_skip = uc
            else:
                out.append(_RTF_BREAKS.get(word, ""))
        elif hexcode:
            out.append(bytes([int(hexcode, 16)]).decode("cp1252", errors="replace"))
        elif symbol:
            out.append(_RTF_SYMBOLS.get(symbol, symbol if symbol in "\\{}" else ""))
        elif text:
            out.append(text)
    return _tidy("".join(out))


__all__ = [
    "PREFERENCE",
    "NoteError",
    "attachment_text",
    "best_attachment",
    "html_text",
    "media_type",
    "readable",
    "rtf_text",
    "to_text",
]
