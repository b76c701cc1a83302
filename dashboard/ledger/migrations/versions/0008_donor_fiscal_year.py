"""donors.fiscal_year_start: the month a donor's fiscal year begins (issue "CSR manager's year")

Revision ID: 0008
Revises: 0007

A listed company or a state-owned enterprise reports on its own fiscal year (April to March,
say). An administrator sets the month; January, the default, is the calendar year. It is
the app's setting about a donor, not part of the contract's files.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN: SQLite's batch mode would rebuild the donors table, which every
    # donation refers to. The month (1 to 12) is checked where it is set.
    op.add_column(
        "donors", sa.Column("fiscal_year_start", sa.Integer(), nullable=False, server_default="1")
    )


def downgrade() -> None:
    op.execute("ALTER TABLE donors DROP COLUMN fiscal_year_start")  # SQLite 3.35 and newer
