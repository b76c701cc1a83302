"""A donor's fiscal year (April to March, say): its boundaries, the CLI, the statement, and
the donor and compare pages as a CSR manager of such a company sees them."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from dashboard.core.formatting import rupiah
from dashboard.ledger.schema import AuditEntry
from queries.figures import (
    Period,
    fiscal_year,
    fiscal_year_name,
    fiscal_year_of,
    in_fiscal_terms,
)
from tests.conftest import write_csv
from tests.ledgers import DONATION_HEADER
from tests.pages.conftest import metrics, open_expanders, page_downloads

TODAY = dt.date.today()


@pytest.mark.parametrize(
    ("year", "month", "start", "end", "name"),
    [
        (2025, 4, dt.date(2025, 4, 1), dt.date(2026, 3, 31), "2025/26"),
        (2025, 1, dt.date(2025, 1, 1), dt.date(2025, 12, 31), "2025"),
        (2025, 7, dt.date(2025, 7, 1), dt.date(2026, 6, 30), "2025/26"),
        (2023, 3, dt.date(2023, 3, 1), dt.date(2024, 2, 29), "2023/24"),  # a leap February
        (2099, 12, dt.date(2099, 12, 1), dt.date(2100, 11, 30), "2099/00"),
    ],
)
def test_a_fiscal_year_runs_from_its_first_month_to_the_day_before_the_next(
    year, month, start, end, name
):
    period = fiscal_year(year, month)
    assert (period.start, period.end) == (start, end)
    assert fiscal_year_name(year, month) == name
    assert period.fiscal_name == (None if month == 1 else name)  # January: a calendar year
    assert fiscal_year_of(start, month) == year and fiscal_year_of(end, month) == year
    assert fiscal_year_of(start - dt.timedelta(days=1), month) == year - 1
    assert fiscal_year_of(end + dt.timedelta(days=1), month) == year + 1


def test_the_current_fiscal_year_runs_to_today_and_other_periods_keep_their_dates():
    today = dt.date(2026, 11, 26)
    so_far = fiscal_year(2026, 4, today)
    assert (so_far.start, so_far.end, so_far.fiscal_name) == (
        dt.date(2026, 4, 1),
        today,
        "2026/27",
    )
    assert in_fiscal_terms(Period(dt.date(2025, 4, 1), dt.date(2026, 3, 31)), 4).fiscal_name == (
        "2025/26"
    )
    assert in_fiscal_terms(Period(dt.date(2025, 4, 2), dt.date(2026, 3, 31)), 4).fiscal_name is None
    assert in_fiscal_terms(Period(dt.date(2025, 4, 1), dt.date(2026, 4, 1)), 4).fiscal_name is None
    assert in_fiscal_terms(Period(dt.date(2025, 4, 1), None), 4).fiscal_name is None
    assert (
        in_fiscal_terms(Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31)), 1).fiscal_name is None
    )


def report(cli, *options: str) -> dict:
    result = cli("report", "--donor", "FY1", "--format", "json", *options)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_the_fiscal_years_boundaries_are_exact(cli, april_donor, engine):
    assert report(cli, "--fiscal-year", "2024")["donated_idr"] == 100_800
    assert report(cli, "--fiscal-year", "2025")["donated_idr"] == 201_600 + 50_400
    assert report(cli, "--fiscal-year", "2025") == report(
        cli, "--from", "2025-04-01", "--to", "2026-03-31", "--as-of", "2026-03-31"
    )
    assert report(cli, "--fiscal-year", "2026")["donated_idr"] == 33_600
    with engine.connect() as conn:
        logged = conn.execute(select(AuditEntry.action, AuditEntry.detail)).all()
    assert ("fiscal year", "FY1: fiscal year begins in month 4 (was 1)") in logged


def test_a_fiscal_year_is_a_donors_and_alone(cli, april_donor):
    both = cli("report", "--donor", "FY1", "--fiscal-year", "2025", "--from", "2025-01-01")
    assert both.exit_code == 2 and "not both" in both.output
    nobody = cli("report", "--fiscal-year", "2025")
    assert nobody.exit_code == 2 and "give --donor ID" in nobody.output
    assert cli("fiscal-year", "FY1", "13").exit_code == 2
    unknown = cli("fiscal-year", "NOPE", "4")
    assert unknown.exit_code == 1 and "no donor 'NOPE'" in unknown.output


def test_the_statement_of_a_fiscal_year_names_it_and_signs_its_figures(cli, april_donor):
    out = april_donor / "statement.pdf"
    result = cli(
        "export",
        "statement",
        "--donor",
        "FY1",
        "--fiscal-year",
        "2025",
        "--lang",
        "en",
        "--as-of",
        "2026-03-31",
        "--out",
        out,
    )
    assert result.exit_code == 0, result.output
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(out.read_bytes())).pages)
    text = " ".join(text.split())
    assert "donations received in fiscal year 2025/26 (April 1, 2025 – March 31, 2026)" in text
    assert rupiah(252_000, "en") in text  # donated in the fiscal year: G2 and G3


def test_the_donor_page_offers_and_names_the_donors_fiscal_years(
    open_page, april_donor, database_url
):
    at = open_page(database_url, "donor_impact", donor="FY1", lang="en")
    this = fiscal_year_of(TODAY, 4)
    labels = [button.label for button in at.button]
    assert f"This fiscal year ({fiscal_year_name(this, 4)})" in labels
    assert f"Fiscal year {fiscal_year_name(this - 1, 4)}" in labels
    assert "This year" not in labels
    at = open_page(
        database_url,
        "donor_impact",
        donor="FY1",
        lang="en",
        **{"from": "2025-04-01", "to": "2026-03-31"},
    )
    assert any(
        "Donations received in fiscal year 2025/26 (April 1, 2025 – March 31, 2026)" in c.value
        for c in at.caption
    )
    assert metrics(at)["Donated"] == rupiah(252_000, "en")
    # A whole fiscal year chosen: its sustainability-report pack is offered, not otherwise.
    assert "⬇ Sustainability-report pack (XLSX)" in downloads(at)
    assert "⬇ Sustainability-report pack (XLSX)" not in downloads(
        open_page(database_url, "donor_impact", donor="FY1", lang="en")
    )


def downloads(at) -> list[str]:
    """The report downloads the page offers (in their expander, opened)."""
    open_expanders(at, "report-downloads")
    return page_downloads(at)


def test_the_compare_page_compares_fiscal_years(open_page, april_donor, database_url):
    at = open_page(database_url, "donor_compare", donor="FY1", lang="en")
    year = at.selectbox(key="year")
    assert year.label == "Fiscal year"
    assert year.options[:3] == [fiscal_year_name(fiscal_year_of(TODAY, 4) - n, 4) for n in range(3)]
    year.select(2025).run()
    assert not at.exception
    caption = next(c.value for c in at.caption if c.value.startswith("Fiscal year 2025/26 ("))
    assert "against fiscal year 2024/25 (" in caption
    table = next(t.value for t in at.dataframe if "2025/26" in t.value.columns)
    donated = table.set_index("figure").loc["Donated"]
    assert (donated["2024/25"], donated["2025/26"]) == (
        rupiah(100_800, "en"),
        rupiah(252_000, "en"),
    )


def test_an_admin_sets_the_fiscal_year_in_the_console_and_the_pages_follow(
    open_page, cli, tmp_path, database_url
):
    donors = write_csv(
        tmp_path, "d.csv", ["donor_id", "name", "type"], [["FY2", "PT Dua (Persero)", "soe"]]
    )
    rates = write_csv(tmp_path, "r.csv", ["effective_from", "monthly_idr"], [["2015-07", "16800"]])
    gift = write_csv(
        tmp_path, "g.csv", DONATION_HEADER, [["H1", "FY2", "2025-06-01", "16800", "1"]]
    )
    for kind, path in (("donors", donors), ("rates", rates), ("donations", gift)):
        assert cli("import", kind, path).exit_code == 0
    at = open_page(database_url, "admin", lang="en")
    donor = at.selectbox(key="fiscal-donor")
    assert "PT Dua (Persero) (FY2)" in donor.options  # as written, no Markdown escapes in a select
    donor.select("FY2").run()
    at.selectbox(key="fiscal-month-FY2").select(7).run()
    at.button(key="fiscal-save").click().run()
    assert not at.exception
    assert "FY2: the fiscal year begins in July." in at.success[0].value
    page = open_page(database_url, "donor_impact", donor="FY2", lang="en")
    this = fiscal_year_of(TODAY, 7)
    assert f"This fiscal year ({fiscal_year_name(this, 7)})" in [b.label for b in page.button]


def test_a_fiscal_year_change_makes_the_caches_stale_and_other_admin_actions_do_not(
    april_donor, engine
):
    from dashboard.accounts.fiscal_year import set_fiscal_year_start
    from dashboard.accounts.memberships import audit
    from queries.public import ledger_version

    before = ledger_version(engine)
    audit(engine, "boss@example.org", "check", "0 violation(s)")
    assert ledger_version(engine) == before  # no figure changed: the caches stand
    set_fiscal_year_start(engine, "FY1", 7, "boss@example.org")
    assert ledger_version(engine) != before
