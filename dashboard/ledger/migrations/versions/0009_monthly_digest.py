"""digest_settings and digest_deliveries: the monthly digest by e-mail (issue "CSR manager's
year", part 3)

Revision ID: 0009
Revises: 0008

A donor user may choose the digest's language or not receive it; each month's digest is
recorded per address, so that a month is sent once and a refused address is tried again.
Both are the app's, like memberships, not part of the contract's files.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "digest_settings",
        sa.Column("email", sa.String(320), primary_key=True),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("receives", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "digest_deliveries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("email", "month", name="uq_digest_delivery"),
    )


def downgrade() -> None:
    op.drop_table("digest_deliveries")
    op.drop_table("digest_settings")
