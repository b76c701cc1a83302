"""The public overview page as Streamlit renders it (AppTest): demo data and an empty ledger."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard.config import DATABASE_URL_VARIABLE
from dashboard.db import open_ledger
from dashboard.formatting import number, rupiah
from dashboard.i18n import translator
from queries.figures import ledger_figures

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


def run_app(monkeypatch, url: str, lang: str | None = None) -> AppTest:
    monkeypatch.setenv(DATABASE_URL_VARIABLE, url)
    monkeypatch.setenv("LINGKARAN_MODE", "demo")
    st.cache_data.clear()  # a ledger rebuilt at the same URL within a second
    at = AppTest.from_file(APP, default_timeout=30)
    if lang:
        at.query_params["lang"] = lang
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_overview_shows_the_report_figures_of_the_demo(monkeypatch, demo_url):
    at = run_app(monkeypatch, demo_url)
    engine = open_ledger(demo_url)
    report = ledger_figures(engine, None, dt.date.today())
    engine.dispose()
    shown = {metric.label: metric.value for metric in at.metric}
    _ = translator("id")
    assert shown[_("Donors")] == number(report.donors)
    assert shown[_("Donated")] == rupiah(report.donated_idr)
    assert shown[_("Allocated to contributions")] == rupiah(report.allocated_idr)
    assert shown[_("Unspent balance")] == rupiah(report.balance_idr)
    assert shown[_("Workers protected")] == number(report.covered_workers)
    assert shown[_("Protected worker-months")] == number(report.protected_months)
    assert shown[_("Workers protected now")] == number(report.active_workers)
    assert shown[_("Claims paid")] == number(report.claims_paid_count)
    assert shown[_("Benefits paid")] == rupiah(report.claims_paid_idr)
    assert shown[_("Donated")].startswith("Rp ")


def test_overview_on_an_empty_ledger_says_so(monkeypatch, tmp_path):
    at = run_app(monkeypatch, f"sqlite:///{tmp_path / 'empty.db'}")
    assert not at.metric
    assert any("Belum ada donasi" in info.value for info in at.info)


@pytest.mark.parametrize(
    "url", ["sqlite:////nonexistent/folder/x.db", "postgresql+psycopg://nobody@127.0.0.1:1/none"]
)
def test_an_unreachable_database_gives_a_message_not_a_traceback(monkeypatch, url):
    monkeypatch.setenv(DATABASE_URL_VARIABLE, url)
    monkeypatch.setenv("LINGKARAN_MODE", "demo")
    st.cache_data.clear()  # a ledger rebuilt at the same URL within a second
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
