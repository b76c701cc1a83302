"""Run the app's pages with Streamlit's AppTest on a chosen ledger."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from cachetools import LRUCache
from streamlit.testing.v1 import AppTest

from dashboard.core.config import DATABASE_URL_VARIABLE
from dashboard.web import jobs, shell

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "web" / "app.py")
PRODUCTION_AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a-test-cookie-secret-that-is-long-enough-0123456789",
    "client_id": "lingkaran",
    "client_secret": "test",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}


def visit(page: str, *, user: dict | None = None, **query: str) -> AppTest:
    """A new visitor's run of a page, as it would open from a link (``?key=value``), with
    whatever the process has kept from earlier runs."""
    at = AppTest.from_file(APP, default_timeout=60)
    if user is not None:
        at.secrets["auth"] = PRODUCTION_AUTH
        for key, value in user.items():
            at.user[key] = value
    for key, value in query.items():  # as if the link was opened: before the first run
        at.query_params[key] = value
    at.run()
    at.switch_page(f"../../pages/{page}.py")
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


@pytest.fixture
def open_page(monkeypatch):
    """``open_page(url, "donor_impact", donor="CSR-001")``: the page as a visitor sees it."""

    # A new tab shows its admin's latest job of this process: none of an earlier test's.
    monkeypatch.setattr(jobs, "_JOBS", LRUCache(256))

    def run(
        url: str, page: str, *, mode: str = "demo", user: dict | None = None, **query: str
    ) -> AppTest:
        monkeypatch.setenv(DATABASE_URL_VARIABLE, url)
        monkeypatch.setenv("LINGKARAN_MODE", mode)

        # Tests rebuild ledgers at the same URL within a second: no answer of the last one.
        st.cache_data.clear()
        shell.forget_built()
        return visit(page, user=user, **query)

    return run


def open_expanders(at: AppTest, *keys: str) -> AppTest:
    """The page again with these expanders opened, as a click on each does (their content
    runs only while they are open: ``controls.opened``)."""
    for key in keys:
        at.session_state[key] = True
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def page_downloads(at: AppTest) -> list[str]:
    """The labels of the page's own download buttons, without each chart's files (their
    keys start with "share-": ``dashboard.web.sharing``)."""
    return [
        button.proto.label
        for button in at.get("download_button")
        if "-share-" not in button.proto.id
    ]


def metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}
