"""Keep the derived tables in step with the ledger, in the transaction of every write.

- coverage_totals, donor_workers, covered_workers and the two continuation tables follow
  coverage: coverage is append-only, so after a write it is enough to look at the rows with
  an id above the highest id before it. The allocator and the coverage import call
  ``refresh``.
- whether a worker continued also follows self-paid months: the self-paid import calls
  ``refresh_continued`` for the workers it touched.
- donor_spans (a period's ended and continued workers) follows both: ``refresh`` and
  ``refresh_continued`` recompute the donors they touch (``refresh_spans``).
- confirmation_totals and unconfirmed_coverage follow confirmations (and coverage, for the
  second): the confirmation import calls ``refresh_confirmed``.
- donation_cells, donation_flows and donation_claims (what the donor pages read) follow
  coverage, the attributes of the workers it covers and, for flows and claims, paid
  claims: ``refresh`` recomputes the donations a coverage write can change; the workers
  and claims imports call ``refresh_workers`` for the workers they touched.

`lingkaran check` recomputes every table (the ``*_query`` functions) and compares.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from itertools import groupby
from operator import itemgetter

from sqlalchemy import (
    Connection,
    Select,
    String,
    and_,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.orm import aliased

from dashboard.ledger.bulk import indexes_after, insert_rows
from dashboard.ledger.schema import (
    Claim,
    Confirmation,
    ConfirmationTotal,
    Coverage,
    CoverageTotal,
    CoveredWorker,
    Donation,
    DonationCell,
    DonationClaim,
    DonationFlow,
    DonorContinuation,
    DonorSpan,
    DonorWorker,
    ProgrammeContinuation,
    SelfPaid,
    UnconfirmedCoverage,
    Worker,
    WorkerBusy,
    sum_int,
)

MAX_BLOCK_MONTHS = 60  # coverage and self-paid rows are 1..60 months long
CONTINUATION_WINDOW = 3  # months after the last covered month (docs/contract.md)
# docs/contract.md "Figures": a JHT claim is the worker's own savings, never made possible by a
# donation; only JKK and JKM claims inside coverage are attributed to a donor.
ATTRIBUTED_PROGRAMS = ("JKK", "JKM")


def covering(month_column, rows=Coverage) -> object:
    """Coverage rows (``rows``: coverage, or an alias of some of its rows) that include
    ``month_column`` (a month index column or value)."""
    return and_(
        rows.start_month <= month_column,
        rows.start_month > month_column - MAX_BLOCK_MONTHS,  # lets the index bound the scan
        rows.start_month + rows.months > month_column,
    )


def attributable_claim() -> object:
    """Paid JKK and JKM claims: the only claims a donor's coverage can make possible."""
    return and_(Claim.status == "paid", Claim.program.in_(ATTRIBUTED_PROGRAMS))


def last_coverage_id(conn: Connection) -> int:
    return conn.execute(select(func.coalesce(func.max(Coverage.id), 0))).scalar_one()


def last_covered_month():
    """The last month a coverage row protects, as an SQL expression."""
    return Coverage.start_month + Coverage.months - 1


def continued_after(worker_key, last_month, self_paid_upto: int | None = None):
    """True when the worker paid for themselves in one of the months after ``last_month``
    (L+1 .. L+3; docs/contract.md "continued_workers"), as an SQL expression; with
    ``self_paid_upto``, from the self-paid rows of id <= it only (`check --since`)."""
    upto = [] if self_paid_upto is None else [SelfPaid.id <= self_paid_upto]
    return (
        select(SelfPaid.id)
        .where(
            SelfPaid.worker_key == worker_key,
            SelfPaid.start_month <= last_month + CONTINUATION_WINDOW,
            SelfPaid.start_month + SelfPaid.months > last_month + 1,
            SelfPaid.start_month > last_month - MAX_BLOCK_MONTHS,  # lets the index bound it
            *upto,
        )
        .exists()
    )


def coverage_totals_query(donation_keys=None) -> Select:
    """The grouping coverage_totals holds, computed from the coverage rows themselves."""
    query = select(
        Coverage.donation_key,
        Coverage.start_month,
        Coverage.months,
        Coverage.amount_idr,
        func.count().label("row_count"),
    ).group_by(Coverage.donation_key, Coverage.start_month, Coverage.months, Coverage.amount_idr)
    if donation_keys is not None:
        query = query.where(Coverage.donation_key.in_(donation_keys))
    return query


