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

from dashboard.ledger.bulk import insert_rows
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
    sum_int,
)

MAX_BLOCK_MONTHS = 60  # coverage and self-paid rows are 1..60 months long
CONTINUATION_WINDOW = 3  # months after the last covered month (docs/contract.md)
# docs/contract.md "Figures": a JHT claim is the worker's own savings, never made possible by a
# donation; only JKK and JKM claims inside coverage are attributed to a donor.
ATTRIBUTED_PROGRAMS = ("JKK", "JKM")


def covering(month_column) -> object:
    """Coverage rows that include ``month_column`` (a month index column or value)."""
    return and_(
        Coverage.start_month <= month_column,
        Coverage.start_month > month_column - MAX_BLOCK_MONTHS,  # lets the index bound the scan
        Coverage.start_month + Coverage.months > month_column,
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


def donor_workers_query(donor_keys=None) -> Select:
    """donor_workers as computed from coverage (and self-paid months), for some donors."""
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
    pairs = pairs.subquery()
    return select(
        pairs.c.donor_key,
        pairs.c.worker_key,
        pairs.c.last_month,
        continued_after(pairs.c.worker_key, pairs.c.last_month).label("continued"),
    )


def covered_workers_query(worker_keys=None) -> Select:
    """covered_workers as computed from coverage (and self-paid months), for some workers."""
    workers = select(
        Coverage.worker_key,
        func.max(last_covered_month()).label("last_month"),
        sum_int(Coverage.months).label("stimulus_months"),
    ).group_by(Coverage.worker_key)
    if worker_keys is not None:
        workers = workers.where(Coverage.worker_key.in_(worker_keys))
    workers = workers.subquery()
    return select(
        workers.c.worker_key,
        workers.c.last_month,
        workers.c.stimulus_months,
        continued_after(workers.c.worker_key, workers.c.last_month).label("continued"),
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


def _dated_rows(donor_keys) -> Select:
    """Per donor, worker and receipt date: the last month those rows cover and whether the
    worker continued after it, in the order donor_spans walks them."""
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
    dated = dated.subquery()
    return select(
        dated.c.donor_key,
        dated.c.worker_key,
        dated.c.received_on,
        dated.c.last_month,
        continued_after(dated.c.worker_key, dated.c.last_month),
    ).order_by(dated.c.donor_key, dated.c.worker_key, dated.c.received_on)


def donor_spans(conn: Connection, donor_keys=None) -> Counter:
    """donor_spans as computed from coverage and self-paid months: (donor, before, first,
    last, after, L, continued) -> workers. One ordered pass; a run's L is the largest of
    its dates' last months, and whether the worker continued after L was already computed
    for the date that has it."""
    spans: Counter = Counter()
    rows = conn.execute(_dated_rows(donor_keys).execution_options(yield_per=20_000))
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


def refresh(conn: Connection, since_id: int) -> None:
    """Fold the coverage rows with ``id > since_id`` into the derived tables.

    The donors and workers those rows touch are recomputed whole from coverage: a new row
    can move a worker's last covered month, and with it whether they continued."""
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
    conn.execute(
        insert(DonorWorker).from_select(
            ["donor_key", "worker_key", "last_month", "continued"], donor_workers_query(donors)
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
    refresh_unconfirmed(conn, since_id)
    refresh_donor_pages(conn, since_id)


def last_self_paid_id(conn: Connection) -> int:
    return conn.execute(select(func.coalesce(func.max(SelfPaid.id), 0))).scalar_one()


def refresh_continued(conn: Connection, since_id: int) -> None:
    """After self-paid rows with ``id > since_id`` arrive: whether their workers continued."""
    workers = select(SelfPaid.worker_key).where(SelfPaid.id > since_id).distinct()
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
            Worker.worker_id,
            Coverage.start_month,
            Coverage.months,
            Coverage.amount_idr,
        )
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
    claim with the donation of the coverage row its incident month falls in."""
    query = (
        select(
            Claim.id.label("claim_key"),
            Coverage.donation_key,
            Claim.program,
            Claim.incident_month,
            Worker.province,
            Worker.occupation,
            Worker.birth_year,
            Claim.amount_idr,
            Claim.paid_on,
        )
        .join(
            Coverage, and_(Coverage.worker_key == Claim.worker_key, covering(Claim.incident_month))
        )
        .join(Worker, Worker.id == Claim.worker_key)
        .where(attributable_claim())
    )
    if donation_keys is not None:
        query = query.where(Coverage.donation_key.in_(donation_keys))
    return query


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


def refresh_donor_pages(conn: Connection, since_id: int) -> None:
    """After coverage rows with ``id > since_id``: their donations, and every later donation
    of the same donors (a new row can be the "previous" of a later row of the same worker)."""
    fresh = (
        select(Donation.donor_key, func.min(Donation.received_on).label("first"))
        .where(
            Donation.id.in_(select(Coverage.donation_key).where(Coverage.id > since_id).distinct())
        )
        .group_by(Donation.donor_key)
        .subquery()
    )
    changed = conn.execute(
        select(Donation.id).join(
            fresh,
            and_(Donation.donor_key == fresh.c.donor_key, Donation.received_on >= fresh.c.first),
        )
    ).scalars()
    refresh_donations(conn, list(changed))


def refresh_workers(conn: Connection, worker_keys, *, cells: bool = True) -> None:
    """After workers moved (province, occupation) or their claims changed: the donations
    that cover them."""
    keys = sorted(set(worker_keys))
    donations: set[int] = set()
    for at in range(0, len(keys), REFRESH_CHUNK):
        chunk = keys[at : at + REFRESH_CHUNK]
        donations.update(
            conn.execute(
                select(Coverage.donation_key).where(Coverage.worker_key.in_(chunk)).distinct()
            ).scalars()
        )
    refresh_donations(conn, donations, cells=cells)


# As a passing full check found the ledger (`lingkaran check --since`, issue 30): the rows of
# some workers, from the coverage rows of id <= ``coverage_upto`` and the self-paid rows of
# id <= ``self_paid_upto`` (None: all). Coverage and self-paid rows are append-only, so these
# bounds give back the ledger as it was; the aggregate tables are sums of these rows.


def _covering_rows(worker_keys, coverage_upto: int | None) -> list:
    bounds = [Coverage.worker_key.in_(worker_keys)]
    if coverage_upto is not None:
        bounds.append(Coverage.id <= coverage_upto)
    return bounds


def donor_workers_of(
    worker_keys, coverage_upto: int | None = None, self_paid_upto: int | None = None
) -> Select:
    """The donor_workers rows of ``worker_keys`` (every donor of theirs), as of the bounds."""
    pairs = (
        select(
            Donation.donor_key,
            Coverage.worker_key,
            func.max(last_covered_month()).label("last_month"),
        )
        .join(Donation, Donation.id == Coverage.donation_key)
        .where(*_covering_rows(worker_keys, coverage_upto))
        .group_by(Donation.donor_key, Coverage.worker_key)
    ).subquery()
    return select(
        pairs.c.donor_key,
        pairs.c.worker_key,
        pairs.c.last_month,
        continued_after(pairs.c.worker_key, pairs.c.last_month, self_paid_upto).label("continued"),
    )


def covered_workers_of(
    worker_keys, coverage_upto: int | None = None, self_paid_upto: int | None = None
) -> Select:
    """The covered_workers rows of ``worker_keys``, as of the bounds."""
    workers = (
        select(
            Coverage.worker_key,
            func.max(last_covered_month()).label("last_month"),
            sum_int(Coverage.months).label("stimulus_months"),
        )
        .where(*_covering_rows(worker_keys, coverage_upto))
        .group_by(Coverage.worker_key)
    ).subquery()
    return select(
        workers.c.worker_key,
        workers.c.last_month,
        workers.c.stimulus_months,
        continued_after(workers.c.worker_key, workers.c.last_month, self_paid_upto).label(
            "continued"
        ),
    )


def donor_spans_of(
    conn: Connection,
    worker_keys,
    coverage_upto: int | None = None,
    self_paid_upto: int | None = None,
) -> Counter:
    """What the rows of ``worker_keys`` add to donor_spans, as of the bounds: ``donor_spans``'
    ordered pass over those workers' dated rows only."""
    dated = (
        select(
            Donation.donor_key,
            Coverage.worker_key,
            Donation.received_on,
            func.max(last_covered_month()).label("last_month"),
        )
        .join(Donation, Donation.id == Coverage.donation_key)
        .where(*_covering_rows(worker_keys, coverage_upto))
        .group_by(Donation.donor_key, Coverage.worker_key, Donation.received_on)
    ).subquery()
    rows = conn.execute(
        select(
            dated.c.donor_key,
            dated.c.worker_key,
            dated.c.received_on,
            dated.c.last_month,
            continued_after(dated.c.worker_key, dated.c.last_month, self_paid_upto),
        ).order_by(dated.c.donor_key, dated.c.worker_key, dated.c.received_on)
    )
    return spans_of(rows)


def spans_of(rows) -> Counter:
    """donor_spans' pass over (donor, worker, received_on, L, continued) rows ordered by
    donor, worker and date (``donor_spans`` holds the same loop; one can call the other once
    the refresh rewrite lands)."""
    spans: Counter = Counter()
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
