"""docs/contract.md files: JHT rates, packages, self_paid and confirmations. Every refusal names
file, line, column, value and reason and writes nothing; identical re-imports are no-ops.

Each case starts from the worked example, allocated (A and B covered 2024-05 .. 2024-10 by
donation X, 113,600 a row), on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from dashboard.ledger.schema import Confirmation, Coverage, SelfPaid
from tests.conftest import table_contents, write_csv
from tests.ledger.test_importer import assert_refused
from tests.ledgers import DONATION_HEADER

NEXT_YEAR = dt.date.today().year + 1
RATE_HEADER = ["effective_from", "monthly_idr", "jht_monthly_idr"]
SELF_PAID_HEADER = ["worker_id", "start_month", "months"]
CONFIRMATION_HEADER = [
    "donation_id",
    "worker_id",
    "start_month",
    "confirmed_on",
    "amount_idr",
    "reference",
]
COVERAGE_HEADER = ["donation_id", "worker_id", "start_month", "months", "amount_idr"]


# (kind, header, rows, line, column, reason)
REFUSED = {
    "jht rate is immutable": (
        "rates",
        RATE_HEADER,
        [["2024-07", "20000", "25000"]],
        2,
        "jht_monthly_idr",
        "conflict: the JHT rate from 2024-07 is none (immutable)",
    ),
    "jht rate is money": (
        "rates",
        RATE_HEADER,
        [["2030-01", "21000", "1,500"]],
        2,
        "jht_monthly_idr",
        "ambiguous",
    ),
    "package spelling": (
        "donations",
        [*DONATION_HEADER, "package"],
        [["X2", "D1", "2024-04-20", "300000", "6", "JKK+JHT"]],
        2,
        "package",
        "package is jkk_jkm or jkk_jkm_jht",
    ),
    "package is immutable": (
        "donations",
        [*DONATION_HEADER, "package"],
        [["X", "D1", "2024-04-20", "300000", "6", "jkk_jkm_jht"]],
        2,
        "package",
        "donations are immutable",
    ),
    "self-paid worker must exist": (
        "self_paid",
        SELF_PAID_HEADER,
        [["NOPE", "2024-06", "3"]],
        2,
        "worker_id",
        "no such worker",
    ),
    "self-paid months 1..60": (
        "self_paid",
        SELF_PAID_HEADER,
        [["C", "2024-06", "61"]],
        2,
        "months",
        "from 1 to 60",
    ),
    "self-paid not before registration": (
        "self_paid",
        SELF_PAID_HEADER,
        [["A", "2023-12", "1"]],
        2,
        "start_month",
        "worker A registered only in 2024-01",
    ),
    "self-paid never overlaps coverage": (
        "self_paid",
        SELF_PAID_HEADER,
        [["A", "2024-10", "2"]],
        2,
        "start_month",
        "overlaps coverage of worker A from 2024-05 for 6 month(s) (donation X)",
    ),
    "self-paid never overlaps self-paid": (
        "self_paid",
        SELF_PAID_HEADER,
        [["C", "2024-06", "3"], ["C", "2024-08", "1"]],
        3,
        "start_month",
        "overlaps self-paid months of worker C from 2024-06 for 3 month(s)",
    ),
    "self-paid key unique in a file": (
        "self_paid",
        SELF_PAID_HEADER,
        [["C", "2024-06", "3"], ["C", "2024-06", "3"]],
        3,
        "start_month",
        "appears more than once",
    ),
    "confirmation names a coverage row": (
        "confirmations",
        CONFIRMATION_HEADER,
        [["X", "C", "2024-05", "2024-05-02", "113600", ""]],
        2,
        "start_month",
        "no coverage row of donation X for worker C starts in 2024-05",
    ),
    "confirmation donation must exist": (
        "confirmations",
        CONFIRMATION_HEADER,
        [["NOPE", "A", "2024-05", "2024-05-02", "113600", ""]],
        2,
        "donation_id",
        "no such donation",
    ),
    "confirmation equals the row's amount": (
        "confirmations",
        CONFIRMATION_HEADER,
        [["X", "A", "2024-05", "2024-05-02", "113.601", ""]],
        2,
        "amount_idr",
        "the coverage row's amount is 113600, the confirmation says 113601",
    ),
    "confirmation not before the donation": (
        "confirmations",
        CONFIRMATION_HEADER,
        [["X", "A", "2024-05", "19/04/2024", "113600", ""]],
        2,
        "confirmed_on",
        "before donation X was received (2024-04-20)",
    ),
    "confirmation not in the future": (
        "confirmations",
        CONFIRMATION_HEADER,
        [["X", "A", "2024-05", f"{NEXT_YEAR}-01-02", "113600", ""]],
        2,
        "confirmed_on",
        "the date lies in the future",
    ),
    "confirmation reference at most 64 characters": (
        "confirmations",
        CONFIRMATION_HEADER,
        [["X", "A", "2024-05", "2024-05-02", "113600", "R" * 65]],
        2,
        "reference",
        "1 to 64 characters",
    ),
    "one confirmation per coverage row": (
        "confirmations",
        CONFIRMATION_HEADER,
        [
            ["X", "A", "2024-05", "2024-05-02", "113600", "R1"],
            ["X", "A", "2024-05", "2024-05-03", "113600", "R2"],
        ],
        3,
        "start_month",
        "appears more than once",
    ),
}


@pytest.mark.parametrize("case", REFUSED, ids=list(REFUSED))
def test_a_bad_v2_file_is_refused_naming_line_and_column_and_nothing_is_written(
    case, cli, engine, ledger
):
    assert_refused(cli, engine, ledger, REFUSED[case])


def test_coverage_may_not_overlap_the_workers_self_paid_months(cli, engine, ledger):
    paid = write_csv(ledger, "self_paid.csv", SELF_PAID_HEADER, [["C", "2024-11", "2"]])
    assert "1 new" in cli("import", "self_paid", paid).output
    before = table_contents(engine)
    bad = write_csv(ledger, "coverage.csv", COVERAGE_HEADER, [["X", "C", "2024-12", "1", "20000"]])
    result = cli("import", "coverage", bad)
    assert "coverage.csv:2: column start_month: value '2024-12'" in result.output
    assert "overlaps self-paid months of worker C from 2024-11 for 2 month(s)" in result.output
    assert table_contents(engine) == before


def test_reimporting_self_paid_and_confirmations_is_a_no_op_and_changes_are_conflicts(
    cli, engine, ledger
):
    paid = write_csv(ledger, "self_paid.csv", SELF_PAID_HEADER, [["A", "2024-11", "3"]])
    confirmed = write_csv(
        ledger,
        "confirmations.csv",
        CONFIRMATION_HEADER,
        [["X", "A", "2024-05", "02/05/2024", "Rp 113.600", "TK-1"]],
    )
    assert "1 new, 0 unchanged" in cli("import", "self_paid", paid).output
    assert "1 new, 0 unchanged" in cli("import", "confirmations", confirmed).output
    assert "0 new, 1 unchanged" in cli("import", "self_paid", paid).output
    assert "0 new, 1 unchanged" in cli("import", "confirmations", confirmed).output

    before = table_contents(engine)
    longer = write_csv(ledger, "longer.csv", SELF_PAID_HEADER, [["A", "2024-11", "4"]])
    result = cli("import", "self_paid", longer)
    assert "column months: value '4': conflict: worker A paid from 2024-11 for 3" in result.output
    other_day = write_csv(
        ledger,
        "other.csv",
        CONFIRMATION_HEADER,
        [["X", "A", "2024-05", "2024-05-03", "113600", "TK-1"]],
    )
    result = cli("import", "confirmations", other_day)
    assert (
        "other.csv:2: column confirmed_on: value '2024-05-03': conflict: the coverage row of "
        "donation X for worker A from 2024-05 was confirmed on 2024-05-02 for 113600"
    ) in result.output
    assert table_contents(engine) == before
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(SelfPaid)).scalar_one() == 1
        stored = conn.execute(
            select(Confirmation.amount_idr, Coverage.amount_idr, Confirmation.reference).join(
                Coverage, Coverage.id == Confirmation.coverage_key
            )
        ).one()
    assert stored == (113_600, 113_600, "TK-1")
    assert cli("check").exit_code == 0


def test_a_v1_rates_file_reimports_unchanged_and_the_schedule_starts_with_jht_20000(
    cli, engine, ledger
):
    """The first rate row always carries the contract's JHT 20,000, said or not."""
    v1 = write_csv(
        ledger, "rates-v1.csv", ["effective_from", "monthly_idr"], [["2015-07", "16800"]]
    )
    assert "0 new, 1 unchanged" in cli("import", "rates", v1).output
    v2 = write_csv(ledger, "rates-v2.csv", RATE_HEADER, [["2015-07", "16800", "20.000"]])
    assert "0 new, 1 unchanged" in cli("import", "rates", v2).output
