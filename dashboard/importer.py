"""`lingkaran import KIND FILE`: one contract file into the ledger, all or nothing.

Each kind (CONTRACT.md "Files") has its columns with their parsers and an ``apply`` step that
checks the rows against the database and writes them. Rows are read in chunks so a file of
millions of workers runs in bounded memory; the first bad row stops writing, the rest of the
file is still checked so the user sees every problem (up to 50) at once, and the transaction
is rolled back so nothing of a refused file is written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from operator import itemgetter
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, update
from tqdm import tqdm

from dashboard import values as v
from dashboard.bulk import insert_rows
from dashboard.derived import last_coverage_id, refresh
from dashboard.errors import MAX_LISTED, ImportRefused, ValidationError
from dashboard.months import month_label, month_of
from dashboard.readers import Table, open_table
from dashboard.schema import (
    COVERAGE_COLUMNS,
    Claim,
    Coverage,
    Donation,
    Donor,
    ImportLog,
    Rate,
    Worker,
    sum_int,
)

CHUNK = 5_000
KINDS = ("donors", "workers", "rates", "donations", "coverage", "claims")
BASE_RATE_MONTH = 2015 * 12 + 6  # 2015-07, CONTRACT.md "rates"

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
class _Run:
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


def _text_1_200(raw: object) -> str:
    text = str(raw).strip()
    if len(text) > 200:
        raise v.Invalid("at most 200 characters")
    return text


_MONTH_COUNTS = {str(n): n for n in range(1, 61)}


def _months(raw: object) -> int:
    """Months of coverage a row or a donation buys: 1 to 60."""
    if type(raw) is str and raw in _MONTH_COUNTS:  # canonical: the common case
        return _MONTH_COUNTS[raw]
    return v.parse_int_between(raw, 1, 60)


class Kind:
    """One contract file kind: its columns (parser, required?) and how its rows are applied."""

    name: str
    columns: dict[str, tuple[Parser, bool]]
    refused_columns: dict[str, str] = {}

    def parsers(self, today: dt.date) -> dict[str, tuple[Parser, bool]]:
        return self.columns

    def start(self, run: _Run) -> None:
        """Before the first row (in the file's transaction)."""

    def apply(self, run: _Run, rows: list[tuple[int, Record]]) -> None:
        raise NotImplementedError

    def finish(self, run: _Run) -> None:
        """After the last row, when the file is accepted (in the file's transaction)."""


def _keys_by_id(conn: Connection, id_column, key_column, ids: Iterable[str]) -> dict[str, int]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return dict(conn.execute(select(id_column, key_column).where(id_column.in_(wanted))).all())


LARGE_FILE = 8 * 2**20  # bytes: above this, a file's worker ids are resolved in one pass


def _worker_keys(run: _Run, ids: Iterable[str]) -> dict[str, int]:
    """worker_id -> key for the chunk's ``ids``. A large file (a ledger export, a full BPJS-TK
    dump) loads the whole mapping once, instead of one IN query per chunk of 5,000 rows, and
    gets all of it back."""
    if not run.state.get("large"):
        return _keys_by_id(run.conn, Worker.worker_id, Worker.id, ids)
    if "worker_keys" not in run.state:
        run.state["worker_keys"] = dict(run.conn.execute(select(Worker.worker_id, Worker.id)).all())
    return run.state["worker_keys"]


def _existing(conn: Connection, model, id_column, ids: Iterable[str]) -> dict[str, Any]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = conn.execute(select(model).where(id_column.in_(wanted))).mappings()
    return {row[id_column.key]: row for row in rows}


class Donors(Kind):
    name = "donors"

    def __init__(self) -> None:
        self.columns = {
            "donor_id": (v.parse_id, True),
            "name": (_text_1_200, True),
            "type": (lambda raw: v.parse_choice(raw, v.DONOR_TYPES), True),
            "show_name": (v.parse_yes_no, False),
        }

    def apply(self, run: _Run, rows: list[tuple[int, Record]]) -> None:
        existing = _existing(run.conn, Donor, Donor.donor_id, (r["donor_id"] for _, r in rows))
        new: list[Record] = []
        for line, row in rows:
            if not run.first_in_file(line, "donor_id", row["donor_id"]):
                continue
            if row["show_name"] is None:  # personal donors stay anonymous unless they opt in
                row["show_name"] = row["type"] != "personal"
            old = existing.get(row["donor_id"])
            if old is None:
                new.append(row)
            elif (old["name"], old["type"], old["show_name"]) == (
                row["name"],
                row["type"],
                row["show_name"],
            ):
                run.result.unchanged += 1
            else:
                run.result.updated += 1
                if run.writing:
                    run.conn.execute(update(Donor).where(Donor.id == old["id"]).values(**row))
        run.result.new += len(new)
        if run.writing and new:
            run.conn.execute(insert(Donor), new)


WORKER_COLUMNS = ("worker_id", "registered_on", "province", "occupation", "gender", "birth_year")


class Workers(Kind):
    name = "workers"
    refused_columns = {
        column: "workers are pseudonymous: the ledger holds no names, national ids or phone numbers"
        for column in ("name", "full_name", "nik", "national_id", "ktp", "phone", "phone_number")
    }
    mutable = ("province", "occupation")

    def parsers(self, today: dt.date) -> dict[str, tuple[Parser, bool]]:
        return {
            "worker_id": (v.parse_id, True),
            "registered_on": (lambda raw: v.parse_date(raw, today), True),
            "province": (v.parse_province, True),
            "occupation": (v.parse_occupation, True),
            "gender": (v.parse_gender, True),
            "birth_year": (lambda raw: v.parse_int_between(raw, 1940, today.year - 15), True),
        }

    def start(self, run: _Run) -> None:
        # Into an empty table (a new ledger, import-ledger) no row can exist already.
        run.state["empty"] = run.conn.execute(select(Worker.id).limit(1)).first() is None

    def apply(self, run: _Run, rows: list[tuple[int, Record]]) -> None:
        ids = (r["worker_id"] for _, r in rows)
        existing = {} if run.state["empty"] else _existing(run.conn, Worker, Worker.worker_id, ids)
        new: list[Record] = []
        for line, row in rows:
            if not run.first_in_file(line, "worker_id", row["worker_id"]):
                continue
            old = existing.get(row["worker_id"])
            if old is None:
                new.append(row)
                continue
            fixed = [c for c in ("registered_on", "gender", "birth_year") if old[c] != row[c]]
            if fixed:
                column = fixed[0]
                run.fail(
                    line,
                    column,
                    row[column],
                    f"conflict: worker {row['worker_id']} has {column} {old[column]}; "
                    "a re-import may change only province and occupation",
                )
            elif all(old[c] == row[c] for c in self.mutable):
                run.result.unchanged += 1
            else:
                run.result.updated += 1
                if run.writing:
                    changes = {c: row[c] for c in self.mutable}
                    run.conn.execute(update(Worker).where(Worker.id == old["id"]).values(**changes))
        run.result.new += len(new)
        if run.writing:
            insert_rows(
                run.conn, Worker, WORKER_COLUMNS, list(map(itemgetter(*WORKER_COLUMNS), new))
            )


class Rates(Kind):
    name = "rates"

    def __init__(self) -> None:
        self.columns = {
            "effective_from": (v.parse_month, True),
            "monthly_idr": (v.parse_money, True),
        }

    def apply(self, run: _Run, rows: list[tuple[int, Record]]) -> None:
        existing = dict(run.conn.execute(select(Rate.effective_month, Rate.monthly_idr)).all())
        allocated_until = run.conn.execute(
            select(func.max(Coverage.start_month + Coverage.months - 1)).where(
                Coverage.source == "allocator"
            )
        ).scalar()
        new = []
        for line, row in rows:
            month, amount = row["effective_from"], row["monthly_idr"]
            if not run.first_in_file(line, "effective_from", month):
                continue
            label = month_label(month)
            if month in existing:
                if existing[month] == amount:
                    run.result.unchanged += 1
                else:
                    run.fail(
                        line,
                        "monthly_idr",
                        amount,
                        f"conflict: the rate from {label} is {existing[month]} (immutable)",
                    )
            elif month < BASE_RATE_MONTH:
                run.fail(line, "effective_from", label, "the rate schedule starts with 2015-07")
            elif allocated_until is not None and month <= allocated_until:
                run.fail(
                    line,
                    "effective_from",
                    label,
                    f"allocated coverage already runs until {month_label(allocated_until)} "
                    "at the rates in force; a new rate must start after it",
                )
            else:
                new.append({"effective_month": month, "monthly_idr": amount})
        run.result.new += len(new)
        if run.writing and new:
            run.conn.execute(insert(Rate), new)


class Donations(Kind):
    name = "donations"
    immutable = (
        "received_on",
        "amount_idr",
        "months_per_worker",
        "earmark_province",
        "earmark_occupation",
    )

    def parsers(self, today: dt.date) -> dict[str, tuple[Parser, bool]]:
        return {
            "donation_id": (v.parse_id, True),
            "donor_id": (v.parse_id, True),
            "received_on": (lambda raw: v.parse_date(raw, today), True),
            "amount_idr": (v.parse_money, True),
            "months_per_worker": (_months, False),
            "earmark_province": (v.parse_province, False),
            "earmark_occupation": (v.parse_occupation, False),
        }

    def apply(self, run: _Run, rows: list[tuple[int, Record]]) -> None:
        ids = [r["donation_id"] for _, r in rows]
        existing = _existing(run.conn, Donation, Donation.donation_id, ids)
        donors = _keys_by_id(run.conn, Donor.donor_id, Donor.id, (r["donor_id"] for _, r in rows))
        new = []
        for line, row in rows:
            if not run.first_in_file(line, "donation_id", row["donation_id"]):
                continue
            row["months_per_worker"] = row["months_per_worker"] or 6
            donor_key = donors.get(row["donor_id"])
            if donor_key is None:
                run.fail(line, "donor_id", row["donor_id"], "no such donor (import donors first)")
                continue
            old = existing.get(row["donation_id"])
            if old is None:
                new.append(
                    {"donor_key": donor_key, **{k: x for k, x in row.items() if k != "donor_id"}}
                )
                continue
            changed = [c for c in self.immutable if old[c] != row[c]]
            if old["donor_key"] != donor_key:
                changed.insert(0, "donor_id")
            if changed:
                run.fail(
                    line,
                    changed[0],
                    row[changed[0]],
                    f"conflict: donation {row['donation_id']} exists with other content; "
                    "donations are immutable",
                )
            else:
                run.result.unchanged += 1
        run.result.new += len(new)
        if run.writing and new:
            run.conn.execute(insert(Donation), new)


@dataclass(frozen=True, slots=True)
class _Funding:
    """What a coverage row is checked against: its donation's key, amount and first month."""

    key: int
    amount_idr: int
    received_on: dt.date
    first_month: int  # coverage may start in the month the donation was received or later


def _overlap(held: list[tuple[int, int, int, int]], start: int, months: int):
    """The first (start, months) in ``held`` that shares a month with ``start``..+``months``."""
    end = start + months - 1
    for other_start, other_months, _, _ in held:
        if other_start <= end and start <= other_start + other_months - 1:
            return other_start, other_months
    return None


class CoverageRows(Kind):
    name = "coverage"

    def __init__(self) -> None:
        self.columns = {
            "donation_id": (v.parse_id, True),
            "worker_id": (v.parse_id, True),
            "start_month": (v.parse_month, True),
            "months": (_months, True),
            "amount_idr": (v.parse_money, True),
        }

    def start(self, run: _Run) -> None:
        run.state["since"] = last_coverage_id(run.conn)
        # No coverage before this file: every interval and every rupiah spent is this
        # file's own, already held in run.state, so the database need not be asked.
        run.state["empty"] = run.state["since"] == 0
        run.state["spans"] = {}  # worker key -> [(start, months, donation key, amount)]
        run.state["spent"] = {}  # donation key -> rupiah funded so far
        run.state["donations"] = {}  # donation_id -> _Funding

    def finish(self, run: _Run) -> None:
        refresh(run.conn, run.state["since"])

    @staticmethod
    def _donations(run: _Run, rows: list[tuple[int, Record]]) -> dict[str, _Funding]:
        """Every donation the file names so far, each read once; with what it has funded."""
        known: dict[str, _Funding] = run.state["donations"]
        unseen = {r["donation_id"] for _, r in rows} - known.keys()
        if not unseen:
            return known
        found = run.conn.execute(
            select(
                Donation.donation_id, Donation.id, Donation.amount_idr, Donation.received_on
            ).where(Donation.donation_id.in_(sorted(unseen)))
        ).all()
        for donation_id, key, amount, received_on in found:
            known[donation_id] = _Funding(key, amount, received_on, month_of(received_on))
        if found and not run.state["empty"]:
            run.state["spent"].update(
                run.conn.execute(
                    select(Coverage.donation_key, sum_int(Coverage.amount_idr))
                    .where(Coverage.donation_key.in_([key for _, key, _, _ in found]))
                    .group_by(Coverage.donation_key)
                ).all()
            )
        return known

    @staticmethod
    def _load_spans(run: _Run, workers: dict[str, int], rows: list[tuple[int, Record]]) -> None:
        """The coverage the ledger already holds for the chunk's workers not seen before."""
        spans = run.state["spans"]
        fresh = {workers[r["worker_id"]] for _, r in rows if r["worker_id"] in workers}
        fresh -= spans.keys()
        for key in fresh:
            spans[key] = []
        if not fresh:
            return
        for worker_key, start, months, donation_key, amount in run.conn.execute(
            select(
                Coverage.worker_key,
                Coverage.start_month,
                Coverage.months,
                Coverage.donation_key,
                Coverage.amount_idr,
            ).where(Coverage.worker_key.in_(sorted(fresh)))
        ):
            spans[worker_key].append((start, months, donation_key, amount))

    def apply(self, run: _Run, rows: list[tuple[int, Record]]) -> None:
        workers = _worker_keys(run, (r["worker_id"] for _, r in rows))
        donations = self._donations(run, rows)
        if not run.state["empty"]:
            self._load_spans(run, workers, rows)
        spans: dict[int, list[tuple[int, int, int, int]]] = run.state["spans"]
        spent: dict[int, int] = run.state["spent"]
        new = []
        for line, row in rows:
            worker_key = workers.get(row["worker_id"])
            funding = donations.get(row["donation_id"])
            if worker_key is None:
                run.fail(
                    line, "worker_id", row["worker_id"], "no such worker (import workers first)"
                )
            if funding is None:
                run.fail(
                    line, "donation_id", row["donation_id"], "no such donation (import it first)"
                )
            if worker_key is None or funding is None:
                continue
            start, months, amount = row["start_month"], row["months"], row["amount_idr"]
            if not run.first_in_file(line, "start_month", (worker_key, start)):
                continue
            held = spans.get(worker_key)
            if held is None:  # only into an empty ledger: _load_spans filled the others
                held = spans[worker_key] = []
            same = (start, months, funding.key, amount)
            if same in held:
                run.result.unchanged += 1
                continue
            if start < funding.first_month:
                run.fail(
                    line,
                    "start_month",
                    month_label(start),
                    f"coverage cannot start before the donation was received "
                    f"({funding.received_on.isoformat()})",
                )
                continue
            clash = _overlap(held, start, months)
            if clash is not None:
                run.fail(
                    line,
                    "start_month",
                    month_label(start),
                    f"overlaps coverage of worker {row['worker_id']} from "
                    f"{month_label(clash[0])} for {clash[1]} month(s)",
                )
                continue
            total = spent.get(funding.key, 0) + amount
            if total > funding.amount_idr:
                run.fail(
                    line,
                    "amount_idr",
                    amount,
                    f"donation {row['donation_id']} would fund {total} of its "
                    f"{funding.amount_idr} rupiah",
                )
                continue
            spent[funding.key] = total
            held.append(same)
            new.append((funding.key, worker_key, start, months, amount, "import"))
        run.result.new += len(new)
        if run.writing:
            insert_rows(run.conn, Coverage, COVERAGE_COLUMNS, new)


STATUS_RANK = {"submitted": 0, "approved": 1, "paid": 2, "rejected": 2}


class Claims(Kind):
    name = "claims"
    fixed = ("worker_key", "program", "incident_on")

    def parsers(self, today: dt.date) -> dict[str, tuple[Parser, bool]]:
        return {
            "claim_id": (v.parse_id, True),
            "worker_id": (v.parse_id, True),
            "program": (lambda raw: v.parse_choice(raw, v.PROGRAMS, upper=True), True),
            "incident_on": (lambda raw: v.parse_date(raw, today), True),
            "status": (lambda raw: v.parse_choice(raw, v.CLAIM_STATUSES), True),
            "paid_on": (lambda raw: v.parse_date(raw, today), False),
            "amount_idr": (v.parse_money, False),
        }

    def apply(self, run: _Run, rows: list[tuple[int, Record]]) -> None:
        conn = run.conn
        workers = _worker_keys(run, (r["worker_id"] for _, r in rows))
        existing = _existing(conn, Claim, Claim.claim_id, (r["claim_id"] for _, r in rows))
        new = []
        for line, row in rows:
            if not run.first_in_file(line, "claim_id", row["claim_id"]):
                continue
            if not self._consistent(run, line, row):
                continue
            worker_key = workers.get(row["worker_id"])
            if worker_key is None:
                run.fail(
                    line, "worker_id", row["worker_id"], "no such worker (import workers first)"
                )
                continue
            record = {
                "claim_id": row["claim_id"],
                "worker_key": worker_key,
                "program": row["program"],
                "incident_on": row["incident_on"],
                "incident_month": month_of(row["incident_on"]),
                "status": row["status"],
                "paid_on": row["paid_on"],
                "amount_idr": row["amount_idr"],
            }
            old = existing.get(row["claim_id"])
            if old is None:
                new.append(record)
            else:
                self._update(run, line, row, old, record)
        run.result.new += len(new)
        if run.writing and new:
            conn.execute(insert(Claim), new)

    @staticmethod
    def _consistent(run: _Run, line: int, row: Record) -> bool:
        """CONTRACT.md "claims": paid needs paid_on >= incident_on and amount_idr > 0."""
        if row["status"] == "paid":
            if row["paid_on"] is None:
                run.fail(line, "paid_on", None, "a paid claim needs paid_on")
                return False
            if row["amount_idr"] is None:
                run.fail(line, "amount_idr", None, "a paid claim needs amount_idr > 0")
                return False
            if row["paid_on"] < row["incident_on"]:
                run.fail(
                    line, "paid_on", row["paid_on"].isoformat(), "paid before the incident happened"
                )
                return False
        elif row["paid_on"] is not None:
            run.fail(
                line, "paid_on", row["paid_on"].isoformat(), f"a {row['status']} claim is not paid"
            )
            return False
        return True

    def _update(self, run: _Run, line: int, row: Record, old: Any, record: Record) -> None:
        changed = [c for c in self.fixed if old[c] != record[c]]
        if changed:
            column = "worker_id" if changed[0] == "worker_key" else changed[0]
            run.fail(
                line,
                column,
                row[column],
                f"conflict: claim {row['claim_id']} exists with other {column}; "
                "a re-import may only move its status forward",
            )
            return
        moving = (old["status"], record["status"])
        if old["status"] == record["status"]:
            if (old["paid_on"], old["amount_idr"]) == (record["paid_on"], record["amount_idr"]):
                run.result.unchanged += 1
            else:
                run.fail(
                    line,
                    "amount_idr" if old["paid_on"] == record["paid_on"] else "paid_on",
                    record["amount_idr"] if old["paid_on"] == record["paid_on"] else row["paid_on"],
                    f"conflict: claim {row['claim_id']} is already {old['status']} "
                    "with other payment details",
                )
            return
        if STATUS_RANK[moving[1]] <= STATUS_RANK[moving[0]]:
            run.fail(
                line,
                "status",
                record["status"],
                f"claim {row['claim_id']} is {old['status']}: status may only move forward "
                "(submitted -> approved -> paid, or -> rejected)",
            )
            return
        run.result.updated += 1
        if run.writing:
            changes = {k: record[k] for k in ("status", "paid_on", "amount_idr")}
            run.conn.execute(update(Claim).where(Claim.id == old["id"]).values(**changes))


KIND_HANDLERS: dict[str, Kind] = {
    kind.name: kind
    for kind in (Donors(), Workers(), Rates(), Donations(), CoverageRows(), Claims())
}


def contract_columns(kind: str) -> tuple[str, ...]:
    """The columns of a ``kind`` file in the contract's order (CONTRACT.md "Files"): what the
    importer reads is what the export and the demo write."""
    return tuple(KIND_HANDLERS[kind].parsers(dt.date.today()))


def _parsed_rows(
    run: _Run,
    table: Table,
    parsers: dict[str, tuple[Parser, bool]],
) -> Iterator[tuple[int, Record]]:
    """Each row with every cell parsed; a row with any bad cell is reported and skipped."""
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
                    run.fail(line, column, None, "a value is required")
                    ok = False
                record[column] = None
                continue
            try:
                record[column] = parse(raw)
            except v.Invalid as problem:
                run.fail(line, column, raw, str(problem))
                ok = False
        if ok:
            yield line, record


def _chunks(items: Iterator[Any], size: int) -> Iterator[list[Any]]:
    while chunk := list(islice(items, size)):
        yield chunk


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
    progress: bool = False,
) -> ImportResult:
    """Import one file of ``kind``; raises ``ImportRefused`` (and writes nothing) on any problem."""
    with engine.begin() as conn:
        return import_into(conn, kind, path, today=today, progress=progress)


