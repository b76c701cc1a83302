"""worker_busy: every worker with the last month their coverage or self-paid months hold (issue 30)

Revision ID: 0016
Revises: 0015

The allocator finds a block's first eligible workers from this table's index, as a merge of
short runs, instead of walking past every busy worker in registration order: its cost
follows the blocks bought, not the ledger. Filled here from workers, coverage and self_paid;
kept by every write that adds workers, moves them, or adds coverage or self-paid months.
self_paid gains an index on its first month (the workers whose months start after a block).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "worker_busy",
        sa.Column(
            "worker_key",
            sa.Integer(),
            sa.ForeignKey("workers.id"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("busy_until", sa.Integer(), nullable=False),
        sa.Column("registered_on", sa.Date(), nullable=False),
        sa.Column("worker_id", sa.String(64), nullable=False),
        sa.Column("province", sa.String(8), nullable=False),
        sa.Column("occupation", sa.String(32), nullable=False),
    )
    op.execute(
        """
        INSERT INTO worker_busy
            (worker_key, busy_until, registered_on, worker_id, province, occupation)
        SELECT w.id, COALESCE(spans.busy_until, -1), w.registered_on, w.worker_id,
               w.province, w.occupation
        FROM workers w
        LEFT JOIN (
            SELECT worker_key, MAX(start_month + months - 1) AS busy_until
            FROM (
                SELECT worker_key, start_month, months FROM coverage
                UNION ALL
                SELECT worker_key, start_month, months FROM self_paid
            ) every_span
            GROUP BY worker_key
        ) spans ON spans.worker_key = w.id
        """
    )
    op.create_index(
        "ix_worker_busy_order", "worker_busy", ["busy_until", "registered_on", "worker_id"]
    )
    op.create_index(
        "ix_worker_busy_province",
        "worker_busy",
        ["province", "busy_until", "registered_on", "worker_id"],
    )
    op.create_index("ix_self_paid_start", "self_paid", ["start_month"])


def downgrade() -> None:
    op.drop_index("ix_self_paid_start", "self_paid")
    op.drop_index("ix_worker_busy_province", "worker_busy")
    op.drop_index("ix_worker_busy_order", "worker_busy")
    op.drop_table("worker_busy")
