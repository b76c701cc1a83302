"""The correction channel on the pages: the console's triage and the methodology's count
(AppTest; the form itself is driven in Chromium, tests/browser/test_public_browser.py)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from dashboard.accounts import corrections
from dashboard.ledger.db import open_ledger
from dashboard.ledger.schema import AuditEntry, ProblemReportDecision
from dashboard.web import corrections as correction_widgets
from dashboard.web import shell

HOSTILE = "**Nama** salah [klik](https://evil.example) <b>x</b>"


def _reports(url: str, count: int) -> list[int]:
    engine = open_ledger(url)
    now = dt.datetime.now(dt.UTC)
    ids = [
        corrections.submit_report(
            engine,
            text=HOSTILE if n == 0 else f"report {n}",
            contact="",
            page="donors",
            release_id="2026-11",
            address=f"203.0.113.{n}",
            now=now,
        )
        for n in range(count)
    ]
    engine.dispose()
    return ids


def test_an_admin_triages_a_report_and_its_history_stays(open_page, demo_copy_url):
    (first,) = _reports(demo_copy_url, 1)
    at = open_page(demo_copy_url, "admin", lang="en")
    texts = [element.value for element in at.markdown]
    assert shell.plain(HOSTILE) in texts  # escaped: no bold, no link, no tag
    assert HOSTILE not in texts  # control: the raw text would be Markdown

    at.selectbox(key=correction_widgets.decision_key(first, "status")).set_value("accepted")
    at.text_input(key=correction_widgets.decision_key(first, "note")).input("checking")
    at.button(key=correction_widgets.decision_key(first, "save")).click().run()
    assert [s.value for s in at.success] == ["Report 1: accepted recorded."]
    captions = " ".join(caption.value for caption in at.caption)
    assert "accepted · demo visitor · checking" in captions  # still open, with its history

    at.selectbox(key=correction_widgets.decision_key(first, "status")).set_value("fixed")
    at.button(key=correction_widgets.decision_key(first, "save")).click().run()
    assert "No report is open." in [caption.value for caption in at.caption]

    engine = open_ledger(demo_copy_url)
    with engine.connect() as conn:
        decisions = conn.execute(
            select(
                ProblemReportDecision.status,
                ProblemReportDecision.note,
                ProblemReportDecision.decided_by,
            ).order_by(ProblemReportDecision.id)
        ).all()
        audited = conn.execute(
            select(AuditEntry.detail).where(AuditEntry.action == corrections.DECISION_ACTION)
        ).scalars()
        audited = list(audited)
    engine.dispose()
    assert decisions == [("accepted", "checking", "demo visitor"), ("fixed", "", "demo visitor")]
    assert audited == [f"report {first}: accepted", f"report {first}: fixed"]


def test_the_methodology_counts_the_open_and_fixed_reports(open_page, demo_copy_url):
    first, second, _third = _reports(demo_copy_url, 3)
    engine = open_ledger(demo_copy_url)
    corrections.decide(engine, first, "fixed", "corrected", "a@example.org")
    corrections.decide(engine, second, "accepted", "", "a@example.org")
    engine.dispose()
    for lang, line in (
        ("en", "Reports of a problem: 2 open, 1 fixed, 0 rejected."),
        ("id", "Laporan masalah: 2 terbuka, 1 sudah diperbaiki, 0 ditolak."),
    ):
        at = open_page(demo_copy_url, "methodology", lang=lang)
        assert line in [element.value for element in at.markdown]
