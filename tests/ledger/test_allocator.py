"""docs/contract.md "Allocation", as properties: the allocator equals a naive reading of the rules.

Hypothesis draws small ledgers (workers, rate changes, donations with earmarks); a plain
Python oracle applies the contract's five rules one worker at a time, and the allocator's
coverage rows must be exactly the oracle's. Conservation, no overlap, earmarks, oldest-first,
determinism and idempotence are then asserted on their own so that a failure names its rule.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections import defaultdict
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, insert, select

from dashboard.core.months import first_day, month_index, month_of
from dashboard.ledger.allocator import allocate
from dashboard.ledger.db import open_ledger
from dashboard.ledger.derived import refresh_worker_busy
from dashboard.ledger.schema import Coverage, Donation, Donor, Rate, Worker
from queries.checks import check_ledger
from tests.conftest import table_contents

PROVINCES = ("ID-JB", "ID-MA")
OCCUPATIONS = ("fisher", "farmer")
BASE_RATE = (month_index(2015, 7), 16_800)

# Month boundaries matter ("registered before the first day of S"): draw them often.
days = st.dates(dt.date(2023, 1, 1), dt.date(2025, 6, 30)) | st.builds(
    dt.date, st.integers(2023, 2025), st.integers(1, 12), st.sampled_from((1, 28))
)
workers = st.lists(
    st.tuples(days, st.sampled_from(PROVINCES), st.sampled_from(OCCUPATIONS)), max_size=12
)
rate_changes = st.lists(
    st.tuples(
        st.integers(month_index(2023, 3), month_index(2025, 12)), st.integers(17_000, 25_000)
    ),
    max_size=2,
    unique_by=lambda change: change[0],
)
donations = st.lists(
    st.tuples(
        days,
        st.integers(10_000, 700_000),
        st.integers(1, 8),
        st.none() | st.sampled_from(PROVINCES),
        st.none() | st.sampled_from(OCCUPATIONS),
        st.sampled_from(("D1", "D2")),
    ),
    min_size=1,
    max_size=7,
)


@pytest.fixture(scope="module")
def empty_ledger(tmp_path_factory) -> Path:
    """One migrated SQLite file, copied for every example (migrating costs more than a copy)."""
    path = tmp_path_factory.mktemp("template") / "ledger.db"
    open_ledger(f"sqlite:///{path}").dispose()
    return path


def build(path: Path, drawn_workers, drawn_rates, drawn_donations) -> Engine:
    engine = open_ledger(f"sqlite:///{path}")
    with engine.begin() as conn:
        # The migrations already hold the contract's base rate (2015-07 -> 16,800).
        later = [{"effective_month": m, "monthly_idr": a} for m, a in drawn_rates[1:]]
        if later:
            conn.execute(insert(Rate), later)
        conn.execute(
            insert(Donor),
            [
                {"donor_id": d, "name": d, "type": "corporate", "show_name": True}
                for d in ("D1", "D2")
            ],
        )
        keys = dict(conn.execute(select(Donor.donor_id, Donor.id)).all())
        if drawn_workers:
            conn.execute(
                insert(Worker),
                [
                    {
                        "worker_id": f"W{i:02d}",
                        "registered_on": day,
                        "province": province,
                        "occupation": occupation,
                        "gender": "F",
                        "birth_year": 1980,
                    }
                    for i, (day, province, occupation) in enumerate(drawn_workers)
                ],
            )
            # The importer keeps worker_busy (the allocator's order); rows written by hand need it.
            refresh_worker_busy(conn, select(Worker.id))
        conn.execute(
            insert(Donation),
            [
                {
                    "donation_id": f"X{i}",
                    "donor_key": keys[donor],
                    "received_on": day,
                    "amount_idr": amount,
                    "months_per_worker": months,
                    "earmark_province": province,
                    "earmark_occupation": occupation,
                }
                for i, (day, amount, months, province, occupation, donor) in enumerate(
                    drawn_donations
                )
            ],
        )
    return engine


def oracle(drawn_workers, drawn_rates, drawn_donations) -> set[tuple]:
    """The contract's rules read literally: (donation_id, worker_id, start, months, amount)."""
    schedule = sorted(drawn_rates)

    def rate(month: int) -> int:
        return [amount for since, amount in schedule if since <= month][-1]

    people = sorted(
        (day, f"W{i:02d}", province, occupation)
        for i, (day, province, occupation) in enumerate(drawn_workers)
    )
    held: dict[str, list[range]] = defaultdict(list)
    rows = set()
    order = sorted(
        ((day, f"X{i}"), amount, months, province, occupation)
        for i, (day, amount, months, province, occupation, _) in enumerate(drawn_donations)
    )
    for (day, donation_id), amount, months, province, occupation in order:
        start = month_of(day) + 1
        block = range(start, start + months)
        cost = sum(rate(m) for m in block)
        left = amount
        for registered, worker_id, worker_province, worker_occupation in people:
            if left < cost:
                break
            if registered >= first_day(start):
                continue
            if province and worker_province != province:
                continue
            if occupation and worker_occupation != occupation:
                continue
            if any(set(block) & set(span) for span in held[worker_id]):
                continue
            held[worker_id].append(block)
            rows.add((donation_id, worker_id, start, months, cost))
            left -= cost
    return rows


