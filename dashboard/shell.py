"""What every page shares: the ledger engine, cached figures, and a friendly failure."""

from __future__ import annotations

import datetime as dt
import os

import streamlit as st
from sqlalchemy import Engine, func, select

from dashboard import config
from dashboard.db import open_ledger
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
