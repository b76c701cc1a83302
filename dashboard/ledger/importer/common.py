"""What every contract kind's importer shares: the run in progress, the kind's shape,
the id look-ups and the small value parsers the kinds have in common."""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import Connection, Select, select

from dashboard.core import values as v
from dashboard.core.errors import MAX_LISTED, Message, ValidationError, message
from dashboard.core.i18n import translator
from dashboard.core.labels import N_
from dashboard.core.months import month_label
from dashboard.ledger.schema import SelfPaid, Worker

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

    def summary(self, lang: str = "en") -> str:
        _ = translator(lang)
        text = _("{file}: {new} new, {unchanged} unchanged").format(
            file=self.file_name, new=self.new, unchanged=self.unchanged
        )
        if self.updated:
            text += _(", {updated} updated").format(updated=self.updated)
        return text


class SeenKeys:
    """The keys a file has named so far. Row keys (non-negative integers, such as the
    coverage row a confirmation names) are bits of one bytearray, a byte per eight keys:
    3,700,000 confirmations of a 2,000,000-worker ledger take 0.5 MB instead of 200 MB as a
    set of ints. Other keys (ids, tuples) go to a set."""

    LARGEST_BIT = 2**28  # keys beyond this (32 MB of bits) go to the set

    def __init__(self) -> None:
        self.bits = bytearray()
        self.others: set[Any] = set()

    def add(self, key: Any) -> bool:
        """True when ``key`` is new (and now seen)."""
        if type(key) is int and 0 <= key < self.LARGEST_BIT:
            byte, bit = key >> 3, 1 << (key & 7)
            if byte >= len(self.bits):
                self.bits.extend(bytes(max(byte + 1 - len(self.bits), len(self.bits))))
            if self.bits[byte] & bit:
                return False
            self.bits[byte] |= bit
            return True
        if key in self.others:
            return False
        self.others.add(key)
        return True


@dataclass
class ImportRun:
    """One file's import in progress: its connection, its problems and its in-file state."""

    conn: Connection
    file_name: str
    today: dt.date
    result: ImportResult
    errors: list[ValidationError] = field(default_factory=list)
    bad_lines: set[int] = field(default_factory=set)
    seen_ids: SeenKeys = field(default_factory=SeenKeys)
    state: dict[str, Any] = field(default_factory=dict)

    @property
    def writing(self) -> bool:
        """Rows are written while no problem has been found (and not in a run that only
        names the problems of a file already known to be refused)."""
        return not self.errors and not self.state.get("naming_problems")

    def fail(
        self,
        line: int,
        column: str | None,
        value: object,
        reason: str | Message,
        suggestion: Message | None = None,
    ) -> None:
        self.bad_lines.add(line)
        if len(self.errors) < MAX_LISTED:
            shown = None if value is None else str(value)
            self.errors.append(
                ValidationError(self.file_name, line, column, shown, reason, suggestion)
            )

    def partial(self, line: int) -> bool:
        """True for a row with a bad cell (those cells are None): a kind's ``apply`` still
        checks what it can of it (ids, references), then leaves it."""
        return line in self.bad_lines

    def first_in_file(self, line: int, column: str, key: object, shown: object = None) -> bool:
        """False (and a problem recorded) when ``key`` appeared earlier in this file; the
        problem shows ``shown`` (the cell as the file has it) when the key is internal."""
        if not self.seen_ids.add(key):
            value = key if shown is None else shown
            self.fail(line, column, value, N_("appears more than once in this file"))
            return False
        return True


MONTH_COUNTS = {str(n): n for n in range(1, 61)}


def parse_months(raw: object) -> int:
    """Months of coverage a row or a donation buys: 1 to 60."""
    if type(raw) is str and raw in MONTH_COUNTS:  # canonical: the common case
        return MONTH_COUNTS[raw]
    return v.parse_int_between(raw, 1, 60)


class Kind:
    """One contract file kind, everything the project knows of it in one place: its name and
    label, its columns (parser, required?), how its rows are applied, the table they land in
    and how that table is written back as the kind's file. The registry
    (``dashboard.ledger.importer.KIND_REGISTRY``) lists the kinds in dependency order; the
    importer, the export and ``migrate``, the emptiness check, the CLI and the admin console
    all read it."""

    name: str
    label: str  # marked with N_(), translated where it is shown
    table: type  # the ledger table its rows land in
    seeded = False  # True when every ledger starts with rows of it (rates: the base rate)
    # The tables an import into a new ledger (no coverage yet) fills without their foreign
    # keys and plain indexes on PostgreSQL when they are empty
    # (``dashboard.ledger.bulk.indexes_after``): the kind's table and what ``finish`` fills.
    bare: tuple[type, ...] = ()
    columns: dict[str, tuple[Parser, bool]]
    refused_columns: dict[str, str] = {}
    # True when ``apply`` takes rows with bad cells too (``ImportRun.partial``), so that one
    # round names a row's repeated id or unknown reference along with its bad values.
    checks_partial_rows = False

    def title(self, lang: str) -> str:
        """``Donatur (donors)``: the kind in a page's language, with the contract's name."""
        return f"{translator(lang)(self.label)} ({self.name})"

    def export_query(self) -> Select:
        """The rows of the kind's table, as the contract's columns, in the order imported."""
        raise NotImplementedError

    def export_row(self, row: tuple) -> list[str]:
        """One exported row as the kind's file writes it (what its parsers read back)."""
        raise NotImplementedError

    def parsers(self, today: dt.date) -> dict[str, tuple[Parser, bool]]:
        return self.columns

    def start(self, run: ImportRun) -> None:
        """Before the first row (in the file's transaction)."""

    def apply(self, run: ImportRun, rows: list[tuple[int, Record]]) -> None:
        raise NotImplementedError

    def complete(self, run: ImportRun) -> bool:
        """After the last row: False when a check left to the end (``SpanLedger``) found a
        problem, so the file must be read again, row by row, to name it."""
        return True

    def second_reading(self, run: ImportRun) -> dict[str, Any]:
        """What a second reading (after ``complete`` said False) starts from."""
        return {}

    def finish(self, run: ImportRun) -> None:
        """After the last row, when the file is accepted (in the file's transaction)."""


