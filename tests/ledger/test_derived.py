"""The donor pages' derived tables (donation_cells, donation_flows, donation_claims) stay
equal to a recomputation through every kind of write, and their distinct-worker sums equal
a direct count of workers for any period."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text

from dashboard.accounts.access import OPERATOR
from dashboard.core.months import first_day, month_label, month_of
from dashboard.ledger import derived
from dashboard.ledger.schema import (
    Claim,
    Confirmation,
    Coverage,
    CoveredWorker,
    Donation,
    Donor,
    SelfPaid,
    Worker,
)
from queries import donor
from queries.checks import check_ledger
from queries.figures import Period, ledger_figures
from tests.conftest import TODAY, small_programme, write_csv
from tests.ledgers import CLAIM_HEADER, DONATION_HEADER, WORKER_HEADER


def direct_workers(conn, donor_id: str, period: Period, by=None):
    """Distinct workers of the donor's coverage in ``period``, counted from coverage itself."""
    query = (
        select(*([by] if by is not None else []), func.count(func.distinct(Coverage.worker_key)))
        .join(Donation, Donation.id == Coverage.donation_key)
        .join(Donor, Donor.id == Donation.donor_key)
        .join(Worker, Worker.id == Coverage.worker_key)
        .where(Donor.donor_id == donor_id, *period.received(Donation.received_on))
    )
    if by is None:
        return conn.execute(query).scalar_one()
    return dict(conn.execute(query.group_by(by)).all())


def direct_continuation(conn, donor_id: str, period: Period, as_of: dt.date) -> tuple:
    """(ended, continued) by docs/contract.md, worker by worker from coverage and self-paid
    rows in Python: L is the last month the period's rows cover for the worker."""
    rows = conn.execute(
        select(Coverage.worker_key, Coverage.start_month + Coverage.months - 1)
        .join(Donation, Donation.id == Coverage.donation_key)
        .join(Donor, Donor.id == Donation.donor_key)
        .where(Donor.donor_id == donor_id, *period.received(Donation.received_on))
    ).all()
    last: dict[int, int] = {}
    for worker, month in rows:
        last[worker] = max(month, last.get(worker, month))
    paid: dict[int, set[int]] = {}
    for worker, start, months in conn.execute(
        select(SelfPaid.worker_key, SelfPaid.start_month, SelfPaid.months)
    ):
        paid.setdefault(worker, set()).update(range(start, start + months))
    now = month_of(as_of)
    ended = [w for w, month in last.items() if month + 3 < now]
    continued = [w for w in ended if paid.get(w, set()) & {last[w] + 1, last[w] + 2, last[w] + 3}]
    return len(ended), len(continued)


def shown_workers(engine, donor_id: str, period: Period, by: str) -> dict[str, int]:
    frame = donor.breakdown(donor.profile(engine, OPERATOR, donor_id, period, TODAY), by)
    return dict(zip(frame[by], frame["workers"], strict=True))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path_factory, tmp_path) -> Iterator[str]:
    """Here (for ``engine`` and ``cli``): a private copy of a small demo programme on each
    database, seeded once per run rather than once per test (seeding costs minutes in CI)."""
    with small_programme(tmp_path_factory, request.param, tmp_path) as url:
        yield url


@pytest.fixture
def programme(engine):
    """A small demo programme in the test database (SQLite and PostgreSQL)."""
    return engine


