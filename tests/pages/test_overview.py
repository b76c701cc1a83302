"""The public overview page as Streamlit renders it (AppTest): demo data and an empty ledger."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard.core.config import DATABASE_URL_VARIABLE
from dashboard.core.formatting import number, rupiah
from dashboard.core.i18n import translator
from dashboard.ledger.db import open_ledger
from dashboard.web import shell
from queries.figures import ledger_figures

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "web" / "app.py")


def run_app(monkeypatch, url: str, lang: str | None = None) -> AppTest:
    monkeypatch.setenv(DATABASE_URL_VARIABLE, url)
    monkeypatch.setenv("LINGKARAN_MODE", "demo")
    st.cache_data.clear()  # a ledger rebuilt at the same URL within a second
    shell.forget_built()
    at = AppTest.from_file(APP, default_timeout=30)
    if lang:
        at.query_params["lang"] = lang
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


RELEASE_DAY = dt.date(2026, 10, 31)  # the demo's latest release: the end of TODAY's last month


def test_overview_shows_the_report_figures_of_the_demo(monkeypatch, demo_url):
    """Its headline is `report --as-of` the latest release's day, exactly."""
    at = run_app(monkeypatch, demo_url)
    engine = open_ledger(demo_url)
    report = ledger_figures(engine, None, RELEASE_DAY)
    engine.dispose()
    assert any("Rilis 2026-10, data sampai 31 Oktober 2026." in c.value for c in at.caption)
    shown = {metric.label: metric.value for metric in at.metric}
    _ = translator("id")
    assert shown[_("Donors")] == number(report.donors)
    assert shown[_("Donated")] == rupiah(report.donated_idr)
    assert shown[_("Allocated to contributions")] == rupiah(report.allocated_idr)
    assert shown[_("Unspent balance")] == rupiah(report.balance_idr)
    assert shown[_("Workers protected")] == number(report.covered_workers)
    assert shown[_("Protected worker-months")] == number(report.protected_months)
    assert shown[_("Workers protected in {month}").format(month="Oktober 2026")] == number(
        report.active_workers
    )
    assert shown[_("Claims paid")] == number(report.claims_paid_count)
    assert shown[_("Benefits paid")] == rupiah(report.claims_paid_idr)
    assert shown[_("Donated")].startswith("Rp ")


def test_overview_on_an_empty_ledger_says_so(monkeypatch, tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    open_ledger(url).dispose()  # `lingkaran init-db`: the app itself never creates a ledger
    at = run_app(monkeypatch, url)
    assert not at.metric
    assert any("Belum ada rilis publik" in info.value for info in at.info)


def test_a_missing_ledger_is_reported_and_never_created_by_the_app(monkeypatch, tmp_path):
    path = tmp_path / "missing.db"
    at = run_app(monkeypatch, f"sqlite:///{path}")
    assert not at.metric
    assert "Basis data buku besar tidak dapat dibuka" in at.error[0].value
    assert "init-db" in at.error[0].value
    assert not path.exists()


@pytest.mark.parametrize(
    "url", ["sqlite:////nonexistent/folder/x.db", "postgresql+psycopg://nobody@127.0.0.1:1/none"]
)
def test_an_unreachable_database_gives_a_message_not_a_traceback(monkeypatch, url):
    monkeypatch.setenv(DATABASE_URL_VARIABLE, url)
    monkeypatch.setenv("LINGKARAN_MODE", "demo")
    st.cache_data.clear()  # a ledger rebuilt at the same URL within a second
    shell.forget_built()
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    assert not at.exception
    assert "Basis data buku besar tidak dapat dibuka" in at.error[0].value


def test_claims_too_few_by_quarter_are_shown_by_year_not_as_an_empty_chart(monkeypatch, demo_url):
    # The 5,000-worker demo: no quarter-program cell reaches 10 paid claims.
    at = run_app(monkeypatch, demo_url)
    chart = next(c for c in at.get("plotly_chart") if '"Tahun"' in c.proto.spec)
    spec = json.loads(chart.proto.spec)
    assert spec["layout"]["title"]["text"] == "Manfaat dibayarkan per tahun kejadian (rupiah)"
    assert spec["data"] and all(len(trace["x"]) > 0 for trace in spec["data"])


def test_every_chart_in_english_groups_digits_the_english_way(monkeypatch, demo_url):
    # 1,295,532,000 on an English axis, not 1.295.532.000.
    at = run_app(monkeypatch, demo_url, lang="en")
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    assert len(specs) >= 5
    assert {spec["layout"]["separators"] for spec in specs} == {".,"}


def test_overview_states_the_confirmed_share_and_continuation_by_group(monkeypatch, demo_url):
    """The audit line and the continuation tables: withheld groups left out, never zero."""
    from dashboard.publish import open_data

    at = run_app(monkeypatch, demo_url, "en")
    engine = open_ledger(demo_url)
    report = ledger_figures(engine, None, RELEASE_DAY)
    by_type = open_data.continuation(engine, "donor_type", 10)
    engine.dispose()
    # as the reader sees them: the Markdown escapes of shell.plain removed
    captions = " ".join(caption.value for caption in at.caption).replace("\\", "")
    share = f"{100 * report.confirmed_idr / report.allocated_idr:.1f}%"
    assert f"{share} of allocated contributions confirmed received" in captions
    texts = " ".join(markdown.value for markdown in at.markdown).replace("\\", "")
    assert f"Of {number(report.ended_workers, 'en')} workers whose protection ended" in texts
    table = next(
        frame.value for frame in at.dataframe if "continuation_rate" in frame.value.columns
    )
    published = by_type[~by_type["suppressed"]]
    assert len(table) == len(published) >= 2
    assert list(table["continued_workers"]) == [
        number(int(n), "en") for n in published["continued_workers"]
    ]
