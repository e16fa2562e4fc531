"""The human view of an Assessment (`mbcnav assess`, `mbcnav demo`): red flags first, then
sites with probability bars and reasons, then workup, then treatment options by modality; fits
80 columns. Its own module so that the machine paths (``--json``, ``--batch``) never import rich."""

from __future__ import annotations

import textwrap

from rich.console import Console
from rich.text import Text

from mbcnav.knowledge import Knowledge
from mbcnav.render.text import confirm_first, readable, reason_label
from mbcnav.types import MODALITIES, Assessment

SHOWN_SITES = 8
SHOWN_REASONS = 3
BAR_WIDTH = 16
WIDTH = 80
LABEL_WIDTH = 26
URGENCY_STYLE = {"emergency": "bold red", "urgent": "red", "soon": "yellow", "routine": "green"}


def _pct(probability: float) -> str:
    return f"{probability:.0%}" if probability >= 0.1 else f"{probability:.1%}"


def _bar(probability: float) -> str:
    filled = round(probability * BAR_WIDTH)
    return "█" * filled + "░" * (BAR_WIDTH - filled)


def _say(console: Console, indent: int, text: str, style: str = "") -> None:
    """Print wrapped to 80 columns with a hanging indent, so continuation lines stay aligned."""
    pad = " " * indent
    console.print(
        textwrap.fill(text, WIDTH, initial_indent=pad, subsequent_indent=pad + "  "),
        style=style or None,
        soft_wrap=True,
    )


def _headline(console: Console, urgency: str, label: str) -> None:
    line = Text("  ")
    line.append(f"{urgency.upper():<10}", style=URGENCY_STYLE[urgency])
    rest = textwrap.wrap(label, WIDTH - 12) or [""]
    line.append(rest[0])
    console.print(line, soft_wrap=True)
    for more in rest[1:]:
        console.print(" " * 12 + more, soft_wrap=True)


def _name(knowledge: Knowledge, ident: str) -> str:
    for table in (knowledge.symptoms, knowledge.sites, knowledge.red_flags):
        if ident in table:
            return table[ident].label
    return ident


def _flags(console: Console, assessment: Assessment, knowledge: Knowledge) -> None:
    console.print(Text("RED FLAGS", style="bold"))
    if not assessment.red_flags:
        console.print("  none raised")
    for flag in assessment.red_flags:
        _headline(console, flag.urgency, flag.label or flag.id)
        if flag.because:
            reasons = ", ".join(readable(knowledge, b) for b in flag.because)
            _say(console, 12, f"because: {reasons}", "dim")
        for action in flag.actions:
            _say(console, 12, f"→ {action}")


def _sites(console: Console, assessment: Assessment, knowledge: Knowledge) -> None:
    console.print(Text("\nSITES OF SPREAD (most probable first)", style="bold"))
    shown = list(assessment.sites[:SHOWN_SITES])
    for site in shown:
        label = textwrap.shorten(site.label or site.id, LABEL_WIDTH, placeholder="…")
        tail = "known" if site.known else f"{site.probability:4.0%}  prior {_pct(site.prior)}"
        console.print(f"  {label:<{LABEL_WIDTH}} {_bar(site.probability)} {tail}", soft_wrap=True)
        reasons = [
            f"{'+' if b.log_odds > 0 else '−'}{abs(b.log_odds):.1f} "
            f"{reason_label(knowledge, b.finding, b.present)}"
            for b in site.because[:SHOWN_REASONS]
        ]
        if reasons:
            _say(console, 6, "; ".join(reasons), "dim")
    if assessment.site_mentions:
        named = [f"{_name(knowledge, m.site)} ({m.status})" for m in assessment.site_mentions]
        _say(console, 2, f"named in the text: {', '.join(dict.fromkeys(named))}", "dim")
    hidden = len(assessment.sites) - len(shown)
    if hidden > 0:
        console.print(f"  … {hidden} less probable sites (--json shows all)", style="dim")


def _workup(console: Console, assessment: Assessment) -> None:
    console.print(Text("\nWORKUP", style="bold"))
    if not assessment.workup:
        console.print("  nothing further suggested")
    for item in assessment.workup:
        _headline(console, item.urgency, item.label or item.id)
        if item.for_:
            _say(console, 12, f"for: {', '.join(item.for_)}", "dim")


def _treatment(console: Console, assessment: Assessment, knowledge: Knowledge) -> None:
    console.print(Text("\nTREATMENT OPTIONS (by modality)", style="bold"))
    waiting = confirm_first(assessment)
    if waiting:
        _say(console, 2, waiting, "bold")
    if not assessment.treatment_options:
        console.print("  none selected by the tables for this profile")
    for modality in MODALITIES:
        options = [o for o in assessment.treatment_options if o.modality == modality]
        if not options:
            continue
        console.print(f"  {modality.replace('_', ' ').capitalize()}", style="bold cyan")
        for option in options:
            line = f"line {option.line}, " if option.line else ""
            mark = " [suspected site]" if option.suspected else ""
            _say(console, 4, f"• {option.label or option.id}{mark}")
            _say(console, 6, f"{line}{option.intent.replace('_', ' ')}", "dim")
            if option.because:
                reasons = ", ".join(readable(knowledge, b) for b in option.because)
                _say(console, 6, f"because: {reasons}", "dim")
    if assessment.after_confirmation:
        console.print("  To consider once confirmed", style="bold cyan")
    by_reason: dict[str, list[str]] = {}
    for deferred in assessment.after_confirmation:
        by_reason.setdefault(deferred.reason, []).append(deferred.label or deferred.id)
    for reason, labels in by_reason.items():
        _say(console, 4, reason, "dim")
        for label in labels:
            _say(console, 4, f"• {label}")


def render_human(assessment: Assessment, knowledge: Knowledge, console: Console) -> None:
    """Print the human view: flags, sites, workup, treatment options, notice."""
    title = f"mbcnav assessment{f' {assessment.id}' if assessment.id else ''}"
    console.print(Text(title, style="bold underline"))
    _flags(console, assessment, knowledge)
    _sites(console, assessment, knowledge)
    _workup(console, assessment)
    _treatment(console, assessment, knowledge)
    version = assessment.provenance.knowledge_version
    console.print(f"\n{assessment.notice}\nknowledge {version}", style="dim")


def console() -> Console:
    return Console(width=WIDTH, highlight=False)


__all__ = ["console", "render_human"]
