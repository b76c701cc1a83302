"""A person opens the demo's home page in Chromium and sees the programme's totals."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard.core.formatting import rupiah
from dashboard.ledger.db import open_ledger
from queries.figures import ledger_figures
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def test_the_home_page_shows_the_programme_totals(app_url, page, demo_url):
    """The totals of the latest release: `report --as-of` its day, exactly."""
    engine = open_ledger(demo_url)
    report = ledger_figures(engine, None, dt.date(2026, 10, 31))
    engine.dispose()

    page.goto(app_url)
    page.get_by_text("Pertumbuhan").wait_for(timeout=30_000)
    page.wait_for_load_state("networkidle")
    # The browser draws the metrics once their component's code has loaded: on a loaded
    # machine (the load test on the other worker) that came after the text around them.
    page.get_by_text(rupiah(report.donated_idr)).first.wait_for(timeout=60_000)
    screenshot(page, "overview")

    body = page.locator("body").inner_text()
    assert rupiah(report.donated_idr) in body
    assert rupiah(report.claims_paid_idr) in body
    assert page.locator('[data-testid="stException"]').count() == 0
    assert "Traceback" not in body
    assert page.errors == []


@pytest.mark.parametrize(("lang", "says"), [("id", "Rilis 2026-10"), ("en", "Release 2026-10")])
def test_the_document_language_is_the_page_language(app_url, page, lang, says):
    """Screen readers pronounce a page by its document's language: Streamlit's own page
    says "en" whatever the text, so an Indonesian page was read with English rules."""
    page.goto(f"{app_url}/?lang={lang}")
    page.get_by_text(says).first.wait_for(timeout=60_000)
    # The script runs once its element is drawn, which on a loaded machine (the other
    # worker's load test) may come after the text: wait for it, then read it back.
    page.wait_for_function(f"document.documentElement.lang === {lang!r}", timeout=60_000)
    assert page.evaluate("document.documentElement.lang") == lang
    assert page.errors == []
