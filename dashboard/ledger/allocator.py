"""`lingkaran allocate`: turn donations into coverage rows (docs/contract.md "Allocation").

The rules, in the contract's words: donations in (received_on, donation_id) order; each funds
blocks of ``months_per_worker`` months from the month after it was received (S), priced at the
JKK+JKM rates plus (v2) the JHT rates for a ``jkk_jkm_jht`` donation; eligible workers
registered before S, match the earmarks and have no coverage and (v2) no self-paid month in
the block; served in (registered_on, worker_id) order; never a partial block. Deterministic
and append-only.

Two ways to find a block's workers, with the same answer (tests/ledger/test_allocator.py holds
them to it):

- a run that buys few blocks (a week's donations) walks the workers in registration order in
  the database, page by page, skipping those whose coverage or self-paid months meet the
  block, and stops when it has them: its time and memory follow the rows it writes, not the
  size of the ledger;
- a run that buys many (a new ledger, a large import) holds every worker as NumPy arrays in
  registration order, so choosing the eligible workers for one donation is a handful of
  vectorised comparisons over a prefix of the array: the full 2,000,000-worker programme
  allocates in minutes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import (
    Connection,
    Engine,
    delete,
    exists,
    func,
    insert,
    select,
    union,
    union_all,
    update,
)

from dashboard.core.errors import LedgerError, Message, Rupiah, message
from dashboard.core.labels import N_
from dashboard.core.months import first_day, month_label, month_of
from dashboard.core.progress import Report, progress_bar
from dashboard.core.vocabulary import (
    BASE_JHT_MONTHLY_IDR,
    JKK_JKM,
    JKK_JKM_JHT,
    OCCUPATIONS,
    provinces,
)
from dashboard.ledger.bulk import indexes_after, insert_rows
from dashboard.ledger.check_runs import MOVED
from dashboard.ledger.db import (
    STATISTICS_AFTER_ROWS,
    refresh_statistics,
    tidy_after_bulk,
    writing,
)
from dashboard.ledger.derived import (
    MAX_BLOCK_MONTHS,
    REFRESH_CHUNK,
    last_coverage_id,
    refresh,
)
from dashboard.ledger.schema import (
    COVERAGE_COLUMNS,
    AllocationRun,
    Coverage,
    CoverageTotal,
    Donation,
    ExhaustedDonation,
    LedgerChange,
    Rate,
    SelfPaid,
    Worker,
    WorkerBusy,
    sum_int,
)

NEVER = np.iinfo(np.int32).max
WRITE_BATCH = 50_000
# Up to this many blocks bought in a run, the database finds each block's workers
# (worker_busy); beyond it every worker is loaded once into memory (docs/architecture.md
# "A write costs what it changes").
WALK_UP_TO_BLOCKS = 20_000


@dataclass(frozen=True)
class DonationAllocation:
    donation_id: str
    start_month: int
    months: int
    workers: int
    amount_idr: int


@dataclass(frozen=True)
class UnspentDonation:
    """A donation whose money could still buy a block, or that bought nothing at all, after
    the run; ``reason`` says why, in words a data manager can act on."""

    donation_id: str
    left_idr: int
    workers: int  # paid for in this run
    reason: Message


@dataclass(frozen=True)
class LateStart:
    """A donation not yet allocated whose blocks would start in a month already past."""

    donation_id: str
    received_on: dt.date
    start_month: int
    months_ago: int


@dataclass
class AllocationResult:
    donations: list[DonationAllocation] = field(default_factory=list)
    unspent: list[UnspentDonation] = field(default_factory=list)
    written: bool = True

    @property
    def coverage_rows(self) -> int:
        return sum(d.workers for d in self.donations)

    @property
    def amount_idr(self) -> int:
        return sum(d.amount_idr for d in self.donations)

    @property
    def protected_months(self) -> int:
        return sum(d.workers * d.months for d in self.donations)


_RATES = select(Rate.effective_month, Rate.monthly_idr, Rate.jht_monthly_idr).order_by(
    Rate.effective_month
)  # built once: the headline reads the schedule on every call


class RateSchedule:
    """The monthly contributions in force for any month, from the ``rates`` table: JKK+JKM,
    and (v2) JHT, whose rate carries forward from the last row that gave one."""

    def __init__(self, conn: Connection) -> None:
        rows = conn.execute(_RATES).all()
        if not rows:
            raise LedgerError("the ledger has no contribution rates: import rates first")
        self._months = [month for month, _, _ in rows]
        self._amounts = [amount for _, amount, _ in rows]
        self._jht_amounts = []
        jht = BASE_JHT_MONTHLY_IDR
        for _, _, given in rows:
            jht = jht if given is None else given
            self._jht_amounts.append(jht)

    def _index(self, month: int) -> int:
        index = int(np.searchsorted(self._months, month, side="right")) - 1
        if index < 0:
            raise LedgerError("no contribution rate is in force before the schedule starts")
        return index

    def monthly(self, month: int) -> int:
        return int(self._amounts[self._index(month)])

    def jht_monthly(self, month: int) -> int:
        return int(self._jht_amounts[self._index(month)])

    def jht_cost(self, start: int, months: int) -> int:
        """The JHT part of a block of a ``jkk_jkm_jht`` donation (docs/contract.md "Figures")."""
        return sum(self.jht_monthly(month) for month in range(start, start + months))

    def jht_total(self, blocks) -> int:
        """The JHT part of many blocks at once: the sum of ``jht_cost(start, months) * rows``
        over (start, months, rows), from running totals of the JHT rate month by month."""
        start, length, rows = (
            np.array(column, dtype=np.int64) for column in zip(*blocks, strict=True)
        )
        first = int(start.min())
        months = np.arange(first, int((start + length).max()), dtype=np.int64)
        index = np.searchsorted(self._months, months, side="right") - 1
        if (index < 0).any():
            raise LedgerError("no contribution rate is in force before the schedule starts")
        running = np.concatenate(([0], np.cumsum(np.asarray(self._jht_amounts)[index])))
        costs = running[start + length - first] - running[start - first]
        return int((costs * rows).sum())

    def block_cost(self, start: int, months: int, package: str = JKK_JKM) -> int:
        """The sum of the monthly rates in force over a block (docs/contract.md "Allocation" 2),
        plus the JHT rates for a ``jkk_jkm_jht`` donation (v2)."""
        cost = sum(self.monthly(month) for month in range(start, start + months))
        if package == JKK_JKM_JHT:
            cost += self.jht_cost(start, months)
        return cost


class _WorkersInMemory:
    """All workers in (registered_on, worker_id) order, with what coverage each one holds."""

    def __init__(self, conn: Connection) -> None:
        province_codes = {code: i for i, code in enumerate(sorted(provinces()))}
        occupation_codes = {code: i for i, code in enumerate(OCCUPATIONS)}
        self.province_codes, self.occupation_codes = province_codes, occupation_codes
        rows = conn.execute(
            select(Worker.id, Worker.registered_on, Worker.province, Worker.occupation).order_by(
                Worker.registered_on, Worker.worker_id
            )
        ).all()
        count = len(rows)
        self.keys = np.fromiter((r[0] for r in rows), dtype=np.int64, count=count)
        self.registered = np.fromiter((r[1].toordinal() for r in rows), np.int32, count=count)
        self.province = np.fromiter((province_codes[r[2]] for r in rows), np.int8, count=count)
        self.occupation = np.fromiter((occupation_codes[r[3]] for r in rows), np.int8, count=count)
        del rows
        position = np.zeros(int(self.keys.max()) + 1 if count else 1, dtype=np.int64)
        position[self.keys] = np.arange(count)
        # busy_until: last month covered by intervals that start on or before the current S.
        # next_start: first month of the next interval that starts after the current S.
        self.busy_until = np.full(count, -1, dtype=np.int32)
        self.next_start = np.full(count, NEVER, dtype=np.int32)
        # A worker's coverage and (v2) self-paid months both make a block that touches them
        # ineligible (docs/contract.md "Allocation" 3): to the allocator both are busy months.
        spans = conn.execute(
            union_all(
                select(Coverage.worker_key, Coverage.start_month, Coverage.months),
                select(SelfPaid.worker_key, SelfPaid.start_month, SelfPaid.months),
            )
        ).all()
        worker = position[np.fromiter((s[0] for s in spans), np.int64, count=len(spans))]
        start = np.fromiter((s[1] for s in spans), np.int32, count=len(spans))
        end = start + np.fromiter((s[2] for s in spans), np.int32, count=len(spans)) - 1
        order = np.lexsort((start, worker))  # each worker's intervals in start order
        worker, start, end = worker[order], start[order], end[order]
        same_next = np.append(worker[1:] == worker[:-1], False)
        following = np.where(same_next, np.append(start[1:], NEVER), NEVER)
        first = np.append(True, worker[1:] != worker[:-1]) if len(worker) else worker.astype(bool)
        self.next_start[worker[first]] = start[first]
        by_start = np.argsort(start, kind="stable")
        self._pending = (worker[by_start], start[by_start], end[by_start], following[by_start])
        self._cursor = 0

    def advance_to(self, month: int) -> None:
        """Fold every interval that starts on or before ``month`` into ``busy_until``."""
        worker, start, end, following = self._pending
        stop = int(np.searchsorted(start, month, side="right"))
        for i in range(self._cursor, stop):
            w = worker[i]
            self.busy_until[w] = max(self.busy_until[w], end[i])
            self.next_start[w] = following[i]
        self._cursor = max(self._cursor, stop)

    def shortfall(self, donation, start: int, months: int) -> Message:
        """Why no (more) worker is eligible for ``donation``'s block at ``start``."""
        registered = int(np.searchsorted(self.registered, first_day(start).toordinal(), "left"))
        matching = np.ones(registered, dtype=bool)
        if donation.earmark_province:
            matching &= self.province[:registered] == self.province_codes[donation.earmark_province]
        if donation.earmark_occupation:
            code = self.occupation_codes[donation.earmark_occupation]
            matching &= self.occupation[:registered] == code
        return _shortfall(donation, start, months, registered > 0, bool(matching.any()))

    def eligible(self, donation, start: int, months: int, wanted: int) -> list[int]:
        """Keys of the first ``wanted`` eligible workers (docs/contract.md "Allocation" 3);
        donations come in the contract's order, so ``start`` never goes back."""
        self.advance_to(start)
        end = start + months - 1
        registered = int(np.searchsorted(self.registered, first_day(start).toordinal(), "left"))
        free = (self.busy_until[:registered] < start) & (self.next_start[:registered] > end)
        if donation.earmark_province:
            free &= self.province[:registered] == self.province_codes[donation.earmark_province]
        if donation.earmark_occupation:
            code = self.occupation_codes[donation.earmark_occupation]
            free &= self.occupation[:registered] == code
        chosen = np.flatnonzero(free)[:wanted]
        self.busy_until[chosen] = end
        return self.keys[chosen].tolist()  # Python ints, not NumPy's


