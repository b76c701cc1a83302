"""Presentation and Verify pages in both languages (AppTest)."""

from __future__ import annotations

import pytest

from dashboard.accounts.access import OPERATOR
from dashboard.core.i18n import catalog
from dashboard.exports.statement import make_statement
from queries.figures import Period
from tests.pages.test_public_pages import _page_text, empty_ledger

PAGES = ("presentation", "verify")


def other_language_strings(lang: str) -> list[str]:
    """Messages that read differently in the other language (long enough to be telling)."""
    other = "en" if lang == "id" else "id"
    mine = catalog(lang)
    return [
        text
        for message, text in catalog(other).items()
        if len(text) > 12 and "{" not in text and text != mine.get(message)
    ]


EVERY_PAGE = {
    "overview": "GN Lingkaran: protection for vulnerable workers",
    "donors_wall": "Donors wall",
    "methodology": "Methodology",
    "open_data": "Open data",
    "presentation": "Presentation",
    "verify": "Verify a statement",
    "donor_impact": "Donation impact",
    "donor_compare": "Compare periods",
}


@pytest.mark.parametrize("page", list(EVERY_PAGE))
@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_page_in_one_language_shows_no_string_of_the_other(open_page, demo_url, page, lang):
    at = open_page(demo_url, page, lang=lang, donor="BUMN-001")
    text = _page_text(at) + "\n".join(w.label for w in at.selectbox)
    leaks = [s for s in other_language_strings(lang) if s in text]
    assert not leaks
    assert at.title[0].value == catalog(lang)[EVERY_PAGE[page]]


@pytest.mark.parametrize(
    ("page", "says"),
    [
        ("presentation", "Belum ada rilis publik yang diterbitkan"),
        ("verify", "Verifikasi pernyataan"),
    ],
)
def test_the_forum_pages_render_on_an_empty_ledger(open_page, tmp_path, page, says):
    at = open_page(empty_ledger(tmp_path), page)
    assert not at.error, [e.value for e in at.error]
    assert says in _page_text(at) + at.title[0].value


def test_the_presentation_shows_the_headline_numbers_large(open_page, demo_url):
    at = open_page(demo_url, "presentation", lang="en")
    labels = [metric.label for metric in at.metric]
    assert labels[:3] == ["Donated", "Allocated to contributions", "Unspent balance"]
    assert len(at.get("plotly_chart")) == 4  # programme: protected, province, occupation, claims
    at.selectbox(key="scope").select("BUMN-001").run()
    assert not at.exception
    assert len(at.get("plotly_chart")) == 5  # a donor adds donated vs allocated


def verify(at, donor_id, code):
    at.text_input(key="verify-donor").input(donor_id)
    at.text_input(key="verify-code").input(code)
    # the form's own button: the page has others (the sidebar's "Report a problem")
    next(button for button in at.button if button.label in ("Verify", "Verifikasi")).click().run()
    assert not at.exception
    return at


def test_the_verify_box_confirms_a_real_code_and_refutes_a_changed_one(
    open_page, demo_url, demo_engine
):
    import datetime as dt

    code = make_statement(demo_engine, OPERATOR, "BUMN-001", Period(), dt.date.today()).code
    at = verify(open_page(demo_url, "verify", lang="en"), "BUMN-001", code)
    assert "Confirmed" in at.success[0].value
    at = verify(
        open_page(demo_url, "verify", lang="en"), "BUMN-001", code.replace("-", "")[:-2] + "ZZ"
    )
    assert "Not confirmed" in at.error[0].value
    at = verify(open_page(demo_url, "verify", lang="en"), "NOPE", code)
    assert "Not confirmed" in at.error[0].value  # an unknown donor reads like a wrong code


def test_the_verify_box_says_when_late_data_restated_an_issued_statement(
    open_page, cli, engine, database_url, tmp_path
):
    import datetime as dt

    from dashboard.exports.statement import record_issue
    from tests.conftest import write_csv
    from tests.ledgers import CLAIM_HEADER, import_all, worked_example

    import_all(cli, {k: v for k, v in worked_example(tmp_path).items() if k != "claims"})
    assert cli("allocate").exit_code == 0
    day = dt.date.today()
    issued = make_statement(engine, OPERATOR, "D1", Period(), day)
    record_issue(engine, issued, "boss@example.org", "statement")
    late = write_csv(
        tmp_path,
        "late.csv",
        CLAIM_HEADER,
        [["K9", "A", "JKK", "2024-06-03", "paid", "2024-07-01", "900000"]],
    )
    assert cli("import", "claims", late).exit_code == 0

    at = verify(open_page(database_url, "verify", lang="en"), "D1", issued.code)
    assert "Confirmed" in at.success[0].value
    assert any("a restatement" in warning.value for warning in at.warning)
    stated, now = (table.value for table in at.table)
    assert (stated["value"]["Claims paid"], stated["value"]["Benefits paid"]) == ("0", "IDR 0")
    assert (now["value"]["Claims paid"], now["value"]["Benefits paid"]) == ("1", "IDR 900,000")
    # The donor is told on their page, with the statement's code.
    page = open_page(database_url, "donor_impact", donor="D1", lang="en")
    told = [w.value for w in page.warning if issued.code in w.value]
    assert len(told) == 1 and "has been restated" in told[0]


def test_the_presentation_of_last_year_is_as_at_its_end_unless_asked_to_date(open_page, demo_url):
    import datetime as dt

    def chooser(at):
        return [b for b in at.get("button_group") if b.proto.label == "Figures as of"]

    at = open_page(demo_url, "presentation", lang="en")
    assert not at.get("radio")  # the programme: its latest release, no period to choose
    assert any("Release 2026-10, data to October 31, 2026." in c.value for c in at.caption)
    at.selectbox(key="scope").set_value("BUMN-001").run()
    assert chooser(at) == []  # all time: as of today, nothing to choose
    end = dt.date(dt.date.today().year - 1, 12, 31)
    # Any period, as on the donor pages (the link keeps it: ?from=...&to=...)
    at.date_input(key="from").set_value(dt.date(end.year, 1, 1))
    at.date_input(key="to").set_value(end).run()
    assert not at.exception
    assert [b.value for b in chooser(at)] == ["end"]
    assert any(end.strftime("%B %-d, %Y") in c.value for c in at.caption), [
        c.value for c in at.caption
    ]


def test_the_slideshow_link_keeps_the_donor_period_and_language(open_page, demo_url):
    import datetime as dt

    at = open_page(demo_url, "presentation", lang="en")
    [programme] = at.get("link_button")
    assert programme.proto.url.startswith("/slides?lang=en&release=")
    at.selectbox(key="scope").set_value("BUMN-001").run()
    at.date_input(key="from").set_value(dt.date(2025, 1, 1))
    at.date_input(key="to").set_value(dt.date(2025, 12, 31)).run()
    assert not at.exception
    [donor] = at.get("link_button")
    assert donor.proto.url == "/slides?lang=en&donor=BUMN-001&from=2025-01-01&to=2025-12-31"
    assert at.query_params["donor"] == "BUMN-001"  # the page's own link keeps the donor
    reopened = open_page(demo_url, "presentation", lang="en", donor="BUMN-001")
    assert reopened.selectbox(key="scope").value == "BUMN-001"
    assert open_page(demo_url, "presentation", lang="en").selectbox(key="scope").value is None
