"""check_runs, check_snapshots, ledger_changes: where `lingkaran check --since` starts (issue 30)

Revision ID: 0015
Revises: 0014

A full check that finds nothing records how far the ledger reached (the highest id of each
append-only table and of the change journal) and a copy of the three aggregate derived
tables, which no key can restrict. The journal names the workers whose rows were updated in
place (moved, a claim paid), written in the transaction of the import that changed them: for
updates, ids do not tell what changed. The app's record, not part of the contract's files.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ledger_changes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("key", sa.Integer(), nullable=False),
    )
    op.create_table(
        "check_runs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("scope", sa.String(8), nullable=False),
        sa.Column("base_run", sa.Integer(), sa.ForeignKey("check_runs.id"), nullable=True),
        sa.Column("violations", sa.Integer(), nullable=False),
        sa.Column("coverage_id", sa.Integer(), nullable=False),
        sa.Column("self_paid_id", sa.Integer(), nullable=False),
        sa.Column("confirmation_id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("donation_id", sa.Integer(), nullable=False),
        sa.Column("change_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("scope IN ('full', 'since')", name="ck_check_runs_scope"),
    )
    op.create_table(
        "check_snapshots",
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("check_runs.id"), primary_key=True),
        sa.Column("aggregate", sa.String(32), primary_key=True),
        sa.Column("rows", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("check_snapshots")
    op.drop_table("check_runs")
    op.drop_table("ledger_changes")