def coverage_rows(engine: Engine) -> set[tuple]:
    with engine.connect() as conn:
        return set(
            conn.execute(
                select(
                    Donation.donation_id,
                    Worker.worker_id,
                    Coverage.start_month,
                    Coverage.months,
                    Coverage.amount_idr,
                )
                .join(Donation, Donation.id == Coverage.donation_key)
                .join(Worker, Worker.id == Coverage.worker_key)
            ).all()
        )


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(workers, rate_changes, donations)
def test_allocation_follows_the_contract_rules(
    empty_ledger, tmp_path_factory, drawn_workers, drawn_changes, drawn_donations
):
    drawn_rates = [BASE_RATE, *drawn_changes]
    folder = tmp_path_factory.mktemp("example")
    shutil.copy(empty_ledger, folder / "a.db")
    shutil.copy(empty_ledger, folder / "b.db")
    first = build(folder / "a.db", drawn_workers, drawn_rates, drawn_donations)
    second = build(folder / "b.db", drawn_workers, drawn_rates, drawn_donations)

    walked = allocate(first, in_memory=False)  # the database finds each block's workers
    rows = coverage_rows(first)

    # The five rules at once: exactly the rows a literal reading of the contract writes.
    assert rows == oracle(drawn_workers, drawn_rates, drawn_donations)

    # Money conserved: no donation funds more than its amount, and never a partial block.
    amounts = {f"X{i}": d[1] for i, d in enumerate(drawn_donations)}
    spent = defaultdict(int)
    for donation_id, _, _, _, amount in rows:
        spent[donation_id] += amount
    assert all(spent[d] <= amounts[d] for d in spent)

    # No overlap: a worker's months are covered at most once.
    months_held = defaultdict(list)
    for _, worker_id, start, months, _ in rows:
        months_held[worker_id].extend(range(start, start + months))
    assert all(len(held) == len(set(held)) for held in months_held.values())

    # Earmarks respected.
    people = {f"W{i:02d}": w for i, w in enumerate(drawn_workers)}
    for donation_id, worker_id, *_ in rows:
        _, _, _, province, occupation, _ = drawn_donations[int(donation_id[1:])]
        assert province in (None, people[worker_id][1])
        assert occupation in (None, people[worker_id][2])

    # Deterministic: the same ledger allocated elsewhere gives the same rows, and so do the
    # two ways of finding workers (the walk in the database above, every worker in memory).
    held = allocate(second, in_memory=True)
    assert coverage_rows(second) == rows
    assert held == walked  # the same blocks, and the same unspent money for the same reasons

    # Idempotent and append-only: a second run creates nothing and rewrites nothing.
    before = table_contents(first)
    again = allocate(first)
    assert again.coverage_rows == 0
    after = table_contents(first)
    assert len(after.pop("allocation_runs")) == len(before.pop("allocation_runs")) + 1
    assert after == before

    assert check_ledger(first) == []
    first.dispose()
    second.dispose()


def test_oldest_registrations_are_served_first(tmp_path, empty_ledger):
    """Three eligible workers, money for two blocks: the two registered first get them."""
    shutil.copy(empty_ledger, tmp_path / "l.db")
    drawn_workers = [
        (dt.date(2024, 3, 1), "ID-JB", "farmer"),  # W00
        (dt.date(2024, 1, 1), "ID-JB", "farmer"),  # W01, the oldest
        (dt.date(2024, 2, 1), "ID-JB", "farmer"),  # W02
    ]
    engine = build(
        tmp_path / "l.db",
        drawn_workers,
        [BASE_RATE],
        [(dt.date(2024, 4, 20), 2 * 6 * 16_800 + 100, 6, None, None, "D1")],
    )
    allocate(engine)
    assert {worker for _, worker, *_ in coverage_rows(engine)} == {"W01", "W02"}


