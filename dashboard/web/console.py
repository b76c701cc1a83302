"""The admin console's actions: each starts a job (``dashboard.web.jobs``) or runs as a
widget's callback, so the page's script never writes to the ledger itself; and the panel
that shows a job's progress and outcome."""

from __future__ import annotations

import tempfile
from functools import partial
from pathlib import Path

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from dashboard.accounts.fiscal_year import set_fiscal_year_start
from dashboard.accounts.memberships import audit
from dashboard.core.errors import MAX_LISTED, Count, ImportRefused, Rupiah, message
from dashboard.core.formatting import month_name, number
from dashboard.core.i18n import translator
from dashboard.core.labels import N_
from dashboard.core.progress import Report
from dashboard.ledger.allocation_report import late_start_lines, most_actionable_first
from dashboard.ledger.allocator import allocate, late_starts
from dashboard.ledger.importer import import_file
from dashboard.web import controls, jobs, shell
from queries.check_since import full_check

JOB_KEY = "admin-job"  # the session's latest job
SHOWN_KEY = "admin-job-shown"  # the jobs whose ending this session has taken in


def start_import(engine: Engine, who: str, kind: str, name: str, data: bytes) -> None:
    """Import an uploaded file as a job: all of it or nothing, audited either way."""
    name = Path(name).name  # never a path from the browser

    def work(report: Report) -> jobs.Outcome:
        with tempfile.TemporaryDirectory(prefix="lingkaran-upload-") as folder:
            path = Path(folder) / name
            path.write_bytes(data)
            try:
                result = import_file(engine, kind, path, progress=report)
            except ImportRefused as refused:
                audit(engine, who, "import refused", f"{kind} {name}: {refused.summary()}")
                return jobs.Outcome(
                    False,
                    message(
                        N_("{file}: refused, nothing was written ({rows} bad rows)."),
                        file=name,
                        rows=Count(refused.bad_rows),
                    ),
                    # The fix stays in the reason's cell: a fifth column is off a phone's screen.
                    columns=(N_("line"), N_("column"), N_("value"), N_("reason")),
                    rows=tuple(
                        (e.line, e.column, e.value, jobs.Written(e.advice)) for e in refused.errors
                    ),
                )
        audit(engine, who, "import", f"{kind} {result.summary()}", result.sha256)
        return jobs.Outcome(True, jobs.Written(result.summary), wrote=True)

    _started(jobs.start("import", who, work, N_("The import stopped; nothing was written.")))


LATE_KEY = "admin-late-starts"  # the donations whose late blocks the admin is asked about


def ask_allocation(engine: Engine, who: str) -> None:
    """The allocator's button: when blocks would start in months already past, ask first
    (``late_start_question``), since what the allocator writes stays; otherwise allocate."""
    late = late_starts(engine)
    if late:
        st.session_state[LATE_KEY] = late
        return
    start_allocation(engine, who)


def late_start_question(engine: Engine, who: str, lang: str) -> None:
    """The late blocks the admin is asked about, with "allocate anyway" and "cancel"."""
    late = st.session_state.get(LATE_KEY)
    if not late:
        return
    _ = translator(lang)
    lines = late_start_lines(late, lang, console=True)
    # One line each: Markdown joins single newlines.
    st.warning(shell.plain("\n".join(lines)).replace("\n", "  \n"))
    go, cancel = st.columns(2)
    go.button(
        _("Allocate anyway"),
        key="allocate-anyway",
        type="primary",
        on_click=_allocate_anyway,
        args=(engine, who),
    )
    cancel.button(
        _("Cancel"), key="allocate-cancel", on_click=st.session_state.pop, args=(LATE_KEY,)
    )


def _allocate_anyway(engine: Engine, who: str) -> None:
    asked = st.session_state.pop(LATE_KEY, None)
    late = late_starts(engine)
    if late and late != asked:  # donations came in meanwhile: ask about what is there now
        st.session_state[LATE_KEY] = late
        return
    start_allocation(engine, who)


def start_allocation(engine: Engine, who: str) -> None:
    """The allocator as a job; its outcome names each donation left unspent, with the
    reason (the console asked about blocks starting in months already past before)."""

    def work(report: Report) -> jobs.Outcome:
        made = allocate(engine, progress=report)
        said = message(
            N_("{rows} coverage rows created, {months} worker-months."),
            rows=Count(made.coverage_rows),
            months=Count(made.protected_months),
        )
        # The audit log is a record in one language, as an import's or a check's entry is:
        # not in whichever language the admin who clicked it had chosen.
        audit(engine, who, "allocate", said.render("en"))
        return jobs.Outcome(
            True,
            said,
            wrote=True,
            columns=(N_("donation left unspent"), N_("left"), N_("reason")),
            rows=tuple(
                (item.donation_id, Rupiah(item.left_idr), item.reason)
                for item in most_actionable_first(made.unspent)
            ),
        )

    _started(jobs.start("allocate", who, work, N_("The allocator stopped; nothing was written.")))