def _bounded(query, worker_keys, coverage_upto, self_paid_upto):
    """``query`` over coverage for some workers, as it stood when coverage and self-paid ids
    went up to the given bounds (None: no bound), for the refresh that computes a write's
    change as the state after it less the state before it."""
    if worker_keys is not None:
        query = query.where(Coverage.worker_key.in_(worker_keys))
    if coverage_upto is not None:
        query = query.where(Coverage.id <= coverage_upto)
    return query


def donor_workers_query(
    donor_keys=None, worker_keys=None, coverage_upto=None, self_paid_upto=None
) -> Select:
    """donor_workers as computed from coverage (and self-paid months), for some donors
    (and workers; as of id bounds: ``_bounded``)."""
    pairs = (
        select(
            Donation.donor_key,
            Coverage.worker_key,
            func.max(last_covered_month()).label("last_month"),
        )
        .join(Donation, Donation.id == Coverage.donation_key)
        .group_by(Donation.donor_key, Coverage.worker_key)
    )
    if donor_keys is not None:
        pairs = pairs.where(Donation.donor_key.in_(donor_keys))
    pairs = _bounded(pairs, worker_keys, coverage_upto, None).subquery()
    return select(
        pairs.c.donor_key,
        pairs.c.worker_key,
        pairs.c.last_month,
        continued_after(pairs.c.worker_key, pairs.c.last_month, self_paid_upto).label("continued"),
    )


def covered_workers_query(worker_keys=None, coverage_upto=None, self_paid_upto=None) -> Select:
    """covered_workers as computed from coverage (and self-paid months), for some workers
    (as of id bounds: ``_bounded``)."""
    workers = select(
        Coverage.worker_key,
        func.max(last_covered_month()).label("last_month"),
        sum_int(Coverage.months).label("stimulus_months"),
    ).group_by(Coverage.worker_key)
    workers = _bounded(workers, worker_keys, coverage_upto, None).subquery()
    return select(
        workers.c.worker_key,
        workers.c.last_month,
        workers.c.stimulus_months,
        continued_after(workers.c.worker_key, workers.c.last_month, self_paid_upto).label(
            "continued"
        ),
    )


def donor_continuation_query(donor_keys=None) -> Select:
    query = select(
        DonorWorker.donor_key,
        DonorWorker.last_month,
        DonorWorker.continued,
        func.count().label("workers"),
    ).group_by(DonorWorker.donor_key, DonorWorker.last_month, DonorWorker.continued)
    if donor_keys is not None:
        query = query.where(DonorWorker.donor_key.in_(donor_keys))
    return query


def programme_continuation_query() -> Select:
    return select(
        CoveredWorker.last_month,
        CoveredWorker.stimulus_months,
        CoveredWorker.continued,
        func.count().label("workers"),
    ).group_by(CoveredWorker.last_month, CoveredWorker.stimulus_months, CoveredWorker.continued)


def confirmation_totals_query(donation_keys=None) -> Select:
    query = select(
        Confirmation.donation_key,
        Confirmation.confirmed_on,
        sum_int(Confirmation.amount_idr).label("confirmed_idr"),
        func.count().label("confirmed_rows"),
    ).group_by(Confirmation.donation_key, Confirmation.confirmed_on)
    if donation_keys is not None:
        query = query.where(Confirmation.donation_key.in_(donation_keys))
    return query


def _refresh_continuation(conn: Connection, donor_keys) -> None:
    """The continuation counts of ``donor_keys`` and of the programme, from the worker tables."""
    conn.execute(delete(DonorContinuation).where(DonorContinuation.donor_key.in_(donor_keys)))
    conn.execute(
        insert(DonorContinuation).from_select(
            ["donor_key", "last_month", "continued", "workers"],
            donor_continuation_query(donor_keys),
        )
    )
    conn.execute(delete(ProgrammeContinuation))
    conn.execute(
        insert(ProgrammeContinuation).from_select(
            ["last_month", "stimulus_months", "continued", "workers"],
            programme_continuation_query(),
        )
    )


SPAN_COLUMNS = (
    "donor_key",
    "before_on",
    "first_on",
    "last_on",
    "after_on",
    "last_month",
    "continued",
    "workers",
)


def dated_rows(donor_keys, worker_keys=None, coverage_upto=None, self_paid_upto=None) -> Select:
    """Per donor, worker and receipt date: the last month those rows cover and whether the
    worker continued after it, in the order donor_spans walks them (for some donors and
    workers; as of id bounds: ``_bounded``)."""
    dated = (
        select(
            Donation.donor_key,
            Coverage.worker_key,
            Donation.received_on,
            func.max(last_covered_month()).label("last_month"),
        )
        .join(Donation, Donation.id == Coverage.donation_key)
        .group_by(Donation.donor_key, Coverage.worker_key, Donation.received_on)
    )
    if donor_keys is not None:
        dated = dated.where(Donation.donor_key.in_(donor_keys))
    dated = _bounded(dated, worker_keys, coverage_upto, None).subquery()
    return select(
        dated.c.donor_key,
        dated.c.worker_key,
        dated.c.received_on,
        dated.c.last_month,
        continued_after(dated.c.worker_key, dated.c.last_month, self_paid_upto),
    ).order_by(dated.c.donor_key, dated.c.worker_key, dated.c.received_on)


