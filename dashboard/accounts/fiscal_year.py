"""What an administrator sets about a donor beyond the contract's files: the month its fiscal
year begins. Each change is recorded in the audit log, in the same transaction."""

from __future__ import annotations

from sqlalchemy import Engine, select, update

from dashboard.accounts.memberships import audit
from dashboard.core.errors import LedgerError
from dashboard.ledger.schema import Donor

FISCAL_YEAR_ACTION = "fiscal year"  # its audit action; queries.public.ledger_version reads it


def set_fiscal_year_start(engine: Engine, donor_id: str, month: int, actor: str) -> str:
    """The donor's fiscal year begins on the first of ``month`` (1: the calendar year).
    Returns what changed, in words."""
    if type(month) is not int or not 1 <= month <= 12:
        raise LedgerError(f"a fiscal year begins in a month from 1 to 12, not {month!r}")
    with engine.begin() as conn:
        before = conn.execute(
            select(Donor.fiscal_year_start).where(Donor.donor_id == donor_id)
        ).scalar()
        if before is None:
            raise LedgerError(f"no donor {donor_id!r}")
        conn.execute(
            update(Donor).where(Donor.donor_id == donor_id).values(fiscal_year_start=month)
        )
        message = f"{donor_id}: fiscal year begins in month {month} (was {before})"
        audit(conn, actor, FISCAL_YEAR_ACTION, message)
    return message