def test_a_registration_tie_is_broken_by_worker_id(tmp_path, empty_ledger):
    shutil.copy(empty_ledger, tmp_path / "l.db")
    same_day = [(dt.date(2024, 1, 1), "ID-JB", "farmer")] * 3
    engine = build(
        tmp_path / "l.db",
        same_day,
        [BASE_RATE],
        [(dt.date(2024, 4, 20), 16_800, 1, None, None, "D1")],
    )
    allocate(engine)
    assert {worker for _, worker, *_ in coverage_rows(engine)} == {"W00"}


def test_a_worker_registered_on_the_first_day_of_s_is_not_eligible(tmp_path, empty_ledger):
    """Eligible means registered *before* the first day of S (docs/contract.md "Allocation" 3)."""
    shutil.copy(empty_ledger, tmp_path / "l.db")
    drawn_workers = [
        (dt.date(2024, 5, 1), "ID-JB", "farmer"),
        (dt.date(2024, 4, 30), "ID-JB", "farmer"),
    ]
    engine = build(
        tmp_path / "l.db",
        drawn_workers,
        [BASE_RATE],
        [(dt.date(2024, 4, 20), 10 * 16_800, 1, None, None, "D1")],
    )
    allocate(engine)
    assert {worker for _, worker, *_ in coverage_rows(engine)} == {"W01"}


@given(
    changes=st.lists(st.tuples(st.integers(1, 60), st.integers(1, 90_000)), min_size=0, max_size=6),
    blocks=st.lists(
        st.tuples(st.integers(0, 120), st.integers(1, 24), st.integers(1, 5_000)),
        min_size=1,
        max_size=40,
    ),
)
def test_many_blocks_jht_at_once_equals_block_by_block(changes, blocks):
    """``jht_total`` (running totals, used by the headline) against ``jht_cost`` per block
    (used by allocation), over a JHT schedule that changes at random months."""
    from dashboard.ledger.allocator import RateSchedule

    base = month_index(2015, 7)
    schedule = RateSchedule.__new__(RateSchedule)
    months = sorted({base, *(base + offset for offset, _ in changes)})
    amounts = dict(changes and [(base + offset, amount) for offset, amount in changes])
    schedule._months = months
    schedule._amounts = [16_800] * len(months)
    schedule._jht_amounts = [amounts.get(m, 20_000) for m in months]
    blocks = [(base + start, length, rows) for start, length, rows in blocks]
    expected = sum(schedule.jht_cost(start, length) * rows for start, length, rows in blocks)
    assert schedule.jht_total(blocks) == expected


def test_a_donation_no_worker_was_eligible_for_is_tried_again_once_one_could_be(
    tmp_path, empty_ledger
):
    """A donation left with money because every worker was busy is passed by later
    (nothing can free a worker: coverage only grows), until a worker registered before its
    first month arrives or moves into its earmark; then it buys that worker's block."""
    shutil.copy(empty_ledger, tmp_path / "l.db")
    engine = build(
        tmp_path / "l.db",
        [(dt.date(2024, 1, 1), "ID-JB", "farmer")],
        [BASE_RATE],
        [
            (dt.date(2024, 4, 1), 6 * 16_800, 6, None, None, "D1"),  # takes W00
            (dt.date(2024, 4, 2), 2 * 6 * 16_800, 6, "ID-JB", None, "D2"),  # finds nobody
            (dt.date(2024, 4, 3), 6 * 16_800, 6, "ID-JT", None, "D2"),  # nobody matches
        ],
    )
    first = allocate(engine)
    assert [d.donation_id for d in first.unspent] == ["X1", "X2"]
    assert allocate(engine).unspent == first.unspent  # passed by, for the same reasons

    def add_worker(worker_id, province, registered_on=dt.date(2024, 2, 1)):
        with engine.begin() as conn:
            conn.execute(
                insert(Worker).values(
                    worker_id=worker_id,
                    registered_on=registered_on,
                    province=province,
                    occupation="farmer",
                    gender="F",
                    birth_year=1980,
                )
            )
            refresh_worker_busy(conn, select(Worker.id).where(Worker.worker_id == worker_id))

    add_worker("W-LATE", "ID-JB", registered_on=dt.date(2024, 6, 1))  # after S: no help
    assert allocate(engine).coverage_rows == 0
    add_worker("W-EARLY", "ID-JB")
    assert allocate(engine).coverage_rows == 1
    add_worker("W-JT", "ID-JT")
    assert allocate(engine).coverage_rows == 1
    assert {(d, w) for d, w, *_ in coverage_rows(engine)} == {
        ("X0", "W00"),
        ("X1", "W-EARLY"),
        ("X2", "W-JT"),
    }
    assert allocate(engine, remember=False).coverage_rows == 0  # nothing was missed
