"""Engines and schema upgrades (Alembic) for SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, exc
from sqlalchemy.engine import make_url
from sqlalchemy.pool import QueuePool

from dashboard.core.caching import shared
from dashboard.core.errors import LedgerBusy, LedgerError, message
from dashboard.core.labels import N_

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(url: str, *, create: bool = True) -> Engine:
    """An engine for ``url``; SQLite gets foreign keys and a write-ahead log.

    ``create=False`` (the running app): an SQLite ledger must exist and is never created,
    not even when its file is deleted while the app runs; a file that disappears makes
    every later query fail instead of reading what an open connection still holds.
    """
    if url.startswith("sqlite"):
        database = make_url(url).database
        on_disk = bool(database) and database != ":memory:" and not database.startswith("file:")
        if create or not on_disk:
            engine = create_engine(url)
        else:
            path = Path(database).resolve()
            if not path.is_file():
                raise LedgerError(
                    f"no ledger at {path}: create it with `lingkaran init-db` "
                    "(or `lingkaran demo`), then import"
                )
            # The pool is named: on the bare "sqlite://" that a creator needs, SQLAlchemy
            # picks the SingletonThreadPool of an in-memory database, which keeps one
            # connection per thread and, past five threads, closes the oldest thread's
            # connection while that thread may still be reading on it. Twenty visitors at
            # once (each session's script and each API request runs in its own thread) made
            # the server die in libsqlite3 (issue 24). A QueuePool, as SQLAlchemy gives a file
            # URL, lends each connection to one thread at a time and closes none in use.
            engine = create_engine(
                "sqlite://",
                creator=lambda: sqlite3.connect(
                    f"file:{path}?mode=rw", uri=True, check_same_thread=False
                ),
                poolclass=QueuePool,
                pool_size=SQLITE_POOL_SIZE,
                max_overflow=SQLITE_POOL_OVERFLOW,
            )

            @event.listens_for(engine, "checkout")
            def _ledger_still_there(_dbapi, _record, _proxy):  # noqa: ANN001 - pool callback
                if not path.is_file():
                    raise exc.DisconnectionError(f"the ledger file {path} is gone")

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # noqa: ANN001 - DBAPI callback
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            try:
                cursor.execute("PRAGMA journal_mode=WAL")
            except sqlite3.OperationalError:
                pass  # a read-only ledger (file or folder): served as it is, without a WAL
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute(f"PRAGMA cache_size=-{READING_CACHE_KIB}")
            cursor.close()

        engine.ledger_url = url
        return engine
    engine = create_engine(url, pool_pre_ping=True)
    event.listen(engine, "connect", _plan_for_cached_reads)
    return engine


# The cost PostgreSQL's planner gives a page read out of order, against 1 for one in order,
# on the app's connections when the server leaves it at PostgreSQL's default of 4
# (docs/operations.md "PostgreSQL").
RANDOM_PAGE_COST = 1.1


def _plan_for_cached_reads(dbapi_connection, _record) -> None:  # noqa: ANN001 - DBAPI callback
    """A new PostgreSQL connection plans with ``RANDOM_PAGE_COST`` unless the operator set
    random_page_cost (in postgresql.conf, or for the database or the role).

    The default of 4 prices a disk that seeks. At 10,000,000 workers it made the planner read
    all 19 million coverage rows (1.5 s) for the 36 rows of ten new donations, and all two
    million workers for the 10,967 rows a check compares: allocating a week cost 2.47 times
    its cost at 50,000 workers, 1.46 at 1.1. The ledger's reads go by key through indexes
    that stay in memory, as on any SSD. SET, in autocommit: a rollback would undo it.
    """
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True
    cursor = dbapi_connection.cursor()
    cursor.execute("SELECT source FROM pg_settings WHERE name = 'random_page_cost'")
    (source,) = cursor.fetchone()
    if source == "default":
        cursor.execute(f"SET random_page_cost = {RANDOM_PAGE_COST}")
    cursor.close()
    dbapi_connection.autocommit = autocommit


# Connections an app process keeps to an SQLite ledger, and how many more it may open while
# every kept one is lent out; a thread that finds all of them lent waits for one (up to 30 s,
# then a friendly failure). Each connection may cache up to READING_CACHE_KIB of pages, so
# this bounds the process's memory too.
SQLITE_POOL_SIZE = 5
SQLITE_POOL_OVERFLOW = 5

# SQLite's page cache for the pages' queries, and for a bulk import. The sorter of a GROUP BY,
# DISTINCT or window (the derived tables' refresh) may take as much again per sort: at
# 2,000,000 workers three at a time took an import-ledger from about 350 MiB to 849 MiB.
READING_CACHE_KIB = 200_000
WRITING_CACHE_KIB = 32_000


@contextlib.contextmanager
def bulk_writing(conn: Connection) -> Iterator[None]:
    """A bulk import on ``conn``: on SQLite, a smaller page cache (and with it the sorters'
    memory) until it ends, so the import's memory stays bounded whatever the ledger's size."""
    if conn.dialect.name != "sqlite":
        yield
        return
    conn.exec_driver_sql(f"PRAGMA cache_size=-{WRITING_CACHE_KIB}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size=-{READING_CACHE_KIB}")


# How long a writer waits for the one before it, in seconds, before it is refused with a
# sentence (``writing``): a week's import or allocation takes seconds at 2,000,000 workers; a
# new ledger's build, an hour. Seconds as an integer for SQLite's busy_timeout.
WRITE_WAIT_SECONDS = 120
# pg_advisory_xact_lock's key for "the ledger is being written": any 64-bit number that no
# other lock of the database uses.
LEDGER_WRITE_LOCK = 0x4C494E47  # "LING"
SQLITE_BUSY_MS = 5_000  # sqlite3.connect's default, which readers keep

BUSY = N_(
    "another import or allocation has been writing to the ledger for more than "
    "{seconds} seconds; nothing was written. Run this again when it has finished."
)


def writing(conn: Connection) -> None:
    """Make ``conn``'s transaction, which has not written yet, the ledger's only writer
    until it ends: the first statement of every import and allocation. (A recorded check
    needs no lock: it keeps its result as a base only if no write landed while it ran.)

    Two allocations started together (the command line and the console, or two app
    processes) each read what is unspent and choose the same workers: the second failed
    on the unique key with a database error after the first committed. Now the second
    waits for the first and then reads what it left. After ``WRITE_WAIT_SECONDS`` it is
    refused with a sentence (``LedgerBusy``) and writes nothing.

    PostgreSQL: a transaction-scoped advisory lock, released by the commit or rollback.
    SQLite: BEGIN IMMEDIATE takes the database's write lock at once rather than at the
    first write, so nothing is read before it is held; readers of the WAL go on reading.
    (docs/architecture.md "One writer at a time")
    """
    refused = LedgerBusy(message(BUSY, seconds=WRITE_WAIT_SECONDS))
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{WRITE_WAIT_SECONDS}s'")
        try:
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({LEDGER_WRITE_LOCK})")
        except exc.OperationalError as waited:
            if getattr(waited.orig, "sqlstate", None) == "55P03":  # lock_not_available
                raise refused from None
            raise
        conn.exec_driver_sql("SET LOCAL lock_timeout TO DEFAULT")
        return
    conn.exec_driver_sql(f"PRAGMA busy_timeout = {WRITE_WAIT_SECONDS * 1000}")
    try:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    except exc.OperationalError as waited:
        if "locked" in str(waited.orig) or "busy" in str(waited.orig):
            raise refused from None
        raise
    finally:
        conn.exec_driver_sql(f"PRAGMA busy_timeout = {SQLITE_BUSY_MS}")


# Rows written by one import or allocation from which the planner's statistics are refreshed.
STATISTICS_AFTER_ROWS = 10_000


def refresh_statistics(conn: Connection) -> None:
    """ANALYZE on PostgreSQL after a bulk write, inside the writer's transaction, before it
    refreshes the derived tables from the new rows (``tidy_after_bulk`` follows the commit).

    Without it the planner keeps the estimates of the empty tables it started from: after
    `migrate` loaded 2,000,000 workers it expected 40,000 rows where there were 3.27
    million and one query of the check ran for more than nine minutes. ANALYZE samples a
    bounded number of rows per table, so it takes seconds at any size. SQLite plans from its
    indexes without statistics, and the page queries are measured that way: nothing to do.
    """
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("ANALYZE")


def tidy_after_bulk(engine: Engine) -> None:
    """PostgreSQL, after any import or allocation of ``STATISTICS_AFTER_ROWS`` or more has
    committed (and after ``import-ledger``): statistics and visibility map of every table,
    the derived tables the write refreshed included, and unconfirmed_coverage compacted.

    Coverage rows enter unconfirmed_coverage and their confirmations remove nearly all of
    them; the few left lay scattered over the pages of millions (at 2,000,000 workers the
    donor page's list read 3,362 pages for 5,076 rows, 126 ms). The table stays small, so
    rewriting it is quick. VACUUM cannot run inside a transaction, hence after the commit.
    SQLite: nothing to do.
    """
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM FULL unconfirmed_coverage")
        conn.exec_driver_sql("VACUUM ANALYZE")


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration (a no-op when it is there already)."""
    if is_current(engine):
        return
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def is_current(engine: Engine) -> bool:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision() == head


def open_ledger(url: str, *, create: bool = True) -> Engine:
    """An engine on an up-to-date ledger schema: every command starts here. The running
    app passes ``create=False``: it serves a ledger, it never creates one."""
    engine = make_engine(url, create=create)
    upgrade(engine)
    return engine


def ledger_identity(engine: Engine) -> str:
    """Which ledger an engine reads, for cache keys: the URL it was opened with (the
    app's SQLite engines connect through a creator, so their own URL is only sqlite://)."""
    return getattr(engine, "ledger_url", None) or engine.url.render_as_string(hide_password=False)


@shared({})  # never evicted: a second engine on a URL would be a second pool
def served_ledger(url: str) -> Engine:
    """The one engine of a serving process on ``url``, shared by the pages, the API and the
    background publication build: one pool, so the process's connections (and their page
    caches) stay within the pool's bounds however many threads ask. Threads that ask
    while it is being opened wait for it; a ledger that cannot be opened is tried again at
    the next ask."""
    return open_ledger(url, create=False)
