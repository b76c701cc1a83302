"""What every page shares: the ledger engine, cached figures, and a friendly failure."""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import io
import logging
import os
import re
from collections.abc import Iterator

import pandas as pd
import streamlit as st
from sqlalchemy import Engine, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from dashboard import config
from dashboard.db import open_ledger
from dashboard.errors import LedgerError
from dashboard.formatting import date_text
from dashboard.i18n import DEFAULT_LANGUAGE, translator
from dashboard.schema import AllocationRun, ImportLog
from queries.figures import LedgerFigures, Period, ledger_figures


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    return open_ledger(url)


def database_url() -> str:
    return config.database_url(os.environ.get(config.DATABASE_URL_VARIABLE))


def ledger() -> Engine:
    """The engine for this app's ledger, created once per process."""
    return _engine(database_url())


def ledger_version() -> tuple:
    """Changes whenever an import or an allocation lands: part of every cache key."""
    return _ledger_version(database_url())


@st.cache_data(show_spinner=False, ttl=1)
def _ledger_version(url: str) -> tuple:
    """One query, asked at most once a second: a page's dozen cached queries share it.

    Ids and times together: a ledger rebuilt at the same URL restarts its ids, but not
    its clock, so a cached answer of the old ledger is never served for the new one.
    """
    with _engine(url).connect() as conn:
        return tuple(
            conn.execute(
                select(
                    select(func.max(ImportLog.id)).scalar_subquery(),
                    select(func.max(ImportLog.imported_at)).scalar_subquery(),
                    select(func.max(AllocationRun.id)).scalar_subquery(),
                    select(func.max(AllocationRun.ran_at)).scalar_subquery(),
                )
            ).one()
        )


@st.cache_data(show_spinner=False, max_entries=256)
def _programme_figures(url: str, version: tuple, as_of: dt.date) -> LedgerFigures:
    return ledger_figures(_engine(url), None, as_of)


def current_figures(as_of: dt.date | None = None) -> LedgerFigures:
    """The programme's public totals (a donor's figures go through queries.donor and Access)."""
    return _programme_figures(database_url(), ledger_version(), as_of or dt.date.today())


@contextlib.contextmanager
def friendly_failures() -> Iterator[None]:
    """A database that cannot be reached or read becomes a message, never a traceback."""
    from dashboard.access import AccessDenied

    try:
        yield
    except AccessDenied:  # a PermissionError, so before the OSError below
        _ = translator(language())
        st.error(_("Your account may not see these figures."))
    except (SQLAlchemyError, LedgerError, OSError) as problem:
        logging.getLogger("lingkaran").exception("page failed")
        shown = make_url(database_url()).render_as_string(hide_password=True)
        _ = translator(language())
        st.error(
            _(
                "The ledger database cannot be opened or read ({database}). Check "
                "LINGKARAN_DATABASE_URL or run `lingkaran init-db`."
            ).format(database=shown)
            + "\n\n"
            + _("Details: {kind}").format(kind=type(problem).__name__)
        )


@st.cache_data(show_spinner=False, max_entries=512)
def _cached_query(url: str, version: tuple, name: str, args: tuple, kwargs: tuple):
    module, function = name.rsplit(".", 1)
    return getattr(importlib.import_module(module), function)(_engine(url), *args, **dict(kwargs))


def query(function, *args, **kwargs):
    """``function(engine, *args, **kwargs)`` from ``queries``, cached on its inputs.

    The key holds the database, the ledger version (so an import or an allocation makes
    every cached answer stale) and the arguments (donor, period, ...): small results only.
    """
    name = f"{function.__module__}.{function.__name__}"
    return _cached_query(
        database_url(), ledger_version(), name, args, tuple(sorted(kwargs.items()))
    )


def csv_file(frame: pd.DataFrame) -> bytes:
    """The table as CSV, UTF-8 with BOM so spreadsheet programs read it right."""
    return frame.to_csv(index=False).encode("utf-8-sig")


def xlsx_file(frame: pd.DataFrame, sheet: str) -> bytes:
    out = io.BytesIO()
    with pd.ExcelWriter(out, engine="openpyxl") as writer:
        frame.to_excel(writer, index=False, sheet_name=sheet[:31])
    return out.getvalue()


def downloads(frame: pd.DataFrame, name: str) -> None:
    """CSV and XLSX buttons for a table, with the figures as shown (rupiah as integers).

    The files are written only when a button is clicked, not on every rerun of the page. A
    click must not rerun the page either (``on_click="ignore"``, as on every download button
    of the app): the rerun drops the file's generator and the download silently never comes.
    """
    row = st.container(horizontal=True)
    row.download_button(
        "⬇ CSV",
        lambda: csv_file(frame),
        file_name=f"{name}.csv",
        mime="text/csv",
        on_click="ignore",
        key=f"csv-{name}",
    )
    row.download_button(
        "⬇ XLSX",
        lambda: xlsx_file(frame, name),
        file_name=f"{name}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        on_click="ignore",
        key=f"xlsx-{name}",
    )


def _set_period(start: dt.date | None, end: dt.date | None) -> None:
    st.session_state["from"] = start
    st.session_state["to"] = end


