"""What `lingkaran check --since` starts from (issue 30): the journal of keys updated in place,
how far the ledger reached when a check began (its watermarks), and the copy of the aggregate
derived tables a passing full check leaves.

Coverage, self-paid rows and confirmations are append-only: rows above a watermark are the
change. Workers who moved and claims paid are updated in place: their importers journal the
worker keys (``record_changes``) in the transaction of the write. A full check records its
watermarks when it began; it keeps them, and the snapshot, only when it found nothing and no
write came while it ran (the same watermarks at its end).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from sqlalchemy import Connection, Row, delete, func, insert, select

from dashboard.ledger.schema import (
    CheckRun,
    CheckSnapshot,
    Claim,
    Confirmation,
    Coverage,
    Donation,
    DonorContinuation,
    DonorSpan,
    LedgerChange,
    ProgrammeContinuation,
    SelfPaid,
    Worker,
)

MOVED = "moved"  # a worker's province or occupation changed (importer/workers.py)
CLAIMS = "claims"  # a worker's paid JKK or JKM claims changed (importer/claims.py)
CHANGE_KINDS = (MOVED, CLAIMS)

# The aggregate derived tables, each with the columns that key a row (the last, ``workers``,
# is the count): no key restricts them, so `check --since` compares them with a snapshot.
AGGREGATES = {
    "donor_continuation": (
        DonorContinuation,
        ("donor_key", "last_month", "continued"),
    ),
    "programme_continuation": (
        ProgrammeContinuation,
        ("last_month", "stimulus_months", "continued"),
    ),
    "donor_spans": (
        DonorSpan,
        ("donor_key", "before_on", "first_on", "last_on", "after_on", "last_month", "continued"),
    ),
}


def record_changes(conn: Connection, kind: str, keys: Iterable[int]) -> None:
    """Journal the worker ``keys`` an import of ``kind`` updated, in its transaction."""
    assert kind in CHANGE_KINDS, kind
    rows = [{"kind": kind, "key": key} for key in sorted(set(keys))]
    if rows:
        conn.execute(insert(LedgerChange), rows)


@dataclass(frozen=True)
class Watermarks:
    """The highest id of each append-only table, and of the change journal."""

    coverage_id: int
    self_paid_id: int
    confirmation_id: int
    claim_id: int
    worker_id: int
    donation_id: int
    change_id: int


WATERMARK_TABLES = {
    "coverage_id": Coverage,
    "self_paid_id": SelfPaid,
    "confirmation_id": Confirmation,
    "claim_id": Claim,
    "worker_id": Worker,
    "donation_id": Donation,
    "change_id": LedgerChange,
}


def watermarks(conn: Connection) -> Watermarks:
    highest = [
        select(func.coalesce(func.max(table.id), 0)).scalar_subquery()
        for table in WATERMARK_TABLES.values()
    ]
    return Watermarks(*conn.execute(select(*highest)).one())


def marks_of(run: Row) -> Watermarks:
    return Watermarks(*(getattr(run, field) for field in WATERMARK_TABLES))


def _key(value):
    """A stored value as JSON holds it (dates as ISO text, flags as booleans)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def stored_aggregates(conn: Connection) -> dict[str, Counter]:
    """Each aggregate table as stored: key -> workers (a repeated key adds up)."""
    found = {}
    for name, (table, columns) in AGGREGATES.items():
        counts: Counter = Counter()
        keyed = [getattr(table, column) for column in columns]
        for *key, workers in conn.execute(select(*keyed, table.workers)):
            counts[normalised(key, columns)] += workers
        found[name] = counts
    return found


def normalised(key, columns) -> tuple:
    """A row's key as the snapshot keeps it: the flag ``continued`` a boolean (SQLite hands
    back 0 and 1), dates as ISO text."""
    return tuple(
        bool(value) if column == "continued" else _key(value)
        for column, value in zip(columns, key, strict=True)
    )


def record_check_run(
    conn: Connection,
    scope: str,
    marks: Watermarks,
    violations: int,
    *,
    base_run: int | None = None,
    snapshot: dict[str, Counter] | None = None,
) -> int:
    """Record a run of the check; a full check's ``snapshot`` replaces the one kept before."""
    run_id = conn.execute(
        insert(CheckRun)
        .values(
            at=dt.datetime.now(dt.UTC),
            scope=scope,
            base_run=base_run,
            violations=violations,
            **asdict(marks),
        )
        .returning(CheckRun.id)
    ).scalar_one()
    if snapshot is not None:
        conn.execute(delete(CheckSnapshot))
        conn.execute(
            insert(CheckSnapshot),
            [
                {
                    "run_id": run_id,
                    "aggregate": name,
                    "rows": json.dumps([[*key, workers] for key, workers in counts.items()]),
                }
                for name, counts in snapshot.items()
            ],
        )
    return run_id


def last_full_check(conn: Connection) -> Row | None:
    """The latest full check (a row of check_runs), whether it passed or not."""
    return conn.execute(
        select(*CheckRun.__table__.columns)
        .where(CheckRun.scope == "full")
        .order_by(CheckRun.id.desc())
        .limit(1)
    ).first()


def snapshot_of(conn: Connection, run_id: int) -> dict[str, Counter] | None:
    """The aggregates a passing full check kept; None when the run left none (it found
    violations, or a write came while it ran)."""
    rows = dict(
        conn.execute(
            select(CheckSnapshot.aggregate, CheckSnapshot.rows).where(
                CheckSnapshot.run_id == run_id
            )
        ).all()
    )
    if set(rows) != set(AGGREGATES):
        return None
    return {
        name: Counter({tuple(row[:-1]): row[-1] for row in json.loads(rows[name])})
        for name in AGGREGATES
    }
