"""donor_spans: a period's ended and continued workers as sums (issue "national scale")

Revision ID: 0007
Revises: 0006

A donor page for a period counted its continuation from every coverage row of the period's
donations (670 ms for the largest donor at 2,000,000 workers). donor_spans holds, per donor,
the workers by the run of receipt dates a period selects, with L and whether they
continued. An existing ledger gets it filled.

The filling is frozen SQL, written out here: what ``dashboard.ledger.derived.refresh_spans``
computes for every donor (one ordered pass in Python there) on a ledger at this revision, as
one set-based statement, so that a later change there never changes what this migration
does (issue 25). Plain SQL with window functions that SQLite (3.25 and newer) and
PostgreSQL both run: integers and date comparisons only, no date arithmetic.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Per donor and worker, the distinct receipt dates d1 < ... < dn of the donations covering the
# worker, each with the last month its rows cover (dated). Every run di .. dj (runs) has the
# dates just outside it, and L, the largest last month of its dates (a running maximum over
# the run's end). Whether the worker continued after L: a self-paid month in L+1 .. L+3 (a
# self-paid row is at most 60 months long). The workers are counted per run.
FILL_DONOR_SPANS = """
INSERT INTO donor_spans
    (donor_key, before_on, first_on, last_on, after_on, last_month, continued, workers)
WITH dated AS (
    SELECT d.donor_key AS donor_key,
           c.worker_key AS worker_key,
           d.received_on AS received_on,
           max(c.start_month + c.months - 1) AS last_month
      FROM coverage c
      JOIN donations d ON d.id = c.donation_key
     GROUP BY d.donor_key, c.worker_key, d.received_on
),
ordered AS (
    SELECT donor_key, worker_key, received_on, last_month,
           row_number() OVER (
               PARTITION BY donor_key, worker_key ORDER BY received_on) AS seq,
           lag(received_on) OVER (
               PARTITION BY donor_key, worker_key ORDER BY received_on) AS before_on,
           lead(received_on) OVER (
               PARTITION BY donor_key, worker_key ORDER BY received_on) AS after_on
      FROM dated
),
runs AS (
    SELECT run_start.donor_key AS donor_key,
           run_start.worker_key AS worker_key,
           run_start.before_on AS before_on,
           run_start.received_on AS first_on,
           run_end.received_on AS last_on,
           run_end.after_on AS after_on,
           max(run_end.last_month) OVER (
               PARTITION BY run_start.donor_key, run_start.worker_key, run_start.seq
               ORDER BY run_end.seq
               ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS last_month
      FROM ordered run_start
      JOIN ordered run_end
        ON run_end.donor_key = run_start.donor_key
       AND run_end.worker_key = run_start.worker_key
       AND run_end.seq >= run_start.seq
),
flagged AS (
    SELECT donor_key, before_on, first_on, last_on, after_on, last_month,
           EXISTS (
               SELECT s.id
                 FROM self_paid s
                WHERE s.worker_key = runs.worker_key
                  AND s.start_month <= runs.last_month + 3
                  AND s.start_month + s.months > runs.last_month + 1
                  AND s.start_month > runs.last_month - 60) AS continued
      FROM runs
)
SELECT donor_key, before_on, first_on, last_on, after_on, last_month, continued, count(*)
  FROM flagged
 GROUP BY donor_key, before_on, first_on, last_on, after_on, last_month, continued
"""


def upgrade() -> None:
    op.create_table(
        "donor_spans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("donor_key", sa.Integer(), nullable=False),
        sa.Column("before_on", sa.Date(), nullable=True),
        sa.Column("first_on", sa.Date(), nullable=False),
        sa.Column("last_on", sa.Date(), nullable=False),
        sa.Column("after_on", sa.Date(), nullable=True),
        sa.Column("last_month", sa.Integer(), nullable=False),
        sa.Column("continued", sa.Boolean(), nullable=False),
        sa.Column("workers", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["donor_key"], ["donors.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_donor_spans_donor", "donor_spans", ["donor_key"])

    op.get_bind().execute(sa.text(FILL_DONOR_SPANS))


def downgrade() -> None:
    op.drop_table("donor_spans")