def import_into(
    conn: Connection,
    kind: str,
    path: Path | str,
    *,
    today: dt.date | None = None,
    progress: bool = False,
    sha256: str | None = None,
) -> ImportResult:
    """``import_file`` inside the caller's transaction (``import-ledger`` takes six files in one).

    On ``ImportRefused`` the caller must roll back: rows of earlier chunks may be written.
    """
    path = Path(path)
    handler = KIND_HANDLERS[kind]
    today = today or dt.date.today()
    parsers = handler.parsers(today)
    required = tuple(c for c, (_, req) in parsers.items() if req)
    optional = tuple(c for c, (_, req) in parsers.items() if not req)
    table = open_table(path, required, optional, handler.refused_columns)
    # ``sha256``: already verified by the caller (import-ledger's manifest), not read twice.
    result = ImportResult(kind, path.name, sha256 or file_sha256(path))
    run = _Run(conn, path.name, today, result)
    run.state["large"] = path.stat().st_size > LARGE_FILE
    handler.start(run)
    rows = _parsed_rows(run, table, parsers)
    with tqdm(desc=f"import {kind}", unit=" rows", disable=not progress, leave=False) as bar:
        for chunk in _chunks(rows, CHUNK):
            handler.apply(run, chunk)
            bar.update(len(chunk))
    if run.errors:
        raise ImportRefused(path.name, run.errors, len(run.bad_lines))
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
