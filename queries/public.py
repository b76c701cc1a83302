"""The public questions: programme aggregates, never a worker id, a claim or a coverage row.

Every function returns aggregates only; the pages, downloads and the API pass them through
``dashboard.publish.privacy.suppress`` before anyone sees them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeVar

import pandas as pd
from sqlalchemy import BigInteger, Connection, Engine, case, func, literal, select

from dashboard.accounts.fiscal_year import FISCAL_YEAR_ACTION
from dashboard.core.errors import LedgerMoved
from dashboard.core.escaping import visible
from dashboard.core.months import first_day, month_label, month_of
from dashboard.core.vocabulary import DONOR_TYPES
from dashboard.ledger.derived import CONTINUATION_WINDOW, continued_after, last_covered_month
from dashboard.ledger.schema import (
    AllocationRun,
    AuditEntry,
    Coverage,
    CoverageTotal,
    Donation,
    DonationClaim,
    Donor,
    ImportLog,
    Rate,
    Release,
    Worker,
    sum_int,
)
from queries.figures import age_band, as_tuples, connected, continuation_sums

DIMENSIONS = ("year", "month", "province", "occupation", "gender", "age_band", "donor_type")
FIGURES = ("workers", "protected_months", "allocated_idr")


@connected
def monthly_protection(
    conn: Connection, today: dt.date | None = None, salt: int = 0
) -> pd.DataFrame:
    """Per month: workers protected, donated by donor type, as of ``today`` (the donations
    received by then and the coverage they bought). ``key`` is the month's cell key: the
    sum of the keys of the blocks of coverage rows that protect someone in it."""
    today = today or dt.date.today()
    blocks = conn.execute(
        received_by(
            select(
                CoverageTotal.donation_key,
                CoverageTotal.start_month,
                CoverageTotal.months,
                sum_int(CoverageTotal.row_count),
            ).join(Donation, Donation.id == CoverageTotal.donation_key),
            today,
        ).group_by(CoverageTotal.donation_key, CoverageTotal.start_month, CoverageTotal.months)
    ).all()
    gifts = conn.execute(
        received_by(
            select(
                Donation.received_on,
                Donor.type,
                Donation.amount_idr,
                case((Donor.show_name.is_(True), None), else_=Donor.id),
            ).join(Donor, Donor.id == Donation.donor_key),
            today,
        )
    ).all()
    if not gifts:
        return pd.DataFrame(columns=["month", "protected_workers", "key"])
    first = min(month_of(day) for day, *_ in gifts)
    last = max([month_of(today)] + [s + m - 1 for _, s, m, _ in blocks])
    protected = dict.fromkeys(range(first, last + 1), 0)
    keys = dict.fromkeys(range(first, last + 1), 0)
    for donation, start, length, count in blocks:
        block = ((donation + salt) * GOLDEN + start * 40503 + length) * count
        for month in range(start, start + length):
            protected[month] += count
            keys[month] = (keys[month] + block) % KEY_SPACE
    frame = pd.DataFrame(
        {
            "month": [first_day(m) for m in protected],
            "protected_workers": list(protected.values()),
            "key": list(keys.values()),
        }
    )
    donated = pooled_gifts(gifts, last)
    for donor_type in ("corporate", "soe", "personal", "community"):
        column = [donated.get((donor_type, month), 0) for month in protected]
        frame[f"donated_{donor_type}_idr"] = pd.Series(column, dtype="int64")
        frame[f"cumulative_{donor_type}_idr"] = frame[f"donated_{donor_type}_idr"].cumsum()
    return frame


ANONYMOUS_GIFTS = 3  # anonymous donors a month's sum of one type needs before it is shown


def pooled_gifts(gifts, last: int) -> dict[tuple[str, int], int]:
    """Donations per (donor type, month received), with the gifts of anonymous donors held
    back until at least three different anonymous donors have given in the pooled months:
    one person's donation is never a month's figure of its own (issue 27). What is still
    held at the end is not shown by month; the headline's total includes it."""
    by_type: dict[str, dict[int, list]] = {}
    for day, donor_type, amount, anonymous in gifts:
        by_type.setdefault(donor_type, {}).setdefault(month_of(day), []).append((amount, anonymous))
    shown: dict[tuple[str, int], int] = {}
    for donor_type, months in by_type.items():
        held, donors = 0, set()
        for month in range(min(months), last + 1):
            for amount, anonymous in months.get(month, []):
                held += amount
                if anonymous is not None:
                    donors.add(anonymous)
            if held and (not donors or len(donors) >= ANONYMOUS_GIFTS):
                shown[(donor_type, month)] = held
                held, donors = 0, set()
    return shown