def donor_spans(conn: Connection, donor_keys=None, query: Select | None = None) -> Counter:
    """donor_spans as computed from coverage and self-paid months: (donor, before, first,
    last, after, L, continued) -> workers. One ordered pass; a run's L is the largest of
    its dates' last months, and whether the worker continued after L was already computed
    for the date that has it. ``query``: other dated rows than ``dated_rows(donor_keys)``."""
    spans: Counter = Counter()
    query = dated_rows(donor_keys) if query is None else query
    rows = conn.execute(query.execution_options(yield_per=20_000))
    for (donor, _worker), dated in groupby(rows, key=itemgetter(0, 1)):
        dated = list(dated)
        dates = [row[2] for row in dated]
        for i in range(len(dated)):
            before = dates[i - 1] if i else None
            last_month, continued = -1, False
            for j in range(i, len(dated)):
                if dated[j][3] > last_month:
                    last_month, continued = dated[j][3], bool(dated[j][4])
                after = dates[j + 1] if j + 1 < len(dated) else None
                spans[(donor, before, dates[i], dates[j], after, last_month, continued)] += 1
    return spans


def refresh_spans(conn: Connection, donor_keys) -> None:
    """Recompute donor_spans for ``donor_keys`` (None: every donor)."""
    if donor_keys is None:
        conn.execute(delete(DonorSpan))
    else:
        donor_keys = sorted(set(donor_keys))
        if not donor_keys:
            return
        conn.execute(delete(DonorSpan).where(DonorSpan.donor_key.in_(donor_keys)))
    rows = [(*key, workers) for key, workers in donor_spans(conn, donor_keys).items()]
    insert_rows(conn, DonorSpan, SPAN_COLUMNS, rows)


# A write of up to this many coverage rows (or of self-paid months for up to this many workers)
# is folded in as its change: the state of the workers it touched after it, less their state
# before it, so its cost follows the write. A larger one (a new ledger, a large import) has
# the donors it touched recomputed whole.
INCREMENTAL_UP_TO = 20_000


def refresh(conn: Connection, since_id: int) -> None:
    """Fold the coverage rows with ``id > since_id`` into the derived tables."""
    fresh = conn.execute(
        select(func.count()).select_from(Coverage).where(Coverage.id > since_id)
    ).scalar_one()
    if not fresh:
        return
    if fresh > INCREMENTAL_UP_TO:
        _refresh_donors_whole(conn, since_id)
        return
    _add_coverage_totals(conn, since_id)
    # Made distinct here, not by the database: for SELECT DISTINCT SQLite reads the whole
    # (worker, start month) index, 19 million entries at 10,000,000 workers (0.75 s),
    # instead of the few new rows by their ids (0.2 ms).
    workers = sorted(
        set(conn.execute(select(Coverage.worker_key).where(Coverage.id > since_id)).scalars())
    )
    refresh_worker_state(conn, workers, coverage_upto=since_id)
    refresh_worker_busy(conn, workers)
    refresh_unconfirmed(conn, since_id)
    refresh_donor_pages(conn, since_id, workers)


def _refresh_donors_whole(conn: Connection, since_id: int) -> None:
    """``refresh`` for a large write: the donors and workers the new rows touch are
    recomputed whole from coverage (into bare tables on a new ledger: no coverage before)."""
    with indexes_after(conn, *WHOLE_TABLES) if since_id == 0 else contextlib.nullcontext():
        _recompute_donors(conn, since_id)


# What a whole refresh writes (worker_busy is filled at the workers' import, never empty here).
WHOLE_TABLES = (
    CoverageTotal,
    DonorWorker,
    CoveredWorker,
    DonorContinuation,
    ProgrammeContinuation,
    DonorSpan,
    UnconfirmedCoverage,
    DonationCell,
    DonationFlow,
    DonationClaim,
)