def test_moving_workers_and_paying_claims_keep_the_donor_tables_exact(programme, cli, tmp_path):
    engine = programme
    assert check_ledger(engine, TODAY) == []
    with engine.connect() as conn:
        # The largest donor's first ten covered workers move to Papua Pegunungan as farmers.
        largest = donor.donors(engine, OPERATOR).iloc[0]["donor_id"]
        moved = conn.execute(
            select(Worker)
            .where(
                Worker.id.in_(
                    select(Coverage.worker_key)
                    .join(Donation, Donation.id == Coverage.donation_key)
                    .join(Donor, Donor.id == Donation.donor_key)
                    .where(Donor.donor_id == largest, Worker.province != "ID-PE")
                )
            )
            .order_by(Worker.id)
            .limit(10)
        ).all()
        before = shown_workers(engine, largest, Period(), "province").get("ID-PE", 0)
        # A covered worker's death in the first month of a coverage row, paid now.
        row = conn.execute(
            select(Worker.worker_id, Coverage.start_month, Donation.donation_id)
            .join(Worker, Worker.id == Coverage.worker_key)
            .join(Donation, Donation.id == Coverage.donation_key)
            .where(~Coverage.worker_key.in_(select(Claim.worker_key)))
            .order_by(Coverage.id)
            .limit(1)
        ).one()
    assert len(moved) == 10
    rows = [
        [w.worker_id, w.registered_on, "ID-PE", "farmer", w.gender, w.birth_year] for w in moved
    ]
    result = cli("import", "workers", write_csv(tmp_path, "moved.csv", WORKER_HEADER, rows))
    assert result.exit_code == 0, result.output
    assert shown_workers(engine, largest, Period(), "province")["ID-PE"] == before + 10
    with engine.connect() as conn:
        assert shown_workers(engine, largest, Period(), "province") == direct_workers(
            conn, largest, Period(), Worker.province
        )

    # A death claim first approved (nothing attributed yet), then paid: a status change.
    incident = first_day(row.start_month) + dt.timedelta(days=3)
    approved = [["K-NEW", row.worker_id, "JKM", incident, "approved", "", ""]]
    result = cli("import", "claims", write_csv(tmp_path, "approved.csv", CLAIM_HEADER, approved))
    assert result.exit_code == 0, result.output
    assert check_ledger(engine, TODAY) == []
    claim = [["K-NEW", row.worker_id, "JKM", incident, "paid", incident, 42_000_000]]
    result = cli("import", "claims", write_csv(tmp_path, "claim.csv", CLAIM_HEADER, claim))
    assert result.exit_code == 0, result.output
    assert "1 updated" in result.output
    with engine.connect() as conn:
        owner = conn.execute(
            select(Donor.donor_id)
            .join(Donation, Donation.donor_key == Donor.id)
            .where(Donation.donation_id == row.donation_id)
        ).scalar_one()
    flow = donor.flow(engine, OPERATOR, owner)
    assert flow.loc[flow["outcome"] == "JKM", "rows"].sum() >= 1
    # donation_claims matched it to the owner's donation: it is in their list of claims.
    listed = donor.claims(engine, OPERATOR, owner, Period(), TODAY)
    death = listed[(listed["program"] == "JKM") & (listed["amount_idr"] == 42_000_000)]
    assert list(death["incident_month"]) == [first_day(row.start_month)]
    assert check_ledger(engine, TODAY) == []


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(donor_index=st.integers(0, 20), data=st.data())
def test_distinct_workers_from_the_derived_tables_equal_a_direct_count(
    demo_engine, donor_index, data
):
    donors = donor.donors(demo_engine, OPERATOR)["donor_id"]
    donor_id = donors.iloc[donor_index % len(donors)]
    # Bounds on, just before and just after the donor's receipt dates (where a period
    # starts or stops selecting a donation), or anywhere.
    received = list(donor.donations(demo_engine, OPERATOR, donor_id)["received_on"])
    near = st.builds(
        lambda day, shift: day + dt.timedelta(days=shift),
        st.sampled_from(received),
        st.integers(-1, 1),
    )
    bound = st.one_of(st.none(), near, st.dates(dt.date(2016, 1, 1), dt.date(2026, 11, 1)))
    start, end = data.draw(bound), data.draw(bound)
    if start is not None and end is not None and end < start:
        start, end = end, start
    period = Period(start, end)
    with demo_engine.connect() as conn:
        expected = direct_workers(conn, donor_id, period)
        for by, column in (("gender", Worker.gender), ("occupation", Worker.occupation)):
            assert shown_workers(demo_engine, donor_id, period, by) == direct_workers(
                conn, donor_id, period, column
            )
        ended_and_continued = direct_continuation(conn, donor_id, period, TODAY)
    figures = ledger_figures(demo_engine, donor_id, TODAY, period)
    assert figures.covered_workers == expected
    # a period's continuation comes from donor_spans: equal to the worker-by-worker count
    assert (figures.ended_workers, figures.continued_workers) == ended_and_continued


