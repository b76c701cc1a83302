"""Migration 0004 upgrades a populated v1 ledger in place, on SQLite and PostgreSQL.

The v1 ledger is the worked example, allocated, with a paid JKK claim and a paid JHT claim
of A inside A's coverage, taken down to revision 0003 (the v1 schema). After the upgrade every
v1 row is still there, unchanged; every figure is the v1 figure except the claims, which drop
the JHT claim that v1 attributed to the donor.
"""

from __future__ import annotations

import datetime as dt

from alembic import command
from sqlalchemy import inspect, select, text

from dashboard.ledger.db import alembic_config, open_ledger
from dashboard.ledger.schema import Donation, Rate
from queries.figures import ledger_figures
from tests.conftest import write_csv
from tests.ledgers import CLAIM_HEADER, import_all, worked_example

V1_TABLES = ("donors", "workers", "rates", "donations", "coverage", "claims")


def _to_revision(engine, revision: str) -> None:
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)


def _rows(engine, table: str, columns: list[str]) -> list[tuple]:
    with engine.connect() as conn:
        names = ", ".join(columns)
        return conn.execute(text(f"SELECT {names} FROM {table} ORDER BY 1")).all()  # noqa: S608


def test_a_populated_v1_ledger_upgrades_in_place(cli, engine, database_url, tmp_path):
    files = worked_example(tmp_path)
    files["claims"] = write_csv(
        tmp_path,
        "claims.csv",
        CLAIM_HEADER,
        [
            ["K1", "A", "JKK", "2024-09-03", "paid", "2024-09-20", "5000000"],
            ["K3", "A", "JHT", "2024-07-15", "paid", "2024-08-01", "2500000"],
        ],
    )
    import_all(cli, files)
    assert cli("allocate").exit_code == 0
    _to_revision(engine, "0003")
    engine.dispose()

    columns = {t: [c["name"] for c in inspect(engine).get_columns(t)] for t in V1_TABLES}
    assert "package" not in columns["donations"] and "jht_monthly_idr" not in columns["rates"]
    assert not inspect(engine).has_table("self_paid")
    before = {t: _rows(engine, t, columns[t]) for t in V1_TABLES}
    with engine.connect() as conn:  # v1's claims figure counted every paid claim in coverage
        v1_claims = conn.execute(
            text(
                "SELECT count(*), sum(k.amount_idr) FROM claims k JOIN coverage c "
                "ON c.worker_key = k.worker_key AND c.start_month <= k.incident_month "
                "AND c.start_month + c.months > k.incident_month WHERE k.status = 'paid'"
            )
        ).one()
    assert tuple(v1_claims) == (2, 7_500_000)

    upgraded = open_ledger(database_url)
    assert {t: _rows(upgraded, t, columns[t]) for t in V1_TABLES} == before
    with upgraded.connect() as conn:
        assert conn.execute(select(Donation.package)).scalars().all() == ["jkk_jkm"]
        assert conn.execute(
            select(Rate.effective_month, Rate.jht_monthly_idr).order_by(Rate.effective_month)
        ).all() == [(2015 * 12 + 6, 20_000), (2024 * 12 + 6, None)]

    figures = ledger_figures(upgraded, "D1", as_of=dt.date(2024, 9, 30))  # K1 paid 2024-09-20
    assert (figures.donated_idr, figures.allocated_idr, figures.balance_idr) == (
        300_000,
        227_200,
        72_800,
    )
    assert (figures.covered_workers, figures.protected_months, figures.active_workers) == (
        2,
        12,
        2,
    )
    # The one change: the JHT claim (A's own savings) is no longer the donor's.
    assert (figures.claims_paid_count, figures.claims_paid_idr) == (1, 5_000_000)
    assert (figures.jht_saved_idr, figures.confirmed_idr, figures.unconfirmed_idr) == (
        0,
        0,
        227_200,
    )
    assert cli("check").exit_code == 0
    upgraded.dispose()