def _recompute_donors(conn: Connection, since_id: int) -> None:
    fresh = select(Coverage).where(Coverage.id > since_id).subquery()
    donations = select(fresh.c.donation_key).distinct()
    conn.execute(delete(CoverageTotal).where(CoverageTotal.donation_key.in_(donations)))
    conn.execute(
        insert(CoverageTotal).from_select(
            ["donation_key", "start_month", "months", "amount_idr", "row_count"],
            coverage_totals_query(donations),
        )
    )
    donors = (
        select(Donation.donor_key).where(Donation.id.in_(select(fresh.c.donation_key))).distinct()
    )
    conn.execute(delete(DonorWorker).where(DonorWorker.donor_key.in_(donors)))
    # In key order: the grouping hands out its (donor, worker) pairs in hash order, and
    # inserting millions of them at random places of the primary key's index is what took
    # a new 10,000,000-worker ledger's donor_workers 907 s on PostgreSQL (covered_workers,
    # grouped by its one key and so written in order, took 117 s for 10,000,000 rows). The
    # same 8,000,000 pairs into the same table: 761 s in hash order, 253 s in key order.
    whole = donor_workers_query(donors)
    conn.execute(
        insert(DonorWorker).from_select(
            ["donor_key", "worker_key", "last_month", "continued"],
            whole.order_by(*list(whole.selected_columns)[:2]),
        )
    )
    workers = select(fresh.c.worker_key).distinct()
    conn.execute(delete(CoveredWorker).where(CoveredWorker.worker_key.in_(workers)))
    conn.execute(
        insert(CoveredWorker).from_select(
            ["worker_key", "last_month", "stimulus_months", "continued"],
            covered_workers_query(workers),
        )
    )
    _refresh_continuation(conn, donors)
    refresh_spans(conn, conn.execute(donors).scalars().all())
    refresh_worker_busy(conn, workers)
    refresh_unconfirmed(conn, since_id)
    refresh_donor_pages(conn, since_id)


def _add_coverage_totals(conn: Connection, since_id: int) -> None:
    """coverage_totals plus the new rows' blocks: coverage is append-only, so a block's
    count only grows."""
    fresh = conn.execute(coverage_totals_query().where(Coverage.id > since_id)).all()
    donations = sorted({row.donation_key for row in fresh})
    stored = {
        tuple(row)
        for row in conn.execute(
            select(
                CoverageTotal.donation_key,
                CoverageTotal.start_month,
                CoverageTotal.months,
                CoverageTotal.amount_idr,
            ).where(CoverageTotal.donation_key.in_(donations))
        )
    }
    new = []
    for donation, start, months, amount, rows in fresh:
        if (donation, start, months, amount) not in stored:
            new.append((donation, start, months, amount, rows))
            continue
        conn.execute(
            update(CoverageTotal)
            .where(
                CoverageTotal.donation_key == donation,
                CoverageTotal.start_month == start,
                CoverageTotal.months == months,
                CoverageTotal.amount_idr == amount,
            )
            .values(row_count=CoverageTotal.row_count + rows)
        )
    insert_rows(
        conn,
        CoverageTotal,
        ("donation_key", "start_month", "months", "amount_idr", "row_count"),
        new,
    )


WORKER_BUSY_COLUMNS = (
    "worker_key",
    "busy_until",
    "registered_on",
    "worker_id",
    "province",
    "occupation",
)


def worker_busy_query(worker_keys=None) -> Select:
    """worker_busy as computed from workers, coverage and self-paid months (for some
    workers: a list of keys or a query giving them)."""
    spans = union_all(
        select(Coverage.worker_key, last_covered_month().label("last_month")),
        select(
            SelfPaid.worker_key, (SelfPaid.start_month + SelfPaid.months - 1).label("last_month")
        ),
    ).subquery()
    busy = select(spans.c.worker_key, func.max(spans.c.last_month).label("busy_until"))
    if worker_keys is not None:
        busy = busy.where(spans.c.worker_key.in_(worker_keys))
    busy = busy.group_by(spans.c.worker_key).subquery()
    query = select(
        Worker.id,
        func.coalesce(busy.c.busy_until, -1),
        Worker.registered_on,
        Worker.worker_id,
        Worker.province,
        Worker.occupation,
    ).outerjoin(busy, busy.c.worker_key == Worker.id)
    if worker_keys is not None:
        query = query.where(Worker.id.in_(worker_keys))
    return query


def refresh_worker_busy(conn: Connection, worker_keys) -> None:
    """Recompute the worker_busy rows of ``worker_keys``: a list (500 at a time) or a query
    giving them (one statement, for large writes)."""
    if not isinstance(worker_keys, list | tuple | set):
        conn.execute(delete(WorkerBusy).where(WorkerBusy.worker_key.in_(worker_keys)))
        conn.execute(
            insert(WorkerBusy).from_select(
                list(WORKER_BUSY_COLUMNS), worker_busy_query(worker_keys)
            )
        )
        return
    keys = sorted(set(worker_keys))
    for at in range(0, len(keys), REFRESH_CHUNK):
        chunk = keys[at : at + REFRESH_CHUNK]
        rows = conn.execute(worker_busy_query(chunk)).all()
        conn.execute(delete(WorkerBusy).where(WorkerBusy.worker_key.in_(chunk)))
        insert_rows(conn, WorkerBusy, WORKER_BUSY_COLUMNS, [tuple(row) for row in rows])


