"""The correction channel's widgets: "Report a problem" on every public page, and its triage
in the admin console (the rules and the store are ``dashboard.accounts.corrections``).
Every write runs in a widget's callback, never in a page's script."""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from dashboard.accounts import corrections
from dashboard.core.errors import LedgerError
from dashboard.core.formatting import date_text, number
from dashboard.core.i18n import translator
from dashboard.publish import open_data
from dashboard.web import shell

TEXT_KEY = "report-text"
CONTACT_KEY = "report-contact"
OUTCOME_KEY = "report-outcome"  # (ok, message) of the latest report, shown once


def client_address() -> str:
    """Who sends a report, for the rate limit (``address_of`` says how it is found)."""
    return address_of(st.context.ip_address, st.context.headers.get_all("X-Forwarded-For"))


def address_of(peer: str | None, forwarded: list[str]) -> str:
    """The client's address from the websocket's peer (None when it is the loopback, as
    Streamlit gives it) and the ``X-Forwarded-For`` headers. A loopback peer is the HAProxy
    of ``lingkaran serve`` on the same host (or a laptop): the address is the last entry,
    the one HAProxy's ``option forwardfor`` appended; a browser may send entries of its own,
    but never the last. Any other peer is the client itself, its header ignored: anyone can
    write one."""
    if peer:
        return peer
    last = ",".join(forwarded).rsplit(",", 1)[-1].strip()
    return last or "local"


def report_release() -> str | None:
    """The release the page shows: the one in its link when there is such a release, else
    the latest (every public page reads a release)."""
    try:
        listed = [info.id for info in shell.query(open_data.releases)]
    except (SQLAlchemyError, LedgerError, OSError):
        return None
    asked = st.query_params.get("release")
    if asked in listed:
        return asked
    return listed[0] if listed else None


def send_report(engine: Engine, page: str, release_id: str | None, address: str, lang: str):
    """The form's callback: store the report, or say why not (nothing stored)."""
    _ = translator(lang)
    try:
        corrections.submit_report(
            engine,
            text=st.session_state.get(TEXT_KEY, ""),
            contact=st.session_state.get(CONTACT_KEY, ""),
            page=page,
            release_id=release_id,
            address=address,
        )
    except corrections.ReportRefused as refused:
        reasons = {
            "empty": _("Please say what is wrong: the report was empty."),
            "too long": _(
                "The report is too long: at most {text} characters, and {contact} for the contact."
            ).format(text=corrections.MAX_TEXT, contact=corrections.MAX_CONTACT),
            "too many": _(
                "This address has sent {count} reports within the hour, the most we take: "
                "please try again later."
            ).format(count=corrections.REPORTS_PER_HOUR),
        }
        st.session_state[OUTCOME_KEY] = (False, reasons[refused.reason])
        return
    st.session_state[TEXT_KEY] = ""
    st.session_state[CONTACT_KEY] = ""
    st.session_state[OUTCOME_KEY] = (
        True,
        _("Thank you: your report was received, and the team will look at it."),
    )


def report_problem(page: str, title: str) -> None:
    """The "Report a problem" button and its form, for a public page (``page``: its path,
    stored with the report; ``title``: its name, shown)."""
    lang = shell.language()
    _ = translator(lang)
    engine = shell.ledger()
    release_id = report_release()

    def form() -> None:
        st.caption(
            _(
                "Tell us what is wrong on this page ({page}, release {release}): a figure, a "
                "name, a sentence. Plain text only; leave a contact if you want an answer."
            ).format(page=title, release=release_id or "–")
        )
        with st.form("report-problem", border=False):
            st.text_area(
                _("What is wrong?"), key=TEXT_KEY, max_chars=corrections.MAX_TEXT, height=150
            )
            st.text_input(
                _("Contact (optional): an e-mail address or a phone number"),
                key=CONTACT_KEY,
                max_chars=corrections.MAX_CONTACT,
            )
            st.form_submit_button(
                _("Send the report"),
                type="primary",
                on_click=send_report,
                args=(engine, page, release_id, client_address(), lang),
            )
        # A dialog reruns on its own (a fragment): a report taken closes it with a rerun of
        # the whole page, which thanks the visitor; a refusal is said here, the text kept.
        outcome = st.session_state.get(OUTCOME_KEY)
        if outcome and outcome[0]:
            st.rerun()
        elif outcome:
            st.warning(st.session_state.pop(OUTCOME_KEY)[1])

    if st.button(_("Report a problem"), key="report-problem-open", icon=":material/flag:"):
        st.dialog(_("Report a problem"))(form)()
    if outcome := st.session_state.pop(OUTCOME_KEY, None):
        ok, message = outcome
        (st.success if ok else st.warning)(message)


