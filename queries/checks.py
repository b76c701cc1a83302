"""`lingkaran check`: the ledger's invariants, each violation named so it can be fixed."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, Select, case, func, literal, or_, select, union_all

from dashboard.core.catalogue import ADDITIVE
from dashboard.core.errors import Count, Message, message
from dashboard.core.i18n import translator
from dashboard.core.labels import N_
from dashboard.core.months import month_label, month_of
from dashboard.ledger.allocator import RateSchedule
from dashboard.ledger.derived import (
    CELL_COLUMNS,
    CLAIM_COLUMNS,
    FLOW_COLUMNS,
    SPAN_COLUMNS,
    UNCONFIRMED_COLUMNS,
    WORKER_BUSY_COLUMNS,
    confirmation_totals_query,
    coverage_totals_query,
    covered_workers_query,
    donation_cells_query,
    donation_claims_query,
    donation_flows_query,
    donor_continuation_query,
    donor_spans,
    donor_workers_query,
    programme_continuation_query,
    unconfirmed_coverage_query,
    worker_busy_query,
)
from dashboard.ledger.schema import (
    Confirmation,
    ConfirmationTotal,
    Coverage,
    CoverageTotal,
    CoveredWorker,
    Donation,
    DonationCell,
    DonationClaim,
    DonationFlow,
    Donor,
    DonorContinuation,
    DonorSpan,
    DonorWorker,
    ProgrammeContinuation,
    SelfPaid,
    UnconfirmedCoverage,
    WorkerBusy,
    sum_int,
)
from queries.figures import ledger_figures


@dataclass(frozen=True)
class Violation:
    """A broken invariant: the rule (its English name, marked for the catalogs) and what
    breaks it, both read in the reader's language (``text``); ``str()`` is English."""

    rule: str
    detail: Message

    def rule_text(self, lang: str = "en") -> str:
        return translator(lang)(self.rule)

    def detail_text(self, lang: str = "en") -> str:
        return self.detail.render(lang)

    def text(self, lang: str = "en") -> str:
        return f"{self.rule_text(lang)}: {self.detail_text(lang)}"

    def __str__(self) -> str:
        return self.text("en")


def check_ledger(engine: Engine, as_of: dt.date | None = None) -> list[Violation]:
    """Every violated invariant; an empty list means the ledger is consistent."""
    as_of = as_of or dt.date.today()
    with engine.connect() as conn:
        found = [
            *spending_violations(conn),
            *orphan_violations(conn),
            *overlap_violations(conn),
            *confirmation_violations(conn),
            *block_cost_violations(conn),
            *_derived_tables_violations(conn),
            *totals_violations(conn, as_of),
        ]
    return found


def spending_violations(conn: Connection, donation_keys=None) -> list[Violation]:
    """Each donation funds no more than its amount and no month before it was received (of
    ``donation_keys``, a list, when given)."""
    query = (
        select(
            Donation.donation_id,
            Donation.amount_idr,
            Donation.received_on,
            sum_int(Coverage.amount_idr),
            func.min(Coverage.start_month),
        )
        .join(Coverage, Coverage.donation_key == Donation.id)
        .group_by(Donation.id, Donation.donation_id, Donation.amount_idr, Donation.received_on)
    )
    found = []
    for keys in in_chunks(donation_keys):
        chunk = query if keys is None else query.where(Donation.id.in_(keys))
        for donation_id, amount, received_on, spent, first_start in conn.execute(chunk):
            # docs/contract.md "Figures": balance = donated - allocated can never be negative.
            if spent > amount:
                found.append(
                    Violation(
                        N_("money conserved"),
                        message(
                            N_("donation {donation} funds {spent} of {amount}"),
                            donation=donation_id,
                            spent=spent,
                            amount=amount,
                        ),
                    )
                )
            if first_start < month_of(received_on):
                found.append(
                    Violation(
                        N_("coverage after donation"),
                        message(
                            N_("donation {donation} received {day} covers {month}"),
                            donation=donation_id,
                            day=received_on.isoformat(),
                            month=month_label(first_start),
                        ),
                    )
                )
    return found


def orphan_violations(conn: Connection, coverage_after: int | None = None) -> list[Violation]:
    """Every coverage row (of id > ``coverage_after``) is funded by a donation."""
    query = (
        select(func.count(Coverage.id))
        .outerjoin(Donation, Donation.id == Coverage.donation_key)
        .where(Donation.id.is_(None))
    )
    if coverage_after is not None:
        query = query.where(Coverage.id > coverage_after)
    orphans = conn.execute(query).scalar_one()
    if not orphans:
        return []
    return [
        Violation(
            N_("funded by one donation"),
            message(N_("{rows} coverage row(s) have no donation"), rows=Count(orphans)),
        )
    ]


