"""The page in headless Chromium at phone widths and in print (WCAG 1.4.10 reflow; printers
that drop background colours)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# Long words and numbers a clinic note may hold: they must break, not widen the column.
LONG_NOTE = (
    "severe back pain and leg weakness, urinary retention, jaundice; "
    "calcium 3.6 mmol/L; MRI-whole-spine-with-and-without-contrast-requested-urgently " + "x" * 80
)
# Every element's right edge and the page's scroll width; data tables scroll in their own box.
MEASURE = """() => {
  const root = document.documentElement, width = root.clientWidth;
  const outside = [...document.querySelectorAll('body *')]
    .filter(e => !e.closest('.table-wrap') && e.getClientRects().length)
    .filter(e => e.getBoundingClientRect().right > width + 0.5)
    .map(e => `${e.tagName.toLowerCase()}#${e.id}.${e.className}`);
  const form = document.querySelector('.col-form');
  return {scroll: root.scrollWidth, width, outside: outside.slice(0, 5),
          form: form ? form.getBoundingClientRect().width : 0};
}"""


def _fits(page: Any, viewport: int) -> None:
    got = page.evaluate(MEASURE)
    assert got["width"] == viewport
    assert got["scroll"] <= viewport, got
    assert not got["outside"], got
    assert got["form"] <= viewport


def _results(page: Any, live_url: str) -> None:
    page.goto(live_url + "/")
    page.fill("#f-text", LONG_NOTE)
    page.select_option("#f-er", "positive")
    page.fill("#f-calcium_corrected_mmol_l", "3.6")
    page.fill("#f-bilirubin_umol_l", "48")
    page.click("#assess")
    assert page.locator("#red-flags").get_attribute("data-urgency") == "emergency"


@pytest.mark.parametrize("viewport", [320, 375])
def test_form_results_and_handout_reflow_without_sideways_scrolling(
    browser: Any, live_url: str, screenshots: Path, viewport: int
) -> None:
    context = browser.new_context(viewport={"width": viewport, "height": 800})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(live_url + "/")
    _fits(page, viewport)
    _results(page, live_url)
    for details in page.locator("#results details").all():
        details.evaluate("el => el.open = true")  # the reasons, with their long labels
    _fits(page, viewport)
    page.screenshot(path=str(screenshots / f"results-{viewport}px.png"), full_page=True)
    page.click("#open-handout")
    _fits(page, viewport)
    context.close()


def test_urgency_and_bars_survive_printing_without_background_colours(
    page: Any, live_url: str, screenshots: Path
) -> None:
    _results(page, live_url)
    page.emulate_media(media="print")
    assert page.locator("#patient-form").is_hidden()
    badges = page.locator("#results .badge").all()
    assert badges
    for badge in badges:
        style = badge.evaluate(
            "el => { const s = getComputedStyle(el);"
            " return {color: s.color, border: parseFloat(s.borderTopWidth),"
            " background: s.backgroundColor, text: el.innerText}; }"
        )
        # readable on white paper by its words and its frame, not by a background colour
        assert style["text"].strip().lower() in ("emergency", "urgent", "soon", "routine")
        assert style["color"] not in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)")
        assert style["border"] >= 1
        assert style["background"] in ("rgba(0, 0, 0, 0)", "transparent")
    bars = page.locator("#sites .site .bar span").all()
    assert bars
    for bar in bars:
        fill = bar.evaluate(
            "el => ({border: parseFloat(getComputedStyle(el).borderBottomWidth),"
            " width: el.getBoundingClientRect().width,"
            " share: parseFloat(el.style.width),"
            " outer: el.parentElement.getBoundingClientRect().width})"
        )
        assert fill["border"] > 0  # a border fill prints where a background would not
        assert fill["width"] == pytest.approx(fill["outer"] * fill["share"] / 100, abs=2.5)
    pdf = page.pdf(print_background=False)
    assert pdf.startswith(b"%PDF-")
    (screenshots.parent / "results-print.pdf").write_bytes(pdf)


def test_back_from_the_handout_shows_the_results_again(page: Any, live_url: str) -> None:
    """The results and the handout are answers to a POST: the browser must keep them to show
    them again on Back (field test: ERR_CACHE_MISS), and the form must come back as filled."""
    _results(page, live_url)
    page.click("#open-handout")
    assert page.locator("h1").inner_text() == "Your results in plain words"
    page.go_back()
    assert page.locator("#red-flags").is_visible()
    assert page.input_value("#f-calcium_corrected_mmol_l") == "3.6"
    page.go_forward()
    assert page.locator("#act-now").is_visible()
    page.go_back()
    page.go_back()
    assert page.locator("#patient-form").is_visible()
