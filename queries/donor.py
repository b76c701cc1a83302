"""What one donor's money became: the questions the donor impact pages ask.

Every function takes the caller's ``Access`` and refuses (``AccessDenied``) a donor outside
it: donor-private data cannot be asked for without saying who asks.

Every function takes a connection (or engine), the donor's id and a ``Period`` of donations,
aggregates in SQL and returns a small tidy DataFrame or dataclass. Worker ids appear only in
``donation_coverage`` (pseudonymous, for the donor's own trail); claims never carry one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

import pandas as pd
from sqlalchemy import (
    Connection,
    Date,
    Integer,
    bindparam,
    case,
    extract,
    func,
    select,
    union_all,
)

from dashboard.accounts.access import Access
from dashboard.core.escaping import visible
from dashboard.core.months import first_day, month_label, month_of
from dashboard.core.vocabulary import JKK_JKM_JHT, age_band_of
from dashboard.ledger.allocator import RateSchedule
from dashboard.ledger.derived import row_outcome
from dashboard.ledger.schema import (
    Confirmation,
    ConfirmationTotal,
    Coverage,
    CoverageTotal,
    Donation,
    DonationCell,
    DonationClaim,
    DonationFlow,
    Donor,
    DonorContinuation,
    UnconfirmedCoverage,
    Worker,
    sum_int,
)
from queries.figures import (
    ALL_TIME,
    LedgerFigures,
    Period,
    age_band,
    as_of_cut,
    as_tuples,
    by_shape,
    connected,
    cuts,
    donor_key,
    first_in_period,
    for_donations,
    frame_of,
    ledger_figures,
)


@dataclass(frozen=True)
class DonorInfo:
    donor_id: str
    name: str
    type: str
    first_donation: dt.date | None
    last_donation: dt.date | None
    fiscal_year_start: int = 1  # the month the donor's fiscal year begins


@connected
def donors(conn: Connection, access: Access) -> pd.DataFrame:
    """The donors ``access`` may see, for the picker: id, name, type, donated (largest first)."""
    donated = (
        select(Donation.donor_key, sum_int(Donation.amount_idr).label("donated_idr"))
        .group_by(Donation.donor_key)
        .subquery()
    )
    rows = conn.execute(
        select(
            Donor.donor_id,
            Donor.name,
            Donor.type,
            func.coalesce(donated.c.donated_idr, 0).label("donated_idr"),
        )
        .outerjoin(donated, donated.c.donor_key == Donor.id)
        .order_by(func.coalesce(donated.c.donated_idr, 0).desc(), Donor.donor_id)
    ).all()
    frame = pd.DataFrame(rows, columns=["donor_id", "name", "type", "donated_idr"])
    frame["name"] = frame["name"].map(visible)
    frame = frame.loc[frame["donor_id"].map(access.allows).astype(bool)]
    return frame.reset_index(drop=True).astype({"donated_idr": "int64"})


@connected
def donor_info(conn: Connection, access: Access, donor_id: str) -> DonorInfo | None:
    """The donor's name, type, first and last donation and the month its fiscal year
    begins; None when there is no such donor."""
    access.require(donor_id)
    row = conn.execute(
        select(
            Donor.donor_id,
            Donor.name,
            Donor.type,
            func.min(Donation.received_on),
            func.max(Donation.received_on),
            Donor.fiscal_year_start,
        )
        .outerjoin(Donation, Donation.donor_key == Donor.id)
        .where(Donor.donor_id == donor_id)
        .group_by(Donor.donor_id, Donor.name, Donor.type, Donor.fiscal_year_start)
    ).first()
    return None if row is None else DonorInfo(row[0], visible(row[1]), *row[2:])


@dataclass(frozen=True)
class Headline:
    """The contract's figures plus the two ratios a board asks for."""

    figures: LedgerFigures

    @property
    def allocated_share(self) -> Fraction | None:
        f = self.figures
        return Fraction(f.allocated_idr, f.donated_idr) if f.donated_idr else None

    @property
    def cost_per_worker_month(self) -> int | None:
        """Rupiah per protected worker-month, rounded half up to a whole rupiah."""
        f = self.figures
        if not f.protected_months:
            return None
        return (2 * f.allocated_idr + f.protected_months) // (2 * f.protected_months)

    @property
    def confirmed_share(self) -> Fraction | None:
        """Share of allocated rupiah BPJS Ketenagakerjaan confirmed received (v2)."""
        f = self.figures
        return Fraction(f.confirmed_idr, f.allocated_idr) if f.allocated_idr else None

    @property
    def continuation_rate(self) -> Fraction | None:
        """Ended workers who went on paying themselves (docs/contract.md "continued_workers")."""
        f = self.figures
        return Fraction(f.continued_workers, f.ended_workers) if f.ended_workers else None

    @property
    def claims_per_rupiah(self) -> Fraction | None:
        """Claims paid per rupiah allocated."""
        f = self.figures
        return Fraction(f.claims_paid_idr, f.allocated_idr) if f.allocated_idr else None


