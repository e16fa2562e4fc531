"""The page in headless Chromium: the clinician's flow, negation, the handout and its PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _mark(page: Any, symptom: str, area: str, value: str = "present") -> None:
    details = page.locator(f"#area-{area}")
    if details.get_attribute("open") is None:
        page.click(f"#area-{area} > summary")
    page.click(f"label[for=s-{symptom}-{value}]")
    assert page.is_checked(f"#s-{symptom}-{value}")


def test_cord_compression_shows_emergency_and_shaded_spine(
    page: Any, live_url: str, screenshots: Path
) -> None:
    page.goto(live_url + "/")
    page.screenshot(path=str(screenshots / "form.png"))
    _mark(page, "back_pain", "back_spine")
    _mark(page, "leg_weakness", "nerves_limbs")
    _mark(page, "urinary_retention", "bladder_bowel")
    page.select_option("#f-er", "positive")
    page.select_option("#f-her2", "low")
    page.click("#assess")
    banner = page.locator("#red-flags")
    assert banner.get_attribute("role") == "alert"
    assert banner.get_attribute("data-urgency") == "emergency"
    assert page.locator("#flag-spinal_cord_compression").is_visible()
    assert "spinal cord compression" in banner.inner_text().lower()
    spine = page.locator("#map-site-spine")
    assert float(spine.get_attribute("data-probability")) > 0.5
    fill = spine.locator("rect").first.evaluate("el => getComputedStyle(el).fill")
    assert fill.startswith("rgba(185, 28, 28") and fill != "rgba(185, 28, 28, 0)"
    assert page.locator("#site-spine").is_visible()
    page.screenshot(path=str(screenshots / "results-cord-compression.png"), full_page=True)


def test_negation_in_free_text_is_read(page: Any, live_url: str, screenshots: Path) -> None:
    page.goto(live_url + "/")
    page.fill("#f-text", "severe back pain, denies leg weakness")
    page.press("#f-text", "Tab")
    page.focus("#assess")
    page.keyboard.press("Enter")  # keyboard only: no mouse needed to submit
    row = page.locator("#finding-leg_weakness")
    assert row.get_attribute("data-present") == "false"
    assert "Absent" in row.inner_text() and "denies" in row.inner_text()
    assert page.locator("#finding-back_pain").get_attribute("data-present") == "true"
    page.locator("#findings").screenshot(path=str(screenshots / "findings-negation.png"))


def test_handout_opens_and_pdf_downloads(page: Any, live_url: str, screenshots: Path) -> None:
    page.goto(live_url + "/")
    _mark(page, "back_pain", "back_spine")
    _mark(page, "leg_weakness", "nerves_limbs")
    page.click("#assess")
    page.click("#open-handout")
    assert page.locator("h1").inner_text() == "Your results in plain words"
    assert page.locator("#act-now").is_visible()
    assert page.locator("#print").is_visible()  # shown by the small script
    page.screenshot(path=str(screenshots / "handout.png"), full_page=True)
    with page.expect_download() as info:
        page.click("#download-pdf")
    download = info.value
    target = screenshots.parent / "handout.pdf"
    download.save_as(str(target))
    assert download.suggested_filename == "mbcnav-handout.pdf"
    assert target.read_bytes().startswith(b"%PDF-")


def test_page_works_with_javascript_disabled(browser: Any, live_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_url + "/")
    page.click("label[for=s-headache-present]")
    page.click("#assess")
    assert page.locator("#sites").is_visible()
    assert page.locator("#print").is_hidden()
    context.close()
