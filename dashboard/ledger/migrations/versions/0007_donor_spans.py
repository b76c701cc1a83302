"""donor_spans: a period's ended and continued workers as sums (issue "national scale")

Revision ID: 0007
Revises: 0006

A donor page for a period counted its continuation from every coverage row of the period's
donations (670 ms for the largest donor at 2,000,000 workers). donor_spans holds, per donor,
the workers by the run of receipt dates a period selects, with L and whether they
continued. An existing ledger gets it filled by the code that keeps it
(``dashboard.ledger.derived.refresh_spans``), which `lingkaran check` compares it with.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "donor_spans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("donor_key", sa.Integer(), nullable=False),
        sa.Column("before_on", sa.Date(), nullable=True),
        sa.Column("first_on", sa.Date(), nullable=False),
        sa.Column("last_on", sa.Date(), nullable=False),
        sa.Column("after_on", sa.Date(), nullable=True),
        sa.Column("last_month", sa.Integer(), nullable=False),
        sa.Column("continued", sa.Boolean(), nullable=False),
        sa.Column("workers", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["donor_key"], ["donors.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_donor_spans_donor", "donor_spans", ["donor_key"])

    from dashboard.ledger.derived import refresh_spans

    refresh_spans(op.get_bind(), None)


def downgrade() -> None:
    op.drop_table("donor_spans")
