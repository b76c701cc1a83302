"""The correction channel's store: bounded, rate-limited per address, append-only (issue 29)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from dashboard.accounts import corrections
from dashboard.ledger.schema import AuditEntry, ProblemReport, ProblemReportDecision

NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)


def _send(engine, address="203.0.113.7", text="The total for Aceh looks wrong", **kw):
    values = {"contact": "", "page": "overview", "release_id": "2026-11", "now": NOW} | kw
    return corrections.submit_report(engine, text=text, address=address, **values)


def _count(engine, model) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model)).scalar_one()


def test_the_sixth_report_within_the_hour_from_one_address_is_refused(sqlite_engine):
    for minute in range(corrections.REPORTS_PER_HOUR):
        _send(sqlite_engine, now=NOW + dt.timedelta(minutes=minute))
    with pytest.raises(corrections.ReportRefused) as refused:
        _send(sqlite_engine, now=NOW + dt.timedelta(minutes=10))
    assert refused.value.reason == "too many"
    assert _count(sqlite_engine, ProblemReport) == 5  # the refused one stored nothing
    # controls: another address, and the same one an hour after its first, are taken
    _send(sqlite_engine, address="198.51.100.4", now=NOW + dt.timedelta(minutes=10))
    _send(sqlite_engine, now=NOW + dt.timedelta(minutes=61))
    assert _count(sqlite_engine, ProblemReport) == 7


def test_a_report_longer_than_its_limit_is_refused_whatever_the_form_allowed(sqlite_engine):
    for text, contact in (("x" * 2001, ""), ("wrong", "c" * 321), ("   ", "")):
        with pytest.raises(corrections.ReportRefused):
            _send(sqlite_engine, text=text, contact=contact)
    assert _count(sqlite_engine, ProblemReport) == 0
    _send(sqlite_engine, text="x" * 2000, contact="c" * 320)  # the limits themselves pass
    assert _count(sqlite_engine, ProblemReport) == 1


def test_the_address_is_kept_as_a_keyed_hash_and_the_text_as_sent(sqlite_engine):
    text = "**Nama** [klik](https://evil.example) =HYPERLINK(1) <b>x</b>"
    _send(sqlite_engine, text=text, contact="a@example.org")
    with sqlite_engine.connect() as conn:
        row = conn.execute(select(ProblemReport.__table__)).one()
    assert row.text == text and row.contact == "a@example.org"
    assert row.page == "overview" and row.release_id == "2026-11"
    assert "203.0.113.7" not in row.client_key
    assert row.client_key == corrections.client_key(sqlite_engine, "203.0.113.7")
    assert row.client_key != corrections.client_key(sqlite_engine, "203.0.113.8")


def test_a_decision_is_a_new_row_and_the_latest_is_the_status(sqlite_engine):
    first, second, third = (_send(sqlite_engine, text=f"report {n}") for n in range(3))
    corrections.decide(sqlite_engine, first, "accepted", "checking the import", "a@x.org")
    corrections.decide(sqlite_engine, first, "fixed", "fixed in 2026-12", "b@x.org")
    corrections.decide(sqlite_engine, second, "rejected", "the figure is right", "a@x.org")
    assert _count(sqlite_engine, ProblemReportDecision) == 3  # nothing overwritten
    listed = {report.id: report for report in corrections.reports(sqlite_engine)}
    assert listed[first].status == "fixed"
    assert [(s, by) for s, _note, by, _at in listed[first].history] == [
        ("accepted", "a@x.org"),
        ("fixed", "b@x.org"),
    ]
    assert [r.id for r in corrections.reports(sqlite_engine, open_only=True)] == [third]
    assert corrections.status_counts(sqlite_engine) == {
        "new": 1,
        "accepted": 0,
        "rejected": 1,
        "fixed": 1,
    }
    assert _count(sqlite_engine, AuditEntry) == 3
    with pytest.raises(corrections.LedgerError):
        corrections.decide(sqlite_engine, third, "deleted", "", "a@x.org")
    assert _count(sqlite_engine, ProblemReportDecision) == 3


def test_a_reports_lines_are_kept_and_its_invisible_characters_dropped(sqlite_engine):
    _send(sqlite_engine, text=" Baris satu\r\nfdp\u202e.exe\x00 dua \n", contact="a@x.org\u202e")
    (report,) = corrections.reports(sqlite_engine)
    assert report.text == "Baris satu\nfdp.exe dua" and report.contact == "a@x.org"
