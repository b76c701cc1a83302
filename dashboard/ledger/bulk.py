"""Insert many ledger rows at once, as tuples, for imports of millions of rows.

SQLAlchemy's executemany turns every row's dict into driver parameters one at a time; at
2,000,000 workers and 3,800,000 coverage rows that is a large share of `import-ledger`. On
SQLite the statement SQLAlchemy compiles goes straight to the driver's executemany (a C loop)
with the tuples, after the few bind conversions the dialect needs (dates on SQLite). On
PostgreSQL a batch of ``COPY_FROM`` rows or more is streamed with COPY through psycopg
(``Cursor.copy``, in the same transaction): several times the rate of SQLAlchemy's batched
multi-row INSERTs, which smaller batches keep. A batch that must skip rows already in the
table (an import into an empty table, which refuses a repeated id at its end) is copied into
a temporary table first and moved with one INSERT ... ON CONFLICT DO NOTHING.

A table that is empty when a large write begins (a new ledger) is filled without its foreign
keys and plain indexes on PostgreSQL (``indexes_after``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence

from sqlalchemy import Connection, insert, text
from sqlalchemy.dialects import postgresql, sqlite

COPY_FROM = 1_000  # rows: on PostgreSQL a batch this large goes through COPY


def insert_rows(
    conn: Connection,
    model,
    columns: Sequence[str],
    rows: list[tuple],
    *,
    skip_existing: Sequence[str] = (),
) -> None:
    """INSERT ``rows`` (tuples of values in the order of ``columns``) into ``model``'s table.

    ``skip_existing``: the columns of a unique key; a row whose key is already in the table
    is left out instead of failing the transaction (for an importer that refuses such a file
    at its end, and must be able to read on until then)."""
    if not rows:
        return
    table = model.__table__
    statement = insert(table)
    if skip_existing:
        dialect_insert = sqlite.insert if conn.dialect.name == "sqlite" else postgresql.insert
        statement = dialect_insert(table).on_conflict_do_nothing(index_elements=skip_existing)
    if conn.dialect.name == "postgresql" and len(rows) >= COPY_FROM:
        if skip_existing:
            _copy_skipping(conn, table, columns, rows, skip_existing)
        else:
            _copy_rows(conn, table, columns, rows)
        return
    if conn.dialect.name != "sqlite":
        conn.execute(statement, [dict(zip(columns, row, strict=True)) for row in rows])
        return
    dialect = conn.dialect
    compiled = statement.compile(dialect=dialect, column_keys=list(columns))
    order = [list(columns).index(name) for name in compiled.positiontup]
    processors = [
        table.c[columns[i]].type.dialect_impl(dialect).bind_processor(dialect) for i in order
    ]
    if order != list(range(len(columns))) or any(processors):
        cells = list(zip(*rows, strict=True))  # column by column: one conversion per column
        rows = list(
            zip(
                *(
                    cells[i] if process is None else list(map(process, cells[i]))
                    for i, process in zip(order, processors, strict=True)
                ),
                strict=True,
            )
        )
    conn.exec_driver_sql(compiled.string, rows)


def _copy_rows(conn: Connection, table, columns: Sequence[str], rows: list[tuple]) -> None:
    """COPY ``rows`` into ``table`` on the connection's own psycopg connection (its open
    transaction): values are adapted as in a query; unlisted columns take their defaults."""
    quote = conn.dialect.identifier_preparer
    statement = (
        f"COPY {quote.format_table(table)} ({', '.join(quote.quote(c) for c in columns)}) "
        "FROM STDIN"
    )
    with conn.connection.driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def _copy_skipping(
    conn: Connection, table, columns: Sequence[str], rows: list[tuple], key: Sequence[str]
) -> None:
    """``_copy_rows`` for rows whose ``key`` may be in the table already (or twice among
    them): COPY into a temporary table of this transaction, then one INSERT that skips them,
    in the rows' order. The 10,000,000 workers of a new ledger came in at about 6,700 rows a
    second through batched INSERTs with ON CONFLICT."""
    quote = conn.dialect.identifier_preparer
    target = quote.format_table(table)
    staging = quote.quote(f"incoming_{table.name}")
    listed = ", ".join(quote.quote(c) for c in columns)
    conn.exec_driver_sql(
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} ON COMMIT DROP AS "
        f"SELECT 0::bigint AS line, {listed} FROM {target} WITH NO DATA"
    )
    conn.exec_driver_sql(f"TRUNCATE {staging}")
    with (
        conn.connection.driver_connection.cursor() as cursor,
        cursor.copy(f"COPY {staging} (line, {listed}) FROM STDIN") as copy,
    ):
        for line, row in enumerate(rows):
            copy.write_row((line, *row))
    conn.exec_driver_sql(
        f"INSERT INTO {target} ({listed}) SELECT {listed} FROM {staging} ORDER BY line "
        f"ON CONFLICT ({', '.join(quote.quote(c) for c in key)}) DO NOTHING"
    )


def indexes_after(conn: Connection, *models) -> contextlib.AbstractContextManager[None]:
    """On PostgreSQL, the tables of ``models`` that are empty lose their foreign keys and
    their plain indexes (not the primary key, nor a unique constraint: what an insert relies
    on) for the block, in the transaction, and have them made again, as they were, after it.

    Row by row, each new row checks each foreign key (a trigger, a probe of the referenced
    key) and enters each index at its place; at 200,000 workers the triggers were 4.6 s of
    donor_workers' 9.8 s. Made after the rows, an index is one sort and a foreign key one
    join. The tables stay locked (ACCESS EXCLUSIVE) until the transaction ends, so a reader
    of one of them waits for the commit: callers use it only while the ledger is new (no
    coverage row before the write), when there is nothing for a reader to miss
    (docs/architecture.md "A new ledger is filled bare"). A rollback restores everything.
    SQLite: nothing (it does not enforce the foreign keys, and fills a new ledger row by row
    at about twice PostgreSQL's rate).
    """
    if conn.dialect.name != "postgresql":
        return contextlib.nullcontext()
    return _bare(conn, [model.__table__.name for model in models])


@contextlib.contextmanager
def _bare(conn: Connection, names: list[str]) -> Iterator[None]:
    quote = conn.dialect.identifier_preparer.quote
    empty = [
        name
        for name in names
        if conn.exec_driver_sql(f"SELECT NOT EXISTS (SELECT 1 FROM {quote(name)})").scalar_one()
    ]
    if not empty:
        yield
        return
    wanted = {"names": empty}
    keys = conn.execute(
        text(
            "SELECT c.relname, k.conname, pg_get_constraintdef(k.oid) FROM pg_constraint k "
            "JOIN pg_class c ON c.oid = k.conrelid "
            "WHERE k.contype = 'f' AND c.relname = ANY(:names) "
            "AND c.relnamespace = current_schema()::regnamespace ORDER BY k.conname"
        ),
        wanted,
    ).all()
    indexes = conn.execute(
        text(
            "SELECT x.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indrelid JOIN pg_class x ON x.oid = i.indexrelid "
            "WHERE c.relname = ANY(:names) "
            "AND c.relnamespace = current_schema()::regnamespace "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) "
            "ORDER BY x.relname"
        ),
        wanted,
    ).all()
    for table, name, _definition in keys:
        conn.exec_driver_sql(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
    for name, _definition in indexes:
        conn.exec_driver_sql(f"DROP INDEX {quote(name)}")
    yield
    for _name, definition in indexes:
        conn.exec_driver_sql(definition)
    for table, name, definition in keys:
        conn.exec_driver_sql(
            f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}"
        )