def donor_picker(access) -> str | None:
    """The donor chosen in the picker (``?donor=ID`` in the link), or None with a message.

    Until access control lands any donor can be picked; an id in the link that is not in the
    ledger is named in a warning instead of silently showing someone else.
    """
    from queries import donor

    _ = translator(language())
    listed = query(donor.donors, access)
    if listed.empty:
        if access.donor_ids is None:
            st.info(_("The ledger holds no donor yet. Import data with `lingkaran import`."))
        else:
            st.info(_("None of your organisations has a donation in the ledger yet."))
        return None
    names = dict(zip(listed["donor_id"], listed["name"], strict=True))
    # The link carries the donor id itself (?donor=CSR-001), so the picker is synced by hand:
    # a bound selectbox would put the displayed "name (id)" text in the URL.
    requested = st.query_params.get("donor")
    if requested is not None and requested not in names:
        # The same words whether the donor does not exist or is not yours: a URL must not
        # tell a visitor which donor ids exist.
        st.warning(
            _("There is no donor with id “{donor}” in the ledger. Pick a donor.").format(
                donor=requested
            )
        )
        del st.query_params["donor"]
    elif requested is not None and st.session_state.get("donor") is None:
        st.session_state["donor"] = requested
    chosen = st.selectbox(
        _("Donor"),
        list(names),
        index=None,
        format_func=lambda donor_id: f"{names[donor_id]} ({donor_id})",
        placeholder=_("Pick a donor…"),
        key="donor",
    )
    if chosen is not None:
        st.query_params["donor"] = chosen
    elif "donor" in st.query_params:
        del st.query_params["donor"]
    return chosen


def period_picker() -> tuple[Period, dt.date]:
    """Donations received in a period (``?from=...&to=...``), and the date for active workers."""
    _ = translator(language())
    today = dt.date.today()
    presets = st.container(horizontal=True)
    presets.button(_("All time"), on_click=_set_period, args=(None, None))
    presets.button(_("This year"), on_click=_set_period, args=(dt.date(today.year, 1, 1), today))
    presets.button(
        _("Last year"),
        on_click=_set_period,
        args=(dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)),
    )
    left, right = st.columns(2)
    start = left.date_input(
        _("Donations received from"),
        value=None,
        max_value=today,
        key="from",
        bind="query-params",
        format="DD/MM/YYYY",
    )
    end = right.date_input(
        _("to"), value=None, max_value=today, key="to", bind="query-params", format="DD/MM/YYYY"
    )
    if start and end and start > end:
        st.warning(_("The start date is after the end date: the two were swapped."))
        start, end = end, start
    as_of = min(end, today) if end else today
    return Period(start, end), as_of


def period_text(period: Period) -> str:
    lang = language()
    _ = translator(lang)
    if period.is_all_time:
        return _("all time")
    start = date_text(period.start, lang, "long") if period.start else _("the start")
    end = date_text(period.end, lang, "long") if period.end else _("today")
    return f"{start} – {end}"


def language_picker() -> str:
    """The page's language (``?lang=en`` in the link), Indonesian by default.

    Synced with the link by hand: a bound widget would put "English" in the URL.
    """
    from dashboard.i18n import DEFAULT_LANGUAGE, LANGUAGES

    requested = st.query_params.get("lang")
    if requested in LANGUAGES and st.session_state.get("lang") is None:
        st.session_state["lang"] = requested
    chosen = (
        st.segmented_control(
            "Bahasa / Language",
            list(LANGUAGES),
            format_func=LANGUAGES.get,
            default=DEFAULT_LANGUAGE,
            key="lang",
        )
        or DEFAULT_LANGUAGE
    )
    if chosen == DEFAULT_LANGUAGE:
        st.query_params.pop("lang", None)
    else:
        st.query_params["lang"] = chosen
    return chosen


def language() -> str:
    """The language chosen in the sidebar for this session."""
    return st.session_state.get("lang") or DEFAULT_LANGUAGE


def viewer():
    """Who is looking. Demo mode: anyone sees every donor. Production: the logged-in user's
    memberships (by the e-mail the identity provider verified), or nobody."""
    from dashboard.access import DEMO, NOBODY, Access, access_for, mode

    if mode() == DEMO:
        return Access.everything("demo visitor", admin=True)
    user = st.user
    if not user.is_logged_in:
        return NOBODY
    email = user.get("email")
    if not email or user.get("email_verified") is False:
        return NOBODY
    return access_for(ledger(), str(email))


def require_member(*, admin: bool = False):
    """The viewer's Access for a donor (or admin) page; otherwise a login prompt and a stop."""
    _ = translator(language())
    access = viewer()
    if access.donor_ids is None and (access.admin or not admin):
        return access
    if not st.user.is_logged_in:
        st.info(_("Donor pages are private: log in with your organisation's account."))
        if st.button(_("Log in"), key="login"):
            st.login()
        st.stop()
    if admin and not access.admin:
        st.error(_("This page is for administrators."))
        st.stop()
    if not access.donor_ids:
        st.warning(
            _(
                "Your account ({email}) has no access to any donor yet: ask an administrator."
            ).format(email=access.who)
        )
        st.button(_("Log out"), key="logout", on_click=st.logout)
        st.stop()
    return access


_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def plain(text: object) -> str:
    """User-provided text (a donor's name, a file name) made inert inside Markdown: every
    character Markdown or HTML would act on is escaped, so it renders as the text it is."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", str(text))