def block_cost_violations(conn: Connection, coverage_after: int | None = None) -> list[Violation]:
    """An allocated block (of id > ``coverage_after``) costs what the rates say."""
    rates = RateSchedule(conn)
    query = (
        select(Coverage.start_month, Coverage.months, Coverage.amount_idr, Donation.package)
        .join(Donation, Donation.id == Coverage.donation_key)
        .where(Coverage.source == "allocator")
    )
    if coverage_after is None:
        query = query.distinct()
    else:
        # A few rows, read by id and made distinct here: asked for DISTINCT, SQLite scans
        # the whole table in block order instead.
        query = query.where(Coverage.id > coverage_after)
    found = []
    for start, months, amount, package in sorted(set(conn.execute(query).all())):
        expected = rates.block_cost(start, months, package)
        if amount != expected:
            found.append(
                Violation(
                    N_("block cost"),
                    message(
                        N_(
                            "allocated {package} block {month} x {months} costs {amount}, "
                            "the rates say {expected}"
                        ),
                        package=package,
                        month=month_label(start),
                        months=months,
                        amount=amount,
                        expected=expected,
                    ),
                )
            )
    return found


def totals_violations(conn: Connection, as_of: dt.date) -> list[Violation]:
    """Each additive figure of the programme is the sum of the donors' (it reads the derived
    tables only: cheap at any size)."""
    donor_ids = conn.execute(
        select(Donor.donor_id)
        .where(Donor.id.in_(select(Donation.donor_key)))
        .order_by(Donor.donor_id)
    ).scalars()
    per_donor = [ledger_figures(conn, donor_id, as_of) for donor_id in donor_ids]
    total = ledger_figures(conn, None, as_of)
    found = []
    for key in ADDITIVE:
        summed = sum(getattr(figures, key) for figures in per_donor)
        if summed != getattr(total, key):
            found.append(
                Violation(
                    N_("donors sum to totals"),
                    message(
                        N_("{figure}: donors {summed}, programme {total}"),
                        figure=key,
                        summed=summed,
                        total=getattr(total, key),
                    ),
                )
            )
    summed_workers = sum(figures.covered_workers for figures in per_donor)
    if summed_workers < total.covered_workers:
        found.append(
            Violation(
                N_("donors sum to totals"),
                message(
                    N_("covered_workers: donors {summed} < programme {total}"),
                    summed=summed_workers,
                    total=total.covered_workers,
                ),
            )
        )
    return found


CHUNK = 500  # keys per statement: bounded IN lists on every database


def in_chunks(keys) -> Iterator[list | None]:
    """``keys`` (sorted) in lists of CHUNK; None (every key) as one None."""
    if keys is None:
        yield None
        return
    keys = sorted(set(keys))
    for at in range(0, len(keys), CHUNK):
        yield keys[at : at + CHUNK]


def overlap_violations(conn: Connection, worker_keys=None) -> list[Violation]:
    """A worker's coverage rows never overlap each other nor (v2) the worker's self-paid rows,
    and self-paid rows never overlap each other (docs/contract.md "coverage", "self_paid");
    for ``worker_keys`` (a list) when given. The first 20 are named."""
    found: list[Violation] = []
    for keys in in_chunks(worker_keys):
        if len(found) < OVERLAPS_NAMED:
            found.extend(_overlaps(conn, keys, OVERLAPS_NAMED - len(found)))
    return found


OVERLAPS_NAMED = 20


def _overlaps(conn: Connection, worker_keys: list | None, limit: int) -> list[Violation]:
    coverage = select(
        Coverage.worker_key,
        Coverage.start_month,
        Coverage.months,
        literal("coverage").label("kind"),
    )
    self_paid = select(
        SelfPaid.worker_key,
        SelfPaid.start_month,
        SelfPaid.months,
        literal("self-paid").label("kind"),
    )
    if worker_keys is not None:
        coverage = coverage.where(Coverage.worker_key.in_(worker_keys))
        self_paid = self_paid.where(SelfPaid.worker_key.in_(worker_keys))
    spans = union_all(coverage, self_paid).subquery()
    window = {"partition_by": spans.c.worker_key, "order_by": spans.c.start_month}
    ordered = select(
        spans.c.worker_key,
        spans.c.start_month,
        spans.c.kind,
        func.lag(spans.c.start_month + spans.c.months - 1).over(**window).label("previous_end"),
        func.lag(spans.c.kind).over(**window).label("previous_kind"),
    ).subquery()
    found = []
    for worker_key, start, kind, previous_kind in conn.execute(
        select(ordered.c.worker_key, ordered.c.start_month, ordered.c.kind, ordered.c.previous_kind)
        .where(ordered.c.previous_end >= ordered.c.start_month)
        .order_by(ordered.c.worker_key, ordered.c.start_month)
        .limit(limit)
    ):
        if kind == previous_kind == "coverage":
            rule, what = (
                N_("no overlapping coverage"),
                N_("worker #{worker} has two coverage rows in {month}"),
            )
        else:
            rule, what = (
                N_("no self-paid overlap"),
                N_("worker #{worker} has {first} and {second} rows in {month}"),
            )
        detail = message(
            what, worker=worker_key, first=previous_kind, second=kind, month=month_label(start)
        )
        found.append(Violation(rule, detail))
    return found