class _WorkerWalk:
    """The workers a block may pay for, found in the database from worker_busy.

    A worker with B (the last month their coverage or self-paid months hold) before the
    block's first month S is free for it; for each value of B those workers are one run of
    an index already in the contract's order (registered_on, worker_id). So the first
    eligible workers are the first of a merge of the runs' first ``wanted`` each, one per
    month from the first B to S - 1 (and -1: never covered), plus the few workers with B
    at or after S who are free in the block all the same (their months start after it):
    one query, whose reads follow the months and the blocks bought, not the ledger. Each
    choice moves the chosen workers' B in the same transaction, and the donation's rows are
    written before the next donation's query."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.first_busy = conn.execute(
            select(func.min(WorkerBusy.busy_until)).where(WorkerBusy.busy_until >= 0)
        ).scalar()

    def eligible(self, donation, start: int, months: int, wanted: int) -> list[int]:
        """Keys of the first ``wanted`` eligible workers (docs/contract.md "Allocation" 3)."""
        end = start + months - 1
        kept = _could_serve(WorkerBusy, donation, start)
        order = (WorkerBusy.registered_on, WorkerBusy.worker_id)
        columns = (WorkerBusy.worker_key, *order)
        first = start if self.first_busy is None else min(self.first_busy, start)
        runs = [
            select(*columns)
            .where(WorkerBusy.busy_until == busy, *kept)
            .order_by(*order)
            .limit(wanted)
            .subquery()
            for busy in (-1, *range(first, start))
        ]

        def meets(table):
            return exists().where(
                table.worker_key == WorkerBusy.worker_key,
                table.start_month <= end,
                table.start_month > start - MAX_BLOCK_MONTHS,  # lets the key bound the probe
                table.start_month + table.months > start,
            )

        later = union(
            select(Coverage.worker_key).where(Coverage.start_month > end),
            select(SelfPaid.worker_key).where(SelfPaid.start_month > end),
        ).subquery()
        free_before_later = (
            select(*columns)
            .where(
                WorkerBusy.worker_key.in_(select(later.c.worker_key)),
                WorkerBusy.busy_until >= start,
                *kept,
                ~meets(Coverage),
                ~meets(SelfPaid),
            )
            .order_by(*order)
            .limit(wanted)
            .subquery()
        )
        merged = union_all(*(select(*run.c) for run in (*runs, free_before_later))).subquery()
        chosen = list(
            self.conn.execute(
                select(merged.c.worker_key)
                .order_by(merged.c.registered_on, merged.c.worker_id)
                .limit(wanted)
            ).scalars()
        )
        for at in range(0, len(chosen), REFRESH_CHUNK):
            self.conn.execute(
                update(WorkerBusy)
                .where(
                    WorkerBusy.worker_key.in_(chosen[at : at + REFRESH_CHUNK]),
                    WorkerBusy.busy_until < end,
                )
                .values(busy_until=end)
            )
        if chosen and (self.first_busy is None or end < self.first_busy):
            self.first_busy = end
        return chosen

    def shortfall(self, donation, start: int, months: int) -> Message:
        """Why no (more) worker is eligible for ``donation``'s block at ``start``."""
        return _database_shortfall(self.conn, WorkerBusy, donation, start, months)


