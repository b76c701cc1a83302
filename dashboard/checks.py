"""`lingkaran check`: the ledger's invariants, each violation named so it can be fixed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, except_, func, select

from dashboard.allocator import RateSchedule
from dashboard.derived import coverage_totals_query
from dashboard.months import month_label, month_of
from dashboard.schema import (
    Coverage,
    CoverageTotal,
    CoveredWorker,
    Donation,
    Donor,
    DonorWorker,
    sum_int,
)
from queries.figures import ledger_figures

ADDITIVE = (
    "donated_idr",
    "allocated_idr",
    "balance_idr",
    "protected_months",
    "active_workers",
    "claims_paid_count",
    "claims_paid_idr",
)


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
            # CONTRACT.md "Figures": balance = donated - allocated can never be negative.
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

        previous_end = (
            func.lag(Coverage.start_month + Coverage.months - 1)
            .over(partition_by=Coverage.worker_key, order_by=Coverage.start_month)
            .label("previous_end")
        )
        spans = select(Coverage.worker_key, Coverage.start_month, previous_end).subquery()
        overlaps = conn.execute(
            select(spans.c.worker_key, spans.c.start_month)
            .where(spans.c.previous_end >= spans.c.start_month)
            .limit(20)
        ).all()
        for worker_key, start in overlaps:
            found.append(
                Violation(
                    "no overlapping coverage",
                    f"worker #{worker_key} has two coverage rows in {month_label(start)}",
                )
            )

        rates = RateSchedule(conn)
        blocks = conn.execute(
            select(Coverage.start_month, Coverage.months, Coverage.amount_idr)
            .where(Coverage.source == "allocator")
            .distinct()
        ).all()
        for start, months, amount in blocks:
            expected = rates.block_cost(start, months)
            if amount != expected:
                found.append(
                    Violation(
                        "block cost",
                        f"allocated block {month_label(start)} x {months} costs {amount}, "
                        f"the rates say {expected}",
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
            select(DonorWorker.donor_key, DonorWorker.worker_key),
            select(Donation.donor_key, Coverage.worker_key)
            .join(Donation, Donation.id == Coverage.donation_key)
            .distinct(),
        ),
        "covered_workers": (
            select(CoveredWorker.worker_key),
            select(Coverage.worker_key).distinct(),
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
    return found