def headline(
    bind, access: Access, donor_id: str, period: Period = ALL_TIME, as_of: dt.date | None = None
) -> Headline:
    access.require(donor_id)
    return Headline(ledger_figures(bind, donor_id, as_of, period))


@by_shape
def _donations(key, period: Period):
    funded = (
        select(
            CoverageTotal.donation_key,
            sum_int(CoverageTotal.amount_idr * CoverageTotal.row_count).label("allocated_idr"),
            sum_int(CoverageTotal.row_count).label("workers"),
            sum_int(CoverageTotal.months * CoverageTotal.row_count).label("protected_months"),
        )
        .group_by(CoverageTotal.donation_key)
        .subquery()
    )
    confirmed = (
        select(
            ConfirmationTotal.donation_key,
            sum_int(ConfirmationTotal.confirmed_idr).label("confirmed_idr"),
            sum_int(ConfirmationTotal.confirmed_rows).label("confirmed_rows"),
        )
        .where(ConfirmationTotal.confirmed_on <= bindparam("cut", type_=Date))
        .group_by(ConfirmationTotal.donation_key)
        .subquery()
    )
    return (
        select(
            Donation.donation_id,
            Donation.received_on,
            Donation.amount_idr,
            func.coalesce(funded.c.allocated_idr, 0),
            func.coalesce(funded.c.workers, 0),
            func.coalesce(funded.c.protected_months, 0),
            Donation.months_per_worker,
            Donation.earmark_province,
            Donation.earmark_occupation,
            Donation.package,
            func.coalesce(confirmed.c.confirmed_idr, 0),
            func.coalesce(confirmed.c.confirmed_rows, 0),
        )
        .outerjoin(funded, funded.c.donation_key == Donation.id)
        .outerjoin(confirmed, confirmed.c.donation_key == Donation.id)
        .where(Donation.donor_key == key, *period.received(Donation.received_on))
        .order_by(Donation.received_on, Donation.donation_id)
    )


@connected
def donations(
    conn: Connection,
    access: Access,
    donor_id: str,
    period: Period = ALL_TIME,
    as_of: dt.date | None = None,
) -> pd.DataFrame:
    """The donation trail: each donation with what it funded (from coverage_totals), and
    what BPJS Ketenagakerjaan had confirmed of it by ``as_of`` (today by default)."""
    access.require(donor_id)
    key = donor_key(conn, donor_id)
    rows = conn.execute(*_donations(key, period, cut=as_of or dt.date.today())).all()
    columns = [
        "donation_id",
        "received_on",
        "amount_idr",
        "allocated_idr",
        "workers",
        "protected_months",
        "months_per_worker",
        "earmark_province",
        "earmark_occupation",
        "package",
        "confirmed_idr",
        "confirmed_rows",
    ]
    frame = pd.DataFrame(as_tuples(rows), columns=columns)
    counts = [
        "amount_idr",
        "allocated_idr",
        "workers",
        "protected_months",
        "months_per_worker",
        "confirmed_idr",
        "confirmed_rows",
    ]
    frame = frame.astype(dict.fromkeys(counts, "int64"))
    frame.insert(4, "balance_idr", frame["amount_idr"] - frame["allocated_idr"])
    # workers = coverage rows of the donation (one per worker): rows still awaiting BPJS-TK
    frame["unconfirmed_rows"] = frame["workers"] - frame["confirmed_rows"]
    return frame


