"""donation_claims and unconfirmed_coverage (issue "national scale")

Revision ID: 0006
Revises: 0005

The donor page's claims list and every claims figure read donation_claims (paid claims
matched to their donation) instead of matching all paid claims to all coverage on each
request; its list of rows awaiting BPJS-TK reads unconfirmed_coverage instead of every
coverage row of the donor. An existing ledger gets both filled by the queries that keep
them (``dashboard.ledger.derived``) and that `lingkaran check` compares them with.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


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

    from dashboard.ledger.derived import refresh_donation_claims, refresh_unconfirmed

    conn = op.get_bind()
    refresh_donation_claims(conn)
    refresh_unconfirmed(conn, since_id=0)


def downgrade() -> None:
    op.drop_table("unconfirmed_coverage")
    op.drop_table("donation_claims")
