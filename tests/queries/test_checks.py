"""`lingkaran check`: a consistent ledger passes; each injected violation is named."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, insert, select, update

from dashboard.core.months import month_index
from dashboard.ledger.schema import Coverage, CoveredWorker, Donation, Worker
from tests.ledgers import import_all, worked_example


@pytest.fixture
def allocated(cli, tmp_path):
    import_all(cli, worked_example(tmp_path))
    assert cli("allocate").exit_code == 0
    assert cli("check").exit_code == 0


def _coverage_of(conn, worker_id: str):
    return (
        select(Coverage.id)
        .join(Worker, Worker.id == Coverage.worker_key)
        .where(Worker.worker_id == worker_id)
        .scalar_subquery()
    )


def test_a_consistent_ledger_passes(cli, allocated):
    result = cli("check")
    assert result.exit_code == 0
    assert "Ledger OK" in result.output


def test_a_donation_funding_more_than_its_amount_is_reported(cli, engine, allocated):
    with engine.begin() as conn:
        conn.execute(
            update(Coverage)
            .where(Coverage.id == _coverage_of(conn, "A"))
            .values(amount_idr=250_000)
        )
    result = cli("check")
    assert result.exit_code == 1
    assert "money conserved: donation X funds 363600 of 300000" in result.output


def test_overlapping_coverage_is_reported(cli, engine, allocated):
    with engine.begin() as conn:
        worker = conn.execute(select(Worker.id).where(Worker.worker_id == "A")).scalar_one()
        donation = conn.execute(select(Donation.id)).scalar_one()
        conn.execute(
            insert(Coverage).values(
                donation_key=donation,
                worker_key=worker,
                start_month=month_index(2024, 10),
                months=1,
                amount_idr=1,
                source="import",
            )
        )
    result = cli("check")
    assert result.exit_code == 1
    assert "no overlapping coverage" in result.output
    assert "two coverage rows in 2024-10" in result.output


def test_coverage_before_its_donation_is_reported(cli, engine, allocated):
    with engine.begin() as conn:
        conn.execute(
            update(Coverage)
            .where(Coverage.id == _coverage_of(conn, "B"))
            .values(start_month=month_index(2024, 3))
        )
    result = cli("check")
    assert result.exit_code == 1
    assert "coverage after donation: donation X received 2024-04-20 covers 2024-03" in result.output


def test_derived_tables_out_of_step_with_coverage_are_reported(cli, engine, allocated):
    with engine.begin() as conn:
        conn.execute(delete(CoveredWorker))
    result = cli("check")
    assert result.exit_code == 1
    assert (
        "derived tables match coverage: the programme's protected workers (covered_workers): "
        "2 row(s) missing"
    ) in result.output


def test_v2_violations_are_reported(cli, engine, allocated):
    """A confirmation that differs from its row, a self-paid month inside coverage and a
    worker marked continued who did not: each named by `check`."""

    from dashboard.ledger.schema import Confirmation, DonorWorker, SelfPaid

    with engine.begin() as conn:
        row = conn.execute(
            select(Coverage.id, Coverage.donation_key, Coverage.worker_key).where(
                Coverage.id == _coverage_of(conn, "A")
            )
        ).one()
        conn.execute(
            insert(Confirmation).values(
                coverage_key=row.id,
                donation_key=row.donation_key,
                confirmed_on=dt.date(2024, 5, 2),
                amount_idr=1_000,
            )
        )
        conn.execute(
            insert(SelfPaid).values(
                worker_key=row.worker_key, start_month=month_index(2024, 6), months=1
            )
        )
        conn.execute(update(DonorWorker).values(continued=True))
    result = cli("check")
    assert result.exit_code == 1
    assert "confirmation equals its row" in result.output
    assert "is for 1000, the row for 113600" in result.output
    assert "no self-paid overlap" in result.output
    assert "derived tables match coverage: each donor's protected workers (donor_workers)" in (
        result.output
    )
    assert "(confirmation_totals): 1 row(s) missing" in result.output


def test_a_violations_counts_are_written_as_the_readers_language_writes_numbers():
    """The console shows a check's violations in the admin's language: its counts too."""
    from queries.checks import derived_mismatch

    found = derived_mismatch("covered_workers", 2651, 0)
    assert found.detail_text("id") == (
        "pekerja terlindungi program (covered_workers): 2.651 baris hilang, "
        "0 baris tanpa dasar cakupan"
    )
    assert found.detail_text("en").startswith(
        "the programme's protected workers (covered_workers): 2,651 row(s) missing"
    )


def test_every_derived_table_a_check_compares_has_a_meaning_for_the_admin():
    """A table without one would fail the check with a KeyError instead of naming it."""
    from dashboard.ledger.check_runs import AGGREGATES
    from queries.check_since import KEYED
    from queries.checks import DERIVED_MEANINGS, derived_comparisons

    compared = {*derived_comparisons(), "donor_spans", *KEYED, *AGGREGATES}
    assert compared == set(DERIVED_MEANINGS)