def open_reports_line(engine: Engine, lang: str) -> str:
    """How many reports are open, fixed and rejected: the methodology page's line."""
    _ = translator(lang)
    counts = corrections.status_counts(engine)
    open_count = sum(counts[status] for status in corrections.OPEN_STATUSES)
    return _("Reports of a problem: {open} open, {fixed} fixed, {rejected} rejected.").format(
        open=number(open_count, lang),
        fixed=number(counts["fixed"], lang),
        rejected=number(counts["rejected"], lang),
    )


def decision_key(report_id: int, part: str) -> str:
    return f"report-{report_id}-{part}"


def save_decision(engine: Engine, who: str, report_id: int, lang: str) -> None:
    """The console's callback: the chosen status and note, as a new decision row."""
    _ = translator(lang)
    status = st.session_state.get(decision_key(report_id, "status"), "new")
    note = st.session_state.get(decision_key(report_id, "note"), "")
    corrections.decide(engine, report_id, status, note, who)
    st.session_state[decision_key(report_id, "note")] = ""  # a note belongs to one decision
    st.session_state["report-decided"] = _("Report {id}: {status} recorded.").format(
        id=report_id, status=status_label(status, lang)
    )


def status_label(status: str, lang: str) -> str:
    _ = translator(lang)
    return {
        "new": _("new"),
        "accepted": _("accepted"),
        "rejected": _("rejected"),
        "fixed": _("fixed"),
    }[status]


def triage(engine: Engine, who: str, lang: str) -> None:
    """The console's list of open reports, newest first, each with its history and a
    decision to record. Every text from a visitor goes through ``shell.plain``."""
    _ = translator(lang)
    listed = corrections.reports(engine, open_only=True)
    if decided := st.session_state.pop("report-decided", None):
        st.success(decided)
    if not listed:
        st.caption(_("No report is open."))
        return
    for report in listed:
        with st.container(border=True, key=f"report-{report.id}"):
            st.markdown(
                _("**Report {id}** · {date} · page {page} · release {release} · {status}").format(
                    id=report.id,
                    date=date_text(report.received_at.date(), lang, "long"),
                    page=shell.plain(report.page),
                    release=shell.plain(report.release_id or "–"),
                    status=status_label(report.status, lang),
                )
            )
            # Line by line, each escaped: a visitor's line breaks stay, Markdown never acts.
            st.markdown("  \n".join(shell.plain(line) for line in report.text.split("\n")))
            if report.contact:
                st.caption(_("Contact: {contact}").format(contact=shell.plain(report.contact)))
            for status, note, by, at in report.history:
                st.caption(
                    "{when} {time} UTC · {status} · {by}{note}".format(
                        when=date_text(at.date(), lang, "long"),
                        time=at.strftime("%H:%M"),
                        status=status_label(status, lang),
                        by=shell.plain(by),
                        note=f" · {shell.plain(note)}" if note else "",
                    )
                )
            left, middle, right = st.columns([2, 4, 1], vertical_alignment="bottom")
            left.selectbox(
                _("Status"),
                corrections.STATUSES,
                index=corrections.STATUSES.index(report.status),
                format_func=lambda status: status_label(status, lang),
                key=decision_key(report.id, "status"),
            )
            middle.text_input(
                _("Note"), key=decision_key(report.id, "note"), max_chars=corrections.MAX_TEXT
            )
            right.button(
                _("Record"),
                key=decision_key(report.id, "save"),
                on_click=save_decision,
                args=(engine, who, report.id, lang),
            )