DONOR_WORKER_COLUMNS = ("donor_key", "worker_key", "last_month", "continued")
COVERED_WORKER_COLUMNS = ("worker_key", "last_month", "stimulus_months", "continued")


def refresh_worker_state(
    conn: Connection,
    worker_keys,
    *,
    coverage_upto: int | None = None,
    self_paid_upto: int | None = None,
) -> None:
    """After a write that touched ``worker_keys``: their donor_workers and covered_workers
    rows recomputed, and the counts built on them (donor_continuation,
    programme_continuation, donor_spans) moved by the difference between their state now
    and before the write (coverage and self-paid rows with ids up to the bounds). Reads
    and memory follow the touched workers' own rows."""
    continuation: Counter = Counter()
    programme: Counter = Counter()
    spans: Counter = Counter()
    before = {"coverage_upto": coverage_upto, "self_paid_upto": self_paid_upto}
    keys = sorted(set(worker_keys))
    for at in range(0, len(keys), REFRESH_CHUNK):
        chunk = keys[at : at + REFRESH_CHUNK]
        pairs = [_row(row) for row in conn.execute(donor_workers_query(worker_keys=chunk))]
        for donor, _, last, continued in conn.execute(
            donor_workers_query(worker_keys=chunk, **before)
        ):
            continuation[(donor, last, bool(continued))] -= 1
        for donor, _, last, continued in pairs:
            continuation[(donor, last, continued)] += 1
        workers = [_row(row) for row in conn.execute(covered_workers_query(chunk))]
        for _, last, months, continued in conn.execute(covered_workers_query(chunk, **before)):
            programme[(last, months, bool(continued))] -= 1
        for _, last, months, continued in workers:
            programme[(last, months, continued)] += 1
        spans.subtract(donor_spans(conn, query=dated_rows(None, chunk, **before)))
        spans.update(donor_spans(conn, query=dated_rows(None, chunk)))
        conn.execute(delete(DonorWorker).where(DonorWorker.worker_key.in_(chunk)))
        insert_rows(conn, DonorWorker, DONOR_WORKER_COLUMNS, pairs)
        conn.execute(delete(CoveredWorker).where(CoveredWorker.worker_key.in_(chunk)))
        insert_rows(conn, CoveredWorker, COVERED_WORKER_COLUMNS, workers)
    _add_counts(conn, DonorContinuation, ("donor_key", "last_month", "continued"), continuation)
    _add_counts(
        conn, ProgrammeContinuation, ("last_month", "stimulus_months", "continued"), programme
    )
    _add_span_counts(conn, spans)


def _row(row) -> tuple:
    """A worker-state row with its ``continued`` as a bool (SQLite's EXISTS gives 0 or 1)."""
    return (*row[:-1], bool(row[-1]))


def _add_counts(conn: Connection, table, key_columns: tuple[str, ...], change: Counter) -> None:
    """Add ``change`` (key -> workers, either sign) to a table of worker counts; a count
    that reaches zero is removed, as a GROUP BY has no empty groups."""
    change = {key: n for key, n in change.items() if n}
    for key, n in change.items():
        values = dict(zip(key_columns, key, strict=True))
        where = [table.__table__.c[column] == value for column, value in values.items()]
        moved = conn.execute(update(table).where(*where).values(workers=table.workers + n))
        if not moved.rowcount:
            conn.execute(insert(table).values({**values, "workers": n}))
    if change:
        conn.execute(delete(table).where(table.workers == 0))


