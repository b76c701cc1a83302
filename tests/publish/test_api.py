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


def test_an_answer_is_computed_once_per_release(client, demo_copy_url, monkeypatch):
    """Answers are kept per release; an import changes nothing public until a new release
    is published, whose answers are computed afresh (and the old one's still served)."""
    from dashboard.ledger.db import open_ledger
    from dashboard.publish.releases import publish
    from tests.conftest import TODAY

    computed = []
    real = open_data.aggregates
    monkeypatch.setattr(
        open_data, "aggregates", lambda *a, **kw: computed.append(a[1]) or real(*a, **kw)
    )
    first = client.get("/api/v1/aggregates?by=province,gender")
    again = client.get("/api/v1/aggregates?by=province,gender")
    assert first.json() == again.json() and computed == [("province", "gender")]
    assert first.json()["release"] == "2026-10"
    assert "immutable" not in first.headers["cache-control"]  # the latest may move on
    engine = open_ledger(demo_copy_url)
    publish(engine, TODAY, today=TODAY)
    engine.dispose()
    latest = client.get("/api/v1/aggregates?by=province,gender").json()
    assert latest["release"] == TODAY.isoformat() and len(computed) == 2
    named = client.get("/api/v1/aggregates?by=province,gender&release=2026-10")
    assert named.json() == first.json()  # a release never changes
    assert "immutable" in named.headers["cache-control"]


def test_the_releases_are_listed_and_an_unknown_one_is_a_404(client):
    listed = client.get("/api/v1/releases").json()["releases"]
    assert [r["id"] for r in listed] == [
        f"{y}-{m:02d}" for y, m in [(2026, m) for m in range(10, 0, -1)] + [(2025, 12), (2025, 11)]
    ]
    assert listed[0]["as_of"] == "2026-10-31" and listed[0]["method"] == "cell-key"
    assert listed[-1]["changes"]["previous"] is None
    assert listed[0]["changes"]["previous"] == "2026-09"
    missing = client.get("/api/v1/summary?release=2019-01")
    assert missing.status_code == 404 and "no release '2019-01'" in missing.json()["error"]
    summary = client.get("/api/v1/summary?release=2026-01").json()
    assert summary["release"] == "2026-01" and summary["figures"]["as_of"] == "2026-01-31"


def test_before_the_first_release_every_answer_says_so(tmp_path, monkeypatch):
    from dashboard.ledger.db import open_ledger

    url = f"sqlite:///{tmp_path / 'new.db'}"
    open_ledger(url).dispose()
    monkeypatch.setenv(DATABASE_URL_VARIABLE, url)
    client = TestClient(Starlette(routes=api.routes))
    for address in ("/api/v1/summary", "/api/v1/aggregates", "/api/v1/continuation"):
        answer = client.get(address)
        assert answer.status_code == 404, address
        assert answer.json() == {"error": "no public release has been published yet"}
    assert client.get("/api/v1/releases").json() == {"releases": []}


def test_the_serving_process_loads_the_latest_release_without_building(demo_copy_url, monkeypatch):
    """keep_warm reads and unpacks the stored release in the background; nothing is built."""
    import threading
    import time

    from dashboard.ledger.db import served_ledger

    def never(*_args, **_kwargs):
        raise AssertionError("a release was built while serving")

    monkeypatch.setattr(open_data, "build", never)
    open_data._stored.cache_clear()
    stop = threading.Event()
    open_data.keep_warm(demo_copy_url, every=0.2, stop=stop)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not open_data._stored.cache:
            time.sleep(0.1)
        assert [key[1] for key in open_data._stored.cache] == ["2026-10"]
        engine = served_ledger(demo_copy_url)
        assert open_data.publication(engine).release.id == "2026-10"
    finally:
        stop.set()