@connected
def aggregates(conn: Connection, by: tuple[str, ...], today: dt.date | None = None) -> pd.DataFrame:
    """The open-data cube: workers, worker-months and rupiah per cell of ``by``, unsuppressed.

    ``month`` is the first month of the coverage (YYYY-MM), ``year`` its year; ``workers``
    counts distinct workers in the cell, so a worker covered in two cells counts in both.
    """
    unknown = set(by) - set(DIMENSIONS)
    if unknown or not by:
        raise ValueError(f"unknown dimension(s): {', '.join(sorted(unknown)) or '(none)'}")
    year = (today or dt.date.today()).year
    columns = {
        "year": Coverage.start_month // 12,
        "month": Coverage.start_month,
        "province": Worker.province,
        "occupation": Worker.occupation,
        "gender": Worker.gender,
        "age_band": age_band(Worker.birth_year, year),
        "donor_type": Donor.type,
    }
    chosen = [columns[d].label(d) for d in by]
    statement = (
        select(
            *chosen,
            func.count(func.distinct(Coverage.worker_key)),
            sum_int(Coverage.months),
            sum_int(Coverage.amount_idr),
        )
        .select_from(Coverage)
        .join(Worker, Worker.id == Coverage.worker_key)
    )
    if "donor_type" in by:
        statement = statement.join(Donation, Donation.id == Coverage.donation_key).join(
            Donor, Donor.id == Donation.donor_key
        )
    rows = conn.execute(statement.group_by(*chosen).order_by(*chosen)).all()
    frame = pd.DataFrame(as_tuples(rows), columns=[*by, *FIGURES]).astype(
        dict.fromkeys(FIGURES, "int64")
    )
    if "month" in by:
        frame["month"] = frame["month"].map(month_label)
    return frame


WORKER_ATTRIBUTES = ("province", "occupation", "gender", "age_band")


GOLDEN = 2654435761  # Knuth's multiplicative hash: odd, so ids map to keys one to one
KEY_SPACE = 2**32


def record_key(column, salt: int):
    """A record's permanent key for the cell-key perturbation: a multiplicative hash of its
    internal id and the ledger's secret, in 0 .. 2**32 - 1 (docs/contract.md "Public releases").
    It never changes, so a cell of the same records gets the same key in every release;
    nobody without the secret can compute it."""
    return ((column + literal(salt, BigInteger)) * literal(GOLDEN, BigInteger)) % KEY_SPACE


def received_by(statement, as_of: dt.date):
    """``statement`` (joined to donations) cut at ``as_of`` (docs/contract.md "As of")."""
    return statement.where(Donation.received_on <= as_of)


