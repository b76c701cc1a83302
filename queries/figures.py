"""The contract's figures (docs/contract.md "Figures") for one donor or for the whole programme.

`lingkaran report`, the pages and the exports all call ``ledger_figures``: a figure is
computed here and nowhere else.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import asdict, dataclass

from sqlalchemy import (
    BindParameter,
    Connection,
    Date,
    Engine,
    Integer,
    Select,
    and_,
    bindparam,
    case,
    func,
    literal,
    or_,
    select,
    true,
)

from dashboard.core.errors import LedgerError
from dashboard.core.months import month_of
from dashboard.core.vocabulary import AGE_BANDS, JKK_JKM_JHT, UNDER_AGE, age_band_label
from dashboard.ledger.derived import (
    CONTINUATION_WINDOW,
    continued_after,
    last_covered_month,
)
from dashboard.ledger.schema import (
    ConfirmationTotal,
    Coverage,
    CoverageTotal,
    Donation,
    DonationCell,
    DonationClaim,
    Donor,
    DonorContinuation,
    DonorSpan,
    ProgrammeContinuation,
    sum_int,
)


@dataclass(frozen=True)
class LedgerFigures:
    donated_idr: int
    allocated_idr: int
    balance_idr: int
    covered_workers: int
    protected_months: int
    active_workers: int
    claims_paid_count: int
    claims_paid_idr: int
    jht_saved_idr: int
    confirmed_idr: int
    unconfirmed_idr: int
    ended_workers: int
    continued_workers: int
    paid_ahead_months: int
    as_of: dt.date
    donor_id: str | None = None
    donors: int | None = None

    def as_report(self) -> dict[str, object]:
        """Exactly the contract's JSON keys: ``donor_id`` for one donor, ``donors`` for all."""
        report = asdict(self)
        report["as_of"] = self.as_of.isoformat()
        report.pop("donors" if self.donor_id is not None else "donor_id")
        return report


@dataclass(frozen=True)
class Period:
    """Donations received from ``start`` to ``end`` inclusive (None: unbounded).

    A period selects donations, and every figure follows those donations: what they were,
    what coverage they bought and which claims that coverage made possible.
    """

    start: dt.date | None = None
    end: dt.date | None = None
    # Set when the period is (up to its end) one fiscal year of a donor whose fiscal year
    # begins in this month (2 to 12): it is then named "fiscal year 2025/26".
    fiscal_start: int | None = None

    @property
    def is_all_time(self) -> bool:
        return self.start is None and self.end is None

    @property
    def fiscal_name(self) -> str | None:
        """ "2025/26" for a fiscal year from April 2025 to March 2026; None otherwise."""
        if self.fiscal_start is None or self.start is None:
            return None
        return fiscal_year_name(self.start.year, self.fiscal_start)

    def received(self, column) -> list:
        conditions = []
        if self.start is not None:
            conditions.append(column >= self.start)
        if self.end is not None:
            conditions.append(column <= self.end)
        return conditions


ALL_TIME = Period()


def fiscal_year_name(year: int, start_month: int) -> str:
    """The fiscal year beginning in ``year``: "2025/26", or "2025" for a calendar year."""
    return str(year) if start_month == 1 else f"{year}/{(year + 1) % 100:02d}"


def fiscal_year_of(day: dt.date, start_month: int) -> int:
    """The year in which the fiscal year holding ``day`` began."""
    return day.year if day.month >= start_month else day.year - 1


def fiscal_year(year: int, start_month: int, today: dt.date | None = None) -> Period:
    """Donations received in the fiscal year beginning on the first of ``start_month`` in
    ``year`` and ending the day before the next one begins (a January start is the calendar
    year). With ``today`` inside it, the year so far."""
    start = dt.date(year, start_month, 1)
    end = dt.date(year + 1, start_month, 1) - dt.timedelta(days=1)
    if today is not None and start <= today < end:
        end = today
    return Period(start, end, None if start_month == 1 else start_month)


