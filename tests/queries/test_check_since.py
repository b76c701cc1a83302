"""`lingkaran check --since` (issue 30): after a passing full check and a week's writes, it
verifies what they touched; each corruption of a touched key is found by it as by the full
check; a corruption of an untouched key is found by the full check only (its limit). On SQLite
and PostgreSQL, from one seeded and fully checked ledger copied for each test."""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, create_engine, delete, func, insert, select, text, update
from sqlalchemy.engine import make_url

from dashboard.core.months import first_day, month_label, month_of
from dashboard.ledger.allocator import allocate
from dashboard.ledger.db import open_ledger
from dashboard.ledger.importer import contract_columns, import_file
from dashboard.ledger.schema import (
    CheckRun,
    Claim,
    Confirmation,
    ConfirmationTotal,
    Coverage,
    CoverageTotal,
    CoveredWorker,
    Donation,
    DonationCell,
    DonationClaim,
    DonationFlow,
    Donor,
    DonorContinuation,
    DonorSpan,
    DonorWorker,
    LedgerChange,
    ProgrammeContinuation,
    SelfPaid,
    UnconfirmedCoverage,
    Worker,
    WorkerBusy,
)
from queries.check_since import check_since, full_check
from queries.checks import check_ledger
from tests.conftest import POSTGRES_ADMIN_URL, TODAY, small_programme, write_csv


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def checked_ledger(request, tmp_path_factory) -> Iterator[str]:
    """A 600-worker demo programme whose full check passed and was recorded (a template):
    a copy of the programme seeded once per run."""
    folder = tmp_path_factory.mktemp("since")
    with small_programme(tmp_path_factory, request.param, folder) as url:
        engine = open_ledger(url)
        assert full_check(engine, TODAY) == []
        engine.dispose()
        yield url


@pytest.fixture
def ledger(checked_ledger: str, tmp_path: Path) -> Iterator[Engine]:
    """A private copy of the checked ledger."""
    with _copy(checked_ledger, tmp_path) as url:
        engine = open_ledger(url)
        yield engine
        engine.dispose()


@contextlib.contextmanager
def _copy(url: str, folder: Path) -> Iterator[str]:
    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite"):
        copy = folder / f"copy-{len(list(folder.iterdir()))}.db"
        shutil.copy(parsed.database, copy)
        yield f"sqlite:///{copy}"
        return
    name = f"{parsed.database}_copy"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{parsed.database}"'))
        yield parsed.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# -- The week's writes, through the importer and the allocator as the data manager makes them.


def _import(engine: Engine, folder: Path, kind: str, rows: list[list]) -> None:
    path = write_csv(
        folder, f"{kind}-{len(list(folder.iterdir()))}.csv", contract_columns(kind), rows
    )
    import_file(engine, kind, path, today=TODAY)


def donate_and_allocate(engine: Engine, folder: Path) -> None:
    """Two donations received today, allocated."""
    with engine.connect() as conn:
        donors = conn.execute(select(Donor.donor_id).order_by(Donor.donor_id).limit(2)).scalars()
        rows = [
            [f"{donor}-WEEK", donor, TODAY.isoformat(), 2_000_000, 6, "", "", ""]
            for donor in donors
        ]
    _import(engine, folder, "donations", rows)
    assert allocate(engine).coverage_rows > 0


def pay_for_themselves(engine: Engine, folder: Path) -> None:
    """Three covered workers pay the month after their last covered month themselves."""
    with engine.connect() as conn:
        candidates = conn.execute(
            select(Worker.worker_id, CoveredWorker.last_month)
            .join(Worker, Worker.id == CoveredWorker.worker_key)
            .where(
                CoveredWorker.last_month < month_of(TODAY),
                ~select(SelfPaid.id)
                .where(
                    SelfPaid.worker_key == CoveredWorker.worker_key,
                    SelfPaid.start_month + SelfPaid.months > CoveredWorker.last_month,
                )
                .exists(),
            )
            .order_by(CoveredWorker.worker_key)
            .limit(3)
        ).all()
    rows = [[worker_id, month_label(last + 1), 1] for worker_id, last in candidates]
    assert rows
    _import(engine, folder, "self_paid", rows)