@connected
def donation_coverage(
    conn: Connection, access: Access, donor_id: str, donation_id: str
) -> pd.DataFrame:
    """The coverage rows one donation bought (pseudonymous worker ids: the donor's own trail)."""
    access.require(donor_id)
    key = donor_key(conn, donor_id)
    rows = conn.execute(
        select(
            Worker.worker_id,
            Worker.province,
            Worker.occupation,
            Coverage.start_month,
            Coverage.months,
            Coverage.amount_idr,
            Confirmation.confirmed_on,
            Confirmation.reference,
        )
        .join(Coverage, Coverage.worker_key == Worker.id)
        .join(Donation, Donation.id == Coverage.donation_key)
        .outerjoin(Confirmation, Confirmation.coverage_key == Coverage.id)
        .where(Donation.donor_key == key, Donation.donation_id == donation_id)
        .order_by(Confirmation.id.is_not(None), Worker.registered_on, Worker.worker_id)
    ).all()
    frame = pd.DataFrame(
        as_tuples(rows),
        columns=[
            "worker_id",
            "province",
            "occupation",
            "start_month",
            "months",
            "amount_idr",
            "confirmed_on",
            "reference",
        ],
    )
    frame["start_month"] = frame["start_month"].map(month_label)
    for column in ("confirmed_on", "reference"):  # None, not NaN, where nothing is confirmed
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame.astype({"months": "int64", "amount_idr": "int64"})


@by_shape
def _monthly_blocks(key, period: Period):
    return for_donations(
        select(
            CoverageTotal.start_month,
            CoverageTotal.months,
            CoverageTotal.row_count,
            CoverageTotal.amount_idr,
        ),
        key,
        CoverageTotal.donation_key,
        period,
    )


@by_shape
def _monthly_gifts(key, period: Period):
    return select(Donation.received_on, Donation.amount_idr).where(
        Donation.donor_key == key, *period.received(Donation.received_on)
    )


@connected
def monthly(
    conn: Connection, access: Access, donor_id: str, period: Period = ALL_TIME
) -> pd.DataFrame:
    """Per month: workers protected by the donor's money, donated, allocated, and both summed.

    Workers protected in month m are the coverage rows containing m (rows of one worker never
    overlap), expanded from coverage_totals: a few rows per donation, not per worker.
    """
    access.require(donor_id)
    key = donor_key(conn, donor_id)
    blocks = conn.execute(*_monthly_blocks(key, period)).all()
    gifts = conn.execute(*_monthly_gifts(key, period)).all()
    if not gifts:
        return pd.DataFrame(
            columns=["month", "protected_workers", "donated_idr", "allocated_idr"]
        ).astype("int64")
    first = min([month_of(day) for day, _ in gifts] + [start for start, *_ in blocks])
    last = max([month_of(day) for day, _ in gifts] + [s + m - 1 for s, m, *_ in blocks])
    months = range(first, last + 1)
    protected = dict.fromkeys(months, 0)
    allocated = dict.fromkeys(months, 0)
    donated = dict.fromkeys(months, 0)
    for start, length, count, amount in blocks:
        allocated[start] += amount * count
        for month in range(start, start + length):
            protected[month] += count
    for day, amount in gifts:
        donated[month_of(day)] += amount
    frame = pd.DataFrame(
        {
            "month": [first_day(m) for m in months],
            "protected_workers": [protected[m] for m in months],
            "donated_idr": [donated[m] for m in months],
            "allocated_idr": [allocated[m] for m in months],
        }
    )
    frame["cumulative_donated_idr"] = frame["donated_idr"].cumsum()
    frame["cumulative_allocated_idr"] = frame["allocated_idr"].cumsum()
    return frame


BREAKDOWNS = ("province", "occupation", "gender", "age_band")


@by_shape
def _profile(key, period: Period):
    return for_donations(
        select(
            DonationCell.dimension,
            DonationCell.value,
            sum_int(case((first_in_period(period), DonationCell.row_count), else_=0)),
            sum_int(DonationCell.months),
            sum_int(DonationCell.amount_idr),
        ),
        key,
        DonationCell.donation_key,
        period,
    ).group_by(DonationCell.dimension, DonationCell.value)