@connected
def publication_cube(
    conn: Connection, today: dt.date | None = None, salt: int = 0
) -> dict[str, pd.DataFrame]:
    """What every one- and two-way table of ``DIMENSIONS`` but month is summed from, as of
    ``today`` (the coverage of donations received by then), in one read of the coverage
    (the open data's publication):

    - ``sums``: worker-months and rupiah per year, donor type and worker attributes;
    - ``workers``: covered workers per worker attributes (each worker once);
    - ``by_year``, ``by_type``, ``by_year_type``: distinct workers per year, donor type or
      both, and worker attributes.

    A worker has one value of each attribute, so any table's distinct workers is a sum
    over the attributes it leaves out; not over years or donor types, which is why those
    come counted apart. Each count comes with ``key``, the sum of its records' keys
    (``record_key``): of the workers for counts, of the coverage rows for the sums.

    The read groups the coverage by worker, year and donor type, and marks each worker's
    first group of a year, of a donor type and of all; the counts per year, per donor type
    and in all are the sums of those marks, so one pass serves the five frames (it was five
    passes: docs/performance.md "A release at ten million workers (issue 30)").
    """
    as_of = today or dt.date.today()
    coverage_year = (Coverage.start_month // 12).label("year")
    per_group = (
        received_by(
            select(
                Coverage.worker_key.label("worker_key"),
                coverage_year,
                Donor.type.label("donor_type"),
                sum_int(Coverage.months).label("months"),
                sum_int(Coverage.amount_idr).label("amount"),
                sum_int(record_key(Coverage.id, salt)).label("sums_key"),
            )
            .join(Donation, Donation.id == Coverage.donation_key)
            .join(Donor, Donor.id == Donation.donor_key),
            as_of,
        )
        .group_by(Coverage.worker_key, coverage_year, Donor.type)
        .subquery("per_group")
    )
    group = per_group.c

    def first(*partition, order) -> object:
        """1 on a worker's first group within ``partition``, else 0."""
        rank = func.row_number().over(partition_by=partition, order_by=order)
        return case((rank == 1, 1), else_=0)

    marked = select(
        *group,
        first(group.worker_key, group.year, order=group.donor_type).label("first_of_year"),
        first(group.worker_key, group.donor_type, order=group.year).label("first_of_type"),
        first(group.worker_key, order=(group.year, group.donor_type)).label("first_of_all"),
    ).subquery("marked")
    row = marked.c
    worker_key = record_key(row.worker_key, salt)
    attributes = [
        Worker.province,
        Worker.occupation,
        Worker.gender,
        age_band(Worker.birth_year, as_of.year).label("age_band"),
    ]
    marks = {"year": row.first_of_year, "type": row.first_of_type, "all": row.first_of_all}
    counted = []
    for name, mark in marks.items():
        counted += [
            sum_int(mark).label(f"workers_{name}"),
            sum_int(case((mark == 1, worker_key), else_=0)).label(f"key_{name}"),
        ]
    statement = (
        select(
            row.year,
            row.donor_type,
            *attributes,
            sum_int(row.months),
            sum_int(row.amount),
            sum_int(row.sums_key),
            func.count(),
            sum_int(worker_key),
            *counted,
        )
        .select_from(marked)
        .join(Worker, Worker.id == row.worker_key)
        .group_by(row.year, row.donor_type, *attributes)
    )
    cube = pd.DataFrame(
        conn.execute(statement).all(),
        columns=[
            "year",
            "donor_type",
            *WORKER_ATTRIBUTES,
            "protected_months",
            "allocated_idr",
            "sums_key",
            "workers",
            "workers_key",
            *(f"{what}_{name}" for name in marks for what in ("workers", "key")),
        ],
    )
    attribute_names = list(WORKER_ATTRIBUTES)

    def distinct(keys: list[str], name: str) -> pd.DataFrame:
        """Distinct workers per ``keys`` and attributes: the sums of one mark."""
        summed = (
            cube.groupby([*keys, *attribute_names], dropna=False, sort=False)[
                [f"workers_{name}", f"key_{name}"]
            ]
            .sum()
            .reset_index()
            .rename(columns={f"workers_{name}": "workers", f"key_{name}": "workers_key"})
        )
        return summed[summed["workers"] > 0].reset_index(drop=True)

    keys = ["year", "donor_type", *attribute_names]
    frames = {
        "sums": cube[[*keys, "protected_months", "allocated_idr", "sums_key"]].copy(),
        "by_year_type": cube[[*keys, "workers", "workers_key"]].copy(),
        "by_year": distinct(["year"], "year"),
        "by_type": distinct(["donor_type"], "type"),
        "workers": distinct([], "all"),
    }
    for frame in frames.values():
        if "year" in frame:
            frame["year"] = frame["year"].astype("int64")
        for column in ("workers", "protected_months", "allocated_idr", "sums_key", "workers_key"):
            if column in frame:
                frame[column] = frame[column].astype("int64")
    return frames


def _paid_by(statement, as_of: dt.date):
    """Claims cut at ``as_of``: paid by then, in coverage of a donation received by then."""
    return received_by(
        statement.join(Donation, Donation.id == DonationClaim.donation_key), as_of
    ).where(DonationClaim.paid_on <= as_of)


@connected
def paid_claims(
    conn: Connection, grain: str = "quarter", as_of: dt.date | None = None, salt: int = 0
) -> pd.DataFrame:
    """Paid JKK and JKM claims inside coverage (the ones donations made possible, docs/contract.md
    v2 "Figures") per ``grain`` ("quarter": ``2024-Q1``, or "year": ``2024``) of the incident
    and program, as of ``as_of``: count, rupiah and the cell key of its claims, unsuppressed.
    They add up to the programme's headline."""
    if grain not in ("quarter", "year"):
        raise ValueError(f"grain is quarter or year, not {grain!r}")
    as_of = as_of or dt.date.today()
    rows = conn.execute(
        _paid_by(
            select(
                DonationClaim.incident_month,
                DonationClaim.program,
                func.count(),
                sum_int(DonationClaim.amount_idr),
                sum_int(record_key(DonationClaim.claim_key, salt)),
            ),
            as_of,
        ).group_by(DonationClaim.incident_month, DonationClaim.program)
    ).all()
    frame = pd.DataFrame(rows, columns=["month", "program", "claims", "amount_idr", "key"])
    if frame.empty:
        return pd.DataFrame(columns=[grain, "program", "claims", "amount_idr", "key"])
    if grain == "quarter":
        frame[grain] = [f"{(m // 12)}-Q{(m % 12) // 3 + 1}" for m in frame["month"]]
    else:
        frame[grain] = [str(m // 12) for m in frame["month"]]
    return (
        frame.groupby([grain, "program"], as_index=False)[["claims", "amount_idr", "key"]]
        .sum()
        .astype({"claims": "int64", "amount_idr": "int64", "key": "int64"})
    )


@connected
def attributed_claims(
    conn: Connection, as_of: dt.date | None = None, salt: int = 0
) -> pd.DataFrame:
    """Paid claims per program that fall in a covered month (docs/contract.md "Figures"), as
    of ``as_of``: their sums are the programme's claims_paid_count and claims_paid_idr."""
    rows = conn.execute(
        _paid_by(
            select(
                DonationClaim.program,
                func.count(),
                sum_int(DonationClaim.amount_idr),
                sum_int(record_key(DonationClaim.claim_key, salt)),
            ),
            as_of or dt.date.today(),
        )
        .group_by(DonationClaim.program)
        .order_by(DonationClaim.program)
    ).all()
    frame = pd.DataFrame(rows, columns=["program", "claims", "amount_idr", "key"])
    return frame.astype({"claims": "int64", "amount_idr": "int64", "key": "int64"})


@connected
def donors_wall(conn: Connection, as_of: dt.date | None = None) -> pd.DataFrame:
    """Donors who chose show_name, with totals as of ``as_of``; everyone else pooled in one
    row without a name (type ``anonymous``, ``donors`` = how many are pooled)."""
    as_of = as_of or dt.date.today()
    donated = (
        received_by(
            select(Donation.donor_key, sum_int(Donation.amount_idr).label("donated_idr")), as_of
        )
        .group_by(Donation.donor_key)
        .subquery()
    )
    funded = received_by(
        select(Donation.donor_key, Coverage.worker_key).join(
            Donation, Donation.id == Coverage.donation_key
        ),
        as_of,
    ).subquery()
    covered = (
        select(funded.c.donor_key, func.count(func.distinct(funded.c.worker_key)).label("workers"))
        .group_by(funded.c.donor_key)
        .subquery()
    )
    rows = conn.execute(
        select(
            Donor.name,
            Donor.type,
            donated.c.donated_idr,
            func.coalesce(covered.c.workers, 0),
        )
        .join(donated, donated.c.donor_key == Donor.id)
        .outerjoin(covered, covered.c.donor_key == Donor.id)
        .where(Donor.show_name.is_(True))
        .order_by(donated.c.donated_idr.desc(), Donor.name)
    ).all()
    wall = pd.DataFrame(rows, columns=["name", "type", "donated_idr", "workers"])
    wall["name"] = wall["name"].map(visible)
    wall["donors"] = 1
    anonymous = select(Donor.id).where(Donor.show_name.is_(False)).scalar_subquery()
    count, pooled = conn.execute(
        received_by(
            select(
                func.count(func.distinct(Donation.donor_key)), sum_int(Donation.amount_idr)
            ).where(Donation.donor_key.in_(anonymous)),
            as_of,
        )
    ).one()
    pooled_workers = conn.execute(
        select(func.count(func.distinct(funded.c.worker_key))).where(
            funded.c.donor_key.in_(anonymous)
        )
    ).scalar_one()
    if count:  # the anonymous pool: no name, the number of donors in it
        wall.loc[len(wall)] = [None, "anonymous", pooled, pooled_workers, count]
    return wall.astype({"donated_idr": "int64", "workers": "int64", "donors": "int64"})


@connected
def rate_schedule(conn: Connection) -> pd.DataFrame:
    """The rates in force: JKK+JKM, and the JHT rate (carried forward where a row gives none)."""
    rows = conn.execute(
        select(Rate.effective_month, Rate.monthly_idr, Rate.jht_monthly_idr).order_by(
            Rate.effective_month
        )
    )
    frame = pd.DataFrame(rows.all(), columns=["effective_from", "monthly_idr", "jht_monthly_idr"])
    frame["effective_from"] = frame["effective_from"].map(month_label)
    return frame.astype({"jht_monthly_idr": "Int64"}).ffill().astype({"jht_monthly_idr": "int64"})


T = TypeVar("T")


@connected
def ledger_version(conn: Connection) -> tuple:
    """Changes whenever an import, an allocation or a donor's fiscal-year setting lands:
    part of every cache key.

    Ids and times together: a ledger rebuilt at the same URL restarts its ids, but not its
    clock, so a cached answer of the old ledger is never served for the new one.
    """
    return tuple(conn.execute(_LEDGER_VERSION).one())


def at_version(engine: Engine, version: tuple, compute: Callable[[], T]) -> T:
    """``compute()``, whose reads of the ledger must all belong to ``version``.

    Each statement sees the ledger as it stands when the statement runs, so an import or an
    allocation that lands during ``compute()`` (or after ``version`` was read) gives an
    answer that is part one version, part the next: a donor page showed the new trail under
    the old headline while a burst of visitors met an allocation (issue 24). Versions only
    grow, and every write makes a new one in its own transaction, so when the ledger is
    still at ``version`` after ``compute()`` every read saw that version. Otherwise
    LedgerMoved: the caller reads again at the new version, and nothing mixed is kept.
    """
    answer = compute()
    if ledger_version(engine) != version:
        raise LedgerMoved(f"the ledger moved on from version {version} while it was read")
    return answer


def at_latest_version(engine: Engine, answer: Callable[[tuple], T], attempts: int = 3) -> T:
    """``answer(version)`` at the ledger's version now, asked again at the newer version
    each time it raises LedgerMoved (a write landed while it read), ``attempts`` times at
    most: for whoever cannot run again as a page does (the API, the publication)."""
    for _attempt in range(attempts):
        try:
            return answer(ledger_version(engine))
        except LedgerMoved:
            continue
    raise LedgerMoved(f"the ledger changed during each of {attempts} readings")


# Built once: every page run and every API answer asks it.
_LEDGER_VERSION = select(
    select(func.max(ImportLog.id)).scalar_subquery(),
    select(func.max(ImportLog.imported_at)).scalar_subquery(),
    select(func.max(AllocationRun.id)).scalar_subquery(),
    select(func.max(AllocationRun.ran_at)).scalar_subquery(),
    # A donor's fiscal year changes how its pages name periods; it is set in the audit
    # log's transaction. Other admin actions (a check, a membership) change no figure and
    # must not make every cache (the publication: 41 s at 2,000,000 workers) stale.
    select(func.max(AuditEntry.id))
    .where(AuditEntry.action == FISCAL_YEAR_ACTION)
    .scalar_subquery(),
    # A new public release changes what every public page shows (its id is unique).
    select(func.max(Release.id)).scalar_subquery(),
)


@connected
def freshness(conn: Connection) -> dict[str, dt.datetime | None]:
    """When the ledger last changed: the last import and the last allocation."""
    return {
        "last_import": conn.execute(select(func.max(ImportLog.imported_at))).scalar(),
        "last_allocation": conn.execute(select(func.max(AllocationRun.ran_at))).scalar(),
    }


STIMULUS_BANDS = ((1, 3, "1–3"), (4, 6, "4–6"), (7, 12, "7–12"), (13, None, "13+"))


def stimulus_band(months_column):
    """The band of a worker's stimulus (months donors paid for, in all) as an SQL expression."""
    return case(
        *(
            (months_column <= high, label)
            for _low, high, label in STIMULUS_BANDS
            if high is not None
        ),
        else_=STIMULUS_BANDS[-1][2],
    )


@connected
def continuation(
    conn: Connection, by: str, today: dt.date | None = None, salt: int = 0
) -> pd.DataFrame:
    """The programme's continuation (docs/contract.md) by ``donor_type`` (the coverage of each
    type's donations, as a donor's own figure reads it) or by ``stimulus`` band (the months
    the programme paid for the worker in all), as of ``today`` (the coverage of donations
    received by then): ended and continued workers, unsuppressed, and the cell key of the
    ended workers. A worker's L for a type is the latest of that type's coverage."""
    as_of = today or dt.date.today()
    if by not in ("donor_type", "stimulus"):
        raise ValueError(f"continuation is by donor_type or stimulus, not {by!r}")
    extra = [Donor.type.label("donor_type")] if by == "donor_type" else []
    per_worker = received_by(
        select(
            Coverage.worker_key.label("worker_key"),
            *extra,
            func.max(last_covered_month()).label("last_month"),
            sum_int(Coverage.months).label("stimulus_months"),
        )
        .join(Donation, Donation.id == Coverage.donation_key)
        .join(Donor, Donor.id == Donation.donor_key),
        as_of,
    ).group_by(Coverage.worker_key, *extra)
    per_worker = per_worker.subquery()
    group = (
        per_worker.c.donor_type
        if by == "donor_type"
        else stimulus_band(per_worker.c.stimulus_months).label("stimulus")
    )
    last = per_worker.c.last_month
    ended = last + CONTINUATION_WINDOW < month_of(as_of)
    statement = select(
        group,
        *continuation_sums(last, continued_after(per_worker.c.worker_key, last), month_of(as_of)),
        sum_int(case((ended, record_key(per_worker.c.worker_key, salt)), else_=0)),
    ).group_by(group)
    rows = conn.execute(statement).all()
    frame = pd.DataFrame(rows, columns=[by, "ended_workers", "continued_workers", "key"])
    order = DONOR_TYPES if by == "donor_type" else [label for *_, label in STIMULUS_BANDS]
    frame[by] = pd.Categorical(frame[by], categories=list(order), ordered=True)
    frame = frame.sort_values(by).reset_index(drop=True)
    frame[by] = frame[by].astype(str)
    return frame.astype({"ended_workers": "int64", "continued_workers": "int64", "key": "int64"})


@connected
def named_donor(conn: Connection, donor_id: str) -> tuple[str, str] | None:
    """The name and type of the donor ``donor_id`` when it chooses to be named today
    (``show_name``), else None: an anonymous donor and an unknown id read the same, so the
    embeds' answer never tells whether an anonymous donor exists."""
    row = conn.execute(
        select(Donor.name, Donor.type).where(Donor.donor_id == donor_id, Donor.show_name.is_(True))
    ).first()
    return None if row is None else (visible(row.name), row.type)