def move_workers(engine: Engine, folder: Path) -> None:
    """Three covered workers move to Papua Pegunungan as farmers."""
    with engine.connect() as conn:
        moved = conn.execute(
            select(Worker)
            .where(Worker.id.in_(select(Coverage.worker_key)), Worker.province != "ID-PE")
            .order_by(Worker.id.desc())
            .limit(3)
        ).all()
    rows = [
        [w.worker_id, w.registered_on, "ID-PE", "farmer", w.gender, w.birth_year] for w in moved
    ]
    _import(engine, folder, "workers", rows)


def pay_a_claim(engine: Engine, folder: Path) -> None:
    """A covered worker's death, approved before the full check, paid now (an update)."""
    with engine.connect() as conn:
        row = conn.execute(
            select(Worker.worker_id, Coverage.start_month)
            .join(Worker, Worker.id == Coverage.worker_key)
            .where(
                ~Coverage.worker_key.in_(select(Claim.worker_key)),
                Coverage.start_month < month_of(TODAY),
            )
            .order_by(Coverage.id)
            .limit(1)
        ).one()
    incident = first_day(row.start_month) + dt.timedelta(days=3)
    claim_id = f"K-SINCE-{row.worker_id}"
    approved = [claim_id, row.worker_id, "JKM", incident, "approved", "", ""]
    _import(engine, folder, "claims", [approved])
    _import(engine, folder, "claims", [[*approved[:4], "paid", incident, 42_000_000]])


