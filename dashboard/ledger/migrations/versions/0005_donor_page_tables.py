"""donor page tables: donation_cells and donation_flows (issue "national scale")

Revision ID: 0005
Revises: 0004

The donor pages read these instead of scanning a donor's coverage rows. An existing ledger
gets them filled from its coverage, workers and claims, by the same queries that keep them
(``dashboard.ledger.derived``) and that `lingkaran check` compares them with.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "donation_cells",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("donation_key", sa.Integer(), nullable=False),
        sa.Column("previous_received_on", sa.Date(), nullable=True),
        sa.Column("dimension", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=32), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("months", sa.BigInteger(), nullable=False),
        sa.Column("amount_idr", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["donation_key"], ["donations.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_donation_cells_donation", "donation_cells", ["donation_key"])
    op.create_table(
        "donation_flows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("donation_key", sa.Integer(), nullable=False),
        sa.Column("province", sa.String(length=8), nullable=False),
        sa.Column("occupation", sa.String(length=32), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("amount_idr", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["donation_key"], ["donations.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_donation_flows_donation", "donation_flows", ["donation_key"])

    from dashboard.ledger.derived import refresh_donations

    conn = op.get_bind()
    donations = conn.execute(sa.text("SELECT id FROM donations")).scalars().all()
    refresh_donations(conn, donations, claims=False)  # donation_claims comes with 0006


def downgrade() -> None:
    op.drop_table("donation_flows")
    op.drop_table("donation_cells")
