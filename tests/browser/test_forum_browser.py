"""An executive in Chromium: the presentation page in English, and the deck it downloads."""

from __future__ import annotations

import pytest
from pptx import Presentation as PptxPresentation

from tests.browser.conftest import screenshot, wait_for_app

pytestmark = pytest.mark.browser


def test_the_presentation_in_english_downloads_an_editable_deck(app_url, page):
    page.goto(f"{app_url}/presentation?lang=en")
    page.get_by_text("Workers protected each month").first.wait_for(timeout=30_000)
    page.get_by_text("Donated", exact=True).first.wait_for(timeout=30_000)  # drawn before
    wait_for_app(page)
    body = page.locator("body").inner_text()
    assert "Donated" in body and "IDR " in body
    assert "Pekerja terlindungi per bulan" not in body
    assert page.locator('[data-testid="stException"]').count() == 0
    screenshot(page, "presentation_en", height=3000)
    page.set_viewport_size({"width": 1400, "height": 1000})
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the slide deck (.pptx)").click()
    deck = PptxPresentation(download.value.path())
    charts = [s for slide in deck.slides for s in slide.shapes if s.has_chart]
    assert len(charts) == 4


def test_the_statement_downloads_from_the_donor_page(app_url, page):
    page.goto(f"{app_url}/donor?donor=BUMN-001")
    page.get_by_text("Unduh untuk laporan").wait_for(timeout=30_000)
    wait_for_app(page)
    page.get_by_text("Unduh untuk laporan").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Pernyataan dampak (PDF)").click()
    assert open(download.value.path(), "rb").read(5) == b"%PDF-"
