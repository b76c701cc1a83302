"""Run the app's pages with Streamlit's AppTest on a chosen ledger."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.config import DATABASE_URL_VARIABLE

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


@pytest.fixture
def open_page(monkeypatch):
    """``open_page(url, "donor_impact", donor="CSR-001")``: the page as a visitor sees it."""

    def run(url: str, page: str, **query: str) -> AppTest:
        monkeypatch.setenv(DATABASE_URL_VARIABLE, url)
        at = AppTest.from_file(APP, default_timeout=60)
        for key, value in query.items():  # as if the link was opened: before the first run
            at.query_params[key] = value
        at.run()
        at.switch_page(f"../pages/{page}.py")
        for key, value in query.items():
            at.query_params[key] = value
        at.run()
        assert not at.exception, [e.message for e in at.exception]
        return at

    return run


def metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}
