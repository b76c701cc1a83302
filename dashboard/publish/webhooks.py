"""Webhooks: addresses an admin registers, told of every release published after them.

A delivery is one HTTP POST of a JSON document that holds only what the release publishes
about itself (its id, cut-off, time, protection and the counts of what changed) and where
to read it; no figure below the public surface, no name, nothing about a donor or a worker.
It is signed so the receiver can tell it came from this ledger: the header
``X-Lingkaran-Signature: sha256=<hex>`` is the HMAC-SHA256, keyed with the webhook's secret,
of ``<X-Lingkaran-Timestamp>.<body>``.

Every attempt is a row of the delivery log. An address that does not answer 2xx is tried
again later, each wait longer than the one before (``BACKOFF``), up to ``len(BACKOFF) + 1``
attempts; `lingkaran webhooks deliver` (from cron, say every five minutes) sends what is due.
A publish sends at once (``notify``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import Engine, case, func, insert, select, update

from dashboard.core import config
from dashboard.core.errors import LedgerError
from dashboard.ledger.schema import Webhook, WebhookDelivery
from dashboard.publish import open_data

EVENT = "release.published"
# The waits after the 1st, 2nd, ... failed attempt; after the last, the delivery is given up.
BACKOFF = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=12),
)
TIMEOUT_SECONDS = 10
MAX_URL = 2000


@dataclass(frozen=True)
class Answer:
    """What the receiving address answered: an HTTP status, or an error without one."""

    status: int | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


Sender = Callable[[str, bytes, dict[str, str]], Answer]


def post(url: str, body: bytes, headers: dict[str, str]) -> Answer:
    """POST ``body`` to ``url`` and say how it answered (never raises)."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return Answer(response.status)
    except urllib.error.HTTPError as refused:
        return Answer(refused.code, f"HTTP {refused.code}")
    except (OSError, ValueError) as failed:  # refused, unreachable, timed out, bad address
        return Answer(None, str(failed)[:500])


def register(
    engine: Engine, url: str, actor: str, now: dt.datetime | None = None
) -> tuple[int, str]:
    """Register ``url``; returns its id and its signing secret (shown this once)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > MAX_URL:
        raise LedgerError(
            f"a webhook is an http:// or https:// address of at most {MAX_URL} characters"
        )
    secret = secrets.token_hex(32)
    with engine.begin() as conn:
        stored = conn.execute(
            insert(Webhook).values(
                url=url,
                secret=secret,
                created_by=actor,
                created_at=now or dt.datetime.now(dt.UTC),
                active=True,
            )
        )
        key = stored.inserted_primary_key[0]
    return key, secret


def remove(engine: Engine, key: int) -> bool:
    """Stop sending to webhook ``key`` (its delivery log stays); False if there is none."""
    with engine.begin() as conn:
        changed = conn.execute(
            update(Webhook).where(Webhook.id == key, Webhook.active.is_(True)).values(active=False)
        )
    return changed.rowcount > 0


def listing(engine: Engine) -> list[dict]:
    """Each active webhook with its deliveries: sent, failed attempts, given up."""
    with engine.connect() as conn:
        hooks = conn.execute(
            select(Webhook.id, Webhook.url, Webhook.created_at).where(Webhook.active.is_(True))
        ).all()
        log = conn.execute(
            select(
                WebhookDelivery.webhook_id,
                WebhookDelivery.release_id,
                WebhookDelivery.status,
                WebhookDelivery.at,
                WebhookDelivery.http_status,
                WebhookDelivery.error,
            ).order_by(WebhookDelivery.id)
        ).all()
    return [
        {
            "id": hook.id,
            "url": hook.url,
            "created_at": hook.created_at,
            "log": [dict(row._mapping) for row in log if row.webhook_id == hook.id],
        }
        for hook in hooks
    ]


def payload(info: open_data.ReleaseInfo) -> dict:
    """The document sent for release ``info``: what the release says of itself, no more."""
    base = config.public_url() or ""
    return {
        "event": EVENT,
        "release": {
            "id": info.id,
            "as_of": info.as_of.isoformat(),
            "published_at": _aware(info.published_at).isoformat(),
            "method": info.method,
            "suppression_k": info.suppression_k,
            "steps_at_most": info.steps_at_most,
            "cells": info.cells,
            "cells_changed": info.cells_changed,
        },
        "links": {
            "summary": f"{base}/api/v1/summary?release={info.id}",
            "releases": f"{base}/api/v1/releases",
            "page": f"{base}/releases?release={info.id}",
        },
    }


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 of ``<timestamp>.<body>`` keyed with ``secret``."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def _aware(moment: dt.datetime) -> dt.datetime:
    """SQLite hands back its times without their zone: they were written in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _due(
    engine: Engine, now: dt.datetime
) -> list[tuple[int, str, str, open_data.ReleaseInfo, int]]:
    """(webhook id, url, secret, release, attempt number) of every delivery due at ``now``:
    each release published after the webhook was registered, not yet sent, with attempts
    left and its wait since the last failure over."""
    with engine.connect() as conn:
        hooks = conn.execute(
            select(Webhook.id, Webhook.url, Webhook.secret, Webhook.created_at).where(
                Webhook.active.is_(True)
            )
        ).all()
        log = conn.execute(
            select(
                WebhookDelivery.webhook_id,
                WebhookDelivery.release_id,
                func.count(),
                func.max(WebhookDelivery.at),
                func.max(case((WebhookDelivery.status == "sent", 1), else_=0)),
            ).group_by(WebhookDelivery.webhook_id, WebhookDelivery.release_id)
        ).all()
    tried = {(row[0], row[1]): (row[2], _aware(row[3]), row[4] or 0) for row in log}
    due = []
    for info in reversed(open_data.releases(engine)):  # oldest first
        for hook in hooks:
            if _aware(info.published_at) < _aware(hook.created_at):
                continue
            attempts, last, sent = tried.get((hook.id, info.id), (0, None, 0))
            if sent or attempts > len(BACKOFF):
                continue
            if attempts and now < last + BACKOFF[attempts - 1]:
                continue
            due.append((hook.id, hook.url, hook.secret, info, attempts + 1))
    return due


def deliver_due(
    engine: Engine, now: dt.datetime | None = None, send: Sender = post
) -> list[tuple[int, str, Answer]]:
    """Send every delivery due now and log each attempt; (webhook id, release id, answer)."""
    now = now or dt.datetime.now(dt.UTC)
    done = []
    for key, url, secret, info, attempt in _due(engine, now):
        body = json.dumps(payload(info), ensure_ascii=False, sort_keys=True).encode()
        timestamp = str(int(now.timestamp()))
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Lingkaran-Webhook/1",
            "X-Lingkaran-Event": EVENT,
            "X-Lingkaran-Delivery": f"{key}-{info.id}-{attempt}",
            "X-Lingkaran-Timestamp": timestamp,
            "X-Lingkaran-Signature": signature(secret, timestamp, body),
        }
        answer = send(url, body, headers)
        with engine.begin() as conn:
            conn.execute(
                insert(WebhookDelivery).values(
                    webhook_id=key,
                    release_id=info.id,
                    attempt=attempt,
                    at=now,
                    status="sent" if answer.ok else "failed",
                    http_status=answer.status,
                    error=None if answer.ok else (answer.error or f"HTTP {answer.status}")[:500],
                )
            )
        done.append((key, info.id, answer))
    return done


def notify(engine: Engine, send: Sender = post) -> list[tuple[int, str, Answer]]:
    """After a publish: send what is due at once (the new release to every webhook)."""
    return deliver_due(engine, send=send)
