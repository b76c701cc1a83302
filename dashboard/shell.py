"""What every page shares: the ledger engine, cached figures, and a friendly failure."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
from collections.abc import Iterator

import streamlit as st
from sqlalchemy import Engine, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from dashboard import config
from dashboard.db import open_ledger
from dashboard.errors import LedgerError
from dashboard.schema import AllocationRun, ImportLog
from queries.figures import LedgerFigures, ledger_figures


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    return open_ledger(url)


def database_url() -> str:
    return config.database_url(os.environ.get(config.DATABASE_URL_VARIABLE))


def ledger() -> Engine:
    """The engine for this app's ledger, created once per process."""
    return _engine(database_url())


def ledger_version() -> tuple[int, int]:
    """Changes whenever an import or an allocation lands: part of every cache key."""
    with ledger().connect() as conn:
        return (
            conn.execute(select(func.coalesce(func.max(ImportLog.id), 0))).scalar_one(),
            conn.execute(select(func.coalesce(func.max(AllocationRun.id), 0))).scalar_one(),
        )


@st.cache_data(show_spinner=False, max_entries=256)
def figures(
    url: str, version: tuple[int, int], donor_id: str | None, as_of: dt.date
) -> LedgerFigures:
    return ledger_figures(_engine(url), donor_id, as_of)


def current_figures(donor_id: str | None = None, as_of: dt.date | None = None) -> LedgerFigures:
    return figures(database_url(), ledger_version(), donor_id, as_of or dt.date.today())


@contextlib.contextmanager
def friendly_failures() -> Iterator[None]:
    """A database that cannot be reached or read becomes a message, never a traceback."""
    try:
        yield
    except (SQLAlchemyError, LedgerError, OSError) as problem:
        logging.getLogger("lingkaran").exception("page failed")
        shown = make_url(database_url()).render_as_string(hide_password=True)
        st.error(
            f"Basis data buku besar tidak dapat dibuka atau dibaca ({shown}). "
            "Periksa LINGKARAN_DATABASE_URL atau jalankan `lingkaran init-db`.\n\n"
            f"Rincian: {type(problem).__name__}"
        )
