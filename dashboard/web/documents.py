"""The donor page's documents for a report: the impact statement (PDF), the slide deck
(PPTX) and the sustainability-report pack (XLSX), each built only when its button is
clicked, in the language chosen for it."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboard.accounts.access import Access
from dashboard.core.i18n import LANGUAGES, translator
from dashboard.exports.deck import build_deck
from dashboard.exports.presentation import presentation
from dashboard.exports.report_pack import report_pack
from dashboard.exports.statement import render_statement, statement_of
from dashboard.web.controls import opened
from dashboard.web.shell import ledger
from queries.figures import LedgerFigures, Period, fiscal_year, fiscal_year_of


def downloads(
    access: Access,
    donor_id: str,
    fiscal_year_start: int,
    period: Period,
    as_of: dt.date,
    f: LedgerFigures,
    lang: str,
) -> None:
    """The downloads, behind an expander; the statement signs the figures ``f`` shown."""
    _ = translator(lang)
    if box := opened(
        _(
            "Download for your report: impact statement (PDF), slide deck (PPTX), "
            "report pack (XLSX)"
        ),
        "report-downloads",
    ):
        with box:
            report_lang = (
                st.segmented_control(
                    _("Document language"),
                    list(LANGUAGES),
                    format_func=LANGUAGES.get,
                    default=lang,
                    key="report-lang",
                )
                or lang
            )
            engine = ledger()
            statement = statement_of(period, f)  # the figures shown above: no second query
            buttons = st.container(horizontal=True)
            buttons.download_button(
                _("⬇ Impact statement (PDF)"),
                lambda: render_statement(
                    engine, access, statement, report_lang
                ),  # built on click only
                file_name=f"statement-{donor_id}-{report_lang}.pdf",
                mime="application/pdf",
                on_click="ignore",
                key="statement",
            )
            buttons.download_button(
                _("⬇ Slide deck (PPTX)"),
                lambda: build_deck(
                    presentation(engine, access, donor_id, period, as_of, report_lang)
                ),
                file_name=f"deck-{donor_id}-{report_lang}.pptx",
                mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
                on_click="ignore",
                key="deck",
            )
            starts = fiscal_year_start  # the pack is one whole fiscal year (or its year so far)
            whole = period.start and fiscal_year(
                fiscal_year_of(period.start, starts), starts, as_of
            )
            if whole and (period.start, period.end) == (whole.start, whole.end):
                year = whole.start.year
                buttons.download_button(
                    _("⬇ Sustainability-report pack (XLSX)"),
                    lambda: report_pack(
                        engine, access, donor_id, year, report_lang
                    ),  # on click only
                    file_name=f"report-pack-{donor_id}-{year}-{report_lang}.xlsx",
                    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    on_click="ignore",
                    key="report-pack",
                    help=_("GRI 203 and 413, POJK 51 and TJSL indicators of this fiscal year."),
                )
            else:
                st.caption(
                    _(
                        "For the sustainability-report pack (XLSX), choose a fiscal year with the "
                        "buttons at the top of the page."
                    )
                )
            st.caption(_("Verification code of the statement: {code}").format(code=statement.code))