def awaiting(conn) -> list[dict]:
    """Every coverage row with its donor, donation, worker and confirmation day (None: not
    confirmed), read from the ledger's own tables (a small ledger, read whole)."""
    query = (
        select(
            Donor.donor_id,
            Donation.donation_id,
            Donation.received_on,
            Worker.worker_id,
            Coverage.start_month,
            Coverage.months,
            Coverage.amount_idr,
            Confirmation.confirmed_on,
        )
        .join(Donation, Donation.id == Coverage.donation_key)
        .join(Donor, Donor.id == Donation.donor_key)
        .join(Worker, Worker.id == Coverage.worker_key)
        .outerjoin(Confirmation, Confirmation.coverage_key == Coverage.id)
    )
    return [dict(row) for row in conn.execute(query).mappings()]


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_the_unconfirmed_list_is_the_donors_oldest_rows_awaiting_confirmation(programme, data):
    """The donor page's list, read from unconfirmed_coverage in its index's order and cut
    short, equals sorting every coverage row not confirmed by the day and keeping the first:
    for any donor, period, day and length, on both databases."""
    with programme.connect() as conn:
        rows = awaiting(conn)
    donor_id = data.draw(st.sampled_from(sorted({row["donor_id"] for row in rows})))
    received = sorted({row["received_on"] for row in rows if row["donor_id"] == donor_id})
    near = st.builds(
        lambda day, shift: day + dt.timedelta(days=shift),
        st.sampled_from(received),
        st.sampled_from([-40, -1, 0, 1]),
    )
    start, end = data.draw(st.one_of(st.none(), near)), data.draw(st.one_of(st.none(), near))
    if start is not None and end is not None and end < start:
        start, end = end, start
    as_of = data.draw(st.one_of(st.none(), st.dates(received[0], TODAY)))
    listed = data.draw(st.sampled_from([1, 3, 1_000]))

    def waiting(row) -> bool:
        if as_of is not None and row["received_on"] > as_of:
            return False
        return row["confirmed_on"] is None or (as_of is not None and row["confirmed_on"] > as_of)

    order = ("start_month", "donation_id", "worker_id", "months", "amount_idr")
    chosen = sorted(
        tuple(row[column] for column in order)
        for row in rows
        if row["donor_id"] == donor_id
        and (start is None or row["received_on"] >= start)
        and (end is None or row["received_on"] <= end)
        and waiting(row)
    )[:listed]
    shown = donor.unconfirmed(programme, OPERATOR, donor_id, Period(start, end), as_of, listed)
    assert shown.to_dict("records") == [
        {
            "donation_id": donation_id,
            "worker_id": worker_id,
            "start_month": month_label(start_month),
            "months": months,
            "amount_idr": amount,
        }
        for start_month, donation_id, worker_id, months, amount in chosen
    ]


def test_a_donors_unconfirmed_rows_outnumber_the_short_lists(programme):
    """The list above is cut short for most donors: without that, its cut is untested."""
    with programme.connect() as conn:
        rows = awaiting(conn)
    per_donor = Counter(row["donor_id"] for row in rows if row["confirmed_on"] is None)
    assert sum(count > 3 for count in per_donor.values()) >= 3


def test_the_demo_funds_workers_on_several_dates_so_the_runs_are_exercised(demo_engine):
    """Without workers funded on two or more dates by one donor, every run in donor_spans
    would be a single date and the period property above would test little."""
    from dashboard.ledger.schema import DonorSpan

    with demo_engine.connect() as conn:
        runs = conn.execute(
            select(func.sum(DonorSpan.workers)).where(
                DonorSpan.first_on < DonorSpan.last_on, DonorSpan.continued
            )
        ).scalar_one()
    assert runs and runs > 0


def test_every_coverage_row_counts_once_per_dimension(demo_engine):
    """The cells of each dimension hold every coverage row and every rupiah exactly once."""
    from dashboard.ledger.schema import DonationCell

    with demo_engine.connect() as conn:
        rows, amount = conn.execute(select(func.count(), func.sum(Coverage.amount_idr))).one()
        per_dimension = conn.execute(
            select(
                DonationCell.dimension,
                func.sum(DonationCell.row_count),
                func.sum(DonationCell.amount_idr),
            ).group_by(DonationCell.dimension)
        ).all()
    assert {d: (int(r), int(a)) for d, r, a in per_dimension} == {
        d: (rows, amount) for d in ("province", "occupation", "gender", "birth_year")
    }