def confirmation_violations(
    conn: Connection, confirmation_after: int | None = None
) -> list[Violation]:
    """A confirmation (of id > ``confirmation_after``) equals its coverage row (donation and
    amount) and does not precede the donation (docs/contract.md "confirmations")."""
    fresh = [] if confirmation_after is None else [Confirmation.id > confirmation_after]
    found = []
    for donation_id, worker_key, start, row_amount, confirmed, on, received, same in conn.execute(
        select(
            Donation.donation_id,
            Coverage.worker_key,
            Coverage.start_month,
            Coverage.amount_idr,
            Confirmation.amount_idr,
            Confirmation.confirmed_on,
            Donation.received_on,
            Confirmation.donation_key == Coverage.donation_key,
        )
        .join(Coverage, Coverage.id == Confirmation.coverage_key)
        .join(Donation, Donation.id == Coverage.donation_key)
        .where(
            or_(
                Confirmation.amount_idr != Coverage.amount_idr,
                Confirmation.donation_key != Coverage.donation_key,
                Confirmation.confirmed_on < Donation.received_on,
            ),
            *fresh,
        )
        .limit(20)
    ):
        row = {"donation": donation_id, "worker": worker_key, "month": month_label(start)}
        if not same:
            detail = message(
                N_(
                    "confirmation of ({donation}, worker #{worker}, {month}) names another donation"
                ),
                **row,
            )
        elif confirmed != row_amount:
            detail = message(
                N_(
                    "confirmation of ({donation}, worker #{worker}, {month}) is for {confirmed}, "
                    "the row for {amount}"
                ),
                **row,
                confirmed=confirmed,
                amount=row_amount,
            )
        else:
            detail = message(
                N_(
                    "confirmation of ({donation}, worker #{worker}, {month}) on {day} precedes "
                    "the donation ({received})"
                ),
                **row,
                day=on.isoformat(),
                received=received.isoformat(),
            )
        found.append(Violation(N_("confirmation equals its row"), detail))
    return found


def derived_comparisons() -> dict[str, tuple[Select, Select]]:
    """Each derived table a query compares (donor_spans aside): its stored rows, and the
    same rows recomputed from the ledger."""
    return {
        "coverage_totals": (
            select(
                CoverageTotal.donation_key,
                CoverageTotal.start_month,
                CoverageTotal.months,
                CoverageTotal.amount_idr,
                CoverageTotal.row_count,
            ),
            coverage_totals_query(),
        ),
        "donor_workers": (
            select(
                DonorWorker.donor_key,
                DonorWorker.worker_key,
                DonorWorker.last_month,
                DonorWorker.continued,
            ),
            donor_workers_query(),
        ),
        "covered_workers": (
            select(
                CoveredWorker.worker_key,
                CoveredWorker.last_month,
                CoveredWorker.stimulus_months,
                CoveredWorker.continued,
            ),
            covered_workers_query(),
        ),
        "donor_continuation": (
            select(
                DonorContinuation.donor_key,
                DonorContinuation.last_month,
                DonorContinuation.continued,
                DonorContinuation.workers,
            ),
            donor_continuation_query(),
        ),
        "programme_continuation": (
            select(
                ProgrammeContinuation.last_month,
                ProgrammeContinuation.stimulus_months,
                ProgrammeContinuation.continued,
                ProgrammeContinuation.workers,
            ),
            programme_continuation_query(),
        ),
        "confirmation_totals": (
            select(
                ConfirmationTotal.donation_key,
                ConfirmationTotal.confirmed_on,
                ConfirmationTotal.confirmed_idr,
                ConfirmationTotal.confirmed_rows,
            ),
            confirmation_totals_query(),
        ),
        "donation_cells": (
            select(*(getattr(DonationCell, c) for c in CELL_COLUMNS)),
            donation_cells_query(),
        ),
        "donation_flows": (
            select(*(getattr(DonationFlow, c) for c in FLOW_COLUMNS)),
            donation_flows_query(),
        ),
        "donation_claims": (
            select(*(getattr(DonationClaim, c) for c in CLAIM_COLUMNS)),
            donation_claims_query(),
        ),
        "unconfirmed_coverage": (
            select(*(getattr(UnconfirmedCoverage, c) for c in UNCONFIRMED_COLUMNS)),
            unconfirmed_coverage_query(),
        ),
        "worker_busy": (
            select(*(getattr(WorkerBusy, c) for c in WORKER_BUSY_COLUMNS)),
            worker_busy_query(),
        ),
    }


