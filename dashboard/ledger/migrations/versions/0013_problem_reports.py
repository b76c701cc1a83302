"""problem_reports and problem_report_decisions: the public's correction channel (issue 29)

Revision ID: 0013
Revises: 0012

Anyone may say "this is wrong" from a public page: the report is stored as plain text, with
the page and release it concerns and a keyed hash of the sender's address (for the rate
limit; never the address itself). Both tables are append-only: an admin's triage adds a
decision row, never changes one, so every report keeps its history and its current status
is its latest decision. The app's record, like releases: not part of the contract's files.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "problem_reports",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("page", sa.String(64), nullable=False),
        sa.Column("release_id", sa.String(16), nullable=True),
        sa.Column("text", sa.String(2000), nullable=False),
        sa.Column("contact", sa.String(320), nullable=True),
        sa.Column("client_key", sa.String(64), nullable=False),
    )
    op.create_index("ix_problem_reports_client", "problem_reports", ["client_key", "received_at"])
    op.create_table(
        "problem_report_decisions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("report_id", sa.Integer(), sa.ForeignKey("problem_reports.id"), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("note", sa.String(2000), nullable=False),
        sa.Column("decided_by", sa.String(320), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('new', 'accepted', 'rejected', 'fixed')",
            name="ck_problem_report_decisions_status",
        ),
    )
    op.create_index(
        "ix_problem_report_decisions_report", "problem_report_decisions", ["report_id", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_problem_report_decisions_report", "problem_report_decisions")
    op.drop_table("problem_report_decisions")
    op.drop_index("ix_problem_reports_client", "problem_reports")
    op.drop_table("problem_reports")
