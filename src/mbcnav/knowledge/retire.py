"""Re-point citations of retired sources (``source_rules.yaml`` ``retired``) to their
replacements, in the text of a knowledge file, so that its layout and comments survive.

Pure text in, text out. It rewrites the two places a source id is cited: flow lists
(``sources: [src:a, 'src:b']``, also across lines) and ``nearest_source:``, which takes the
first replacement (the record's list then holds it too). A retired id with no replacement is
left for a person, as is prose that names a source.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

_FLOW = re.compile(r"\[([^\[\]]*\bsrc:[^\[\]]*)\]")
_NEAREST = re.compile(r"(nearest_source:[ \t]*)(['\"]?)src:([a-z0-9_]+)\2")


def _repoint_list(body: str, retired: Mapping[str, Sequence[str]]) -> str | None:
    """The list body with retired ids replaced (order kept, no repeats); None if unchanged."""
    items = [item.strip() for item in body.split(",")]
    bare = [item.strip("'\"") for item in items]
    if not any(b.startswith("src:") and retired.get(b[4:]) for b in bare):
        return None
    out: list[str] = []
    for item in bare:
        ident = item.removeprefix("src:")
        new = retired.get(ident) if item.startswith("src:") else None
        for name in [f"src:{n.removeprefix('src:')}" for n in new] if new else [item]:
            if name and name not in out:
                out.append(name)
    quote = "'" if any(item.startswith("'") for item in items) else ""
    return ", ".join(f"{quote}{name}{quote}" for name in out)


def repoint(text: str, retired: Mapping[str, Sequence[str]]) -> str:
    """``text`` with every citation of a retired id (bare, without ``src:``) replaced."""

    def flow(match: re.Match[str]) -> str:
        new = _repoint_list(match.group(1), retired)
        return match.group(0) if new is None else f"[{new}]"

    def nearest(match: re.Match[str]) -> str:
        new = retired.get(match.group(3))
        if not new:
            return match.group(0)
        quote = match.group(2)
        return f"{match.group(1)}{quote}src:{new[0].removeprefix('src:')}{quote}"

    return _NEAREST.sub(nearest, _FLOW.sub(flow, text))