def confirm_rows(engine: Engine, folder: Path) -> None:
    """BPJS-TK confirms five rows awaiting confirmation."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                Donation.donation_id,
                UnconfirmedCoverage.worker_id,
                UnconfirmedCoverage.start_month,
                UnconfirmedCoverage.amount_idr,
            )
            .join(Donation, Donation.id == UnconfirmedCoverage.donation_key)
            .order_by(UnconfirmedCoverage.coverage_key)
            .limit(5)
        ).all()
    assert rows
    _import(
        engine,
        folder,
        "confirmations",
        [[d, w, month_label(s), TODAY.isoformat(), a, ""] for d, w, s, a in rows],
    )


CHANGES: dict[str, Callable[[Engine, Path], None]] = {
    "donations": donate_and_allocate,
    "self_paid": pay_for_themselves,
    "moved": move_workers,
    "claim": pay_a_claim,
    "confirmations": confirm_rows,
}


# -- Corruptions of a key the week's writes touched: each names what --since must find.


def _base(conn) -> CheckRun:
    return conn.execute(
        select(*CheckRun.__table__.columns).where(CheckRun.scope == "full").order_by(CheckRun.id)
    ).first()


def _new_coverage(conn):
    """The latest coverage row written since the full check."""
    return conn.execute(
        select(Coverage).where(Coverage.id > _base(conn).coverage_id).order_by(Coverage.id.desc())
    ).first()


def _new_donor(conn) -> int:
    return conn.execute(
        select(Donation.donor_key).where(Donation.id == _new_coverage(conn).donation_key)
    ).scalar_one()


def _bump(table, column, where):
    return lambda conn: conn.execute(
        update(table).where(*where(conn)).values({column: getattr(table, column) + 1})
    )


def _journal_worker(conn, kind: str) -> int:
    return conn.execute(
        select(LedgerChange.key).where(LedgerChange.kind == kind).order_by(LedgerChange.id.desc())
    ).first()[0]


# (the change it needs, the corruption, the rule or table --since must name)
CORRUPTIONS = {
    "money spent beyond a donation": (
        "donations",
        lambda conn: conn.execute(
            update(Donation)
            .where(Donation.id == _new_coverage(conn).donation_key)
            .values(amount_idr=1)
        ),
        "money conserved",
    ),
    "coverage before its donation": (
        "donations",
        lambda conn: conn.execute(
            update(Donation)
            .where(Donation.id == _new_coverage(conn).donation_key)
            .values(received_on=TODAY + dt.timedelta(days=400))
        ),
        "coverage after donation",
    ),
    "a block priced off the rates": (
        "donations",
        _bump(Coverage, "amount_idr", lambda conn: [Coverage.id == _new_coverage(conn).id]),
        "block cost",
    ),
    "self-paid months inside new coverage": (
        "donations",
        lambda conn: conn.execute(
            insert(SelfPaid).values(
                worker_key=_new_coverage(conn).worker_key,
                start_month=_new_coverage(conn).start_month,
                months=1,
            )
        ),
        "no self-paid overlap",
    ),
    "a confirmation for another amount": (
        "confirmations",
        lambda conn: conn.execute(
            update(Confirmation)
            .where(Confirmation.id == conn.execute(select(func.max(Confirmation.id))).scalar())
            .values(amount_idr=Confirmation.amount_idr + 1)
        ),
        "confirmation equals its row",
    ),
    "coverage_totals": (
        "donations",
        _bump(
            CoverageTotal,
            "row_count",
            lambda conn: [CoverageTotal.donation_key == _new_coverage(conn).donation_key],
        ),
        "coverage_totals",
    ),
    "donor_workers": (
        "donations",
        _bump(
            DonorWorker,
            "last_month",
            lambda conn: [DonorWorker.worker_key == _new_coverage(conn).worker_key],
        ),
        "donor_workers",
    ),
    "worker_busy": (
        "donations",
        _bump(
            WorkerBusy,
            "busy_until",
            lambda conn: [WorkerBusy.worker_key == _new_coverage(conn).worker_key],
        ),
        "worker_busy",
    ),
    "covered_workers": (
        "self_paid",
        lambda conn: conn.execute(
            update(CoveredWorker)
            .where(
                CoveredWorker.worker_key
                == conn.execute(select(SelfPaid.worker_key).order_by(SelfPaid.id.desc())).first()[0]
            )
            .values(stimulus_months=CoveredWorker.stimulus_months + 1)
        ),
        "covered_workers",
    ),
    "confirmation_totals": (
        "confirmations",
        lambda conn: conn.execute(
            update(ConfirmationTotal)
            .where(
                ConfirmationTotal.donation_key
                == conn.execute(
                    select(Confirmation.donation_key).order_by(Confirmation.id.desc())
                ).first()[0]
            )
            .values(confirmed_idr=ConfirmationTotal.confirmed_idr + 1)
        ),
        "confirmation_totals",
    ),
    "donation_cells": (
        "moved",
        _bump(
            DonationCell,
            "row_count",
            lambda conn: [
                DonationCell.donation_key.in_(
                    select(Coverage.donation_key).where(
                        Coverage.worker_key == _journal_worker(conn, "moved")
                    )
                ),
                DonationCell.dimension == "province",
                DonationCell.value == "ID-PE",
            ],
        ),
        "donation_cells",
    ),
    "donation_flows": (
        "claim",
        _bump(
            DonationFlow,
            "amount_idr",
            lambda conn: [
                DonationFlow.donation_key.in_(
                    select(Coverage.donation_key).where(
                        Coverage.worker_key == _journal_worker(conn, "claims")
                    )
                ),
                DonationFlow.outcome == "JKM",
            ],
        ),
        "donation_flows",
    ),
    "donation_claims": (
        "claim",
        lambda conn: conn.execute(
            delete(DonationClaim).where(
                DonationClaim.claim_key
                == conn.execute(
                    select(Claim.id).where(Claim.worker_key == _journal_worker(conn, "claims"))
                ).scalar_one()
            )
        ),
        "donation_claims",
    ),
    "unconfirmed_coverage": (
        "donations",
        lambda conn: conn.execute(
            delete(UnconfirmedCoverage).where(
                UnconfirmedCoverage.coverage_key == _new_coverage(conn).id
            )
        ),
        "unconfirmed_coverage",
    ),
    "donor_continuation": (
        "donations",
        _bump(
            DonorContinuation,
            "workers",
            lambda conn: [
                DonorContinuation.donor_key == _new_donor(conn),
                DonorContinuation.last_month
                == conn.execute(
                    select(func.max(DonorContinuation.last_month)).where(
                        DonorContinuation.donor_key == _new_donor(conn)
                    )
                ).scalar_one(),
            ],
        ),
        "donor_continuation",
    ),
    "programme_continuation": (
        "self_paid",
        _bump(
            ProgrammeContinuation,
            "workers",
            lambda conn: [
                ProgrammeContinuation.last_month
                == conn.execute(select(func.min(ProgrammeContinuation.last_month))).scalar_one()
            ],
        ),
        "programme_continuation",
    ),
    "donor_spans": (
        "donations",
        _bump(
            DonorSpan,
            "workers",
            lambda conn: [
                DonorSpan.id
                == conn.execute(
                    select(func.max(DonorSpan.id)).where(DonorSpan.donor_key == _new_donor(conn))
                ).scalar_one()
            ],
        ),
        "donor_spans",
    ),
}


def _named(violations) -> str:
    return "\n".join(str(violation) for violation in violations)


def test_a_week_of_writes_passes_check_since_and_says_what_it_verified(ledger, tmp_path, cli_on):
    for change in CHANGES.values():
        change(ledger, tmp_path)
    report = check_since(ledger, TODAY)
    assert report.violations == [], _named(report.violations)
    assert report.base is not None
    change = report.change
    assert change.coverage_rows > 0 and change.self_paid_rows == 3 and change.confirmations == 5
    assert change.changes >= 4  # three moved workers, one claim paid
    assert change.donations >= 2 and change.worker_count >= 3 + 3 + 1
    result = cli_on(ledger, "check", "--since")
    assert result.exit_code == 0, result.output
    assert f"Since the full check #{report.base} of " in result.output
    assert "3 self-paid row(s), 5 confirmation(s)" in result.output
    assert "Ledger OK" in result.output
    assert check_ledger(ledger, TODAY) == []


@pytest.mark.parametrize("corruption", list(CORRUPTIONS))
def test_each_corruption_of_a_touched_key_is_found_by_check_since(ledger, tmp_path, corruption):
    needs, corrupt, named = CORRUPTIONS[corruption]
    CHANGES[needs](ledger, tmp_path)
    assert check_since(ledger, TODAY).violations == []  # the control: before the corruption
    with ledger.begin() as conn:
        corrupt(conn)
    found = check_since(ledger, TODAY).violations
    assert named in _named(found), _named(found)
    assert named in _named(check_ledger(ledger, TODAY))


def _free_month(conn, worker_key: int, first: int) -> int | None:
    """The worker's first month from ``first`` on (within two years) that no coverage or
    self-paid row of theirs holds."""
    held: set[int] = set()
    for table in (Coverage, SelfPaid):
        for start, months in conn.execute(
            select(table.start_month, table.months).where(table.worker_key == worker_key)
        ):
            held.update(range(start, start + months))
    return next((month for month in range(first, first + 24) if month not in held), None)


def test_a_donation_dated_before_the_donors_others_has_them_verified_again(ledger, tmp_path):
    """A new row can be the "previous" of a later row of the same donor and worker: the
    donor's donations after the new one, in (received_on, donation) order, that cover the
    new row's worker are re-verified; the donor's later donations that cover none of the
    new rows' workers cannot change, and are not read again."""
    with ledger.connect() as conn:
        donor_id, donor_key, latest = conn.execute(
            select(Donor.donor_id, Donor.id, func.max(Donation.received_on))
            .join(Donation, Donation.donor_key == Donor.id)
            .group_by(Donor.donor_id, Donor.id)
            .order_by(func.count().desc(), Donor.donor_id)
            .limit(1)
        ).one()
    received = latest - dt.timedelta(days=200)
    late = f"{donor_id}-LATE"
    _import(ledger, tmp_path, "donations", [[late, donor_id, received.isoformat(), 2_000_000]])
    with ledger.connect() as conn:
        later_rows = conn.execute(
            select(Coverage.worker_key, Worker.worker_id, Coverage.donation_key)
            .join(Donation, Donation.id == Coverage.donation_key)
            .join(Worker, Worker.id == Coverage.worker_key)
            .where(Donation.donor_key == donor_key, Donation.received_on > received)
            .order_by(Coverage.worker_key)
        ).all()
        later = {donation for _, _, donation in later_rows}
        worker_key, worker_id, month = next(
            (key, worker, month)
            for key, worker, _ in later_rows
            if (month := _free_month(conn, key, month_of(received))) is not None
        )
    _import(ledger, tmp_path, "coverage", [[late, worker_id, month_label(month), 1, 16_800]])
    report = check_since(ledger, TODAY)
    assert report.violations == [], _named(report.violations)
    covering = {donation for key, _, donation in later_rows if key == worker_key}
    verified = set(report.change.page_donations)
    assert covering <= verified
    assert later - covering and not (later - covering) & verified
    with ledger.begin() as conn:
        corrupted = conn.execute(
            update(DonationCell)
            .where(DonationCell.donation_key == max(covering))
            .values(row_count=DonationCell.row_count + 1)
        ).rowcount
    assert corrupted
    assert "donation_cells" in _named(check_since(ledger, TODAY).violations)


