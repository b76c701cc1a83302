"""webhooks and webhook_deliveries: addresses told when a release is published (issue 29)

Revision ID: 0014
Revises: 0013

An admin registers an address; each release published afterwards is sent to it once, as a
signed JSON document holding only what the release publishes about itself. Every attempt is
a row of the delivery log (append-only): a failed one is tried again later, further apart
each time, up to a limit. The app's record, like releases: not part of the contract's files.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "webhooks",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("secret", sa.String(64), nullable=False),
        sa.Column("created_by", sa.String(320), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("webhook_id", sa.Integer(), sa.ForeignKey("webhooks.id"), nullable=False),
        sa.Column("release_id", sa.String(16), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("error", sa.String(500), nullable=True),
        sa.CheckConstraint("status IN ('sent', 'failed')", name="ck_webhook_deliveries_status"),
    )
    op.create_index(
        "ix_webhook_deliveries_hook", "webhook_deliveries", ["webhook_id", "release_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_webhook_deliveries_hook", "webhook_deliveries")
    op.drop_table("webhook_deliveries")
    op.drop_table("webhooks")
