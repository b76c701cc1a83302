"""`lingkaran check`: the ledger's invariants, each violation named so it can be fixed."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, except_, func, literal, or_, select, union_all

from dashboard.core.catalogue import ADDITIVE
from dashboard.core.months import month_label, month_of
from dashboard.ledger.allocator import RateSchedule
from dashboard.ledger.derived import (
    CELL_COLUMNS,
    CLAIM_COLUMNS,
    FLOW_COLUMNS,
    SPAN_COLUMNS,
    UNCONFIRMED_COLUMNS,
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
    sum_int,
)
from queries.figures import ledger_figures


@dataclass(frozen=True)
class Violation:
    rule: str
    detail: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.detail}"


def check_ledger(engine: Engine, as_of: dt.date | None = None) -> list[Violation]:
    """Every violated invariant; an empty list means the ledger is consistent."""
    as_of = as_of or dt.date.today()
    found: list[Violation] = []
    with engine.connect() as conn:
        spending = conn.execute(
            select(
                Donation.donation_id,
                Donation.amount_idr,
                Donation.received_on,
                sum_int(Coverage.amount_idr),
                func.min(Coverage.start_month),
            )
            .join(Coverage, Coverage.donation_key == Donation.id)
            .group_by(Donation.id, Donation.donation_id, Donation.amount_idr, Donation.received_on)
        ).all()
        for donation_id, amount, received_on, spent, first_start in spending:
            # docs/contract.md "Figures": balance = donated - allocated can never be negative.
            if spent > amount:
                found.append(
                    Violation(
                        "money conserved", f"donation {donation_id} funds {spent} of {amount}"
                    )
                )
            if first_start < month_of(received_on):
                found.append(
                    Violation(
                        "coverage after donation",
                        f"donation {donation_id} received {received_on} covers "
                        f"{month_label(first_start)}",
                    )
                )

        orphans = conn.execute(
            select(func.count(Coverage.id))
            .outerjoin(Donation, Donation.id == Coverage.donation_key)
            .where(Donation.id.is_(None))
        ).scalar_one()
        if orphans:
            found.append(
                Violation("funded by one donation", f"{orphans} coverage row(s) have no donation")
            )

        found.extend(_overlap_violations(conn))
        found.extend(_confirmation_violations(conn))

        rates = RateSchedule(conn)
        blocks = conn.execute(
            select(Coverage.start_month, Coverage.months, Coverage.amount_idr, Donation.package)
            .join(Donation, Donation.id == Coverage.donation_key)
            .where(Coverage.source == "allocator")
            .distinct()
        ).all()
        for start, months, amount, package in blocks:
            expected = rates.block_cost(start, months, package)
            if amount != expected:
                found.append(
                    Violation(
                        "block cost",
                        f"allocated {package} block {month_label(start)} x {months} costs "
                        f"{amount}, the rates say {expected}",
                    )
                )

        found.extend(_derived_tables_violations(conn))

        donor_ids = conn.execute(
            select(Donor.donor_id)
            .where(Donor.id.in_(select(Donation.donor_key)))
            .order_by(Donor.donor_id)
        ).scalars()
        per_donor = [ledger_figures(conn, donor_id, as_of) for donor_id in donor_ids]
        total = ledger_figures(conn, None, as_of)
    for key in ADDITIVE:
        summed = sum(getattr(figures, key) for figures in per_donor)
        if summed != getattr(total, key):
            found.append(
                Violation(
                    "donors sum to totals",
                    f"{key}: donors {summed}, programme {getattr(total, key)}",
                )
            )
    summed_workers = sum(figures.covered_workers for figures in per_donor)
    if summed_workers < total.covered_workers:
        found.append(
            Violation(
                "donors sum to totals",
                f"covered_workers: donors {summed_workers} < programme {total.covered_workers}",
            )
        )
    return found


def _overlap_violations(conn: Connection) -> list[Violation]:
    """A worker's coverage rows never overlap each other nor (v2) the worker's self-paid rows,
    and self-paid rows never overlap each other (docs/contract.md "coverage", "self_paid")."""
    spans = union_all(
        select(
            Coverage.worker_key,
            Coverage.start_month,
            Coverage.months,
            literal("coverage").label("kind"),
        ),
        select(
            SelfPaid.worker_key,
            SelfPaid.start_month,
            SelfPaid.months,
            literal("self-paid").label("kind"),
        ),
    ).subquery()
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
        .limit(20)
    ):
        if kind == previous_kind == "coverage":
            rule, what = "no overlapping coverage", "two coverage rows"
        else:
            rule, what = "no self-paid overlap", f"{previous_kind} and {kind} rows"
        found.append(Violation(rule, f"worker #{worker_key} has {what} in {month_label(start)}"))
    return found


def _confirmation_violations(conn: Connection) -> list[Violation]:
    """A confirmation equals its coverage row (donation and amount) and does not precede the
    donation (docs/contract.md "confirmations")."""
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
            )
        )
        .limit(20)
    ):
        row = f"{donation_id}, worker #{worker_key}, {month_label(start)}"
        if not same:
            detail = f"confirmation of ({row}) names another donation"
        elif confirmed != row_amount:
            detail = f"confirmation of ({row}) is for {confirmed}, the row for {row_amount}"
        else:
            detail = f"confirmation of ({row}) on {on} precedes the donation ({received})"
        found.append(Violation("confirmation equals its row", detail))
    return found


def _derived_tables_violations(conn: Connection) -> list[Violation]:
    """The derived tables the report reads must equal a recomputation from coverage."""
    recomputed = {
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
    }
    found = []
    for table, (stored, expected) in recomputed.items():
        missing = conn.execute(
            select(func.count()).select_from(except_(expected, stored).subquery())
        ).scalar_one()
        extra = conn.execute(
            select(func.count()).select_from(except_(stored, expected).subquery())
        ).scalar_one()
        if missing or extra:
            found.append(
                Violation(
                    "derived tables match coverage",
                    f"{table}: {missing} row(s) missing, {extra} row(s) not backed by coverage",
                )
            )
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
        found.append(
            Violation(
                "derived tables match coverage",
                f"donor_spans: {missing} row(s) missing, {extra} row(s) not backed by coverage",
            )
        )
    return found


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