@connected
def profile(
    conn: Connection,
    access: Access,
    donor_id: str,
    period: Period = ALL_TIME,
    as_of: dt.date | None = None,
) -> pd.DataFrame:
    """Workers covered by the donor's money, worker-months and rupiah, by each of
    ``BREAKDOWNS`` (long: dimension, value). Distinct workers are exact sums over
    donation_cells (``first_in_period``); age is taken in the year of ``as_of``."""
    access.require(donor_id)
    key = donor_key(conn, donor_id)
    rows = conn.execute(*_profile(key, period)).all()
    frame = pd.DataFrame(
        as_tuples(rows),
        columns=["dimension", "value", "workers", "protected_months", "allocated_idr"],
    )
    year = (as_of or dt.date.today()).year
    ages = frame["dimension"] == "birth_year"
    frame.loc[ages, "value"] = [age_band_of(year - int(v)) for v in frame.loc[ages, "value"]]
    frame.loc[ages, "dimension"] = "age_band"
    frame = frame.groupby(["dimension", "value"], as_index=False).sum()
    return frame.astype({c: "int64" for c in ("workers", "protected_months", "allocated_idr")})


def breakdown(profile: pd.DataFrame, by: str) -> pd.DataFrame:
    """Workers, worker-months and rupiah by one of ``BREAKDOWNS``, most workers first."""
    if by not in BREAKDOWNS:
        raise ValueError(f"unknown breakdown {by!r}")
    figures = ["workers", "protected_months", "allocated_idr"]
    frame = profile.loc[profile["dimension"] == by, ["value", *figures]].rename(
        columns={"value": by}
    )
    frame = frame.sort_values(["workers", by], ascending=[False, True])
    return frame.reset_index(drop=True).astype({c: "int64" for c in figures})


@by_shape
def _flow(key, period: Period):
    year = extract("year", Donation.received_on)
    grouping = (year, DonationFlow.province, DonationFlow.occupation, DonationFlow.outcome)
    return (
        select(*grouping, sum_int(DonationFlow.row_count), sum_int(DonationFlow.amount_idr))
        .join(Donation, Donation.id == DonationFlow.donation_key)
        .where(Donation.donor_key == key, *period.received(Donation.received_on))
        .group_by(*grouping)
        .order_by(*grouping)
    )


@by_shape
def _flow_as_of(key, period: Period):
    """_flow computed from the coverage rows, with the claims paid by ``cut`` only: what the
    flow was on a day before the newest claims (donation_flows holds today's)."""
    year = extract("year", Donation.received_on)
    outcome = row_outcome(bindparam("cut", type_=Date)).label("outcome")
    grouping = (year, Worker.province, Worker.occupation, outcome)
    return (
        select(*grouping, func.count(), sum_int(Coverage.amount_idr))
        .join(Donation, Donation.id == Coverage.donation_key)
        .join(Worker, Worker.id == Coverage.worker_key)
        .where(Donation.donor_key == key, *period.received(Donation.received_on))
        .group_by(*grouping)
        .order_by(*grouping)
    )


@connected
def flow(
    conn: Connection,
    access: Access,
    donor_id: str,
    period: Period = ALL_TIME,
    as_of: dt.date | None = None,
) -> pd.DataFrame:
    """Money to protection: year received -> province -> occupation -> outcome, in rupiah.

    Outcome per coverage row: "JKM" when a paid death claim fell in it, else "JKK" when a paid
    work-accident claim did, else "protected" (protected, no claim); from donation_flows, or
    as of a day before today from the coverage rows and the claims paid by then.
    """
    access.require(donor_id)
    key = donor_key(conn, donor_id)
    if cuts(as_of):
        rows = conn.execute(*_flow_as_of(key, as_of_cut(period, as_of), cut=as_of)).all()
    else:
        rows = conn.execute(*_flow(key, period)).all()
    frame = pd.DataFrame(
        as_tuples(rows),
        columns=["year", "province", "occupation", "outcome", "rows", "allocated_idr"],
    )
    return frame.astype({"year": "int64", "rows": "int64", "allocated_idr": "int64"})


@by_shape
def _claims(key, period: Period):
    return (
        select(
            DonationClaim.program,
            DonationClaim.incident_month,
            DonationClaim.province,
            DonationClaim.occupation,
            age_band(DonationClaim.birth_year, bindparam("year", type_=Integer)),
            DonationClaim.amount_idr,
        )
        .join(Donation, Donation.id == DonationClaim.donation_key)
        .where(
            Donation.donor_key == key,
            *period.received(Donation.received_on),
            DonationClaim.paid_on <= bindparam("cut", type_=Date),
        )
    )


