"""docs/contract.md, as properties: allocation and every figure against a literal oracle.

Hypothesis draws small ledgers with JHT rate changes, packages, self-paid stretches,
confirmations of some coverage rows (each on a day of its own) and paid claims of every
program (each paid some days after its incident), and a cut-off date from before the first
donation to long after the last; the oracle below reads the contract one worker and one month
at a time, v3's "As of" included, and ``ledger_figures`` must agree with it for each donor and
for the programme, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable, Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete, insert, select

from dashboard.core.months import first_day, month_index, month_of
from dashboard.ledger.allocator import allocate
from dashboard.ledger.db import open_ledger
from dashboard.ledger.derived import refresh_confirmed, refresh_worker_busy, refresh_workers
from dashboard.ledger.schema import (
    Base,
    Claim,
    Confirmation,
    Coverage,
    Donation,
    Donor,
    Rate,
    SelfPaid,
    Worker,
)
from queries.checks import check_ledger
from queries.figures import ledger_figures
from tests.conftest import postgres_database

BASE = month_index(2015, 7)
days = st.dates(dt.date(2023, 1, 1), dt.date(2024, 12, 31))
workers = st.lists(days, min_size=1, max_size=8)
rate_changes = st.lists(
    st.tuples(
        st.integers(month_index(2023, 3), month_index(2025, 6)),
        st.integers(17_000, 25_000),
        st.none() | st.integers(15_000, 30_000),
    ),
    max_size=2,
    unique_by=lambda change: change[0],
)
donations = st.lists(
    st.tuples(
        days,
        st.integers(30_000, 600_000),
        st.integers(1, 6),
        st.sampled_from(("jkk_jkm", "jkk_jkm_jht")),
        st.sampled_from(("D1", "D2")),
    ),
    min_size=1,
    max_size=6,
)
# Per worker: gaps and lengths of self-paid stretches after registration (disjoint by design).
stretches = st.lists(
    st.lists(st.tuples(st.integers(0, 8), st.integers(1, 4)), max_size=3), min_size=8, max_size=8
)
claims = st.lists(
    st.tuples(st.integers(0, 7), st.sampled_from(("JKK", "JKM", "JHT")), days, st.integers(0, 120)),
    max_size=8,
)
# Per coverage row: confirmed or not, and how many days after the donation's receipt.
confirmed_flags = st.lists(st.tuples(st.booleans(), st.integers(0, 400)), min_size=40, max_size=40)
as_of_days = st.dates(dt.date(2022, 12, 1), dt.date(2026, 6, 30))


ONE_DAY = dt.timedelta(days=1)


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def fresh_ledger(request, tmp_path_factory) -> Iterator[Callable[[], Engine]]:
    """A function that gives an engine on an empty, migrated ledger, new for each example:
    a copy of a template file on SQLite, the same database emptied on PostgreSQL."""
    if request.param == "sqlite":
        template = tmp_path_factory.mktemp("template") / "ledger.db"
        open_ledger(f"sqlite:///{template}").dispose()

        def copied() -> Engine:
            path = tmp_path_factory.mktemp("example") / "ledger.db"
            shutil.copy(template, path)
            return open_ledger(f"sqlite:///{path}")

        yield copied
        return
    with postgres_database("lingkaran_properties") as url:
        engine = open_ledger(url)

        def emptied() -> Engine:
            with engine.begin() as conn:
                for table in reversed(Base.metadata.sorted_tables):
                    if table.name != "rates":
                        conn.execute(delete(table))
                conn.execute(delete(Rate).where(Rate.effective_month != BASE))
            return engine

        yield emptied
        engine.dispose()


def self_paid_spans(drawn_workers, drawn_stretches) -> dict[str, list[tuple[int, int]]]:
    spans = {}
    for i, registered in enumerate(drawn_workers):
        month = month_of(registered)
        spans[f"W{i}"] = []
        for gap, months in drawn_stretches[i]:
            month += gap
            spans[f"W{i}"].append((month, months))
            month += months
    return spans


def schedule(drawn_rates):
    """month -> (JKK+JKM rate, JHT rate), the JHT rate carried forward from 20,000."""
    rows = sorted([(BASE, 16_800, 20_000), *drawn_rates])
    jht, table = 20_000, []
    for since, amount, given_jht in rows:
        jht = jht if given_jht is None else given_jht
        table.append((since, amount, jht))

    def rate(month: int) -> tuple[int, int]:
        return [(a, j) for since, a, j in table if since <= month][-1]

    return rate


def oracle_allocation(drawn_workers, drawn_rates, drawn_donations, self_paid) -> list[tuple]:
    rate = schedule(drawn_rates)
    people = sorted((day, f"W{i}") for i, day in enumerate(drawn_workers))
    busy = {w: [range(s, s + m) for s, m in spans] for w, spans in self_paid.items()}
    rows = []
    order = sorted(
        ((day, f"X{i}"), amount, months, package, donor)
        for i, (day, amount, months, package, donor) in enumerate(drawn_donations)
    )
    for (day, donation_id), amount, months, package, donor in order:
        start = month_of(day) + 1
        block = range(start, start + months)
        cost = sum(rate(m)[0] + (rate(m)[1] if package == "jkk_jkm_jht" else 0) for m in block)
        left = amount
        for registered, worker_id in people:
            if left < cost:
                break
            if registered >= first_day(start) or any(set(block) & set(b) for b in busy[worker_id]):
                continue
            busy[worker_id].append(block)
            rows.append((donation_id, donor, package, worker_id, start, months, cost))
            left -= cost
    return rows


def oracle_figures(
    rows, received, gifts, rate, self_paid, confirmed, paid_claims, as_of
) -> dict[str, int]:
    """The figures as of ``as_of`` (docs/contract.md "As of"): only the donations received by
    then and their rows, the claims paid by then, the confirmations made by then."""
    month = month_of(as_of)
    rows = [r for r in rows if received[r[0]] <= as_of]
    gifts = [(day, amount) for day, amount in gifts if day <= as_of]
    last: dict[str, int] = {}
    for _, _, _, worker, start, months, _ in rows:
        last[worker] = max(last.get(worker, -1), start + months - 1)
    paid_months = {
        w: {m for s, n in spans for m in range(s, s + n)} for w, spans in self_paid.items()
    }
    ended = [w for w, end in last.items() if month > end + 3]
    attributed = [
        amount
        for worker, program, incident, paid_on, amount in paid_claims
        if program in ("JKK", "JKM")
        and paid_on <= as_of
        and any(w == worker and s <= month_of(incident) < s + n for _, _, _, w, s, n, _ in rows)
    ]
    return {
        "donated_idr": sum(amount for _, amount in gifts),
        "covered_workers": len({r[3] for r in rows}),
        "protected_months": sum(r[5] for r in rows),
        "paid_ahead_months": sum(
            s + n - 1 - max(month, s - 1) for _, _, _, _, s, n, _ in rows if s + n - 1 > month
        ),
        "allocated_idr": sum(r[6] for r in rows),
        "jht_saved_idr": sum(
            sum(rate(m)[1] for m in range(s, s + n))
            for _, _, package, _, s, n, _ in rows
            if package == "jkk_jkm_jht"
        ),
        "confirmed_idr": sum(
            r[6] for r in rows if confirmed.get((r[0], r[3], r[4]), as_of + ONE_DAY) <= as_of
        ),
        "ended_workers": len(ended),
        "continued_workers": sum(
            1 for w in ended if paid_months[w] & set(range(last[w] + 1, last[w] + 4))
        ),
        "claims_paid_count": len(attributed),
        "claims_paid_idr": sum(attributed),
    }


def build(engine: Engine, drawn_workers, drawn_rates, drawn_donations, self_paid) -> Engine:
    with engine.begin() as conn:
        if drawn_rates:
            conn.execute(
                insert(Rate),
                [
                    {"effective_month": m, "monthly_idr": a, "jht_monthly_idr": j}
                    for m, a, j in drawn_rates
                ],
            )
        conn.execute(
            insert(Donor),
            [{"donor_id": d, "name": d, "type": "soe", "show_name": True} for d in ("D1", "D2")],
        )
        donors = dict(conn.execute(select(Donor.donor_id, Donor.id)).all())
        conn.execute(
            insert(Worker),
            [
                {
                    "worker_id": f"W{i}",
                    "registered_on": day,
                    "province": "ID-JB",
                    "occupation": "farmer",
                    "gender": "F",
                    "birth_year": 1980,
                }
                for i, day in enumerate(drawn_workers)
            ],
        )
        keys = dict(conn.execute(select(Worker.worker_id, Worker.id)).all())
        spans = [
            {"worker_key": keys[w], "start_month": s, "months": n}
            for w, items in self_paid.items()
            for s, n in items
        ]
        if spans:
            conn.execute(insert(SelfPaid), spans)
        # The importer keeps worker_busy (the allocator's order); rows written by hand need it.
        refresh_worker_busy(conn, select(Worker.id))
        conn.execute(
            insert(Donation),
            [
                {
                    "donation_id": f"X{i}",
                    "donor_key": donors[donor],
                    "received_on": day,
                    "amount_idr": amount,
                    "months_per_worker": months,
                    "package": package,
                }
                for i, (day, amount, months, package, donor) in enumerate(drawn_donations)
            ],
        )
    return engine


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(workers, rate_changes, donations, stretches, claims, confirmed_flags, as_of_days)
def test_allocation_and_every_figure_as_of_any_day_follow_the_contract(
    fresh_ledger,
    drawn_workers,
    drawn_rates,
    drawn_donations,
    drawn_stretches,
    drawn_claims,
    flags,
    as_of,
):
    self_paid = self_paid_spans(drawn_workers, drawn_stretches)
    engine = build(fresh_ledger(), drawn_workers, drawn_rates, drawn_donations, self_paid)
    allocate(engine)
    expected_rows = oracle_allocation(drawn_workers, drawn_rates, drawn_donations, self_paid)

    with engine.begin() as conn:
        stored = conn.execute(
            select(
                Coverage.id,
                Coverage.donation_key,
                Donation.donation_id,
                Worker.worker_id,
                Coverage.start_month,
                Coverage.months,
                Coverage.amount_idr,
                Donation.received_on,
            )
            .join(Donation, Donation.id == Coverage.donation_key)
            .join(Worker, Worker.id == Coverage.worker_key)
            .order_by(Coverage.id)
        ).all()
        assert {(r[2], r[3], r[4], r[5], r[6]) for r in stored} == {
            (r[0], r[3], r[4], r[5], r[6]) for r in expected_rows
        }
        confirmed = {}  # (donation, worker, start) -> the day BPJS-TK confirmed it
        for (flag, days_later), row in zip(flags, stored, strict=False):
            if flag:
                confirmed[(row[2], row[3], row[4])] = row[7] + dt.timedelta(days=days_later)
                conn.execute(
                    insert(Confirmation).values(
                        coverage_key=row[0],
                        donation_key=row[1],
                        confirmed_on=confirmed[(row[2], row[3], row[4])],
                        amount_idr=row[6],
                    )
                )
        refresh_confirmed(conn, 0)  # as the confirmations importer does after its rows
        worker_keys = dict(conn.execute(select(Worker.worker_id, Worker.id)).all())
        paid = []
        for number, (index, program, incident, days_later) in enumerate(drawn_claims):
            worker = f"W{index % len(drawn_workers)}"
            paid_on = incident + dt.timedelta(days=days_later)
            paid.append((worker, program, incident, paid_on, 1_000 * (number + 1)))
            conn.execute(
                insert(Claim).values(
                    claim_id=f"K{number}",
                    worker_key=worker_keys[worker],
                    program=program,
                    incident_on=incident,
                    incident_month=month_of(incident),
                    status="paid",
                    paid_on=paid_on,
                    amount_idr=1_000 * (number + 1),
                )
            )
        refresh_workers(conn, worker_keys.values(), cells=False)  # as the claims importer does

    rate = schedule(drawn_rates)
    received = {f"X{i}": gift[0] for i, gift in enumerate(drawn_donations)}
    # The drawn day, and today: no ledger date lies after today, so nothing is cut then.
    for day in (as_of, dt.date.today()):
        for donor in (None, "D1", "D2"):
            rows = [r for r in expected_rows if donor in (None, r[1])]
            gifts = [(g[0], g[1]) for g in drawn_donations if donor in (None, g[4])]
            expected = oracle_figures(rows, received, gifts, rate, self_paid, confirmed, paid, day)
            figures = ledger_figures(engine, donor, day)
            got = {key: getattr(figures, key) for key in expected}
            assert got == expected, (donor, day)
            assert figures.unconfirmed_idr == figures.allocated_idr - figures.confirmed_idr
            assert figures.balance_idr == figures.donated_idr - figures.allocated_idr
            assert 0 <= figures.continued_workers <= figures.ended_workers
            assert figures.ended_workers <= figures.covered_workers
            assert figures.paid_ahead_months <= figures.protected_months
    assert check_ledger(engine, as_of) == []
    engine.dispose()