def in_fiscal_terms(period: Period, start_month: int) -> Period:
    """``period`` marked as a fiscal year (``fiscal_start``) when it is one of a donor whose
    fiscal year begins in ``start_month``, or the start of one up to a day within it."""
    if start_month == 1 or period.start is None or period.end is None:
        return period
    whole = fiscal_year(fiscal_year_of(period.start, start_month), start_month)
    if period.start == whole.start and whole.start <= period.end <= whole.end:
        return Period(period.start, period.end, start_month)
    return Period(period.start, period.end)


def reading(engine: Engine):
    """A connection for reading only: in autocommit, so that PostgreSQL is not asked to BEGIN
    before the first query and to ROLLBACK when the connection returns to the pool (two
    round trips of the three or four a headline needs: 3.0 -> 1.7 ms). Reads see the same
    data either way: PostgreSQL's READ COMMITTED gives each statement its own snapshot, and
    Python's sqlite3 never begins a transaction for a SELECT."""
    return engine.connect().execution_options(isolation_level="AUTOCOMMIT")


def connected(function):
    """Accept an Engine or a Connection; run on one connection (a reading one, for an
    Engine)."""

    @functools.wraps(function)
    def wrapper(bind, *args, **kwargs):
        if isinstance(bind, Engine):
            with reading(bind) as conn:
                return function(conn, *args, **kwargs)
        return function(bind, *args, **kwargs)

    return wrapper


def frame_of(conn: Connection, statement, columns: list[str], values: dict | None = None):
    """The statement's rows as a frame, built from the driver's own tuples. For thousands of
    rows SQLAlchemy's Row objects cost more than the query (the largest donor's 8,262
    claims: 21 ms through Row objects and tuples, 16 ms this way). Only for columns the
    driver already returns as Python wants them: integers (``sum_int`` casts) and text, not
    dates (SQLite returns those as text for SQLAlchemy to convert)."""
    import pandas as pd  # here: `lingkaran report` does not need pandas

    result = conn.execute(statement, values or {})
    try:
        rows = result.cursor.fetchall() if result.returns_rows else []
    finally:
        result.close()
    return pd.DataFrame(rows, columns=columns)


def as_tuples(rows) -> list[tuple]:
    """Result rows as plain tuples: pandas builds a frame from them about eight times faster
    than from SQLAlchemy's Row objects (8,262 claims: 6 ms instead of 46 ms)."""
    return [tuple(row) for row in rows]


# Building a SQLAlchemy statement costs more than running it on the small derived tables
# (the compare page at 2,000,000 workers spent three quarters of its time constructing
# statements and their cache keys). The hot statements are therefore built once per shape
# (one donor or the programme; a period open or closed at either end) with bind parameters
# for the values, and SQLAlchemy keeps each one's cache key.
Shape = tuple[bool, bool, bool]


def shape_of(key: int | None, period: Period) -> Shape:
    return (key is not None, period.start is not None, period.end is not None)


def parameters_of(shape: Shape) -> tuple[BindParameter | None, Period]:
    """A donor key and a period made of bind parameters (``key``, ``start``, ``end``) for a
    statement of this shape; ``values_of`` gives their values."""
    by_donor, has_start, has_end = shape
    return (
        bindparam("key", type_=Integer) if by_donor else None,
        Period(
            bindparam("start", type_=Date) if has_start else None,
            bindparam("end", type_=Date) if has_end else None,
        ),
    )


def values_of(key: int | None, period: Period, **more) -> dict:
    given = {"key": key, "start": period.start, "end": period.end, **more}
    return {name: value for name, value in given.items() if value is not None}


def by_shape(build):
    """``build(key, period)`` returns a statement (or a statement with what goes with it);
    ``by_shape(build)(key, period, **more)`` returns that, built once per shape, and the
    values of its parameters."""
    built = functools.lru_cache(maxsize=16)(lambda shape: build(*parameters_of(shape)))

    @functools.wraps(build)
    def statement(key: int | None, period: Period, **more) -> tuple[object, dict]:
        return built(shape_of(key, period)), values_of(key, period, **more)

    return statement


