"""donation_claims and unconfirmed_coverage (issue "national scale")

Revision ID: 0006
Revises: 0005

The donor page's claims list and every claims figure read donation_claims (paid claims
matched to their donation) instead of matching all paid claims to all coverage on each
request; its list of rows awaiting BPJS-TK reads unconfirmed_coverage instead of every
coverage row of the donor. An existing ledger gets both filled.

The filling is frozen SQL, written out here: what ``dashboard.ledger.derived`` computes for
these two tables (``refresh_donation_claims``, ``refresh_unconfirmed`` from the first row) on
a ledger at this revision, so that a later change to a query there never changes what this
migration does (issue 25). Plain SQL that SQLite and PostgreSQL both run.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Each paid JKK or JKM claim (a JHT claim is the worker's own savings) with the donation of
# the coverage row its incident month falls in (a row is at most 60 months long), and what
# the donor page shows of it and of its worker.
FILL_DONATION_CLAIMS = """
INSERT INTO donation_claims
    (claim_key, donation_key, program, incident_month, province, occupation, birth_year,
     amount_idr)
SELECT k.id, c.donation_key, k.program, k.incident_month, w.province, w.occupation,
       w.birth_year, k.amount_idr
  FROM claims k
  JOIN coverage c
    ON c.worker_key = k.worker_key
   AND c.start_month <= k.incident_month
   AND c.start_month > k.incident_month - 60
   AND c.start_month + c.months > k.incident_month
  JOIN workers w ON w.id = k.worker_key
 WHERE k.status = 'paid'
   AND k.program IN ('JKK', 'JKM')
"""

# Every coverage row BPJS-TK has not confirmed, with its worker's id.
FILL_UNCONFIRMED_COVERAGE = """
INSERT INTO unconfirmed_coverage
    (coverage_key, donation_key, worker_id, start_month, months, amount_idr)
SELECT c.id, c.donation_key, w.worker_id, c.start_month, c.months, c.amount_idr
  FROM coverage c
  JOIN workers w ON w.id = c.worker_key
  LEFT OUTER JOIN confirmations f ON f.coverage_key = c.id
 WHERE f.id IS NULL
   AND c.id > 0
"""


def upgrade() -> None:
    op.create_table(
        "donation_claims",
        sa.Column("claim_key", sa.Integer(), nullable=False),
        sa.Column("donation_key", sa.Integer(), nullable=False),
        sa.Column("program", sa.String(length=3), nullable=False),
        sa.Column("incident_month", sa.Integer(), nullable=False),
        sa.Column("province", sa.String(length=8), nullable=False),
        sa.Column("occupation", sa.String(length=32), nullable=False),
        sa.Column("birth_year", sa.Integer(), nullable=False),
        sa.Column("amount_idr", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["claim_key"], ["claims.id"]),
        sa.ForeignKeyConstraint(["donation_key"], ["donations.id"]),
        sa.PrimaryKeyConstraint("claim_key"),
    )
    op.create_index("ix_donation_claims_donation", "donation_claims", ["donation_key"])
    op.create_table(
        "unconfirmed_coverage",
        sa.Column("coverage_key", sa.Integer(), nullable=False),
        sa.Column("donation_key", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.String(length=64), nullable=False),
        sa.Column("start_month", sa.Integer(), nullable=False),
        sa.Column("months", sa.Integer(), nullable=False),
        sa.Column("amount_idr", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["coverage_key"], ["coverage.id"]),
        sa.ForeignKeyConstraint(["donation_key"], ["donations.id"]),
        sa.PrimaryKeyConstraint("coverage_key"),
    )
    op.create_index("ix_unconfirmed_coverage_donation", "unconfirmed_coverage", ["donation_key"])

    conn = op.get_bind()
    conn.execute(sa.text(FILL_DONATION_CLAIMS))
    conn.execute(sa.text(FILL_UNCONFIRMED_COVERAGE))


def downgrade() -> None:
    op.drop_table("unconfirmed_coverage")
    op.drop_table("donation_claims")