class _Exhausted:
    """Donations left with money that could buy blocks because no worker was eligible,
    passed by until a worker who could be eligible appears (``ExhaustedDonation``)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.known = {
            key: (worker_upto, change_upto)
            for key, worker_upto, change_upto in conn.execute(select(ExhaustedDonation.__table__))
        }
        self.worker_upto = conn.execute(select(func.coalesce(func.max(Worker.id), 0))).scalar_one()
        self.change_upto = conn.execute(
            select(func.coalesce(func.max(LedgerChange.id), 0))
        ).scalar_one()
        self.fresh: set[int] = set()

    def still(self, donation, start: int) -> bool:
        """True when no worker registered before ``start`` (and matching the earmarks) was
        added or moved since the donation last found too few workers."""
        if donation.id not in self.known:
            return False
        worker_upto, change_upto = self.known[donation.id]
        kept = _could_serve(Worker, donation, start)
        added = select(Worker.id).where(Worker.id > worker_upto, *kept).limit(1)
        moved = (
            select(Worker.id)
            .join(LedgerChange, LedgerChange.key == Worker.id)
            .where(LedgerChange.id > change_upto, LedgerChange.kind == MOVED, *kept)
            .limit(1)
        )
        return self.conn.execute(added).first() is None and (
            self.conn.execute(moved).first() is None
        )

    def shortfall(self, donation, start: int, months: int) -> Message:
        return _database_shortfall(self.conn, Worker, donation, start, months)

    def found_too_few(self, donation) -> None:
        self.fresh.add(donation.id)

    def store(self) -> None:
        """Record the donations found short in this run, as of the workers now."""
        keys = sorted(self.fresh)
        for at in range(0, len(keys), REFRESH_CHUNK):
            chunk = keys[at : at + REFRESH_CHUNK]
            self.conn.execute(
                delete(ExhaustedDonation).where(ExhaustedDonation.donation_key.in_(chunk))
            )
        insert_rows(
            self.conn,
            ExhaustedDonation,
            ("donation_key", "worker_upto", "change_upto"),
            [(key, self.worker_upto, self.change_upto) for key in keys],
        )


def _could_serve(table, donation, start: int) -> list:
    """Conditions on ``table`` (workers or worker_busy) for the workers a donation's block
    at ``start`` could pay for, busy or not: registered before S, matching its earmarks."""
    kept = [table.registered_on < first_day(start)]
    if donation.earmark_province:
        kept.append(table.province == donation.earmark_province)
    if donation.earmark_occupation:
        kept.append(table.occupation == donation.earmark_occupation)
    return kept


def _database_shortfall(conn: Connection, table, donation, start: int, months: int) -> Message:
    """``_shortfall`` read from ``table`` (workers or worker_busy)."""
    kept = _could_serve(table, donation, start)
    registered = select(table.registered_on).where(kept[0]).limit(1)
    matching = select(table.registered_on).where(*kept).limit(1)
    return _shortfall(
        donation,
        start,
        months,
        conn.execute(registered).first() is not None,
        conn.execute(matching).first() is not None,
    )


def _shortfall(donation, start: int, months: int, registered: bool, matching: bool) -> Message:
    """Why no (more) worker is eligible for ``donation``'s block at ``start``: nobody
    registered in time, nobody matching its earmark, or everyone it may pay for busy."""
    if not registered:
        return message(N_("no worker was registered before {month}"), month=month_label(start))
    if not matching:
        earmarks = [e for e in (donation.earmark_province, donation.earmark_occupation) if e]
        return message(
            N_("no worker registered before {month} matches its earmark ({earmark})"),
            month=month_label(start),
            earmark=", ".join(earmarks),
        )
    return message(
        N_(
            "every worker it may pay for already has coverage or self-paid months "
            "in {first} to {last}"
        ),
        first=month_label(start),
        last=month_label(start + months - 1),
    )


def _donations_and_spent(conn: Connection) -> list:
    """Every donation with what its coverage has spent, in the contract's order
    (docs/contract.md "Allocation" 1); read from coverage_totals, a row per donation and
    block, so the cost follows the donations, not the coverage rows."""
    spent = (
        select(
            CoverageTotal.donation_key,
            sum_int(CoverageTotal.amount_idr * CoverageTotal.row_count).label("spent"),
        )
        .group_by(CoverageTotal.donation_key)
        .subquery()
    )
    return conn.execute(
        select(Donation, func.coalesce(spent.c.spent, 0).label("spent"))
        .outerjoin(spent, spent.c.donation_key == Donation.id)
        .order_by(Donation.received_on, Donation.donation_id)
    ).all()


def late_starts(engine: Engine, today: dt.date | None = None) -> list[LateStart]:
    """Donations with no coverage yet, able to pay a block, whose blocks would start in a
    month before ``today``'s (docs/contract.md "Allocation" 2: S is the month after receipt,
    whenever the allocator runs). Read before allocating, so the warning comes before the
    writing: coverage really bought in those months is imported (``import coverage``)
    first, as allocation only appends."""
    this_month = month_of(today or dt.date.today())
    late = []
    with engine.connect() as conn:
        rates = RateSchedule(conn)
        for donation in _donations_and_spent(conn):
            start = month_of(donation.received_on) + 1
            if donation.spent or start >= this_month:
                continue
            if donation.amount_idr >= rates.block_cost(
                start, donation.months_per_worker, donation.package
            ):
                late.append(
                    LateStart(donation.donation_id, donation.received_on, start, this_month - start)
                )
    return late


def _plan(conn: Connection) -> list[tuple]:
    """Every donation in the contract's order with (S, months, block cost, money left,
    blocks it can buy)."""
    rates = RateSchedule(conn)
    plan = []
    for donation in _donations_and_spent(conn):
        start = month_of(donation.received_on) + 1
        months = donation.months_per_worker
        cost = rates.block_cost(start, months, donation.package)
        left = donation.amount_idr - donation.spent
        plan.append((donation, start, months, cost, left, left // cost))
    return plan


def allocate(
    engine: Engine,
    *,
    progress: bool | Report = False,
    dry_run: bool = False,
    in_memory: bool | None = None,
    remember: bool = True,
) -> AllocationResult:
    """Allocate every donation's unspent money; creates only what does not exist yet, and
    names each donation left with money it could spend, or with nothing spent, and why.
    ``progress`` draws a bar (True) or reports each donation done (a ``Report``);
    ``dry_run`` computes everything and writes nothing; ``in_memory`` chooses how workers
    are found (None: by the number of blocks the donations can buy; the result is the same);
    ``remember`` False tries again every donation no worker was eligible for (``_Exhausted``;
    the result is the same)."""
    result = AllocationResult(written=not dry_run)
    with engine.connect() as conn, conn.begin() as transaction:
        writing(conn)  # a second allocation at once waits, then reads what this one left
        plan = _plan(conn)
        exhausted = _Exhausted(conn) if remember else None
        passed = {
            row[0].id
            for row in plan
            if row[5] > 0 and exhausted is not None and exhausted.still(row[0], row[1])
        }
        blocks = sum(row[5] for row in plan if row[5] > 0 and row[0].id not in passed)
        if in_memory is None:
            in_memory = blocks > WALK_UP_TO_BLOCKS
        has_workers = blocks > 0 and conn.execute(select(Worker.id).limit(1)).first() is not None
        workers = None
        if has_workers:
            workers = _WorkersInMemory(conn) if in_memory else _WorkerWalk(conn)
        since = last_coverage_id(conn)
        pending: list[tuple] = []
        # A new ledger's coverage is filled bare (the walk reads coverage as it goes).
        new = in_memory and since == 0
        with indexes_after(conn, Coverage) if new else contextlib.nullcontext():
            for donation, start, months, cost, left, affordable in progress_bar(
                progress, plan, desc="allocate", unit=" donations"
            ):
                if affordable <= 0:
                    if not donation.spent:  # a remainder below one block is not news; this is
                        result.unspent.append(
                            UnspentDonation(
                                donation.donation_id, left, 0, _less_than_a_block(months, cost)
                            )
                        )
                    continue
                if workers is None and donation.id not in passed:
                    reason = message(N_("the ledger has no workers (import workers first)"))
                    result.unspent.append(UnspentDonation(donation.donation_id, left, 0, reason))
                    continue
                if donation.id in passed:  # no worker can have become eligible since
                    result.unspent.append(
                        UnspentDonation(
                            donation.donation_id,
                            left,
                            0,
                            exhausted.shortfall(donation, start, months),
                        )
                    )
                    continue
                chosen = workers.eligible(donation, start, months, affordable)
                if len(chosen) < affordable and exhausted is not None:
                    exhausted.found_too_few(donation)
                if len(chosen) < affordable:  # money that could buy blocks stays unspent
                    result.unspent.append(
                        UnspentDonation(
                            donation.donation_id,
                            left - cost * len(chosen),
                            len(chosen),
                            workers.shortfall(donation, start, months),
                        )
                    )
                if not chosen:
                    continue
                pending.extend(
                    (donation.id, key, start, months, cost, "allocator") for key in chosen
                )
                result.donations.append(
                    DonationAllocation(
                        donation.donation_id, start, months, len(chosen), cost * len(chosen)
                    )
                )
                # The walk reads the database: the next donation's query must see these rows.
                if not in_memory or len(pending) >= WRITE_BATCH:
                    insert_rows(conn, Coverage, COVERAGE_COLUMNS, pending)
                    pending.clear()
            insert_rows(conn, Coverage, COVERAGE_COLUMNS, pending)
        if exhausted is not None:
            exhausted.store()
        bulk = result.coverage_rows >= STATISTICS_AFTER_ROWS
        if bulk:
            refresh_statistics(conn)  # the refresh below plans over the new coverage rows
        if dry_run:
            transaction.rollback()
            return result
        refresh(conn, since)
        conn.execute(
            insert(AllocationRun).values(
                ran_at=dt.datetime.now(dt.UTC),
                coverage_rows=result.coverage_rows,
                amount_idr=result.amount_idr,
            )
        )
    if bulk:
        tidy_after_bulk(engine)
    return result


LESS_THAN_A_BLOCK = N_("less than one block: {months} month(s) for one worker cost {cost}")


def _less_than_a_block(months: int, cost: int) -> Message:
    return message(LESS_THAN_A_BLOCK, months=months, cost=Rupiah(cost))