def test_a_corruption_of_an_untouched_key_is_found_by_the_full_check_only(ledger, tmp_path):
    """The limit of --since: it reads again only what the writes touched."""
    donate_and_allocate(ledger, tmp_path)
    with ledger.begin() as conn:
        untouched = conn.execute(
            select(func.min(CoveredWorker.worker_key)).where(
                CoveredWorker.worker_key.not_in(
                    select(Coverage.worker_key).where(Coverage.id > _base(conn).coverage_id)
                )
            )
        ).scalar_one()
        conn.execute(
            update(CoveredWorker)
            .where(CoveredWorker.worker_key == untouched)
            .values(stimulus_months=CoveredWorker.stimulus_months + 1)
        )
    assert check_since(ledger, TODAY).violations == []
    assert "covered_workers" in _named(check_ledger(ledger, TODAY))


def test_without_a_passing_full_check_since_says_so_and_runs_the_full_check(ledger, cli_on):
    with ledger.begin() as conn:
        conn.execute(update(CheckRun).values(violations=1))
    result = cli_on(ledger, "check", "--since")
    assert result.exit_code == 0, result.output
    assert "found 1 violation(s): ran the full check." in result.output
    assert "Ledger OK" in result.output
    # That full check passed and was recorded: the next --since starts from it.
    assert "Since the full check #" in cli_on(ledger, "check", "--since").output