def start_check(engine: Engine, who: str) -> None:
    def work(report: Report) -> jobs.Outcome:
        violations = full_check(engine)  # recorded: where `check --since` starts
        audit(engine, who, "check", f"{len(violations)} violation(s)")
        if not violations:
            return jobs.Outcome(True, message(N_("Ledger OK: every invariant holds.")))
        return jobs.Outcome(
            False,
            message(N_("{count} violations:"), count=Count(len(violations))),
            columns=(N_("rule"), N_("detail")),
            rows=tuple(
                (jobs.Written(v.rule_text), jobs.Written(v.detail_text)) for v in violations
            ),
        )

    _started(jobs.start("check", who, work, N_("The check stopped before it finished.")))


def start_release(engine: Engine, who: str) -> None:
    """Publish the release as of the end of last month, as `lingkaran release` does: built
    in the background (visitors keep being served the latest release meanwhile)."""
    from dashboard.publish.releases import ReleaseRefused, publish, published_in_words
    from dashboard.publish.webhooks import notify

    def work(report: Report) -> jobs.Outcome:
        try:
            info = publish(engine)
        except ReleaseRefused as refused:
            return jobs.Outcome(False, jobs.Written(refused.render))
        audit(engine, who, "release", f"release {info.id} as of {info.as_of.isoformat()}")
        notify(engine)  # each webhook's attempt is in its delivery log; failures retried later
        return jobs.Outcome(True, jobs.Written(partial(published_in_words, info)), wrote=True)

    _started(jobs.start("release", who, work, N_("The release stopped; nothing was published.")))


def _started(key: str) -> None:
    st.session_state[JOB_KEY] = key


def save_fiscal_year(engine: Engine, who: str, donor_id: str, month_key: str, lang: str) -> None:
    """The "Save" button's callback: the donor's fiscal year (the month chosen in the widget
    of ``month_key``), audited, a new ledger version."""
    _ = translator(lang)
    month = st.session_state[month_key]
    set_fiscal_year_start(engine, donor_id, month, who)
    shell.ledger_written()  # a donor's periods are named anew
    st.session_state["fiscal-saved"] = _("{donor}: the fiscal year begins in {month}.").format(
        donor=donor_id, month=month_name(month, lang)
    )


def job_panel(names: tuple[str, ...], who: str, lang: str) -> None:
    """The session's latest job, if it is one of ``names``: how far it is while it runs
    (looked at again every second), then its outcome. A session that started none (its
    tab was closed, a new one opened) shows the newest such job ``who`` started, so a
    refusal's list or an allocation's report is not lost with the tab."""
    current = jobs.job(st.session_state.get(JOB_KEY))
    if current is None:
        current = jobs.latest(names, who)
        if current is not None and not current.running:  # ended before this page was read
            _taken_in(current.key)
    if current is None or current.name not in names:
        return
    st.fragment(_job_view, run_every=1 if current.running else None)(current.key, lang)


def _taken_in(key: str) -> bool:
    """True the first time this session sees the ending of job ``key``. One key per job,
    not one per session: the panels of a new tab may each show an earlier job, and one
    remembered key would send them taking turns rerunning the page."""
    seen: set[str] = st.session_state.setdefault(SHOWN_KEY, set())
    if key in seen:
        return False
    seen.add(key)
    return True


def _job_view(key: str, lang: str) -> None:
    _ = translator(lang)
    current = jobs.job(key)
    if current is None:
        return
    if current.running:
        done, total = number(current.done, lang), number(current.total or 0, lang)
        if current.name == "allocate" and current.total:
            text = _("Allocating: {done} of {total} donations.").format(done=done, total=total)
            st.progress(min(current.done / current.total, 1.0), text=text)
        elif current.name == "import":
            st.info(_("Importing: {done} rows read so far.").format(done=done))
        else:
            st.info(_("Checking every invariant of the ledger…"))
        return
    if _taken_in(key):  # it has just ended: the whole page reads anew
        if current.outcome.wrote:
            shell.ledger_written()
        st.rerun()
    outcome = current.outcome
    (st.success if outcome.ok else st.error)(shell.plain(jobs.in_language(outcome.message, lang)))
    if outcome.rows:
        table = pd.DataFrame(
            [[jobs.in_language(cell, lang) for cell in row] for row in outcome.rows],
            columns=[_(column) for column in outcome.columns],
        )
        # A plain table for up to 50 rows (an import's refusals; a short unspent list): read
        # by screen readers, and its long reasons wrap on a phone instead of running off it.
        if current.name == "import" or len(outcome.rows) <= MAX_LISTED:
            st.table(table.set_index(table.columns[0]))
            return
        # A long list (a new ledger's allocation leaves hundreds of donations unspent): the
        # first ones as the same wrapping table (a scrolling grid cut each reason at its
        # column's edge), every row in the files.
        st.table(table.head(MAX_LISTED).set_index(table.columns[0]))
        st.caption(
            _("... and {count} more: every row is in the files below.").format(
                count=number(len(outcome.rows) - MAX_LISTED, lang)
            )
        )
        controls.downloads(table, current.name)
