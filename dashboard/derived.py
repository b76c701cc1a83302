"""Keep the derived tables (coverage_totals, donor_workers, covered_workers) in step.

Coverage is append-only, so after any write it is enough to look at the rows with an id
above the highest id before the write. Both writers (the allocator and the coverage import)
call ``refresh`` in their own transaction; `lingkaran check` recomputes and compares.
"""

from __future__ import annotations

from sqlalchemy import Connection, delete, exists, func, insert, select

from dashboard.schema import Coverage, CoverageTotal, CoveredWorker, Donation, DonorWorker


def last_coverage_id(conn: Connection) -> int:
    return conn.execute(select(func.coalesce(func.max(Coverage.id), 0))).scalar_one()


def coverage_totals_query(donation_keys=None):
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


def refresh(conn: Connection, since_id: int) -> None:
    """Fold the coverage rows with ``id > since_id`` into the derived tables."""
    fresh = select(Coverage).where(Coverage.id > since_id).subquery()
    touched = select(fresh.c.donation_key).distinct()
    conn.execute(delete(CoverageTotal).where(CoverageTotal.donation_key.in_(touched)))
    conn.execute(
        insert(CoverageTotal).from_select(
            ["donation_key", "start_month", "months", "amount_idr", "row_count"],
            coverage_totals_query(touched),
        )
    )
    pairs = (
        select(Donation.donor_key, fresh.c.worker_key)
        .join(Donation, Donation.id == fresh.c.donation_key)
        .distinct()
        .subquery()
    )
    conn.execute(
        insert(DonorWorker).from_select(
            ["donor_key", "worker_key"],
            select(pairs.c.donor_key, pairs.c.worker_key).where(
                ~exists().where(
                    DonorWorker.donor_key == pairs.c.donor_key,
                    DonorWorker.worker_key == pairs.c.worker_key,
                )
            ),
        )
    )
    workers = select(fresh.c.worker_key).distinct().subquery()
    conn.execute(
        insert(CoveredWorker).from_select(
            ["worker_key"],
            select(workers.c.worker_key).where(
                ~exists().where(CoveredWorker.worker_key == workers.c.worker_key)
            ),
        )
    )
