"""donor page tables: donation_cells and donation_flows (issue "national scale")

Revision ID: 0005
Revises: 0004

The donor pages read these instead of scanning a donor's coverage rows. An existing ledger
gets them filled from its coverage, workers and claims.

The filling is frozen SQL, written out here: what ``dashboard.ledger.derived`` computes for
these two tables (``refresh_donations``) on a ledger at this revision, so that a later change
to a query there never changes what this migration does (issue 25). Plain SQL that SQLite and
PostgreSQL both run: integers only, no date arithmetic.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Each coverage row, with its worker's attributes and the receipt date of the same donor's
# previous row for the same worker (in the order received_on, donation, row; NULL for the
# first), grouped; then the four groupings by one attribute each, as text.
FILL_DONATION_CELLS = """
INSERT INTO donation_cells
    (donation_key, previous_received_on, dimension, value, row_count, months, amount_idr)
WITH row_cells AS (
    SELECT c.donation_key AS donation_key,
           (SELECT max(ed.received_on)
              FROM coverage e JOIN donations ed ON ed.id = e.donation_key
             WHERE e.worker_key = c.worker_key
               AND ed.donor_key = d.donor_key
               AND (ed.received_on < d.received_on
                    OR (ed.received_on = d.received_on
                        AND (e.donation_key < c.donation_key
                             OR (e.donation_key = c.donation_key AND e.id < c.id))))
           ) AS previous_received_on,
           w.province AS province,
           w.occupation AS occupation,
           w.gender AS gender,
           w.birth_year AS birth_year,
           c.months AS months,
           c.amount_idr AS amount_idr
      FROM coverage c
      JOIN donations d ON d.id = c.donation_key
      JOIN workers w ON w.id = c.worker_key
),
cell_rows AS (
    SELECT donation_key, previous_received_on, province, occupation, gender, birth_year,
           count(*) AS row_count,
           CAST(coalesce(sum(months), 0) AS BIGINT) AS months,
           CAST(coalesce(sum(amount_idr), 0) AS BIGINT) AS amount_idr
      FROM row_cells
     GROUP BY donation_key, previous_received_on, province, occupation, gender, birth_year
)
SELECT donation_key, previous_received_on, 'province', CAST(province AS VARCHAR),
       CAST(coalesce(sum(row_count), 0) AS BIGINT),
       CAST(coalesce(sum(months), 0) AS BIGINT),
       CAST(coalesce(sum(amount_idr), 0) AS BIGINT)
  FROM cell_rows GROUP BY donation_key, previous_received_on, province
UNION ALL
SELECT donation_key, previous_received_on, 'occupation', CAST(occupation AS VARCHAR),
       CAST(coalesce(sum(row_count), 0) AS BIGINT),
       CAST(coalesce(sum(months), 0) AS BIGINT),
       CAST(coalesce(sum(amount_idr), 0) AS BIGINT)
  FROM cell_rows GROUP BY donation_key, previous_received_on, occupation
UNION ALL
SELECT donation_key, previous_received_on, 'gender', CAST(gender AS VARCHAR),
       CAST(coalesce(sum(row_count), 0) AS BIGINT),
       CAST(coalesce(sum(months), 0) AS BIGINT),
       CAST(coalesce(sum(amount_idr), 0) AS BIGINT)
  FROM cell_rows GROUP BY donation_key, previous_received_on, gender
UNION ALL
SELECT donation_key, previous_received_on, 'birth_year', CAST(birth_year AS VARCHAR),
       CAST(coalesce(sum(row_count), 0) AS BIGINT),
       CAST(coalesce(sum(months), 0) AS BIGINT),
       CAST(coalesce(sum(amount_idr), 0) AS BIGINT)
  FROM cell_rows GROUP BY donation_key, previous_received_on, birth_year
"""

# Each coverage row's outcome: "JKM" when a paid death claim of its worker happened in one of
# its months, else "JKK" for a paid work-accident claim, else "protected" (JHT claims are the
# worker's own savings, never attributed; a row is at most 60 months long).
FILL_DONATION_FLOWS = """
INSERT INTO donation_flows (donation_key, province, occupation, outcome, row_count, amount_idr)
SELECT donation_key, province, occupation, outcome, count(*),
       CAST(coalesce(sum(amount_idr), 0) AS BIGINT)
  FROM (
    SELECT c.donation_key AS donation_key,
           w.province AS province,
           w.occupation AS occupation,
           CASE (SELECT max(CASE WHEN k.program = 'JKM' THEN 2
                                 WHEN k.program = 'JKK' THEN 1
                                 ELSE 0 END)
                   FROM claims k
                  WHERE k.status = 'paid'
                    AND k.program IN ('JKK', 'JKM')
                    AND k.worker_key = c.worker_key
                    AND c.start_month <= k.incident_month
                    AND c.start_month > k.incident_month - 60
                    AND c.start_month + c.months > k.incident_month)
                WHEN 2 THEN 'JKM'
                WHEN 1 THEN 'JKK'
                ELSE 'protected'
           END AS outcome,
           c.amount_idr AS amount_idr
      FROM coverage c
      JOIN workers w ON w.id = c.worker_key
  ) flows
 GROUP BY donation_key, province, occupation, outcome
"""


def upgrade() -> None:
    op.create_table(
        "donation_cells",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("donation_key", sa.Integer(), nullable=False),
        sa.Column("previous_received_on", sa.Date(), nullable=True),
        sa.Column("dimension", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=32), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("months", sa.BigInteger(), nullable=False),
        sa.Column("amount_idr", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["donation_key"], ["donations.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_donation_cells_donation", "donation_cells", ["donation_key"])
    op.create_table(
        "donation_flows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("donation_key", sa.Integer(), nullable=False),
        sa.Column("province", sa.String(length=8), nullable=False),
        sa.Column("occupation", sa.String(length=32), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("amount_idr", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["donation_key"], ["donations.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_donation_flows_donation", "donation_flows", ["donation_key"])

    conn = op.get_bind()
    conn.execute(sa.text(FILL_DONATION_CELLS))
    conn.execute(sa.text(FILL_DONATION_FLOWS))


def downgrade() -> None:
    op.drop_table("donation_flows")
    op.drop_table("donation_cells")