def _add_span_counts(conn: Connection, change: Counter) -> None:
    """``_add_counts`` for donor_spans, whose dates at either end may be empty: the rows the
    change can meet are read by donor and first date, and changed by id."""
    change = {key: n for key, n in change.items() if n}
    if not change:
        return
    stored = {}
    for row in conn.execute(
        select(DonorSpan.id, *(DonorSpan.__table__.c[c] for c in SPAN_COLUMNS[:-1])).where(
            DonorSpan.donor_key.in_(sorted({key[0] for key in change})),
            DonorSpan.first_on.in_(sorted({key[2] for key in change})),
        )
    ):
        stored[_row(row[1:])] = row[0]
    fresh = []
    for key, n in change.items():
        if key in stored:
            conn.execute(
                update(DonorSpan)
                .where(DonorSpan.id == stored[key])
                .values(workers=DonorSpan.workers + n)
            )
        else:
            fresh.append((*key, n))
    insert_rows(conn, DonorSpan, SPAN_COLUMNS, fresh)
    touched = [stored[key] for key in change if key in stored]
    for at in range(0, len(touched), REFRESH_CHUNK):
        conn.execute(
            delete(DonorSpan).where(
                DonorSpan.id.in_(touched[at : at + REFRESH_CHUNK]), DonorSpan.workers == 0
            )
        )


def last_self_paid_id(conn: Connection) -> int:
    return conn.execute(select(func.coalesce(func.max(SelfPaid.id), 0))).scalar_one()


def refresh_continued(conn: Connection, since_id: int) -> None:
    """After self-paid rows with ``id > since_id`` arrive: whether their workers continued."""
    workers = select(SelfPaid.worker_key).where(SelfPaid.id > since_id).distinct()
    touched = conn.execute(workers).scalars().all()
    if len(touched) <= INCREMENTAL_UP_TO:
        refresh_worker_state(conn, touched, self_paid_upto=since_id)
        refresh_worker_busy(conn, touched)
        return
    refresh_worker_busy(conn, workers)
    for table in (DonorWorker, CoveredWorker):
        conn.execute(
            update(table)
            .where(table.worker_key.in_(workers))
            .values(continued=continued_after(table.worker_key, table.last_month))
        )
    donors = select(DonorWorker.donor_key).where(DonorWorker.worker_key.in_(workers)).distinct()
    _refresh_continuation(conn, donors)
    refresh_spans(conn, conn.execute(donors).scalars().all())


UNCONFIRMED_COLUMNS = (
    "coverage_key",
    "donation_key",
    "donor_key",
    "donation_id",
    "received_on",
    "worker_id",
    "start_month",
    "months",
    "amount_idr",
)


def unconfirmed_coverage_query(since_id: int | None = None) -> Select:
    """unconfirmed_coverage as computed from coverage and confirmations (for the coverage
    rows with ``id > since_id``)."""
    query = (
        select(
            Coverage.id.label("coverage_key"),
            Coverage.donation_key,
            Donation.donor_key,
            Donation.donation_id,
            Donation.received_on,
            Worker.worker_id,
            Coverage.start_month,
            Coverage.months,
            Coverage.amount_idr,
        )
        .join(Donation, Donation.id == Coverage.donation_key)
        .join(Worker, Worker.id == Coverage.worker_key)
        .outerjoin(Confirmation, Confirmation.coverage_key == Coverage.id)
        .where(Confirmation.id.is_(None))
    )
    if since_id is not None:
        query = query.where(Coverage.id > since_id)
    return query


def refresh_unconfirmed(conn: Connection, since_id: int) -> None:
    """After coverage rows with ``id > since_id`` arrive: list those not confirmed."""
    conn.execute(
        insert(UnconfirmedCoverage).from_select(
            list(UNCONFIRMED_COLUMNS), unconfirmed_coverage_query(since_id)
        )
    )


def refresh_confirmed(conn: Connection, since_id: int) -> None:
    """After confirmations with ``id > since_id`` arrive: their donations' confirmed totals,
    and their rows are no longer awaiting confirmation."""
    fresh = select(Confirmation.coverage_key).where(Confirmation.id > since_id)
    conn.execute(delete(UnconfirmedCoverage).where(UnconfirmedCoverage.coverage_key.in_(fresh)))
    donations = select(Confirmation.donation_key).where(Confirmation.id > since_id).distinct()
    conn.execute(delete(ConfirmationTotal).where(ConfirmationTotal.donation_key.in_(donations)))
    conn.execute(
        insert(ConfirmationTotal).from_select(
            ["donation_key", "confirmed_on", "confirmed_idr", "confirmed_rows"],
            confirmation_totals_query(donations),
        )
    )


def last_confirmation_id(conn: Connection) -> int:
    return conn.execute(select(func.coalesce(func.max(Confirmation.id), 0))).scalar_one()


CELL_DIMENSIONS = ("province", "occupation", "gender", "birth_year")
CELL_COLUMNS = (
    "donation_key",
    "previous_received_on",
    "dimension",
    "value",
    "row_count",
    "months",
    "amount_idr",
)
FLOW_COLUMNS = ("donation_key", "province", "occupation", "outcome", "row_count", "amount_idr")
CLAIM_COLUMNS = (
    "claim_key",
    "donation_key",
    "program",
    "incident_month",
    "province",
    "occupation",
    "birth_year",
    "amount_idr",
    "paid_on",
)
REFRESH_CHUNK = 500  # donations (or workers) per statement: bounded IN lists on every database