_DONOR_KEY = select(Donor.id).where(Donor.donor_id == bindparam("donor_id"))


def donor_key(conn: Connection, donor_id: str) -> int:
    key = conn.execute(_DONOR_KEY, {"donor_id": donor_id}).scalar()
    if key is None:
        raise LedgerError(f"no donor with id {donor_id!r}")
    return key


def first_in_period(period: Period):
    """Rows of donation_cells that count their workers for ``period``: a worker counts once,
    at the first of the donor's rows for them among the period's donations, i.e. the row
    whose previous receipt date (same donor and worker) lies before the period or is none."""
    if period.start is None:
        return DonationCell.previous_received_on.is_(None)
    return or_(
        DonationCell.previous_received_on.is_(None),
        DonationCell.previous_received_on < period.start,
    )


def for_donations(
    statement: Select, key: int | None, donation_key, period: Period = ALL_TIME
) -> Select:
    """Restrict ``statement`` to the rows funded by one donor's donations in ``period``."""
    if key is None and period.is_all_time:
        return statement
    statement = statement.join(Donation, Donation.id == donation_key)
    if key is not None:
        statement = statement.where(Donation.donor_key == key)
    return statement.where(*period.received(Donation.received_on))


def cuts(as_of: dt.date | None) -> bool:
    """Whether a cut-off at ``as_of`` can leave anything out (docs/contract.md "As of"): no
    ledger date lies after the day it was imported, so a cut at today or later cuts nothing,
    and the answers kept for today (the derived tables) stand."""
    return as_of is not None and as_of < dt.date.today()


def as_of_cut(period: Period, as_of: dt.date) -> Period:
    """The donations a figure as of ``as_of`` counts (docs/contract.md "As of"): those of
    ``period`` received on or before it."""
    if not cuts(as_of) or (period.end is not None and period.end <= as_of):
        return period
    return Period(period.start, as_of, period.fiscal_start)


@by_shape
def _headline(key, period: Period) -> tuple[Select, tuple[int, ...]]:
    """ledger_figures' sums, each one row, asked together in one query (a round trip on
    PostgreSQL costs about as much as one of these sums), and each part's width. ``period``
    is already cut at as_of; claims and confirmations are cut at ``cut`` (as_of) here."""
    month = bindparam("month", type_=Integer)
    cut = bindparam("cut", type_=Date)
    donations = select(
        sum_int(Donation.amount_idr), func.count(func.distinct(Donation.donor_key))
    ).where(*period.received(Donation.received_on))
    if key is not None:
        donations = donations.where(Donation.donor_key == key)

    total = CoverageTotal
    totals = for_donations(
        select(
            sum_int(total.amount_idr * total.row_count),
            sum_int(total.months * total.row_count),
            # A worker's coverage rows never overlap (docs/contract.md "coverage"), so the rows
            # that contain the month count the distinct workers active in it.
            sum_int(
                case(
                    (
                        and_(
                            total.start_month <= month,
                            total.start_month + total.months > month,
                        ),
                        total.row_count,
                    ),
                    else_=0,
                )
            ),
            # Paid ahead: the months of these rows after the month of as_of (bought, not
            # yet lived; docs/contract.md "As of" rule 4).
            sum_int(
                total.row_count
                * case(
                    (total.start_month > month, total.months),
                    (total.start_month + total.months - 1 <= month, 0),
                    else_=total.start_month + total.months - 1 - month,
                )
            ),
        ),
        key,
        total.donation_key,
        period,
    )

    if not period.is_all_time and key is None:
        # The programme in a period (or as of a past day): a worker two donors covered is
        # one worker, which the donors' cells cannot tell (each counts it once per donor).
        workers = for_donations(
            select(func.count(func.distinct(Coverage.worker_key))),
            key,
            Coverage.donation_key,
            period,
        )
    elif not period.is_all_time:
        # Every worker has one gender: its cells count each worker once (first_in_period).
        workers = for_donations(
            select(sum_int(DonationCell.row_count)).where(
                DonationCell.dimension == "gender", first_in_period(period)
            ),
            key,
            DonationCell.donation_key,
            period,
        )
    elif key is None:
        # One row per worker in covered_workers, counted by the few rows that group them.
        workers = select(sum_int(ProgrammeContinuation.workers))
    else:
        workers = select(sum_int(DonorContinuation.workers)).where(
            DonorContinuation.donor_key == key
        )

    claims = for_donations(
        select(func.count(), sum_int(DonationClaim.amount_idr))
        .select_from(DonationClaim)
        .where(DonationClaim.paid_on <= cut),
        key,
        DonationClaim.donation_key,
        period,
    )
    confirmed = for_donations(
        select(sum_int(ConfirmationTotal.confirmed_idr)).where(
            ConfirmationTotal.confirmed_on <= cut
        ),
        key,
        ConfirmationTotal.donation_key,
        period,
    )
    return one_row_each(
        [donations, totals, workers, claims, confirmed, continuation_query(key, period, month)]
    )


