"""A tiny, escaping HTML/SVG builder, so render/ needs no template engine and does no I/O.

Strings are escaped on the way in; only :class:`Html` passes through unchanged. ``Html``
implements ``__html__``, so Jinja2 (autoescape on) inserts it as already safe.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import TypeAlias, Union

VOID = frozenset({"br", "hr", "img", "input", "link", "meta", "source", "col", "wbr"})

Child: TypeAlias = Union["Html", str, int, float, Iterable["Child"], None]
AttrValue: TypeAlias = str | int | float | bool | None


class Html(str):
    """Text that is already safe HTML."""

    __slots__ = ()

    def __html__(self) -> str:
        return str(self)


def esc(value: object) -> str:
    """Escape any value for text or a quoted attribute (``Html`` is left alone)."""
    if isinstance(value, Html):
        return str(value)
    return escape(str(value), quote=True)


def _fmt_number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)


def _attr_name(name: str) -> str:
    """``class_`` → ``class``; ``aria_label`` → ``aria-label``; ``viewBox`` stays."""
    return name.rstrip("_").replace("_", "-")


def attrs_html(attrs: dict[str, AttrValue]) -> str:
    """Render attributes; ``True`` gives a bare attribute, ``None``/``False`` omit it."""
    parts: list[str] = []
    for key, value in attrs.items():
        if value is None or value is False:
            continue
        name = _attr_name(key)
        if value is True:
            parts.append(f" {name}")
        elif isinstance(value, float):
            parts.append(f' {name}="{_fmt_number(value)}"')
        else:
            parts.append(f' {name}="{esc(value)}"')
    return "".join(parts)


def render(child: Child) -> str:
    """Flatten a child tree into escaped markup."""
    if child is None:
        return ""
    if isinstance(child, Html):
        return str(child)
    if isinstance(child, str):
        return esc(child)
    if isinstance(child, int | float):
        return esc(_fmt_number(child) if isinstance(child, float) else child)
    return "".join(render(item) for item in child)


def el(name: str, *children: Child, **attrs: AttrValue) -> Html:
    """One element: ``el("p", "text", class_="lead")``."""
    opening = f"<{name}{attrs_html(attrs)}>"
    if name in VOID:
        return Html(opening)
    return Html(f"{opening}{render(children)}</{name}>")


def join(*children: Child) -> Html:
    """Several children as one fragment."""
    return Html(render(children))