@pytest.mark.postgres
def test_a_bulk_import_refreshes_the_planner_statistics_on_postgresql(postgres_url, tmp_path):
    """After 10,000 workers arrive, PostgreSQL plans with their real number (ANALYZE in the
    import), not with the empty table's estimate. analyze_count counts explicit ANALYZE only,
    never autovacuum's, so this cannot pass by the server's own timing."""
    from dashboard.ledger.db import STATISTICS_AFTER_ROWS
    from dashboard.ledger.importer import import_file
    from tests.conftest import _reset_postgres

    engine = _reset_postgres(postgres_url)
    rows = [
        [f"W{n:05d}", "2024-01-02", "ID-AC", "fisher", "F", 1980 + n % 30]
        for n in range(STATISTICS_AFTER_ROWS)
    ]
    path = write_csv(tmp_path, "workers.csv", WORKER_HEADER, rows)
    statistics = text(
        "SELECT analyze_count, n_live_tup FROM pg_stat_user_tables WHERE relname = 'workers'"
    )
    with engine.connect() as conn:
        before = conn.execute(statistics).one()[0]
    import_file(engine, "workers", path, today=TODAY)
    with engine.connect() as conn:
        analyzed = conn.execute(statistics).one()[0]
        estimate = conn.execute(
            text("SELECT reltuples FROM pg_class WHERE relname = 'workers'")
        ).scalar_one()
    engine.dispose()
    assert analyzed > before
    assert estimate == STATISTICS_AFTER_ROWS


@pytest.mark.parametrize(
    "largest_change", [20_000, 0], ids=["folded-in-as-a-change", "donors-recomputed-whole"]
)
def test_a_weeks_writes_keep_every_derived_table_exact(
    programme, cli, tmp_path, monkeypatch, largest_change
):
    """The derived tables after a small write are its change added to them (the weekly
    path); after a large one, its donors recomputed whole. Both must equal `check`'s
    recomputation from the ledger, through donations that land before a donor's later
    ones (they become the "previous" date of later rows), earmarks, and self-paid months
    that turn covered workers into continued ones."""
    monkeypatch.setattr(derived, "INCREMENTAL_UP_TO", largest_change)
    engine = programme
    with engine.connect() as conn:
        donor_id, last_received = conn.execute(
            select(Donor.donor_id, func.max(Donation.received_on))
            .join(Donation, Donation.donor_key == Donor.id)
            .group_by(Donor.donor_id)
            .order_by(func.count().desc())
        ).first()
        rows_before = conn.execute(select(func.count()).select_from(Coverage)).scalar_one()
    earlier = last_received - dt.timedelta(days=40)
    donations = [
        ["W-EARLIER", donor_id, earlier, 3 * 100_800, 6],
        ["W-NEW", donor_id, TODAY - dt.timedelta(days=2), 5 * 100_800, 6],
    ]
    result = cli("import", "donations", write_csv(tmp_path, "week.csv", DONATION_HEADER, donations))
    assert result.exit_code == 0, result.output
    result = cli("allocate")
    assert result.exit_code == 0, result.output
    with engine.connect() as conn:
        written = conn.execute(select(func.count()).select_from(Coverage)).scalar_one()
        assert written > rows_before
        # Workers whose last covered month has passed, who never paid for themselves.
        continued = select(func.count()).where(CoveredWorker.continued.is_(True))
        continued_before = conn.execute(continued).scalar_one()
        ended = conn.execute(
            select(Worker.worker_id, func.max(Coverage.start_month + Coverage.months))
            .join(Coverage, Coverage.worker_key == Worker.id)
            .where(~Worker.id.in_(select(SelfPaid.worker_key)))
            .group_by(Worker.worker_id)
            .having(func.max(Coverage.start_month + Coverage.months) <= month_of(TODAY))
            .order_by(Worker.worker_id)
            .limit(15)
        ).all()
    rows = [[worker_id, first_day(after).strftime("%Y-%m"), 1] for worker_id, after in ended]
    assert rows
    result = cli(
        "import",
        "self_paid",
        write_csv(tmp_path, "paid.csv", ["worker_id", "start_month", "months"], rows),
    )
    assert result.exit_code == 0, result.output
    with engine.connect() as conn:
        assert conn.execute(continued).scalar_one() == continued_before + len(rows)
    assert check_ledger(engine, TODAY) == []