def previous_received_on():
    """For the coverage row of the enclosing query (joined to its donation): the receipt date
    of the same donor's previous row for the same worker, in the order (received_on, donation,
    row); NULL for the first. A worker counts once in a range of receipt dates: at the row
    whose previous date lies before the range."""
    earlier = aliased(Coverage)
    earlier_donation = aliased(Donation)
    return (
        select(func.max(earlier_donation.received_on))
        .select_from(earlier)
        .join(earlier_donation, earlier_donation.id == earlier.donation_key)
        .where(
            earlier.worker_key == Coverage.worker_key,
            earlier_donation.donor_key == Donation.donor_key,
            or_(
                earlier_donation.received_on < Donation.received_on,
                and_(
                    earlier_donation.received_on == Donation.received_on,
                    or_(
                        earlier.donation_key < Coverage.donation_key,
                        and_(
                            earlier.donation_key == Coverage.donation_key,
                            earlier.id < Coverage.id,
                        ),
                    ),
                ),
            ),
        )
        .scalar_subquery()
    )


def donation_cells_query(donation_keys=None) -> Select:
    """donation_cells as computed from coverage and workers, for some donations."""
    rows = (
        select(
            Coverage.donation_key,
            previous_received_on().label("previous_received_on"),
            Worker.province,
            Worker.occupation,
            Worker.gender,
            Worker.birth_year,
            func.count().label("row_count"),
            sum_int(Coverage.months).label("months"),
            sum_int(Coverage.amount_idr).label("amount_idr"),
        )
        .join(Donation, Donation.id == Coverage.donation_key)
        .join(Worker, Worker.id == Coverage.worker_key)
        .group_by(
            Coverage.donation_key,
            "previous_received_on",
            Worker.province,
            Worker.occupation,
            Worker.gender,
            Worker.birth_year,
        )
    )
    if donation_keys is not None:
        rows = rows.where(Coverage.donation_key.in_(donation_keys))
    rows = rows.cte("cell_rows")
    # One SELECT over the four groupings, so that it reads like the other *_query functions
    # (SQLite refuses a bare UNION inside the EXCEPT of `lingkaran check`).
    by_dimension = union_all(
        *(
            select(
                rows.c.donation_key,
                rows.c.previous_received_on,
                literal(dimension, String).label("dimension"),
                cast(rows.c[dimension], String).label("value"),
                sum_int(rows.c.row_count).label("row_count"),
                sum_int(rows.c.months).label("months"),
                sum_int(rows.c.amount_idr).label("amount_idr"),
            ).group_by(rows.c.donation_key, rows.c.previous_received_on, rows.c[dimension])
            for dimension in CELL_DIMENSIONS
        )
    ).subquery("cells")
    return select(*(by_dimension.c[column] for column in CELL_COLUMNS))


def row_outcome(paid_by=None):
    """The outcome of the coverage row of the enclosing query: "JKM" when a paid death claim
    happened in one of its months, else "JKK" for a paid work-accident claim, else
    "protected" (docs/contract.md "Figures": claims made possible). ``paid_by`` (a date or
    a bind parameter): only the claims paid by then (docs/contract.md "As of")."""
    paid = [] if paid_by is None else [Claim.paid_on <= paid_by]
    rank = (
        select(func.max(case((Claim.program == "JKM", 2), (Claim.program == "JKK", 1), else_=0)))
        .where(
            attributable_claim(),
            Claim.worker_key == Coverage.worker_key,
            covering(Claim.incident_month),
            *paid,
        )
        .scalar_subquery()
    )
    return case((rank == 2, "JKM"), (rank == 1, "JKK"), else_="protected")


def donation_flows_query(donation_keys=None) -> Select:
    """donation_flows as computed from coverage, workers and paid claims."""
    outcome = row_outcome().label("outcome")
    query = (
        select(
            Coverage.donation_key,
            Worker.province,
            Worker.occupation,
            outcome,
            func.count().label("row_count"),
            sum_int(Coverage.amount_idr).label("amount_idr"),
        )
        .join(Worker, Worker.id == Coverage.worker_key)
        .group_by(Coverage.donation_key, Worker.province, Worker.occupation, "outcome")
    )
    if donation_keys is not None:
        query = query.where(Coverage.donation_key.in_(donation_keys))
    return query


