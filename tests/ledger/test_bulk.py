"""dashboard/ledger/bulk.py: many rows at once, the same table on both databases, whichever
way they are sent (a small batch, COPY, or COPY through a staging table that skips keys
already there)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from dashboard.ledger.bulk import COPY_FROM, insert_rows
from dashboard.ledger.importer.workers import WORKER_COLUMNS
from dashboard.ledger.schema import Worker


def _worker(i: int, province: str = "ID-JB") -> tuple:
    return (f"W{i:05}", dt.date(2024, 1, 1 + i % 28), province, "farmer", "F", 1980)


@pytest.mark.parametrize("size", [10, COPY_FROM + 500])
def test_rows_already_there_or_repeated_are_skipped_and_the_rest_keep_their_order(engine, size):
    with engine.begin() as conn:
        insert_rows(conn, Worker, WORKER_COLUMNS, [_worker(i, "ID-MA") for i in (3, 7)])
    # In order: 0..size-1 with 3 and 7 already there, and 5 repeated at the end.
    batch = [_worker(i) for i in range(size)] + [_worker(5, "ID-BA")]
    with engine.begin() as conn:
        insert_rows(conn, Worker, WORKER_COLUMNS, batch, skip_existing=("worker_id",))
        insert_rows(conn, Worker, WORKER_COLUMNS, [_worker(size, "ID-BA")], skip_existing=())
    with engine.connect() as conn:
        stored = conn.execute(
            select(Worker.worker_id, Worker.province, Worker.registered_on).order_by(Worker.id)
        ).all()
    expected = [("W00003", "ID-MA"), ("W00007", "ID-MA")]
    expected += [(f"W{i:05}", "ID-JB") for i in range(size) if i not in (3, 7)]
    expected += [(f"W{size:05}", "ID-BA")]
    assert [row[:2] for row in stored] == expected
    assert stored[2][2] == dt.date(2024, 1, 1)  # dates arrive as dates either way
