"""dashboard/ledger/bulk.py: many rows at once, the same table on both databases, whichever
way they are sent (a small batch, COPY, or COPY through a staging table that skips keys
already there), and an empty table filled bare (``indexes_after``)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, insert, inspect, select
from sqlalchemy.exc import IntegrityError

from dashboard.ledger.bulk import COPY_FROM, indexes_after, insert_rows
from dashboard.ledger.db import open_ledger
from dashboard.ledger.importer.workers import WORKER_COLUMNS
from dashboard.ledger.schema import DonorWorker, Worker


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


def _keys_and_indexes(conn, tables) -> set[tuple]:
    inspector = inspect(conn)
    found = set()
    for table in tables:
        found |= {
            (table, "index", index["name"], tuple(index["column_names"]))
            for index in inspector.get_indexes(table)
        }
        found |= {
            (table, "foreign key", tuple(key["constrained_columns"]), key["referred_table"])
            for key in inspector.get_foreign_keys(table)
        }
    return found


def test_an_empty_table_is_filled_bare_and_gets_every_index_and_key_back(engine):
    with engine.begin() as conn:
        insert_rows(conn, Worker, WORKER_COLUMNS, [_worker(1)])
        (worker,) = conn.execute(select(Worker.id)).scalars()
        before = _keys_and_indexes(conn, ["donor_workers", "workers"])
        assert ("donor_workers", "index", "ix_donor_workers_worker", ("worker_key",)) in before
        with indexes_after(conn, DonorWorker, Worker):  # workers has a row: it keeps all
            during = _keys_and_indexes(conn, ["donor_workers", "workers"])
        assert _keys_and_indexes(conn, ["donor_workers", "workers"]) == before
    bare = {entry for entry in before if entry[0] == "donor_workers"}
    if engine.dialect.name == "postgresql":
        assert during == before - bare
    else:  # SQLite: nothing to gain, nothing dropped
        assert during == before
    assert worker  # the table that was not empty


@pytest.mark.postgres
def test_a_row_that_breaks_a_dropped_foreign_key_fails_the_write_and_nothing_stays(postgres_url):
    engine = open_ledger(postgres_url)
    with engine.connect() as conn:
        before = _keys_and_indexes(conn, ["donor_workers"])
    with pytest.raises(IntegrityError, match='violates foreign key constraint "donor_workers_'):
        with engine.begin() as conn, indexes_after(conn, DonorWorker):
            conn.execute(
                insert(DonorWorker).values(donor_key=1, worker_key=999, last_month=1, continued=0)
            )
    with engine.connect() as conn:
        assert _keys_and_indexes(conn, ["donor_workers"]) == before
        assert conn.execute(select(func.count()).select_from(DonorWorker)).scalar_one() == 0
    engine.dispose()
