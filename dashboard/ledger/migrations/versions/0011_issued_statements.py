"""issued_statements: each statement and report pack as issued (issue 26)

Revision ID: 0011
Revises: 0010

A statement's verification checks its code against the figures it was issued with, so
that it stays what it said when later data restates the figures of its day. The app's
record, like memberships: not part of the contract's files.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "issued_statements",
        sa.Column("code", sa.String(24), primary_key=True),
        sa.Column("donor_key", sa.Integer(), sa.ForeignKey("donors.id"), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("figures", sa.Text(), nullable=False),
        sa.Column("document", sa.String(16), nullable=False),
        sa.Column("issued_by", sa.String(320), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("issued_statements")
