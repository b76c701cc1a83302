"""The donor pages as a CSR manager sees them: demo data, an empty ledger, an unknown donor."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner

from dashboard.accounts.access import OPERATOR
from dashboard.cli import main
from dashboard.core.formatting import number, rupiah
from dashboard.core.i18n import translator
from dashboard.ledger.db import open_ledger
from queries import donor
from tests.pages.conftest import metrics, open_expanders, page_downloads

PAGES = ("donor_impact", "donor_compare")


def report(url: str, donor_id: str, *options: str) -> dict:
    result = CliRunner().invoke(
        main, ["--db", url, "report", "--donor", donor_id, *options, "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.mark.parametrize("donor_id", ["CSR-001", "BUMN-001", "P-001"])
def test_the_headline_equals_lingkaran_report_for_the_same_donor_and_date(
    open_page, demo_url, donor_id
):
    at = open_page(demo_url, "donor_impact", donor=donor_id)
    expected = report(demo_url, donor_id)
    shown = metrics(at)
    _ = translator("id")
    assert expected["as_of"] == dt.date.today().isoformat()
    assert shown[_("Donated")] == rupiah(expected["donated_idr"])
    assert shown[_("Allocated to contributions")] == rupiah(expected["allocated_idr"])
    assert shown[_("Unspent balance")] == rupiah(expected["balance_idr"])
    assert shown[_("Workers protected")] == number(expected["covered_workers"])
    assert shown[_("Protected worker-months")] == number(expected["protected_months"])
    assert shown[_("Workers protected now")] == number(expected["active_workers"])
    assert shown[_("Claims paid")] == number(expected["claims_paid_count"])
    assert shown[_("Benefits paid")] == rupiah(expected["claims_paid_idr"])


def test_the_impact_page_draws_every_section_and_expands_a_donation(open_page, demo_url):
    at = open_page(demo_url, "donor_impact", donor="BUMN-001")
    charts = at.get("plotly_chart")
    assert len(charts) >= 7  # flow, over time, cumulative, 4 x who (+ claims when any)
    sankey = json.loads(charts[0].proto.spec)["data"][0]
    assert sankey["type"] == "sankey"
    # Every rupiah shows: what leaves the donation nodes is allocation plus balance.
    labels, link = sankey["node"]["label"], sankey["link"]
    leaving = sum(
        value
        for source, value in zip(link["source"], link["value"], strict=True)
        if labels[source].startswith("Donasi ")
    )
    assert leaving == report(demo_url, "BUMN-001")["donated_idr"]
    donation = at.selectbox(key="donation")
    donation.select(donation.options[0]).run()
    assert not at.exception
    assert "baris cakupan dibiayai donasi" in at.caption[-1].value


def test_a_closed_expander_runs_nothing_and_an_opened_one_shows_its_content(open_page, demo_url):
    at = open_page(demo_url, "donor_impact", donor="BUMN-001", lang="en")
    closed = {
        "report-downloads": "Download for your report",
        "province-list": "The provinces as a ranked list",
        "who-table": "Table: who was protected",
        "claim-sentences": "Sentences for your sustainability report",
        "unconfirmed": "coverage rows not yet confirmed",
    }
    for label in closed.values():  # every expander is there, and closed
        assert any(label in box.proto.label for box in at.expander), label
    assert page_downloads(at) == ["⬇ CSV", "⬇ XLSX"] * 2
    tables, charts = len(at.dataframe), len(at.get("plotly_chart"))
    assert not any(m.value.startswith("- ") for m in at.markdown)

    open_expanders(at, *closed)
    downloads = page_downloads(at)
    assert downloads[:2] == ["⬇ Impact statement (PDF)", "⬇ Slide deck (PPTX)"]
    assert len(downloads) == 2 + 2 * 4  # the who, claims, trail and unconfirmed tables
    assert len(at.dataframe) == tables + 2  # who was protected; the unconfirmed rows
    assert len(at.get("plotly_chart")) == charts + 1  # the provinces as a ranked list
    sentences = next(m.value for m in at.markdown if m.value.startswith("- "))
    (claims,) = [t.value for t in at.dataframe if "incident_month" in t.value.columns]
    # One sentence per year of the incident, one list: never one claim, one person.
    assert sentences.count("\n- ") + 1 == len({month[:4] for month in claims["incident_month"]})
    assert any(c.value.startswith("Verification code of the statement: ") for c in at.caption)

    at.session_state["who-table"] = False  # closed again: its table is gone
    at.run()
    assert len(at.dataframe) == tables + 1


@pytest.mark.parametrize(
    ("lang", "headings"),
    [
        ("id", ["Donasi", "Diterima", "Jumlah", "Dialokasikan", "Saldo", "Pekerja"]),
        ("en", ["Donation", "Received", "Amount", "Allocated", "Balance", "Workers"]),
    ],
)
def test_the_donation_trail_is_headed_in_the_page_language(open_page, demo_url, lang, headings):
    at = open_page(demo_url, "donor_impact", donor="BUMN-001", lang=lang)
    # The trail is the table keyed by donation and date received (the machine names: only
    # the headings change, the frame and its downloads keep them).
    trail = next(
        frame
        for frame in at.dataframe
        if list(frame.value.columns[:2]) == ["donation_id", "received_on"]
    )
    shown = [column.get("label", name) for name, column in json.loads(trail.proto.columns).items()]
    assert shown[: len(headings)] == headings
    confirmed = {"id": "Dikonfirmasi BPJS-TK", "en": "Confirmed by BPJS-TK"}[lang]
    assert confirmed in shown


def test_a_period_keeps_only_the_donations_received_in_it(open_page, demo_url):
    at = open_page(demo_url, "donor_impact", donor="BUMN-001")
    all_time = metrics(at)["Donasi"]
    at.date_input(key="from").set_value(dt.date(2024, 1, 1))
    at.date_input(key="to").set_value(dt.date(2024, 12, 31)).run()
    assert not at.exception
    in_2024 = metrics(at)["Donasi"]
    assert in_2024 != all_time
    assert "1 Januari 2024 – 31 Desember 2024" in " ".join(c.value for c in at.caption)


@pytest.mark.parametrize("page", PAGES)
def test_no_donor_chosen_asks_for_one(open_page, demo_url, page):
    at = open_page(demo_url, page)
    assert not at.metric
    assert at.selectbox(key="donor").value is None


@pytest.mark.parametrize("page", PAGES)
def test_an_unknown_donor_in_the_link_is_named_not_a_traceback(open_page, demo_url, page):
    at = open_page(demo_url, page, donor="NO-SUCH")
    # as the reader sees it: the Markdown escapes of shell.plain removed
    assert any("NO-SUCH" in warning.value.replace("\\", "") for warning in at.warning)
    assert not at.metric


@pytest.mark.parametrize("page", PAGES)
def test_an_empty_ledger_says_so(open_page, tmp_path, page):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    open_ledger(url).dispose()  # `lingkaran init-db`: the app itself never creates a ledger
    at = open_page(url, page, donor="CSR-001")
    assert "Belum ada donatur" in at.info[0].value


def test_a_donor_without_allocation_yet(open_page, cli, database_url, tmp_path):
    from tests.conftest import write_csv

    cli(
        "import",
        "donors",
        write_csv(
            tmp_path, "d.csv", ["donor_id", "name", "type"], [["K1", "Komunitas Baru", "community"]]
        ),
    )
    cli(
        "import",
        "donations",
        write_csv(
            tmp_path,
            "g.csv",
            ["donation_id", "donor_id", "received_on", "amount_idr"],
            [["G1", "K1", dt.date.today().isoformat(), "500000"]],
        ),
    )
    at = open_page(database_url, "donor_impact", donor="K1")
    assert metrics(at)["Donasi"] == rupiah(500_000)
    assert any("belum dialokasikan" in info.value for info in at.info)


def test_compare_opens_on_the_latest_year_with_a_donation(open_page, demo_url):
    engine = open_ledger(demo_url)
    last = donor.donor_info(engine, OPERATOR, "BUMN-001").last_donation
    engine.dispose()
    assert last.year < dt.date.today().year  # an empty current year would show only zeros
    at = open_page(demo_url, "donor_compare", donor="BUMN-001")
    assert "Donasi" in metrics(at)
    assert at.selectbox(key="year").value == last.year
    at.selectbox(key="year").select(2024).run()
    assert not at.exception
    assert "vs 2023" in at.metric[0].delta


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_donor_page_shows_confirmed_continued_and_saved(open_page, demo_url, lang):
    """Contract v2 on the page: the figures of `lingkaran report`, and the sentence that
    states the continuation rate with its two counts."""
    at = open_page(demo_url, "donor_impact", donor="BUMN-001", lang=lang)
    figures = report(demo_url, "BUMN-001")
    _ = translator(lang)
    shown = metrics(at)
    assert shown[_("Confirmed by BPJS Ketenagakerjaan")] == rupiah(figures["confirmed_idr"], lang)
    assert shown[_("Old-age savings (JHT)")] == rupiah(figures["jht_saved_idr"], lang)
    # as the reader sees them: the Markdown escapes of shell.plain removed
    captions = " ".join(caption.value for caption in at.caption).replace("\\", "")
    sentence = {
        "id": "Dari {ended} pekerja yang perlindungannya dari Anda berakhir",
        "en": "Of {ended} workers whose protection from you ended",
    }[lang].format(ended=number(figures["ended_workers"], lang))
    assert sentence in captions
    assert number(figures["continued_workers"], lang) in captions


def test_the_chosen_donor_stays_chosen_on_the_other_donor_page(open_page, demo_url):
    at = open_page(demo_url, "donor_impact", donor="BUMN-001")
    assert at.selectbox(key="donor").value == "BUMN-001"
    # The sidebar link to the other page carries no ?donor=: only the session remembers.
    at.query_params.clear()
    at.switch_page("../../pages/donor_compare.py").run()
    assert not at.exception
    assert at.selectbox(key="donor").value == "BUMN-001"
    at.switch_page("../../pages/overview.py").run()
    at.switch_page("../../pages/donor_impact.py").run()
    assert at.selectbox(key="donor").value == "BUMN-001"


def test_a_closed_year_is_shown_as_at_its_end_unless_the_reader_asks_for_to_date(
    open_page, demo_url
):
    """docs/contract.md "As of": a past period's figures are those of its last day, as the
    CLI gives them; "to date" shows what the same donations have achieved since."""

    year = {"from": "2025-01-01", "to": "2025-12-31"}
    closed = open_page(demo_url, "donor_impact", donor="BUMN-001", lang="en", **year)
    chooser = next(b for b in closed.get("button_group") if b.proto.label == "Figures as of")
    assert chooser.value == "end"  # the closed year, as its statement and report pack state it
    assert any("every figure as of December 31, 2025" in c.value for c in closed.caption)
    at_end = report(demo_url, "BUMN-001", "--from", "2025-01-01", "--to", "2025-12-31")
    assert at_end["as_of"] == "2025-12-31"
    assert metrics(closed)["Claims paid"] == number(at_end["claims_paid_count"], "en")

    to_date = open_page(
        demo_url, "donor_impact", donor="BUMN-001", lang="en", **year, **{"as": "today"}
    )
    today = dt.date.today()
    since = report(
        demo_url,
        "BUMN-001",
        "--from",
        "2025-01-01",
        "--to",
        "2025-12-31",
        "--as-of",
        today.isoformat(),
    )
    assert metrics(to_date)["Claims paid"] == number(since["claims_paid_count"], "en")
    assert since["claims_paid_count"] >= at_end["claims_paid_count"]


def test_dollars_go_under_the_rupiah_so_both_read_whole(open_page, demo_url):
    at = open_page(demo_url, "donor_impact", donor="BUMN-001", lang="en")
    at.number_input(key="usd-rate").set_value(16_000).run()
    figures = report(demo_url, "BUMN-001")
    shown = metrics(at)
    assert shown["Donated"] == rupiah(figures["donated_idr"], "en")  # the figure alone
    dollars = (2 * figures["donated_idr"] + 16_000) // (2 * 16_000)  # rounded half up
    assert f"≈ ${dollars:,}" in [caption.value for caption in at.caption]


def test_compare_sets_both_years_at_their_own_end(open_page, demo_url):
    """Equal age: 2024 as of 2024-12-31 against 2023 as of 2023-12-31, each what `lingkaran
    report` says of it, whatever was paid or confirmed later."""

    def year(y: int) -> dict:
        return report(demo_url, "BUMN-001", "--fiscal-year", str(y))

    at = open_page(demo_url, "donor_compare", donor="BUMN-001", lang="en", year="2024")
    assert at.selectbox(key="year").value == 2024
    table = at.dataframe[0].value.set_index(at.dataframe[0].value.columns[0])
    this, last = year(2024), year(2023)
    assert (this["as_of"], last["as_of"]) == ("2024-12-31", "2023-12-31")
    claims = table.loc["Claims paid"]
    assert (claims["2024"], claims["2023"]) == (
        number(this["claims_paid_count"], "en"),
        number(last["claims_paid_count"], "en"),
    )
    assert any("as many days after it began" in c.value for c in at.caption)


def test_a_donors_only_donation_of_a_year_is_drawn_in_the_monthly_chart(
    open_page, demo_url, demo_engine
):
    """BUMN-001's one donation of 2024 (29 December) was missing from "Workers protected
    each month, and donations received" while the legend named donations: a lone bar on a
    date axis got 1 ms of width. Any donor's lone donation of a year on the demo shows."""
    import base64

    import numpy as np
    from sqlalchemy import select

    from dashboard.ledger.schema import Donation, Donor
    from dashboard.web.charts import MONTH_BAR_MS

    rows = demo_engine.connect().execute(
        select(Donor.donor_id, Donation.received_on, Donation.amount_idr)
        .join(Donor, Donor.id == Donation.donor_key)
        .order_by(Donation.received_on.desc())
    )
    by_year = {}
    for donor_id, received, amount in rows:
        by_year.setdefault((donor_id, received.year), []).append((received, amount))
    (donor_id, year), ((received, amount),) = next(
        (key, gifts) for key, gifts in by_year.items() if len(gifts) == 1 and key[1] < 2026
    )
    at = open_page(
        demo_url,
        "donor_impact",
        donor=donor_id,
        lang="en",
        **{"from": f"{year}-01-01", "to": f"{year}-12-31"},
    )
    (chart,) = [
        json.loads(c.proto.spec)
        for c in at.get("plotly_chart")
        if "donations received" in json.loads(c.proto.spec)["layout"]["title"]["text"]
    ]
    (bar,) = [trace for trace in chart["data"] if trace["type"] == "bar"]

    def values(array):  # Plotly sends numbers as typed arrays
        if isinstance(array, dict):
            return np.frombuffer(base64.b64decode(array["bdata"]), array["dtype"]).tolist()
        return list(array)

    assert bar["x"] == [received.replace(day=1).isoformat()]
    assert values(bar["y"]) == [amount]
    assert values(bar["width"]) == [MONTH_BAR_MS]
