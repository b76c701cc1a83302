"""`lingkaran seed-demo`: a realistic, deterministic programme via the importer and allocator."""

from __future__ import annotations

import datetime as dt

from click.testing import CliRunner
from sqlalchemy import func, insert, select

from dashboard.cli import main
from dashboard.core.vocabulary import OCCUPATIONS, provinces
from dashboard.ledger.db import open_ledger
from dashboard.ledger.demo import JKM_DEATH_BENEFIT, seed_programme
from dashboard.ledger.schema import Claim, Coverage, Donation, Donor, ImportLog, Worker
from queries.checks import check_ledger
from queries.figures import ledger_figures
from tests.conftest import TODAY


def test_the_demo_covers_every_province_donor_type_and_occupation(demo_engine):
    with demo_engine.connect() as conn:
        seen_provinces = set(conn.execute(select(Worker.province).distinct()).scalars())
        seen_occupations = set(conn.execute(select(Worker.occupation).distinct()).scalars())
        donor_types = dict(
            conn.execute(select(Donor.type, func.count()).group_by(Donor.type)).all()
        )
        first, last = conn.execute(
            select(func.min(Donation.received_on), func.max(Donation.received_on))
        ).one()
        programs = dict(
            conn.execute(
                select(Claim.program, func.count())
                .where(Claim.status == "paid")
                .group_by(Claim.program)
            ).all()
        )
        jkm_amounts = set(
            conn.execute(select(Claim.amount_idr).where(Claim.program == "JKM")).scalars()
        )
        kinds_logged = set(conn.execute(select(ImportLog.kind)).scalars())
    assert seen_provinces == set(provinces())  # all 38
    assert seen_occupations == set(OCCUPATIONS)
    assert set(donor_types) == {"corporate", "soe", "personal", "community"}
    assert 55 <= sum(donor_types.values()) <= 65
    assert first.year == 2017 and last >= TODAY - dt.timedelta(days=62)
    assert programs["JKK"] > programs["JKM"] > 0
    assert programs["JHT"] > 0
    assert jkm_amounts <= {JKM_DEATH_BENEFIT, None}
    # It went through the importer: every kind's file is in the import log.
    assert kinds_logged == {
        "donors",
        "rates",
        "workers",
        "donations",
        "claims",
        "self_paid",
        "confirmations",
    }


def test_the_demo_is_realistic_for_contract_v2(demo_engine):
    """About a third of donations add JHT; a quarter to a third of ended workers continue;
    nearly every contribution older than a month is confirmed, a few recent ones pending."""
    from dashboard.core.months import month_of
    from dashboard.ledger.schema import Confirmation

    figures = ledger_figures(demo_engine, None, TODAY)
    with demo_engine.connect() as conn:
        packages = dict(
            conn.execute(select(Donation.package, func.count()).group_by(Donation.package)).all()
        )
        old_unconfirmed, recent_unconfirmed = conn.execute(
            select(
                func.count().filter(Coverage.start_month < month_of(TODAY) - 1),
                func.count().filter(Coverage.start_month >= month_of(TODAY)),
            )
            .select_from(Coverage)
            .outerjoin(Confirmation, Confirmation.coverage_key == Coverage.id)
            .where(Confirmation.id.is_(None))
        ).one()
    assert 0.25 <= packages["jkk_jkm_jht"] / sum(packages.values()) <= 0.42
    assert figures.jht_saved_idr > 0
    # few workers leave the whole programme at 5,000 workers: the band is wide (0.32 at 50,000)
    assert figures.ended_workers >= 10
    assert 0.15 <= figures.continued_workers / figures.ended_workers <= 0.5
    assert 0.95 <= figures.confirmed_idr / figures.allocated_idr < 1
    with demo_engine.connect() as conn:
        rows = conn.execute(select(func.count()).select_from(Coverage)).scalar_one()
    assert 0 < old_unconfirmed < 0.01 * rows  # the few that never reached BPJS-TK
    assert recent_unconfirmed > 0


def test_the_demo_ledger_is_consistent(demo_engine):
    assert check_ledger(demo_engine, TODAY) == []
    figures = ledger_figures(demo_engine, None, TODAY)
    assert 0 < figures.balance_idr < figures.donated_idr
    assert 0 < figures.active_workers <= figures.covered_workers <= 5_000


def test_the_same_seed_builds_the_same_programme(demo_engine, tmp_path):
    again = open_ledger(f"sqlite:///{tmp_path / 'again.db'}")
    seed_programme(again, workers=5_000, seed=2016, today=TODAY)
    assert ledger_figures(again, None, TODAY) == ledger_figures(demo_engine, None, TODAY)
    assert ledger_figures(again, "CSR-001", TODAY) == ledger_figures(demo_engine, "CSR-001", TODAY)
    again.dispose()


def test_old_age_claims_fall_outside_the_programme_coverage(demo_engine):
    from sqlalchemy import and_

    from dashboard.ledger.derived import covering

    with demo_engine.connect() as conn:
        attributed = conn.execute(
            select(func.count())
            .select_from(Claim)
            .join(
                Coverage,
                and_(Coverage.worker_key == Claim.worker_key, covering(Claim.incident_month)),
            )
            .where(Claim.program == "JHT")
        ).scalar_one()
    assert attributed == 0


def test_the_demo_refuses_to_serve_a_ledger_it_did_not_build(cli, engine, monkeypatch):
    """`demo` opens every donor's pages without a login: a real ledger opened with it by
    mistake would be published to whoever reaches the port."""
    started = []
    monkeypatch.setattr(
        "dashboard.web.serving.serve_processes", lambda *a, **k: started.append(a) or 0
    )
    with engine.begin() as conn:
        conn.execute(
            insert(Donor).values(donor_id="D1", name="PT Nyata", type="corporate", show_name=True)
        )

    result = cli("demo", "--port", "8999")

    assert result.exit_code == 1
    assert "holds a ledger that `lingkaran demo` did not build" in result.output
    assert "lingkaran --db URL serve" in result.output
    assert started == []


def test_the_demo_serves_the_ledger_it_built(demo_copy_url, monkeypatch):
    started = []
    monkeypatch.setattr(
        "dashboard.web.serving.serve_processes", lambda *a, **k: started.append(a) or 0
    )
    result = CliRunner().invoke(main, ["--db", demo_copy_url, "demo", "--port", "8999"])

    assert result.exit_code == 0, result.output
    assert started == [(demo_copy_url, "demo")]
