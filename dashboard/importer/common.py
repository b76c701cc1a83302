"""What every contract kind's importer shares: the run in progress, the kind's shape,
the id look-ups and the small value parsers the kinds have in common."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from dashboard import values as v
from dashboard.errors import MAX_LISTED, ValidationError
from dashboard.schema import SelfPaid, Worker

Parser = Callable[[object], Any]
Record = dict[str, Any]


@dataclass
class ImportResult:
    kind: str
    file_name: str
    sha256: str
    new: int = 0
    updated: int = 0
    unchanged: int = 0

    def summary(self) -> str:
        text = f"{self.file_name}: {self.new} new, {self.unchanged} unchanged"
        return text + (f", {self.updated} updated" if self.updated else "")


@dataclass
class ImportRun:
    """One file's import in progress: its connection, its problems and its in-file state."""

    conn: Connection
    file_name: str
    today: dt.date
    result: ImportResult
    errors: list[ValidationError] = field(default_factory=list)
    bad_lines: set[int] = field(default_factory=set)
    seen_ids: set[Any] = field(default_factory=set)
    state: dict[str, Any] = field(default_factory=dict)

    @property
    def writing(self) -> bool:
        return not self.errors

    def fail(self, line: int, column: str | None, value: object, reason: str) -> None:
        self.bad_lines.add(line)
        if len(self.errors) < MAX_LISTED:
            shown = None if value is None else str(value)
            self.errors.append(ValidationError(self.file_name, line, column, shown, reason))

    def first_in_file(self, line: int, column: str, key: object) -> bool:
        """False (and a problem recorded) when ``key`` appeared earlier in this file."""
        if key in self.seen_ids:
            self.fail(line, column, key, "appears more than once in this file")
            return False
        self.seen_ids.add(key)
        return True


MONTH_COUNTS = {str(n): n for n in range(1, 61)}


def parse_months(raw: object) -> int:
    """Months of coverage a row or a donation buys: 1 to 60."""
    if type(raw) is str and raw in MONTH_COUNTS:  # canonical: the common case
        return MONTH_COUNTS[raw]
    return v.parse_int_between(raw, 1, 60)


class Kind:
    """One contract file kind: its columns (parser, required?) and how its rows are applied."""

    name: str
    columns: dict[str, tuple[Parser, bool]]
    refused_columns: dict[str, str] = {}

    def parsers(self, today: dt.date) -> dict[str, tuple[Parser, bool]]:
        return self.columns

    def start(self, run: ImportRun) -> None:
        """Before the first row (in the file's transaction)."""

    def apply(self, run: ImportRun, rows: list[tuple[int, Record]]) -> None:
        raise NotImplementedError

    def finish(self, run: ImportRun) -> None:
        """After the last row, when the file is accepted (in the file's transaction)."""


def keys_by_id(conn: Connection, id_column, key_column, ids: Iterable[str]) -> dict[str, int]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return dict(conn.execute(select(id_column, key_column).where(id_column.in_(wanted))).all())


def worker_keys(run: ImportRun, ids: Iterable[str]) -> dict[str, int]:
    """worker_id -> key for the chunk's ``ids``. A large file (a ledger export, a full BPJS-TK
    dump) loads the whole mapping once, instead of one IN query per chunk of 5,000 rows, and
    gets all of it back."""
    if not run.state.get("large"):
        return keys_by_id(run.conn, Worker.worker_id, Worker.id, ids)
    if "worker_keys" not in run.state:
        run.state["worker_keys"] = dict(run.conn.execute(select(Worker.worker_id, Worker.id)).all())
    return run.state["worker_keys"]


def existing_rows(conn: Connection, model, id_column, ids: Iterable[str]) -> dict[str, Any]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = conn.execute(select(model).where(id_column.in_(wanted))).mappings()
    return {row[id_column.key]: row for row in rows}


def overlap(held: Iterable[tuple], start: int, months: int) -> tuple | None:
    """The first span in ``held`` (tuples starting with start, months) that shares a month
    with ``start``..+``months``."""
    end = start + months - 1
    for span in held:
        if span[0] <= end and start <= span[0] + span[1] - 1:
            return span
    return None


def self_paid_spans(run: ImportRun, keys: Iterable[int]) -> dict[int, list[tuple[int, int]]]:
    """worker key -> the worker's self-paid (start, months) already in the ledger, for the
    ``keys`` not asked before (CONTRACT.md v2: coverage and self-paid months never overlap).
    Read once per worker and kept in the run; no query at all while the table is empty."""
    held: dict[int, list[tuple[int, int]]] = run.state.setdefault("self_paid", {})
    if "self_paid_any" not in run.state:
        run.state["self_paid_any"] = (
            run.conn.execute(select(SelfPaid.id).limit(1)).first() is not None
        )
    fresh = sorted(set(keys) - held.keys())
    for key in fresh:
        held[key] = []
    if fresh and run.state["self_paid_any"]:
        for worker_key, start, months in run.conn.execute(
            select(SelfPaid.worker_key, SelfPaid.start_month, SelfPaid.months).where(
                SelfPaid.worker_key.in_(fresh)
            )
        ):
            held[worker_key].append((start, months))
    return held
