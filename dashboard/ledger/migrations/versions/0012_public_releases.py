"""releases and release_secret: the public surface as stored, dated releases (issue 27)

Revision ID: 0012
Revises: 0011

A release is the whole public surface built from the ledger as of one day, audited and
perturbed, stored once and never changed: the pages and the API read it, and a process
start serves it without building anything. The secret seeds the permanent record keys of
the cell-key perturbation (docs/contract.md "Public releases"); it never leaves the ledger.
The app's record, like issued statements: not part of the contract's files.
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "releases",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("as_of", sa.Date(), nullable=False, unique=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ledger_version", sa.String(200), nullable=False),
        sa.Column("method", sa.String(32), nullable=False),
        sa.Column("suppression_k", sa.Integer(), nullable=False),
        sa.Column("cells", sa.Integer(), nullable=False),
        sa.Column("cells_changed", sa.Integer(), nullable=False),
        sa.Column("changes", sa.Text(), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
    )
    table = op.create_table(
        "release_secret",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("salt", sa.BigInteger(), nullable=False),
    )
    # One secret per ledger, drawn once: the record keys it makes never change.
    op.bulk_insert(table, [{"id": 1, "salt": secrets.randbelow(2**31)}])


def downgrade() -> None:
    op.drop_table("release_secret")
    op.drop_table("releases")