def _derived_tables_violations(conn: Connection) -> list[Violation]:
    """The derived tables the report reads must equal a recomputation from coverage."""
    found = []
    for table, (stored, expected) in derived_comparisons().items():
        missing, extra = except_counts(conn, stored, expected)
        if missing or extra:
            found.append(derived_mismatch(table, missing, extra))
    # donor_spans is computed in one ordered pass in Python, not by a query.
    stored = Counter(
        {
            tuple(row[:-1]): row[-1]
            for row in conn.execute(select(*(getattr(DonorSpan, c) for c in SPAN_COLUMNS)))
        }
    )
    expected = donor_spans(conn)
    if stored != expected:
        missing, extra = len(expected - stored), len(stored - expected)
        found.append(derived_mismatch("donor_spans", missing, extra))
    return found


def except_counts(conn: Connection, stored: Select, expected: Select) -> tuple[int, int]:
    """(rows ``expected`` has and ``stored`` lacks, rows ``stored`` has beyond ``expected``),
    as distinct rows, as EXCEPT counts them (NULLs equal).

    One statement reads each side once: the rows of both, marked with their side, grouped
    by every column. Two EXCEPTs computed the expected side twice, and that side is the
    costly one (a donation's cells recomputed from its coverage rows: 1.2 s for three large
    donations at 2,000,000 workers, in each direction)."""
    ours, theirs = stored.subquery(), expected.subquery()
    both = union_all(
        select(*ours.c, literal(1).label("in_stored"), literal(0).label("in_expected")),
        select(*theirs.c, literal(0), literal(1)),
    ).subquery()
    columns = [column for column in both.c if column.name not in ("in_stored", "in_expected")]
    rows = (
        select(
            func.max(both.c.in_stored).label("in_stored"),
            func.max(both.c.in_expected).label("in_expected"),
        )
        .group_by(*columns)
        .subquery()
    )
    missing, extra = conn.execute(
        select(
            sum_int(case((rows.c.in_stored == 0, 1), else_=0)),
            sum_int(case((rows.c.in_expected == 0, 1), else_=0)),
        )
    ).one()
    return missing, extra


# What each derived table holds, for the admin who reads a check's violation; the table's
# own name follows in brackets, for whoever repairs it.
DERIVED_MEANINGS = {
    "coverage_totals": N_("what each donation has spent"),
    "donor_workers": N_("each donor's protected workers"),
    "covered_workers": N_("the programme's protected workers"),
    "donor_continuation": N_("each donor's workers who continued on their own"),
    "programme_continuation": N_("the programme's workers who continued on their own"),
    "donor_spans": N_("each period's ended and continued workers"),
    "confirmation_totals": N_("the payments confirmed for each donation"),
    "unconfirmed_coverage": N_("the coverage awaiting confirmation"),
    "donation_cells": N_("the donor pages' breakdowns of covered workers"),
    "donation_flows": N_("the donor pages' flows from donation to outcome"),
    "donation_claims": N_("the donor pages' claims"),
    "worker_busy": N_("the allocator's list of workers and their last covered month"),
}


def derived_mismatch(table: str, missing: int, extra: int) -> Violation:
    return Violation(
        N_("derived tables match coverage"),
        message(
            N_("{what} ({table}): {missing} row(s) missing, {extra} row(s) not backed by coverage"),
            what=message(DERIVED_MEANINGS[table]),
            table=table,
            missing=Count(missing),
            extra=Count(extra),
        ),
    )


def compare_reports(first: Engine, second: Engine, as_of: dt.date | None = None) -> list[str]:
    """Every figure that differs between two ledgers: the programme's and each donor's."""
    as_of = as_of or dt.date.today()
    with first.connect() as conn:
        donor_ids = list(conn.execute(select(Donor.donor_id).order_by(Donor.donor_id)).scalars())
    with second.connect() as conn:
        other_ids = list(conn.execute(select(Donor.donor_id).order_by(Donor.donor_id)).scalars())
    differences = []
    if donor_ids != other_ids:
        differences.append(f"donors: {len(donor_ids)} against {len(other_ids)}")
    for donor_id in [None, *donor_ids]:
        if donor_id is not None and donor_id not in other_ids:
            continue
        left = ledger_figures(first, donor_id, as_of).as_report()
        right = ledger_figures(second, donor_id, as_of).as_report()
        for key in left:
            if left[key] != right[key]:
                who = donor_id or "programme"
                differences.append(f"{who} {key}: {left[key]} against {right[key]}")
    return differences
