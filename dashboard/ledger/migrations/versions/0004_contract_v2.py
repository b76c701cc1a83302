"""contract v2: JHT rates and packages, self-paid months, BPJS-TK confirmations

Revision ID: 0004
Revises: 0003

A v1 ledger is a valid v2 ledger (docs/contract.md): the schedule's first row (2015-07) gets
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

    # The derived worker tables gain each worker's last covered month (and, for the
    # programme, the months of stimulus) and whether they continued: rebuilt from coverage.
    # No self-paid month exists yet, so nobody has continued.
    op.drop_table("donor_workers")
    op.drop_table("covered_workers")
    op.create_table(
        "donor_workers",
        sa.Column("donor_key", sa.Integer(), nullable=False),
        sa.Column("worker_key", sa.Integer(), nullable=False),
        sa.Column("last_month", sa.Integer(), nullable=False),
        sa.Column("continued", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["donor_key"], ["donors.id"]),
        sa.ForeignKeyConstraint(["worker_key"], ["workers.id"]),
        sa.PrimaryKeyConstraint("donor_key", "worker_key"),
    )
    op.create_index("ix_donor_workers_worker", "donor_workers", ["worker_key"])
    op.create_table(
        "covered_workers",
        sa.Column("worker_key", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_month", sa.Integer(), nullable=False),
        sa.Column("stimulus_months", sa.Integer(), nullable=False),
        sa.Column("continued", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["worker_key"], ["workers.id"]),
        sa.PrimaryKeyConstraint("worker_key"),
    )
    op.execute(
        "INSERT INTO donor_workers (donor_key, worker_key, last_month, continued) "
        "SELECT d.donor_key, c.worker_key, max(c.start_month + c.months - 1), false "
        "FROM coverage c JOIN donations d ON d.id = c.donation_key "
        "GROUP BY d.donor_key, c.worker_key"
    )
    op.execute(
        "INSERT INTO covered_workers (worker_key, last_month, stimulus_months, continued) "
        "SELECT worker_key, max(start_month + months - 1), sum(months), false "
        "FROM coverage GROUP BY worker_key"
    )
    # Small sums the figures read: confirmed rupiah per donation, continuation counts.
    op.create_table(
        "confirmation_totals",
        sa.Column("donation_key", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("confirmed_idr", sa.BigInteger(), nullable=False),
        sa.Column("confirmed_rows", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["donation_key"], ["donations.id"]),
        sa.PrimaryKeyConstraint("donation_key"),
    )
    op.create_table(
        "donor_continuation",
        sa.Column("donor_key", sa.Integer(), nullable=False),
        sa.Column("last_month", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("continued", sa.Boolean(), nullable=False),
        sa.Column("workers", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["donor_key"], ["donors.id"]),
        sa.PrimaryKeyConstraint("donor_key", "last_month", "continued"),
    )
    op.create_table(
        "programme_continuation",
        sa.Column("last_month", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("stimulus_months", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("continued", sa.Boolean(), nullable=False),
        sa.Column("workers", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("last_month", "stimulus_months", "continued"),
    )
    op.execute(
        "INSERT INTO donor_continuation (donor_key, last_month, continued, workers) "
        "SELECT donor_key, last_month, continued, count(*) FROM donor_workers "
        "GROUP BY donor_key, last_month, continued"
    )
    op.execute(
        "INSERT INTO programme_continuation (last_month, stimulus_months, continued, workers) "
        "SELECT last_month, stimulus_months, continued, count(*) FROM covered_workers "
        "GROUP BY last_month, stimulus_months, continued"
    )


def downgrade() -> None:
    for table in ("programme_continuation", "donor_continuation", "confirmation_totals"):
        op.drop_table(table)
    # Back to v1's derived worker tables: the pairs and workers only.
    for table in ("donor_workers", "covered_workers"):
        for column in ("last_month", "continued", "stimulus_months"):
            if table == "donor_workers" and column == "stimulus_months":
                continue
            op.drop_column(table, column)
    op.drop_index("ix_donor_workers_worker", table_name="donor_workers")
    op.drop_index("ix_confirmations_donation_key", table_name="confirmations")
    op.drop_table("confirmations")
    op.drop_table("self_paid")
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+ too): a batch copy of donations would
    # have to drop a table that coverage's foreign keys point at.
    op.drop_column("donations", "package")
    op.drop_column("rates", "jht_monthly_idr")