def ledger_figures(
    bind: Engine | Connection,
    donor_id: str | None = None,
    as_of: dt.date | None = None,
    period: Period = ALL_TIME,
) -> LedgerFigures:
    """The contract's figures for ``donor_id`` (or every donor) as of ``as_of`` (today by
    default): a cut-off for every figure (docs/contract.md "As of"): the donations received,
    the claims paid and the confirmations made by then; active workers in its month.

    Sums come from coverage_totals and worker counts from donor_workers/covered_workers
    (kept with every coverage write, verified by `lingkaran check`), so the report does not
    scan the coverage table. A ``period`` keeps only the donations received in it.
    """
    as_of = as_of or dt.date.today()
    if isinstance(bind, Engine):
        with reading(bind) as conn:
            return ledger_figures(conn, donor_id, as_of, period)
    conn = bind
    key = None if donor_id is None else donor_key(conn, donor_id)
    month = month_of(as_of)
    period = as_of_cut(period, as_of)
    (statement, widths), values = _headline(key, period, month=month, cut=as_of)
    row = conn.execute(statement, values).one()
    (
        (donated, donors),
        (allocated, months, active, paid_ahead),
        (workers,),
        (claims_count, claims_idr),
        (confirmed,),
        (ended, continued),
    ) = split_row(row, widths)

    return LedgerFigures(
        donated_idr=int(donated),
        allocated_idr=int(allocated),
        balance_idr=int(donated) - int(allocated),
        covered_workers=int(workers),
        protected_months=int(months),
        active_workers=int(active),
        claims_paid_count=int(claims_count),
        claims_paid_idr=int(claims_idr),
        jht_saved_idr=jht_saved(conn, key, period),
        confirmed_idr=int(confirmed),
        unconfirmed_idr=int(allocated) - int(confirmed),
        ended_workers=int(ended),
        continued_workers=int(continued),
        paid_ahead_months=int(paid_ahead),
        as_of=as_of,
        donor_id=donor_id,
        donors=None if donor_id is not None else int(donors),
    )


def one_row_each(statements: list[Select]) -> tuple[Select, tuple[int, ...]]:
    """One query that returns the one row of each statement side by side (a cross join of
    one-row subqueries), and each one's width for ``split_row``."""
    parts = [statement.subquery(f"part{i}") for i, statement in enumerate(statements)]
    combined = select(*[column for part in parts for column in part.c]).select_from(parts[0])
    for part in parts[1:]:
        combined = combined.join(part, true())
    return combined, tuple(len(part.c) for part in parts)


def split_row(row, widths: tuple[int, ...]) -> list[tuple]:
    found, start = [], 0
    for width in widths:
        found.append(tuple(row[start : start + width]))
        start += width
    return found


