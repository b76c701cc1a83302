"""contract v3: the dates a figure "as of" a day is cut off by (issue 26)

Revision ID: 0010
Revises: 0009

A figure as of a day counts the claims paid and the confirmations made by then (docs/contract.md
"As of"). donation_claims gains each claim's paid_on; confirmation_totals is kept per donation
and day of confirmation instead of per donation. Both are filled from the ledger's own rows by
the SQL below, written out here (not today's queries: a migration keeps its meaning).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CLAIMS_PAID_ON = """
UPDATE donation_claims
   SET paid_on = (SELECT claims.paid_on FROM claims WHERE claims.id = donation_claims.claim_key)
"""

CONFIRMED_BY_DAY = """
INSERT INTO confirmation_totals (donation_key, confirmed_on, confirmed_idr, confirmed_rows)
SELECT donation_key, confirmed_on, SUM(amount_idr), COUNT(*)
  FROM confirmations
 GROUP BY donation_key, confirmed_on
"""

CONFIRMED_BY_DONATION = """
INSERT INTO confirmation_totals (donation_key, confirmed_idr, confirmed_rows)
SELECT donation_key, SUM(amount_idr), COUNT(*)
  FROM confirmations
 GROUP BY donation_key
"""


def _confirmation_totals(*by_day: sa.Column) -> None:
    op.create_table(
        "confirmation_totals",
        sa.Column("donation_key", sa.Integer(), autoincrement=False, nullable=False),
        *by_day,
        sa.Column("confirmed_idr", sa.BigInteger(), nullable=False),
        sa.Column("confirmed_rows", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["donation_key"], ["donations.id"]),
        sa.PrimaryKeyConstraint("donation_key", *(column.name for column in by_day)),
    )


def upgrade() -> None:
    op.add_column("donation_claims", sa.Column("paid_on", sa.Date(), nullable=True))
    op.execute(CLAIMS_PAID_ON)  # every claim in it is paid, so every one has its paid_on
    with op.batch_alter_table("donation_claims") as batch:
        batch.alter_column("paid_on", existing_type=sa.Date(), nullable=False)
    op.drop_table("confirmation_totals")
    _confirmation_totals(sa.Column("confirmed_on", sa.Date(), nullable=False))
    op.execute(CONFIRMED_BY_DAY)


def downgrade() -> None:
    op.drop_table("confirmation_totals")
    _confirmation_totals()
    op.execute(CONFIRMED_BY_DONATION)
    with op.batch_alter_table("donation_claims") as batch:
        batch.drop_column("paid_on")
