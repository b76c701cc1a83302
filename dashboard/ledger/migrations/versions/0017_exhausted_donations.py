"""exhausted_donations: donations no worker was eligible for, and since when (issue 30)

Revision ID: 0017
Revises: 0016

A donation whose money could buy blocks but found no eligible worker is tried again by every
allocation; at 2,000,000 workers ten such donations made an allocation with nothing to do
take 41 s. Coverage and self-paid months only grow, so it stays so until a worker registered
before its first month is added or moves: the allocator records how far the workers and the
change journal reached, and passes the donation by until then. Starts empty: the next
allocation fills it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "exhausted_donations",
        sa.Column(
            "donation_key",
            sa.Integer(),
            sa.ForeignKey("donations.id"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("worker_upto", sa.Integer(), nullable=False),
        sa.Column("change_upto", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("exhausted_donations")
