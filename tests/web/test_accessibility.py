"""Colour contrast of the stylesheet's text/background pairs (WCAG 2 AA: at least 4.5:1)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CSS = Path(__file__).resolve().parents[2] / "src/mbcnav/service/static/mbcnav.css"


def _variables() -> dict[str, str]:
    return dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6})", CSS.read_text()))


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


PAIRS = [
    ("ink", "bg"),
    ("ink", "#ffffff"),
    ("muted", "#ffffff"),
    ("muted", "bg"),
    ("accent", "#ffffff"),
    ("brand", "#ffffff"),
    ("em", "em-bg"),
    ("ur", "ur-bg"),
    ("so", "so-bg"),
    ("ro", "ro-bg"),
    ("ok", "ok-bg"),
    ("#ffffff", "em"),
    ("#ffffff", "ur"),
    ("#ffffff", "so"),
    ("#ffffff", "ro"),
    ("#ffffff", "accent"),
    ("#ffffff", "brand"),
    ("#d6e2f0", "brand"),
    ("#ffffff", "#b91c1c"),
    ("#ffffff", "#166534"),
]


@pytest.mark.parametrize(("fg", "bg"), PAIRS)
def test_text_contrast_meets_aa(fg: str, bg: str) -> None:
    colours = _variables()
    a, b = colours.get(fg, fg), colours.get(bg, bg)
    assert contrast(a, b) >= 4.5, f"{fg} on {bg}: {contrast(a, b):.2f}"


def test_contrast_formula() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert "focus-visible" in CSS.read_text()  # keyboard focus is always visible
