"""`lingkaran import KIND FILE`: one contract file into the ledger, all or nothing.

Each kind (docs/contract.md "Files") has its columns with their parsers and an ``apply`` step that
checks the rows against the database and writes them. Rows are read in chunks so a file of
millions of workers runs in bounded memory; the first bad row stops writing, the rest of the
file is still checked so the user sees every problem of every row (up to 50) in one round, a
bad cell not hiding the row's other problems, and the transaction is rolled back so nothing
of a refused file is written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from contextlib import nullcontext
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, insert

from dashboard.core import values as v
from dashboard.core.errors import ImportRefused, Message, message
from dashboard.core.labels import N_
from dashboard.core.progress import Report, progress_bar
from dashboard.ledger.bulk import indexes_after
from dashboard.ledger.db import (
    STATISTICS_AFTER_ROWS,
    bulk_writing,
    refresh_statistics,
    tidy_after_bulk,
    writing,
)
from dashboard.ledger.derived import last_coverage_id
from dashboard.ledger.importer.claims import Claims
from dashboard.ledger.importer.common import ImportResult, ImportRun, Kind, Parser, Record
from dashboard.ledger.importer.confirmations import Confirmations
from dashboard.ledger.importer.coverage import CoverageRows
from dashboard.ledger.importer.donations import Donations
from dashboard.ledger.importer.donors import Donors
from dashboard.ledger.importer.rates import Rates
from dashboard.ledger.importer.self_paid import SelfPaidRows
from dashboard.ledger.importer.workers import Workers
from dashboard.ledger.readers import Table, open_table
from dashboard.ledger.schema import ImportLog

CHUNK = 5_000
# The registry of the contract's kinds, in dependency order (a file may name rows of the
# kinds before it), as docs/contract.md "The kinds" describes them. Adding a kind means its
# module here, its migration and its tests (tests/ledger/test_kinds.py).
KIND_REGISTRY: tuple[Kind, ...] = (
    Donors(),
    Workers(),
    Rates(),
    Donations(),
    CoverageRows(),
    Claims(),
    SelfPaidRows(),
    Confirmations(),
)
KINDS = tuple(kind.name for kind in KIND_REGISTRY)
KIND_HANDLERS: dict[str, Kind] = {kind.name: kind for kind in KIND_REGISTRY}


def contract_columns(kind: str) -> tuple[str, ...]:
    """The columns of a ``kind`` file in the contract's order (docs/contract.md "Files"): what the
    importer reads is what the export and the demo write."""
    return tuple(KIND_HANDLERS[kind].parsers(dt.date.today()))


def _parsed_rows(
    run: ImportRun,
    table: Table,
    parsers: dict[str, tuple[Parser, bool]],
    partial: bool,
) -> Iterator[tuple[int, Record]]:
    """Each row with every cell parsed. A row with a bad cell is reported; with ``partial``
    (a kind whose ``apply`` checks such rows) it still goes on, its bad cells None, so its
    other problems (a repeated id, an unknown donor) are named in the same round."""
    plan = [
        (column, table.columns.index(column) if column in table.columns else None, parse, required)
        for column, (parse, required) in parsers.items()
    ]
    for line, cells in table.rows:
        record: Record = {}
        ok = True
        for column, index, parse, required in plan:
            raw = None if index is None else cells[index]
            # v.is_blank, written out: this loop runs for every cell of a file.
            if (
                raw is None
                or raw == ""
                or (type(raw) is str and raw[0].isspace() and not raw.strip())
            ):
                if required:
                    run.fail(line, column, None, N_("a value is required"))
                    ok = False
                record[column] = None
                continue
            try:
                record[column] = parse(raw)
            except v.Invalid as problem:
                run.fail(line, column, raw, problem.message, problem.suggestion)
                record[column] = None
                ok = False
        if ok or partial:
            yield line, record


def _chunks(items: Iterator[Any], size: int) -> Iterator[list[Any]]:
    while chunk := list(islice(items, size)):
        yield chunk


def _read(
    conn: Connection,
    handler: Kind,
    path: Path,
    today: dt.date,
    result: ImportResult,
    state: dict[str, Any],
    progress: bool | Report,
) -> ImportRun:
    """One reading of the file: every row parsed and applied, chunk by chunk."""
    parsers = handler.parsers(today)
    required = tuple(c for c, (_, req) in parsers.items() if req)
    optional = tuple(c for c, (_, req) in parsers.items() if not req)
    table = open_table(
        path, required, optional, handler.refused_columns, lambda header: _kind_of(header, handler)
    )
    run = ImportRun(conn, path.name, today, result, state=state)
    handler.start(run)
    rows = _parsed_rows(run, table, parsers, handler.checks_partial_rows)
    bar = progress_bar(progress, desc=f"import {handler.name}", unit=" rows")
    with bar:
        for chunk in _chunks(rows, CHUNK):
            handler.apply(run, chunk)
            bar.update(len(chunk))
    return run


def _kind_of(header: list[str], refused_as: Kind) -> Message | None:
    """When a refused header is exactly another kind's (its required columns, nothing it does
    not know), the command that imports it: a workers file chosen as donations."""
    for kind in KIND_REGISTRY:
        columns = kind.parsers(dt.date.today())
        required = {column for column, (_, needed) in columns.items() if needed}
        if kind is not refused_as and required <= set(header) <= set(columns):
            return message(
                N_("this looks like a {kind} file: import it with `lingkaran import {kind} FILE`"),
                kind=kind.name,
            )
    return None


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def import_file(
    engine: Engine,
    kind: str,
    path: Path | str,
    *,
    today: dt.date | None = None,
    progress: bool | Report = False,
) -> ImportResult:
    """Import one file of ``kind``; raises ``ImportRefused`` (and writes nothing) on any problem."""
    with engine.begin() as conn:
        writing(conn)
        result = import_into(conn, kind, path, today=today, progress=progress)
    if result.new + result.updated >= STATISTICS_AFTER_ROWS:
        tidy_after_bulk(engine)
    return result


def import_into(
    conn: Connection,
    kind: str,
    path: Path | str,
    *,
    today: dt.date | None = None,
    progress: bool | Report = False,
    sha256: str | None = None,
) -> ImportResult:
    """``import_file`` inside the caller's transaction (``import-ledger`` takes six files in one).

    On ``ImportRefused`` the caller must roll back: rows of earlier chunks may be written.
    """
    path = Path(path)
    handler = KIND_HANDLERS[kind]
    today = today or dt.date.today()
    # ``sha256``: already verified by the caller (import-ledger's manifest), not read twice.
    result = ImportResult(kind, path.name, sha256 or file_sha256(path))
    new = handler.bare and last_coverage_id(conn) == 0
    with bulk_writing(conn), indexes_after(conn, *handler.bare) if new else nullcontext():
        return _import(conn, handler, path, today, result, progress)


def _import(
    conn: Connection,
    handler: Kind,
    path: Path,
    today: dt.date,
    result: ImportResult,
    progress: bool | Report,
) -> ImportResult:
    kind = handler.name
    run = _read(conn, handler, path, today, result, {}, progress)
    if not handler.complete(run):
        # A check left to the end failed: read the file again, row by row and writing
        # nothing, to name every problem in the order a row-by-row reading finds them (the
        # caller rolls back what the first reading wrote). If that reading finds none (two
        # ids with the same hash, not a repeat), the first reading stands as written.
        again = {"naming_problems": True, **handler.second_reading(run)}
        checked = ImportResult(kind, path.name, "")
        exact = _read(conn, handler, path, today, checked, again, progress)
        if exact.errors:
            run = exact
    if run.errors:
        raise ImportRefused(path.name, run.errors, len(run.bad_lines))
    if result.new + result.updated >= STATISTICS_AFTER_ROWS:
        refresh_statistics(conn)  # finish() refreshes derived tables from the new rows
    handler.finish(run)
    conn.execute(
        insert(ImportLog).values(
            kind=kind,
            file_name=path.name,
            sha256=result.sha256,
            rows_new=result.new,
            rows_updated=result.updated,
            rows_unchanged=result.unchanged,
            imported_at=dt.datetime.now(dt.UTC),
        )
    )
    return result
