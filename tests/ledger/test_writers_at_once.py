"""Two writers at once on one ledger (dashboard/ledger/db.py ``writing``): allocations started
together from two places (the command line and the admin console, or two app processes),
and an import beside an allocation. Each write happens once and whole, after the other, or
is refused with a sentence; nothing is allocated twice and nothing is lost.

Before the lock, the second of two allocations chose the same workers as the first and
failed on the unique key (worker, start month) with a database error."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from dashboard.core.errors import LedgerBusy
from dashboard.ledger import db
from dashboard.ledger.allocator import allocate
from dashboard.ledger.db import open_ledger, writing
from dashboard.ledger.importer import import_file
from dashboard.ledger.schema import Coverage, Donation
from queries.checks import check_ledger
from tests.conftest import table_counts, write_csv
from tests.ledgers import DONATION_HEADER, WORKER_HEADER

RATE = 16_800
BLOCKS = 15  # each donation buys 15 blocks of six months


def _files(folder) -> dict:
    workers = [
        [f"W{i:03}", f"2024-0{1 + i % 3}-{10 + i % 10}", "ID-JB", "farmer", "F", "1980"]
        for i in range(40)
    ]
    later = [[f"V{i:03}", "2024-03-02", "ID-MA", "fisher", "M", "1985"] for i in range(10)]
    donations = [
        ["X1", "D1", "2024-04-20", str(RATE * 6 * BLOCKS), "6"],
        ["X2", "D2", "2024-04-25", str(RATE * 6 * BLOCKS), "6"],
    ]
    return {
        "donors": write_csv(
            folder,
            "donors.csv",
            ["donor_id", "name", "type"],
            [["D1", "PT Satu", "corporate"], ["D2", "PT Dua", "corporate"]],
        ),
        "rates": write_csv(
            folder, "rates.csv", ["effective_from", "monthly_idr"], [["2015-07", str(RATE)]]
        ),
        "workers": write_csv(folder, "workers.csv", WORKER_HEADER, workers),
        "more_workers": write_csv(folder, "more_workers.csv", WORKER_HEADER, workers + later),
        "donations": write_csv(folder, "donations.csv", DONATION_HEADER, donations),
    }


def _at_once(*works: Callable) -> list:
    """Run ``works`` in threads released together; what each returned or raised."""
    start = threading.Barrier(len(works))
    outcomes: list = [None] * len(works)

    def run(i: int, work: Callable) -> None:
        start.wait()
        try:
            outcomes[i] = work()
        except Exception as error:  # noqa: BLE001 - the assertion names what came out
            outcomes[i] = error

    threads = [threading.Thread(target=run, args=item) for item in enumerate(works)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.fixture
def unallocated(database_url, tmp_path):
    """Donors, rates, 40 workers and two donations of 15 blocks each; nothing allocated."""
    files = _files(tmp_path)
    engine = open_ledger(database_url)
    for kind in ("donors", "rates", "workers", "donations"):
        import_file(engine, kind, files[kind])
    yield engine, files
    engine.dispose()


def _spent(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return dict(
            conn.execute(
                select(Donation.donation_id, func.sum(Coverage.amount_idr))
                .join(Coverage, Coverage.donation_key == Donation.id)
                .group_by(Donation.donation_id)
            ).all()
        )


def test_two_allocations_at_once_allocate_once(unallocated, database_url):
    engine, _files = unallocated
    first, second = open_ledger(database_url), open_ledger(database_url)
    outcomes = _at_once(lambda: allocate(first), lambda: allocate(second))
    first.dispose()
    second.dispose()
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    # One allocated both donations; the other waited, then found nothing left to spend.
    assert sorted(o.coverage_rows for o in outcomes) == [0, 2 * BLOCKS]
    assert _spent(engine) == {"X1": RATE * 6 * BLOCKS, "X2": RATE * 6 * BLOCKS}
    assert not check_ledger(engine)


def test_an_import_beside_an_allocation_waits_for_it_and_both_land(unallocated, database_url):
    engine, files = unallocated
    first, second = open_ledger(database_url), open_ledger(database_url)
    outcomes = _at_once(
        lambda: allocate(first), lambda: import_file(second, "workers", files["more_workers"])
    )
    first.dispose()
    second.dispose()
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert outcomes[0].coverage_rows == 2 * BLOCKS
    assert (outcomes[1].new, outcomes[1].unchanged) == (10, 40)
    assert table_counts(engine)["workers"] == 50
    assert not check_ledger(engine)


def test_a_writer_that_waited_too_long_is_refused_and_writes_nothing(
    unallocated, database_url, cli, monkeypatch
):
    engine, files = unallocated
    monkeypatch.setattr(db, "WRITE_WAIT_SECONDS", 1)
    before = table_counts(engine)
    holder = open_ledger(database_url)
    with holder.begin() as held:
        writing(held)  # a long write in progress elsewhere
        with pytest.raises(LedgerBusy) as refused:
            allocate(engine)
        with pytest.raises(LedgerBusy):
            import_file(engine, "workers", files["more_workers"])
        said = cli("--lang", "id", "allocate")
    holder.dispose()
    assert refused.value.render("en") == (
        "another import or allocation has been writing to the ledger for more than 1 "
        "seconds; nothing was written. Run this again when it has finished."
    )
    assert said.exit_code == 1
    assert "impor atau alokasi lain sudah menulis ke buku besar lebih dari 1 detik" in said.output
    assert "Traceback" not in said.output
    assert table_counts(engine) == before
    # Once the other write has ended, the same allocation runs.
    assert allocate(engine).coverage_rows == 2 * BLOCKS
