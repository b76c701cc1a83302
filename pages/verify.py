"""Verify a statement: check a donor impact statement's code against the figures it was
issued with (or, for one issued before statements were recorded, recomputed)."""

import datetime as dt

import streamlit as st

from dashboard.core.errors import LedgerError
from dashboard.core.i18n import translator
from dashboard.exports.presentation import headline_numbers
from dashboard.exports.statement import verify_statement
from dashboard.web import shell
from queries.figures import LedgerFigures, Period

lang = shell.language()
_ = translator(lang)
st.title(_("Verify a statement"))
st.caption(
    _(
        "Every donor impact statement carries a verification code. Enter the donor, the "
        "period and the date printed on the statement: the app checks the code against the "
        "figures the statement was issued with."
    )
)

with st.form("verify"):
    donor_id = st.text_input(_("Donor id"), key="verify-donor").strip()
    left, middle, right = st.columns(3)
    # Dates typed as the statement prints them and as the donor page takes them: DD/MM/YYYY.
    start = left.date_input(
        _("Donations received from (optional)"), value=None, key="v-from", format="DD/MM/YYYY"
    )
    end = middle.date_input(_("to (optional)"), value=None, key="v-to", format="DD/MM/YYYY")
    as_of = right.date_input(
        _("Date of the figures"), value=dt.date.today(), key="v-as-of", format="DD/MM/YYYY"
    )
    code = st.text_input(
        _("Verification code"), placeholder="ABCD-EFGH-JKLM-NPQR-STUV", key="verify-code"
    )
    submitted = st.form_submit_button(_("Verify"))

if submitted:
    if not donor_id or not code.strip():
        st.warning(_("Enter the donor id and the verification code."))
        st.stop()
    try:
        # Whether later data restated it: for the donor's own users only (issue 27).
        own = shell.viewer().allows(donor_id)
        result = verify_statement(
            shell.ledger(), donor_id, Period(start, end), as_of, code, restatement=own
        )
    except LedgerError:  # no such donor: answered like a wrong code, so ids are not probed
        result = None
    if result is None or not result.confirmed:
        st.error(
            _(
                "Not confirmed: the code does not match the ledger's figures for this donor, "
                "period and date. The statement may have been changed, or a detail was typed "
                "differently."
            )
        )
    else:
        figures = result.figures
        st.success(_("Confirmed: the statement's code matches these figures from the ledger."))
        stated = LedgerFigures(**{**result.figures, "as_of": as_of})
        st.table(dict(headline_numbers(stated, lang)))
        if result.restated is not None:
            st.warning(
                _(
                    "Data that arrived after this statement was issued has changed the ledger's "
                    "figures for this donor, period and date (a restatement). The statement "
                    "stays what it said; the ledger now reads:"
                )
            )
            now = LedgerFigures(**{**result.restated, "as_of": as_of})
            st.table(dict(headline_numbers(now, lang)))
