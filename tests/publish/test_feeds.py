"""The Atom feed of releases, read by a feed library as a reader's program reads it, on the
small demo and its twelve releases (Starlette's test client)."""

from __future__ import annotations

import datetime as dt

import feedparser
import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

import dashboard.publish.api as api
from dashboard.core.config import DATABASE_URL_VARIABLE
from dashboard.ledger.db import open_ledger
from dashboard.publish import feeds, open_data


@pytest.fixture
def client(demo_url, monkeypatch):
    monkeypatch.setenv(DATABASE_URL_VARIABLE, demo_url)
    return TestClient(Starlette(routes=api.routes))


@pytest.fixture
def stored(demo_url) -> list[open_data.ReleaseInfo]:
    engine = open_ledger(demo_url)
    try:
        return open_data.releases(engine)
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("lang", "title", "says"),
    [("id", "Rilis", "Sejak rilis"), ("en", "Release", "Since release")],
)
def test_the_feed_is_valid_atom_with_one_entry_per_stored_release(
    client, stored, lang, title, says
):
    answer = client.get(f"/api/v1/releases.atom?lang={lang}")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/atom+xml")
    assert answer.headers["cache-control"] == api.LATEST["Cache-Control"]
    feed = feedparser.parse(answer.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10" and feed.feed.language == lang
    assert [entry.title for entry in feed.entries] == [f"{title} {info.id}" for info in stored]
    for entry, info in zip(feed.entries, stored, strict=True):
        published = info.published_at.replace(tzinfo=dt.UTC)
        assert dt.datetime(*entry.updated_parsed[:6], tzinfo=dt.UTC) == published.replace(
            microsecond=0
        )
        assert entry.id == feeds.tag_uri("http://testserver", info)
        assert entry.link == f"http://testserver/releases?release={info.id}&lang={lang}"
    first, latest = feed.entries[-1], feed.entries[0]
    assert says not in first.summary  # the first release has nothing before it
    previous = stored[0].changes["previous"]
    assert latest.summary.startswith(f"{says} {previous}:")
    assert feeds.summary_text(stored[0], lang) == latest.summary


def test_the_ids_stay_the_same_across_languages_and_fetches(client):
    ids = [
        [entry.id for entry in feedparser.parse(client.get(address).content).entries]
        for address in ("/api/v1/releases.atom", "/api/v1/releases.atom?lang=en")
    ]
    assert ids[0] == ids[1] and len(set(ids[0])) == len(ids[0])


def test_feedparser_flags_a_feed_that_breaks_the_rules(client):
    """The control: the same feed cut short is flagged (and a language we do not have is
    refused, not answered in another)."""
    text = client.get("/api/v1/releases.atom").text
    cut = feedparser.parse(text[: len(text) // 2].encode())
    assert cut.bozo
    unknown = client.get("/api/v1/releases.atom?lang=fr")
    assert unknown.status_code == 400 and "lang is id or en" in unknown.json()["error"]
