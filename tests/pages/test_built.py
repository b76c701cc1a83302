"""Charts and tables built once per ledger version, language and viewer (`shell.built`):
a page after an import shows the new figures, and nothing built for one language or one
account is served to another."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard.accounts.access import Access
from dashboard.core.config import DATABASE_URL_VARIABLE
from dashboard.web import shell
from tests.conftest import write_csv
from tests.ledgers import DONATION_HEADER
from tests.pages.conftest import visit


def donated_in_flow(at: AppTest) -> int:
    """What leaves the donation nodes of the page's flow chart: every rupiah donated."""
    sankey = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
    names, link = sankey["node"]["label"], sankey["link"]
    return sum(
        value
        for source, value in zip(link["source"], link["value"], strict=True)
        if names[source].startswith(("Donasi ", "Donations "))
    )


def chart_titles(at: AppTest) -> list[str]:
    return [
        json.loads(chart.proto.spec)["layout"]["title"]["text"] for chart in at.get("plotly_chart")
    ]


@pytest.fixture
def kept(monkeypatch, database_url):
    """The app on the test's ledger, in demo mode, starting from empty caches."""
    monkeypatch.setenv(DATABASE_URL_VARIABLE, database_url)
    monkeypatch.setenv("LINGKARAN_MODE", "demo")
    st.cache_data.clear()
    shell.forget_built()
    yield database_url
    shell.forget_built()


def test_a_page_after_an_import_and_an_allocation_shows_the_new_figures(kept, ledger, cli):
    before = visit("donor_impact", donor="D1")
    assert donated_in_flow(before) == 300_000
    again = visit("donor_impact", donor="D1")  # kept: the same figures, drawn again
    assert again.get("plotly_chart")[0].proto.spec == before.get("plotly_chart")[0].proto.spec

    more = write_csv(
        ledger, "donations-2.csv", DONATION_HEADER, [["Y", "D1", "2024-05-02", "200000", "6"]]
    )
    assert cli("import", "donations", more).exit_code == 0
    assert cli("allocate").exit_code == 0
    time.sleep(1.1)  # the ledger's version is asked at most once a second (shell.py)
    after = visit("donor_impact", donor="D1")
    assert donated_in_flow(after) == 500_000
    (trail,) = [t.value for t in after.dataframe if "received_on" in t.value.columns]
    assert sorted(trail["donation_id"]) == ["X", "Y"]  # the donation trail, as shown

    # The public pages show releases only: the next one holds the new donation.
    assert cli("release", "--as-of", dt.date.today().isoformat()).exit_code == 0
    time.sleep(1.1)
    overview = visit("overview")
    assert overview.metric[0].value.replace("\xa0", " ").endswith("500.000")


def test_what_is_built_for_one_language_is_never_served_in_the_other(kept, ledger, cli):
    assert cli("release", "--as-of", dt.date.today().isoformat()).exit_code == 0
    indonesian = visit("donor_impact", donor="D1")
    english = visit("donor_impact", donor="D1", lang="en")
    again = visit("donor_impact", donor="D1")
    assert chart_titles(indonesian)[0] == "Dari donasi ke perlindungan (rupiah)"
    assert chart_titles(english)[0] == "From donations to protection (rupiah)"
    assert chart_titles(again) == chart_titles(indonesian)
    assert chart_titles(visit("overview", lang="en")) != chart_titles(visit("overview"))


def test_a_build_is_kept_per_version_language_and_scope(monkeypatch):
    """The key of `built`, one part at a time: each part changed builds anew."""
    state = {"version": (1,), "language": "id"}
    monkeypatch.setattr(shell, "database_url", lambda: "sqlite:///kept.db")
    monkeypatch.setattr(shell, "ledger_version", lambda: state["version"])
    monkeypatch.setattr(shell, "language", lambda: state["language"])
    shell.forget_built()
    builds: list[str] = []

    def build(what: str):
        def run():
            builds.append(what)
            return object()

        return run

    ana = Access("ana@example.org", frozenset({"CSR-001"}))
    boss = Access.everything("boss@example.org", admin=True)
    first = shell.built("chart", ana, ("CSR-001",), build("ana"))
    assert shell.built("chart", ana, ("CSR-001",), build("ana again")) is first
    assert shell.built("chart", boss, ("CSR-001",), build("boss")) is not first
    assert shell.built("chart", shell.PUBLIC, ("CSR-001",), build("public")) is not first
    assert shell.built("chart", ana, ("CSR-002",), build("other key")) is not first
    assert shell.built("table", ana, ("CSR-001",), build("other name")) is not first
    state["language"] = "en"
    assert shell.built("chart", ana, ("CSR-001",), build("english")) is not first
    state["language"], state["version"] = "id", (2,)
    assert shell.built("chart", ana, ("CSR-001",), build("new version")) is not first
    assert builds == ["ana", "boss", "public", "other key", "other name", "english", "new version"]
    shell.forget_built()


def test_the_kept_builds_are_bounded(monkeypatch):
    monkeypatch.setattr(shell, "database_url", lambda: "sqlite:///kept.db")
    monkeypatch.setattr(shell, "ledger_version", lambda: (1,))
    monkeypatch.setattr(shell, "language", lambda: "id")
    shell.forget_built()
    for n in range(shell.BUILT_ENTRIES + 2):
        shell.built("chart", shell.PUBLIC, (n,), lambda n=n: n)
    assert shell.built("chart", shell.PUBLIC, (0,), lambda: "built again") == "built again"
    newest = shell.BUILT_ENTRIES + 1
    assert shell.built("chart", shell.PUBLIC, (newest,), lambda: "built again") == newest
    shell.forget_built()


def test_the_ledger_version_is_read_once_a_second_by_one_thread(monkeypatch):
    """Twenty sessions asking at once make one query; a second later, one more."""
    import threading

    import queries.public

    reads: list[int] = []
    release = threading.Event()

    def version_of(engine):
        reads.append(1)
        release.wait(5)  # the others arrive while the first read is under way
        return (len(reads),)

    monkeypatch.setattr(queries.public, "ledger_version", version_of)
    monkeypatch.setattr(shell, "database_url", lambda: "sqlite:///versions.db")
    monkeypatch.setattr(shell, "_engine", lambda url: None)
    clock = [0.0]
    monkeypatch.setattr(shell, "_clock", lambda: clock[0])
    shell.forget_built()
    seen: list[tuple] = []
    askers = [
        threading.Thread(target=lambda: seen.append(shell.ledger_version())) for _ in range(20)
    ]
    for asker in askers:
        asker.start()
    time.sleep(0.1)
    release.set()
    for asker in askers:
        asker.join()
    assert reads == [1] and seen == [(1,)] * 20
    assert shell.ledger_version() == (1,)  # within the second: no query
    clock[0] = shell.VERSION_SECONDS + 0.5
    assert shell.ledger_version() == (2,) and len(reads) == 2
    shell.forget_built()