def jht_saved(conn: Connection, key: int | None, period: Period = ALL_TIME) -> int:
    """The JHT part of the coverage rows of ``jkk_jkm_jht`` donations (docs/contract.md): for
    each block, the JHT rate in force in each of its months, times the rows of that block."""
    from dashboard.ledger.allocator import RateSchedule

    blocks = conn.execute(*_jht_blocks(key, period)).all()
    if not blocks:
        return 0
    return RateSchedule(conn).jht_total(blocks)


@by_shape
def _jht_blocks(key, period: Period) -> Select:
    """Blocks of the same months cost the same: summed by (start, length) in SQL, the rates
    are looked up for a few hundred of them, not for every block of the programme."""
    blocks = (CoverageTotal.start_month, CoverageTotal.months)
    statement = (
        select(*blocks, sum_int(CoverageTotal.row_count))
        .join(Donation, Donation.id == CoverageTotal.donation_key)
        .where(Donation.package == JKK_JKM_JHT, *period.received(Donation.received_on))
        .group_by(*blocks)
    )
    if key is not None:
        statement = statement.where(Donation.donor_key == key)
    return statement


def last_covered_months(key: int | None, period: Period = ALL_TIME, *extra) -> Select:
    """Each worker of these coverage rows with L, the last month those rows cover (docs/contract.md
    v2 "ended_workers"), and any ``extra`` grouping columns (say, the donor type)."""
    return for_donations(
        select(
            Coverage.worker_key.label("worker_key"),
            *extra,
            func.max(last_covered_month()).label("last_month"),
        ),
        key,
        Coverage.donation_key,
        period,
    ).group_by(Coverage.worker_key, *extra)


def spans_in(period: Period) -> list:
    """The donor_spans rows a period selects: for each worker, the run of their receipt
    dates that falls in it (before_on < start <= first_on, last_on <= end < after_on)."""
    span = DonorSpan
    if period.start is None:
        conditions = [span.before_on.is_(None)]
    else:
        conditions = [
            or_(span.before_on.is_(None), span.before_on < period.start),
            span.first_on >= period.start,
        ]
    if period.end is None:
        conditions.append(span.after_on.is_(None))
    else:
        conditions += [
            or_(span.after_on.is_(None), span.after_on > period.end),
            span.last_on <= period.end,
        ]
    return conditions


def continuation_sums(last_month, continued, month: int, workers=1) -> tuple:
    """(ended, continued) as SUM expressions over rows of ``workers`` workers (one each, or a
    count) with their L and whether they continued: ended when the month of as_of is past
    L + 3 (docs/contract.md)."""
    ended = last_month + CONTINUATION_WINDOW < month
    return (
        sum_int(case((ended, workers), else_=0)).label("ended_workers"),
        sum_int(case((and_(ended, continued), workers), else_=0)).label("continued_workers"),
    )


def continuation_query(key: int | None, period: Period, month: int) -> Select:
    """Ended and continued workers: from the derived tables (kept with every coverage and
    self-paid write) for all time and for one donor's period, from the period's coverage
    rows for the whole programme in a period (no page asks for it)."""
    if period.is_all_time and key is None:
        table = ProgrammeContinuation
        return select(*continuation_sums(table.last_month, table.continued, month, table.workers))
    if period.is_all_time:
        table = DonorContinuation
        return select(
            *continuation_sums(table.last_month, table.continued, month, table.workers)
        ).where(table.donor_key == key)
    if key is not None:
        span = DonorSpan
        return select(
            *continuation_sums(span.last_month, span.continued, month, span.workers)
        ).where(span.donor_key == key, *spans_in(period))
    last = last_covered_months(key, period).subquery()
    continued = continued_after(last.c.worker_key, last.c.last_month)
    return select(*continuation_sums(last.c.last_month, continued, month))


def age_band(birth_year_column, year: int):
    """The age band (``25–34``) of a worker in ``year``, as an SQL expression."""
    age = (year if isinstance(year, BindParameter) else literal(year)) - birth_year_column
    return case(
        *((age.between(low, high), age_band_label(low, high)) for low, high in AGE_BANDS),
        else_=UNDER_AGE,
    )