def test_a_full_check_that_fails_is_recorded_and_since_will_not_start_from_it(ledger, cli_on):
    with ledger.begin() as conn:
        conn.execute(update(CoveredWorker).values(continued=~CoveredWorker.continued))
    assert cli_on(ledger, "check").exit_code == 1
    result = cli_on(ledger, "--lang", "id", "check", "--since")
    assert result.exit_code == 1
    assert "pemeriksaan penuh dijalankan" in result.output


def test_a_full_check_during_a_write_keeps_no_starting_point(ledger, monkeypatch):
    """Its copy of the aggregate tables would not match its watermarks: --since says so."""
    import queries.check_since

    def checked_while_a_worker_moved(engine, as_of):
        with engine.begin() as conn:
            conn.execute(insert(LedgerChange).values(kind="moved", key=1))
        return []

    monkeypatch.setattr(queries.check_since, "check_ledger", checked_while_a_worker_moved)
    assert full_check(ledger, TODAY) == []
    monkeypatch.undo()
    report = check_since(ledger, TODAY)
    assert report.base is None
    assert "the ledger changed while it ran" in report.why.render("en")


@pytest.fixture
def cli_on():
    from click.testing import CliRunner

    from dashboard.cli import main

    def run(engine: Engine, *args: str):
        url = engine.url.render_as_string(hide_password=False)
        url = getattr(engine, "ledger_url", url)
        return CliRunner().invoke(main, ["--db", url, *args], catch_exceptions=False)

    return run


CHANGE_LISTS = st.lists(st.sampled_from(list(CHANGES)), min_size=1, max_size=3, unique=True)
CORRUPTION_OR_NONE = st.one_of(st.none(), st.sampled_from(list(CORRUPTIONS)))


def test_check_since_agrees_with_the_full_check_after_random_small_changes(
    checked_ledger, tmp_path
):
    """Whatever the week's writes, and a corruption of a key they touched or none, --since
    finds a violation exactly when the full check does."""
    # The same property runs on both databases; the SQLite half draws the full 6 examples,
    # the PostgreSQL half (twice the cost of each copy, write and check) the first 3 of its
    # own draw: the queries are the same SQLAlchemy on both, and every corruption is also
    # run on PostgreSQL by test_each_corruption_of_a_touched_key_is_found_by_check_since.
    examples = 6 if make_url(checked_ledger).drivername.startswith("sqlite") else 3

    @settings(max_examples=examples, deadline=None)
    @given(changes=CHANGE_LISTS, corruption=CORRUPTION_OR_NONE)
    def agrees(changes, corruption):
        if corruption is not None and CORRUPTIONS[corruption][0] not in changes:
            changes = [*changes, CORRUPTIONS[corruption][0]]
        folder = tmp_path / f"example-{len(list(tmp_path.iterdir()))}"
        folder.mkdir()
        with _copy(checked_ledger, folder) as url:
            engine = open_ledger(url)
            try:
                for change in sorted(changes, key=list(CHANGES).index):
                    CHANGES[change](engine, folder)
                if corruption is not None:
                    with engine.begin() as conn:
                        CORRUPTIONS[corruption][1](conn)
                since = check_since(engine, TODAY).violations
                full = check_ledger(engine, TODAY)
                assert bool(since) == bool(full), (_named(since), _named(full))
                assert bool(full) == (corruption is not None)
            finally:
                engine.dispose()

    agrees()
