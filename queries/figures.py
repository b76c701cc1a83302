"""The contract's figures (CONTRACT.md "Figures") for one donor or for the whole programme.

`lingkaran report`, the pages and the exports all call ``ledger_figures``: a figure is
computed here and nowhere else.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from sqlalchemy import Connection, Engine, Select, and_, func, select

from dashboard.errors import LedgerError
from dashboard.months import month_of
from dashboard.schema import Claim, Coverage, Donation, Donor, sum_int

MAX_BLOCK_MONTHS = 60  # months_per_worker and imported coverage months are 1..60


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
    as_of: dt.date
    donor_id: str | None = None
    donors: int | None = None

    def as_report(self) -> dict[str, object]:
        """Exactly the contract's JSON keys: ``donor_id`` for one donor, ``donors`` for all."""
        report = asdict(self)
        report["as_of"] = self.as_of.isoformat()
        report.pop("donors" if self.donor_id is not None else "donor_id")
        return report


def donor_key(conn: Connection, donor_id: str) -> int:
    key = conn.execute(select(Donor.id).where(Donor.donor_id == donor_id)).scalar()
    if key is None:
        raise LedgerError(f"no donor with id {donor_id!r}")
    return key


def covering(month_column) -> object:
    """Coverage rows that include ``month_column`` (a month index column or value)."""
    return and_(
        Coverage.start_month <= month_column,
        Coverage.start_month > month_column - MAX_BLOCK_MONTHS,  # lets the index bound the scan
        Coverage.start_month + Coverage.months > month_column,
    )


def _for_donor(statement: Select, key: int | None) -> Select:
    if key is None:
        return statement
    return statement.join(Donation, Donation.id == Coverage.donation_key).where(
        Donation.donor_key == key
    )


def ledger_figures(
    bind: Engine | Connection, donor_id: str | None = None, as_of: dt.date | None = None
) -> LedgerFigures:
    """The contract's figures for ``donor_id`` (or every donor) with active workers at ``as_of``."""
    as_of = as_of or dt.date.today()
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            return ledger_figures(conn, donor_id, as_of)
    conn = bind
    key = None if donor_id is None else donor_key(conn, donor_id)

    donations = select(
        sum_int(Donation.amount_idr),
        func.count(func.distinct(Donation.donor_key)),
    )
    if key is not None:
        donations = donations.where(Donation.donor_key == key)
    donated, donors = conn.execute(donations).one()

    allocated, months, workers = conn.execute(
        _for_donor(
            select(
                sum_int(Coverage.amount_idr),
                sum_int(Coverage.months),
                func.count(func.distinct(Coverage.worker_key)),
            ),
            key,
        )
    ).one()

    month = month_of(as_of)
    active = conn.execute(
        _for_donor(
            select(func.count(func.distinct(Coverage.worker_key))).where(covering(month)), key
        )
    ).scalar_one()

    claims_count, claims_idr = conn.execute(
        _for_donor(
            select(func.count(Claim.id), sum_int(Claim.amount_idr))
            .select_from(Claim)
            .join(
                Coverage,
                and_(Coverage.worker_key == Claim.worker_key, covering(Claim.incident_month)),
            )
            .where(Claim.status == "paid"),
            key,
        )
    ).one()

    return LedgerFigures(
        donated_idr=int(donated),
        allocated_idr=int(allocated),
        balance_idr=int(donated) - int(allocated),
        covered_workers=int(workers),
        protected_months=int(months),
        active_workers=int(active),
        claims_paid_count=int(claims_count),
        claims_paid_idr=int(claims_idr),
        as_of=as_of,
        donor_id=donor_id,
        donors=None if donor_id is not None else int(donors),
    )