@connected
def claims(
    conn: Connection,
    access: Access,
    donor_id: str,
    period: Period = ALL_TIME,
    as_of: dt.date | None = None,
) -> pd.DataFrame:
    """Paid claims made possible by the donor's coverage, anonymised: no claim or worker id;
    as of ``as_of`` (today by default), those paid by then. In order of incident month and
    programme, the largest first: sorted here, not by the database, whose sort compared
    the programme codes by the server's collation and took twice as long as the read itself
    (tens of thousands of claims for a large donor at 10,000,000 workers)."""
    access.require(donor_id)
    key = donor_key(conn, donor_id)
    as_of = as_of or dt.date.today()
    statement, values = _claims(key, period, year=as_of.year, cut=as_of)
    frame = frame_of(
        conn,
        statement,
        ["program", "incident_month", "province", "occupation", "age_band", "amount_idr"],
        values,
    ).sort_values(
        ["incident_month", "program", "amount_idr"],
        ascending=[True, True, False],
        kind="stable",
        ignore_index=True,
    )
    months = frame["incident_month"]
    frame["incident_month"] = months.map({m: first_day(m) for m in months.unique()})
    return frame.astype({"amount_idr": "int64"})


UNCONFIRMED_LISTED = 1_000


def _waiting(key, period: Period):
    """A donor's rows awaiting confirmation in ``period``, oldest first: read in order from
    ``ix_unconfirmed_coverage_donor_order`` (each row carries its donation's donor, id and
    receipt date), stopping at ``listed`` rows. A row starts no earlier than the month its
    donation was received (docs/contract.md "coverage"), so the read begins at the period's
    first month instead of walking past the rows of the donor's older donations."""
    row = UnconfirmedCoverage
    starting = (
        [row.start_month >= bindparam("first_month", type_=Integer)]
        if period.start is not None
        else []
    )
    return (
        select(row.donation_id, row.worker_id, row.start_month, row.months, row.amount_idr)
        .where(
            row.donor_key == key,
            *starting,
            *period.received(row.received_on),
        )
        .order_by(row.start_month, row.donation_id, row.worker_id)
        .limit(bindparam("listed", type_=Integer))
    )


_unconfirmed = by_shape(_waiting)


@by_shape
def _unconfirmed_as_of(key, period: Period):
    """_unconfirmed on a day before today: also the rows confirmed only after ``cut``. The
    oldest of both together are among the oldest of each, so each side is cut at ``listed``
    rows before they are merged."""
    waiting = _waiting(key, period).subquery()
    confirmed_later = (
        select(
            Donation.donation_id,
            Worker.worker_id,
            Coverage.start_month,
            Coverage.months,
            Coverage.amount_idr,
        )
        .select_from(Confirmation)
        .join(Coverage, Coverage.id == Confirmation.coverage_key)
        .join(Worker, Worker.id == Coverage.worker_key)
        .join(Donation, Donation.id == Coverage.donation_key)
        .where(
            Donation.donor_key == key,
            *period.received(Donation.received_on),
            Confirmation.confirmed_on > bindparam("cut", type_=Date),
        )
        .order_by(Coverage.start_month, Donation.donation_id, Worker.worker_id)
        .limit(bindparam("listed", type_=Integer))
        .subquery()
    )
    both = union_all(select(*waiting.c), select(*confirmed_later.c)).subquery()
    return (
        select(*both.c)
        .order_by(both.c.start_month, both.c.donation_id, both.c.worker_id)
        .limit(bindparam("listed", type_=Integer))
    )


def _bounds(period: Period, listed: int) -> dict:
    """The values of ``_waiting``'s own parameters."""
    first = {} if period.start is None else {"first_month": month_of(period.start)}
    return {"listed": listed, **first}