def donation_claims_query(donation_keys=None) -> Select:
    """donation_claims as computed from paid claims, coverage and workers: each attributable
    claim with the donation of the coverage row its incident month falls in.

    For some donations (``donation_keys``), their coverage rows are read first, as a
    materialized CTE, and the claims of those rows' workers looked up by the claims index.
    Without statistics SQLite otherwise read every paid claim of the ledger first (161,230 at
    10,000,000 workers: 0.74 s for three donations, against 0.23 s)."""
    rows = Coverage
    if donation_keys is not None:
        chosen = select(Coverage).where(Coverage.donation_key.in_(donation_keys))
        rows = aliased(Coverage, chosen.cte("chosen_coverage").prefix_with("MATERIALIZED"))
    return (
        select(
            Claim.id.label("claim_key"),
            rows.donation_key,
            Claim.program,
            Claim.incident_month,
            Worker.province,
            Worker.occupation,
            Worker.birth_year,
            Claim.amount_idr,
            Claim.paid_on,
        )
        .select_from(rows)
        .join(
            Claim,
            and_(rows.worker_key == Claim.worker_key, covering(Claim.incident_month, rows)),
        )
        .join(Worker, Worker.id == Claim.worker_key)
        .where(attributable_claim())
    )


def refresh_donation_claims(conn: Connection) -> None:
    """Match every paid claim to its donation from scratch (the upgrade that adds the table)."""
    conn.execute(delete(DonationClaim))
    conn.execute(insert(DonationClaim).from_select(list(CLAIM_COLUMNS), donation_claims_query()))


def refresh_donations(
    conn: Connection, donation_keys, *, cells: bool = True, claims: bool = True
) -> None:
    """Recompute the donor-page tables of ``donation_keys`` (flows and claims only when
    ``cells`` is False: a claim changes outcomes, never who was covered; ``claims`` False:
    the upgrade to 0005, before donation_claims exists)."""
    keys = sorted(set(donation_keys))
    for at in range(0, len(keys), REFRESH_CHUNK):
        chunk = keys[at : at + REFRESH_CHUNK]
        tables = [(DonationFlow, FLOW_COLUMNS, donation_flows_query)]
        if claims:
            tables.append((DonationClaim, CLAIM_COLUMNS, donation_claims_query))
        if cells:
            tables.append((DonationCell, CELL_COLUMNS, donation_cells_query))
        for table, columns, query in tables:
            conn.execute(delete(table).where(table.donation_key.in_(chunk)))
            conn.execute(insert(table).from_select(list(columns), query(chunk)))


def refresh_donor_pages(conn: Connection, since_id: int, worker_keys=None) -> None:
    """After coverage rows with ``id > since_id``: their donations, and every later donation
    of the same donors (a new row can be the "previous" of a later row of the same worker);
    given the workers the rows cover (``worker_keys``), only the later donations that cover
    one of them."""
    fresh = (
        select(Donation.donor_key, func.min(Donation.received_on).label("first"))
        .where(
            # no DISTINCT in the IN list: SQLite would read the whole donation index for it
            Donation.id.in_(select(Coverage.donation_key).where(Coverage.id > since_id))
        )
        .group_by(Donation.donor_key)
        .subquery()
    )
    later = select(Donation.id).join(
        fresh,
        and_(Donation.donor_key == fresh.c.donor_key, Donation.received_on >= fresh.c.first),
    )
    later_ids = set(conn.execute(later).scalars())
    if worker_keys is None:
        refresh_donations(conn, sorted(later_ids))
        return
    # The workers' rows by the worker index, kept if their donation is one of the later
    # ones, here rather than in SQL: asked for both at once (and for distinct donations),
    # SQLite read the donation index instead, 1 s at 10,000,000 workers.
    changed: set[int] = set()
    for at in range(0, len(worker_keys), REFRESH_CHUNK):
        rows = select(Coverage.donation_key).where(
            Coverage.worker_key.in_(worker_keys[at : at + REFRESH_CHUNK])
        )
        changed.update(key for key in conn.execute(rows).scalars() if key in later_ids)
    refresh_donations(conn, changed)


def refresh_workers(conn: Connection, worker_keys, *, cells: bool = True) -> None:
    """After workers moved (province, occupation) or their claims changed: the donations
    that cover them."""
    keys = sorted(set(worker_keys))
    donations: set[int] = set()
    for at in range(0, len(keys), REFRESH_CHUNK):
        chunk = keys[at : at + REFRESH_CHUNK]
        donations.update(  # a set: no DISTINCT, which SQLite answers from a whole index
            conn.execute(
                select(Coverage.donation_key).where(Coverage.worker_key.in_(chunk))
            ).scalars()
        )
    refresh_donations(conn, donations, cells=cells)
