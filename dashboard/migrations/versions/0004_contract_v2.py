"""contract v2: JHT rates and packages, self-paid months, BPJS-TK confirmations

Revision ID: 0004
Revises: 0003

A v1 ledger is a valid v2 ledger (CONTRACT.md v2): the schedule's first row (2015-07) gets
the JHT rate the contract starts it with (20,000), every later rate keeps a NULL JHT rate
(the one in force before it carries on), every existing donation is a ``jkk_jkm`` donation,
and the two new tables start empty. Nothing else changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("rates") as batch:
        batch.add_column(sa.Column("jht_monthly_idr", sa.BigInteger(), nullable=True))
    with op.batch_alter_table("donations") as batch:
        batch.add_column(
            sa.Column("package", sa.String(length=16), server_default="jkk_jkm", nullable=False)
        )
    op.execute("UPDATE rates SET jht_monthly_idr = 20000 WHERE effective_month = 24186")  # 2015-07
    op.create_table(
        "self_paid",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("worker_key", sa.Integer(), nullable=False),
        sa.Column("start_month", sa.Integer(), nullable=False),
        sa.Column("months", sa.Integer(), nullable=False),
        sa.CheckConstraint("months > 0", name="ck_self_paid_months"),
        sa.ForeignKeyConstraint(["worker_key"], ["workers.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("worker_key", "start_month", name="uq_self_paid_worker_start"),
    )
    op.create_table(
        "confirmations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("coverage_key", sa.Integer(), nullable=False),
        sa.Column("donation_key", sa.Integer(), nullable=False),
        sa.Column("confirmed_on", sa.Date(), nullable=False),
        sa.Column("amount_idr", sa.BigInteger(), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=True),
        sa.CheckConstraint("amount_idr > 0", name="ck_confirmations_positive"),
        sa.ForeignKeyConstraint(["coverage_key"], ["coverage.id"]),
        sa.ForeignKeyConstraint(["donation_key"], ["donations.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("coverage_key"),
    )
    op.create_index("ix_confirmations_donation_key", "confirmations", ["donation_key"])


def downgrade() -> None:
    op.drop_index("ix_confirmations_donation_key", table_name="confirmations")
    op.drop_table("confirmations")
    op.drop_table("self_paid")
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+ too): a batch copy of donations would
    # have to drop a table that coverage's foreign keys point at.
    op.drop_column("donations", "package")
    op.drop_column("rates", "jht_monthly_idr")
