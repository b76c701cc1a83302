"""The open-data API's limits and cache, on the small demo (Starlette's test client; the
running app is covered by the browser tests)."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

import dashboard.publish.api as api
from dashboard.core.config import DATABASE_URL_VARIABLE
from dashboard.publish import open_data


@pytest.fixture
def client(demo_copy_url, monkeypatch):
    monkeypatch.setenv(DATABASE_URL_VARIABLE, demo_copy_url)
    api._cube.cache_clear()
    api._continuation.cache_clear()
    api._summary.cache_clear()
    return TestClient(Starlette(routes=api.routes))


def test_a_request_asks_for_one_of_the_published_tables(client):
    answer = client.get("/api/v1/aggregates?by=province,occupation,gender")
    assert answer.status_code == 400
    assert answer.json()["error"].startswith("by lists 3 dimensions: the open data publishes")
    months = client.get("/api/v1/aggregates?by=month")  # too fine to publish (issue 11)
    assert months.status_code == 400 and "got 'month'" in months.json()["error"]


def test_dimensions_in_any_order_name_the_same_table(client):
    one = client.get("/api/v1/aggregates?by=occupation,province").json()
    other = client.get("/api/v1/aggregates?by=province,occupation").json()
    assert one == other and one["by"] == ["province", "occupation"]


def a_new_ledger_version(url: str, tmp_path) -> None:
    """Import one new donor who has given nothing yet: an import, so a new ledger version."""
    from dashboard.ledger.db import open_ledger
    from dashboard.ledger.importer import import_file
    from tests.conftest import write_csv

    engine = open_ledger(url)
    import_file(
        engine,
        "donors",
        write_csv(tmp_path, "d.csv", ["donor_id", "name", "type"], [["NEW-1", "Baru", "personal"]]),
    )
    engine.dispose()


def test_a_cube_is_computed_once_per_ledger_version(client, demo_copy_url, monkeypatch, tmp_path):
    computed = []
    real = open_data.aggregates
    monkeypatch.setattr(
        open_data, "aggregates", lambda *args: computed.append(args[1]) or real(*args)
    )
    first = client.get("/api/v1/aggregates?by=province,gender").json()
    again = client.get("/api/v1/aggregates?by=province,gender").json()
    assert first == again and computed == [("province", "gender")]
    # An import is a new ledger version: the next answer is computed afresh.
    a_new_ledger_version(demo_copy_url, tmp_path)
    client.get("/api/v1/aggregates?by=province,gender")
    assert computed == [("province", "gender")] * 2


def test_the_summary_is_kept_per_ledger_version(client, demo_copy_url, monkeypatch, tmp_path):
    computed = []
    real = open_data.summary
    monkeypatch.setattr(
        open_data, "summary", lambda *args, **kw: computed.append(1) or real(*args, **kw)
    )
    first = client.get("/api/v1/summary").json()
    assert client.get("/api/v1/summary").json() == first and len(computed) == 1
    # A new donor who has given nothing yet: a new ledger version, so a fresh answer.
    a_new_ledger_version(demo_copy_url, tmp_path)
    after = client.get("/api/v1/summary").json()
    assert len(computed) == 2
    assert after["last_import"] >= first["last_import"]


def test_the_serving_process_prepares_the_publication_when_the_ledger_changes(
    demo_copy_url, tmp_path
):
    """keep_warm builds it in the background: first for the ledger as it is, then again
    after an import, without a visitor asking."""
    import threading
    import time

    from dashboard.ledger.db import open_ledger
    from dashboard.ledger.importer import import_file
    from queries.public import ledger_version
    from tests.conftest import write_csv

    def prepared(version) -> bool:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with open_data._published.cache_lock:  # the background build may add one
                kept = list(open_data._published.cache)
            if any(key[0].endswith("demo-copy.db") and key[1] == version for key in kept):
                return True
            time.sleep(0.2)
        return False

    open_data._published.cache_clear()
    engine = open_ledger(demo_copy_url)
    stop = threading.Event()
    open_data.keep_warm(demo_copy_url, every=0.2, stop=stop)
    try:
        assert prepared(ledger_version(engine))
        import_file(
            engine,
            "donors",
            write_csv(
                tmp_path, "d.csv", ["donor_id", "name", "type"], [["NEW-2", "Baru", "personal"]]
            ),
        )
        assert prepared(ledger_version(engine))
    finally:
        stop.set()
        engine.dispose()