def keys_by_id(conn: Connection, id_column, key_column, ids: Iterable[str]) -> dict[str, int]:
    wanted = sorted(set(ids) - {None})  # None: a bad cell of a partial row
    if not wanted:
        return {}
    return dict(conn.execute(select(id_column, key_column).where(id_column.in_(wanted))).all())


def worker_keys(run: ImportRun, ids: Iterable[str]) -> dict[str, int]:
    """worker_id -> key for the chunk's ``ids``: one indexed query per chunk. (Loading the
    whole mapping once held 250 MB at 2,000,000 workers and was no faster.)"""
    return keys_by_id(run.conn, Worker.worker_id, Worker.id, ids)


def existing_rows(conn: Connection, model, id_column, ids: Iterable[str]) -> dict[str, Any]:
    wanted = sorted(set(ids) - {None})  # None: a bad cell of a partial row
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


def refuse_overlap(
    run: ImportRun,
    line: int,
    worker_id: str,
    start: int,
    clash: tuple,
    text: str,
    **more: object,
) -> None:
    """Refuses the row at ``line`` (its start month) because its months share one with
    ``clash``, a span ``overlap`` found; ``text`` says what kind of span (marked with N_())
    and takes worker, month and months, then ``more`` (such as the span's donation)."""
    run.fail(
        line,
        "start_month",
        month_label(start),
        message(text, worker=worker_id, month=month_label(clash[0]), months=clash[1], **more),
    )


def self_paid_spans(run: ImportRun, keys: Iterable[int]) -> dict[int, list[tuple[int, int]]]:
    """worker key -> the worker's self-paid (start, months) already in the ledger, for the
    ``keys`` not asked before (docs/contract.md: coverage and self-paid months never overlap).
    Read once per worker and kept in the run; no query at all while the table is empty."""
    held: dict[int, list[tuple[int, int]]] = run.state.setdefault("self_paid", {})
    if "self_paid_any" not in run.state:
        run.state["self_paid_any"] = (
            run.conn.execute(select(SelfPaid.id).limit(1)).first() is not None
        )
    if not run.state["self_paid_any"]:
        return held  # empty, and kept empty: nothing to remember per worker
    fresh = sorted(set(keys) - held.keys())
    for key in fresh:
        held[key] = []
    if fresh:
        for worker_key, start, months in run.conn.execute(
            select(SelfPaid.worker_key, SelfPaid.start_month, SelfPaid.months).where(
                SelfPaid.worker_key.in_(fresh)
            )
        ):
            held[worker_key].append((start, months))
    return held


class SpanLedger:
    """The coverage spans of a file into a ledger that holds none, checked at the end.

    Checking each row against the worker's earlier rows (``overlap``) needs every worker's
    spans as Python objects: 1.3 GB for the 3,800,000 rows of a 2,000,000-worker ledger.
    Here each row is 10 bytes (worker key and start month in one integer, months apart)
    and ``clash_free`` sorts them once: sorted by worker and start, a worker's spans overlap
    (or repeat a start) exactly when two neighbours do. The rows' other checks run as they
    are read; when this one fails, the importer reads the file again with the row-by-row
    checks to name the lines (a refused file writes nothing, so that costs only time)."""

    START_BITS = 24  # month numbers (year × 12 + month) are far below 2**24

    def __init__(self) -> None:
        self.keys = array("q")
        self.months = array("h")

    def add(self, worker_key: int, start: int, months: int) -> None:
        self.keys.append(worker_key << self.START_BITS | start)
        self.months.append(months)

    def clash_free(self) -> bool:
        if len(self.keys) < 2:
            return True
        keys = np.frombuffer(self.keys, dtype=np.int64)
        order = np.argsort(keys, kind="stable")
        ordered = keys[order]
        months = np.frombuffer(self.months, dtype=np.int16)[order]
        same_worker = (ordered[1:] >> self.START_BITS) == (ordered[:-1] >> self.START_BITS)
        # Within a worker, key differences are start differences: the next span starts
        # inside this one when the gap is shorter than this one's months.
        inside = (ordered[1:] - ordered[:-1]) < months[:-1]
        return not bool(np.any(same_worker & inside))


class IdLedger:
    """The ids of a file into an empty table, checked for repeats at the end: a hash of
    each (8 bytes) instead of the ids themselves (2,000,000 worker ids: 16 MB instead of
    180 MB as a set of strings). Equal hashes mean a repeated id, or, very rarely, two ids
    with the same hash: either way the importer reads the file again with the exact
    row-by-row check, which names the repeat or finds there is none."""

    def __init__(self) -> None:
        self.hashes = array("q")

    def add(self, key: str) -> None:
        self.hashes.append(hash(key))

    def distinct(self) -> bool:
        if len(self.hashes) < 2:
            return True
        ordered = np.sort(np.frombuffer(self.hashes, dtype=np.int64))
        return not bool(np.any(ordered[1:] == ordered[:-1]))


def cell_yes_no(value: bool) -> str:
    return "yes" if value else "no"


def cell_text(value: object) -> str:
    return "" if value is None else str(value)


def cell_date(value: dt.date | None) -> str:
    return "" if value is None else value.isoformat()
