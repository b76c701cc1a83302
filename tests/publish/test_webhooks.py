"""Webhooks against a real HTTP server on loopback: a release published after a webhook is
registered is sent to it once, signed, with nothing but what the release says of itself; a
refusal is logged and tried again after its wait, and given up after the last attempt."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import insert, select

from dashboard.ledger.db import open_ledger
from dashboard.ledger.schema import Release, WebhookDelivery
from dashboard.publish import open_data, webhooks
from tests.load import free_port

T0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


class Receiver:
    """An HTTP server on loopback that records each POST and answers with ``status``."""

    def __init__(self) -> None:
        self.status = 204
        self.received: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the standard library's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    served = Receiver()
    yield served
    served.close()


def stored_release(demo_engine, target, release_id: str, published_at: dt.datetime) -> None:
    """The demo's release 2026-10 stored in ``target`` as of another day (its id) and time:
    what is sent is what a release says of itself, whatever its figures."""
    with demo_engine.connect() as conn:
        row = conn.execute(select(Release).where(Release.id == "2026-10")).mappings().one()
    with target.begin() as conn:
        conn.execute(
            insert(Release).values(
                {
                    **{column: row[column] for column in row.keys()},
                    "id": release_id,
                    "as_of": dt.date.fromisoformat(release_id),
                    "published_at": published_at,
                }
            )
        )


def attempts(engine) -> list[tuple]:
    with engine.connect() as conn:
        return conn.execute(
            select(
                WebhookDelivery.webhook_id,
                WebhookDelivery.release_id,
                WebhookDelivery.attempt,
                WebhookDelivery.status,
                WebhookDelivery.http_status,
            ).order_by(WebhookDelivery.id)
        ).all()


def test_a_release_is_sent_once_signed_and_retried_after_its_wait(
    database_url, demo_engine, receiver
):
    engine = open_ledger(database_url)
    open_data._stored.cache_clear()
    stored_release(demo_engine, engine, "2026-10-31", T0 - dt.timedelta(days=1))  # before
    key, secret = webhooks.register(engine, receiver.url, "boss@example.org", now=T0)
    stored_release(demo_engine, engine, "2026-11-30", T0 + dt.timedelta(minutes=1))

    receiver.status = 500  # the receiver is down: the attempt is logged, to be tried again
    done = webhooks.deliver_due(engine, now=T0 + dt.timedelta(minutes=2))
    assert [(k, r, a.status) for k, r, a in done] == [(key, "2026-11-30", 500)]
    # within the first wait (one minute) nothing is due
    assert webhooks.deliver_due(engine, now=T0 + dt.timedelta(minutes=2, seconds=30)) == []

    receiver.status = 204
    done = webhooks.deliver_due(engine, now=T0 + dt.timedelta(minutes=3, seconds=1))
    assert [(k, r, a.ok) for k, r, a in done] == [(key, "2026-11-30", True)]
    assert webhooks.deliver_due(engine, now=T0 + dt.timedelta(days=1)) == []  # sent once
    assert attempts(engine) == [
        (key, "2026-11-30", 1, "failed", 500),
        (key, "2026-11-30", 2, "sent", 204),
    ]

    headers, body = receiver.received[-1]
    expected = (
        "sha256="
        + hmac.new(
            secret.encode(), headers["X-Lingkaran-Timestamp"].encode() + b"." + body, hashlib.sha256
        ).hexdigest()
    )
    assert headers["X-Lingkaran-Signature"] == expected
    assert headers["X-Lingkaran-Signature"] != webhooks.signature("another", "0", body)
    document = json.loads(body)
    assert document["event"] == "release.published"
    assert document["release"]["id"] == "2026-11-30"
    assert document["release"]["as_of"] == "2026-11-30"
    # nothing but what the release says of itself: no figure, name or donor
    assert set(document) == {"event", "release", "links"}
    assert set(document["release"]) == {
        "id",
        "as_of",
        "published_at",
        "method",
        "suppression_k",
        "steps_at_most",
        "cells",
        "cells_changed",
    }
    engine.dispose()


def test_an_address_that_never_answers_is_given_up_after_the_last_attempt(
    database_url, demo_engine
):
    engine = open_ledger(database_url)
    open_data._stored.cache_clear()
    closed = f"http://127.0.0.1:{free_port()}/nobody"  # nothing listens there
    key, _secret = webhooks.register(engine, closed, "boss@example.org", now=T0)
    stored_release(demo_engine, engine, "2026-11-30", T0 + dt.timedelta(minutes=1))
    moment = T0 + dt.timedelta(minutes=2)
    for _ in range(len(webhooks.BACKOFF) + 3):
        webhooks.deliver_due(engine, now=moment)
        moment += dt.timedelta(days=1)  # every wait is over
    log = attempts(engine)
    assert [row.attempt for row in log] == list(range(1, len(webhooks.BACKOFF) + 2))
    assert {(row.status, row.http_status) for row in log} == {("failed", None)}
    assert webhooks.remove(engine, key) and not webhooks.remove(engine, key)
    engine.dispose()


def test_only_web_addresses_are_registered(database_url):
    from dashboard.core.errors import LedgerError

    engine = open_ledger(database_url)
    for bad in ("file:///etc/passwd", "ftp://example.org/x", "example.org/hook", ""):
        with pytest.raises(LedgerError, match="http:// or https://"):
            webhooks.register(engine, bad, "boss@example.org")
    assert webhooks.register(engine, "https://example.org/hook", "boss@example.org")[0] == 1
    engine.dispose()
