"""A CSR manager in Chromium: opens a shared link, switches donor, downloads a table."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from dashboard.core.formatting import rupiah
from dashboard.ledger.db import open_ledger
from queries.figures import ledger_figures
from tests.browser.conftest import screenshot, wait_for_app

pytestmark = pytest.mark.browser


def donated(demo_url: str, donor_id: str) -> str:
    engine = open_ledger(demo_url)
    figures = ledger_figures(engine, donor_id, dt.date.today())
    engine.dispose()
    return rupiah(figures.donated_idr)


def no_exception(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0
    assert "Traceback" not in page.locator("body").inner_text()
    assert page.errors == []


def test_a_shared_link_opens_the_donor_and_the_picker_changes_it(app_url, page, demo_url):
    page.goto(f"{app_url}/donor?donor=BUMN-001")
    page.get_by_text("Dari donasi ke perlindungan").wait_for(timeout=30_000)
    wait_for_app(page)
    assert donated(demo_url, "BUMN-001") in page.locator("body").inner_text()
    no_exception(page)
    screenshot(page, "donor_impact", height=5200)

    page.set_viewport_size({"width": 1400, "height": 1000})
    page.get_by_role("combobox", name="Donatur").click()
    page.keyboard.type("CSR-002")
    page.get_by_role("option", name="(CSR-002)").click()
    page.wait_for_url("**donor=CSR-002**", timeout=30_000)
    page.get_by_text(donated(demo_url, "CSR-002")).first.wait_for(timeout=30_000)
    no_exception(page)


def test_tables_download_as_csv_and_xlsx(app_url, page):
    page.goto(f"{app_url}/donor?donor=BUMN-001")
    page.get_by_text("Jejak donasi").wait_for(timeout=30_000)
    wait_for_app(page)
    # Each button by its key (Streamlit marks the element with class st-key-<key>), not by its
    # place on the page: the page is still drawing when the heading appears.
    csv_button = page.locator(".st-key-csv-donations-BUMN-001 button")
    xlsx_button = page.locator(".st-key-xlsx-donations-BUMN-001 button")
    csv_button.wait_for(timeout=30_000)
    with page.expect_download() as csv_download:
        csv_button.click()
    text = open(csv_download.value.path(), encoding="utf-8-sig").read()
    assert text.splitlines()[0].startswith("donation_id,received_on,amount_idr,allocated_idr")
    assert "BUMN-001-001" in text
    with page.expect_download() as xlsx_download:
        xlsx_button.click()
    book = openpyxl.load_workbook(io.BytesIO(open(xlsx_download.value.path(), "rb").read()))
    sheet = book.active
    assert [cell.value for cell in sheet[1]][:3] == ["donation_id", "received_on", "amount_idr"]
    assert isinstance(sheet.cell(row=2, column=3).value, int)  # rupiah stay integers


def test_the_comparison_page_loads(app_url, page):
    page.goto(f"{app_url}/compare?donor=BUMN-001")
    page.get_by_text("Pekerja terlindungi per bulan").wait_for(timeout=30_000)
    wait_for_app(page)
    no_exception(page)
    screenshot(page, "donor_compare", height=1800)


CUT_OFF = """() => [...document.querySelectorAll('[data-testid="stMetricValue"]')]
    .flatMap(value => [value, ...value.querySelectorAll('*')])
    .filter(element => element.scrollWidth > element.clientWidth + 1)
    .map(element => element.textContent)"""


@pytest.mark.parametrize("path", ["donor?donor=BUMN-001", "compare?donor=BUMN-001"])
@pytest.mark.parametrize("lang", ["id", "en"])
def test_no_headline_figure_is_cut_off(app_url, page, path, lang):
    """A metric too wide for its column ends in an ellipsis ("Rp 400.000.…"): none may, on
    a common laptop screen with the sidebar open."""
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{app_url}/{path}&lang={lang}")
    # Until four metrics are drawn: the first can appear before the run has even started
    # (then "no run in progress" is true too early).
    page.wait_for_function(
        "document.querySelectorAll('[data-testid=\"stMetricValue\"]').length >= 4",
        timeout=30_000,
    )
    wait_for_app(page)
    assert page.evaluate(CUT_OFF) == []