@connected
def unconfirmed(
    conn: Connection,
    access: Access,
    donor_id: str,
    period: Period = ALL_TIME,
    as_of: dt.date | None = None,
    listed: int = UNCONFIRMED_LISTED,
) -> pd.DataFrame:
    """Coverage rows of the donor's donations that BPJS Ketenagakerjaan had not confirmed by
    ``as_of`` (today by default; docs/contract.md), oldest first by (start month, donation,
    worker), at most ``listed`` (pseudonymous worker ids)."""
    access.require(donor_id)
    key = donor_key(conn, donor_id)
    if cuts(as_of):
        cut = as_of_cut(period, as_of)
        rows = conn.execute(*_unconfirmed_as_of(key, cut, cut=as_of, **_bounds(cut, listed))).all()
    else:
        rows = conn.execute(*_unconfirmed(key, period, **_bounds(period, listed))).all()
    frame = pd.DataFrame(
        as_tuples(rows), columns=["donation_id", "worker_id", "start_month", "months", "amount_idr"]
    )
    frame["start_month"] = frame["start_month"].map(month_label)
    return frame.astype({"months": "int64", "amount_idr": "int64"})


LAPSE_DAYS = 60  # "protection ends in the next 60 days" (issue: the CSR manager's year)


@dataclass(frozen=True)
class Lapses:
    """The donor's workers whose protection from any of their donations ends between
    ``since`` and ``until``: a worker's protection ends on the last day of L, the last month
    the donor's coverage rows give them (docs/contract.md "ended_workers"). ``months`` holds
    (L, workers) for each such month. The extension is one block like the donor's latest
    donation (its months and package) at the rates in force on ``since``: a figure, not a
    promise, since allocation decides who is served."""

    since: dt.date
    until: dt.date
    months: tuple[tuple[int, int], ...]
    block_months: int
    package: str
    monthly_idr: int

    @property
    def workers(self) -> int:
        return sum(workers for _, workers in self.months)

    @property
    def extension_idr(self) -> int:
        return self.workers * self.block_months * self.monthly_idr


def ending_months(since: dt.date, until: dt.date) -> tuple[int, int]:
    """The first and last month L whose last day falls from ``since`` to ``until``."""
    last = month_of(until)
    if (until + dt.timedelta(days=1)).month == until.month:  # ``until`` is not a month's end
        last -= 1
    return month_of(since), last


@connected
def lapses(
    conn: Connection, access: Access, donor_id: str, since: dt.date, days: int = LAPSE_DAYS
) -> Lapses:
    """Workers whose protection from the donor ends in the ``days`` days from ``since``, by
    month, from donor_continuation (one row per donor, L and continuation: never a worker)."""
    access.require(donor_id)
    key = donor_key(conn, donor_id)
    until = since + dt.timedelta(days=days)
    first, last = ending_months(since, until)
    table = DonorContinuation
    months = conn.execute(
        select(table.last_month, sum_int(table.workers))
        .where(table.donor_key == key, table.last_month.between(first, last))
        .group_by(table.last_month)
        .order_by(table.last_month)
    ).all()
    latest = conn.execute(
        select(Donation.months_per_worker, Donation.package)
        .where(Donation.donor_key == key)
        .order_by(Donation.received_on.desc(), Donation.donation_id.desc())
        .limit(1)
    ).first()
    block_months, package = latest if latest else (0, "")
    rates = RateSchedule(conn)
    monthly_idr = rates.monthly(month_of(since))
    if package == JKK_JKM_JHT:
        monthly_idr += rates.jht_monthly(month_of(since))
    return Lapses(
        since=since,
        until=until,
        months=tuple((int(month), int(workers)) for month, workers in months if workers),
        block_months=int(block_months),
        package=package,
        monthly_idr=monthly_idr,
    )


@connected
def claims_by_month(
    conn: Connection,
    access: Access,
    donor_id: str,
    first: int,
    last: int,
    paid_by: dt.date | None = None,
) -> dict[int, tuple[int, int]]:
    """Paid claims the donor's coverage made possible, by incident month from ``first`` to
    ``last`` (month indexes): (claims, benefits in rupiah); months without any are absent.
    ``paid_by``: only the claims paid by then (docs/contract.md "As of")."""
    access.require(donor_id)
    key = donor_key(conn, donor_id)
    rows = conn.execute(
        select(
            DonationClaim.incident_month,
            func.count(),
            sum_int(DonationClaim.amount_idr),
        )
        .join(Donation, Donation.id == DonationClaim.donation_key)
        .where(
            Donation.donor_key == key,
            DonationClaim.incident_month.between(first, last),
            DonationClaim.paid_on <= (paid_by or dt.date.today()),
        )
        .group_by(DonationClaim.incident_month)
    ).all()
    return {int(month): (int(count), int(amount)) for month, count, amount in rows}
