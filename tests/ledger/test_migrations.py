"""Migrations hold their own frozen SQL (issue 25), on SQLite and PostgreSQL.

0005, 0006 and 0007 fill the derived tables they create from an existing ledger. They must do
so with SQL written out in the migration itself: had they called today's
``dashboard.ledger.derived``, a later change to a query there would silently change what an
old migration does. A populated ledger is taken down to revision 0004 and brought up again
one revision at a time: each migration's tables equal what the writes had kept in them and
what today's refresh functions compute on the same ledger, and `lingkaran check` finds
nothing at the head.
"""

from __future__ import annotations

import ast
import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import delete, inspect, select

from dashboard.core.months import month_index
from dashboard.ledger.db import MIGRATIONS, alembic_config, open_ledger
from dashboard.ledger.demo import seed_programme
from dashboard.ledger.derived import (
    CELL_COLUMNS,
    CLAIM_COLUMNS,
    FLOW_COLUMNS,
    SPAN_COLUMNS,
    UNCONFIRMED_COLUMNS,
    donation_claims_query,
    refresh_confirmed,
    refresh_donation_claims,
    refresh_donations,
    refresh_spans,
    refresh_unconfirmed,
    unconfirmed_coverage_query,
)
from dashboard.ledger.schema import (
    ConfirmationTotal,
    Donation,
    DonationCell,
    DonationClaim,
    DonationFlow,
    DonorSpan,
    UnconfirmedCoverage,
)
from queries.checks import check_ledger
from tests.conftest import TODAY
from tests.ledgers import edge_ledger

# The tables each migration creates and fills, with the columns that hold their meaning
# (not the surrogate ids, whose order of insertion is nobody's business).
# donation_claims gained paid_on with 0010; confirmation_totals is kept by day since 0010.
CLAIM_COLUMNS_0006 = tuple(column for column in CLAIM_COLUMNS if column != "paid_on")
# unconfirmed_coverage gained its donation's donor, id and receipt date with 0018.
COPIED_0018 = ("donor_key", "donation_id", "received_on")
UNCONFIRMED_COLUMNS_0006 = tuple(c for c in UNCONFIRMED_COLUMNS if c not in COPIED_0018)
CONFIRMATION_COLUMNS = ("donation_key", "confirmed_on", "confirmed_idr", "confirmed_rows")
FILLED = {
    "0005": {DonationCell: CELL_COLUMNS, DonationFlow: FLOW_COLUMNS},
    "0006": {DonationClaim: CLAIM_COLUMNS_0006, UnconfirmedCoverage: UNCONFIRMED_COLUMNS_0006},
    "0007": {DonorSpan: SPAN_COLUMNS},
    "0010": {DonationClaim: CLAIM_COLUMNS, ConfirmationTotal: CONFIRMATION_COLUMNS},
    "0018": {UnconfirmedCoverage: UNCONFIRMED_COLUMNS},
}
CREATED = ("0005", "0006", "0007")  # the revisions that create their tables
PROJECT_PACKAGES = {"dashboard", "queries"}


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every module a migration file imports, anywhere in it (inside functions too). A
    relative import is the project's (versions/ lives inside ``dashboard``); so is an
    ``import_module`` or ``__import__`` of a name not written out."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            found.append((node.lineno, f"dashboard.{module}" if node.level else module))
        elif isinstance(node, ast.Call) and (
            getattr(node.func, "id", None) == "__import__"
            or getattr(node.func, "attr", None) == "import_module"
        ):
            name = node.args[0] if node.args else None
            written = isinstance(name, ast.Constant) and isinstance(name.value, str)
            found.append((node.lineno, name.value if written else "dashboard.<computed>"))
    return found


def test_no_migration_imports_the_project():
    files = sorted((MIGRATIONS / "versions").glob("[0-9]*.py"))
    assert len(files) >= 9
    offenders = []
    for path in files:
        imports = _imports(path)
        assert "alembic" in {module for _, module in imports}, path.name  # the scan sees them
        offenders.extend(
            f"{path.name}:{line} imports {module}"
            for line, module in imports
            if module.split(".")[0] in PROJECT_PACKAGES
        )
    assert offenders == []


def test_the_import_scan_sees_imports_inside_functions(tmp_path):
    sample = tmp_path / "0099_sample.py"
    sample.write_text(
        "import importlib\n"
        "from alembic import op\n\n"
        "def upgrade():\n"
        "    from dashboard.ledger.derived import refresh_spans\n"
        "    from .. import schema\n"
        "    import queries.checks\n"
        "    importlib.import_module('dashboard.ledger.derived')\n"
        "    __import__(name)\n"
    )
    assert [module for _, module in _imports(sample)] == [
        "importlib",
        "alembic",
        "dashboard.ledger.derived",
        "dashboard.",
        "queries.checks",
        "dashboard.ledger.derived",
        "dashboard.<computed>",
    ]


def _move_to(engine, revision: str, *, down: bool = False) -> None:
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(config, revision)


def _contents(conn, table, columns) -> Counter:
    return Counter(tuple(row) for row in conn.execute(select(*(table.c[c] for c in columns))))


def _stored(engine, revision: str) -> dict[tuple[str, str], Counter]:
    with engine.connect() as conn:
        return {
            (revision, model.__tablename__): _contents(conn, model.__table__, columns)
            for model, columns in FILLED[revision].items()
        }


def _recomputed(engine, revision: str) -> dict[str, Counter]:
    """What today's refresh functions write into the tables of ``revision`` on this ledger,
    from empty tables (rolled back afterwards: the migration's own rows stay)."""
    with engine.connect() as conn, conn.begin() as transaction:
        if revision == "0006":
            # Today's tables have columns 0006's have not: today's queries, projected.
            claims = conn.execute(donation_claims_query()).mappings().all()
            waiting = conn.execute(unconfirmed_coverage_query()).mappings().all()
            transaction.rollback()
            return {
                ("0006", "donation_claims"): Counter(
                    tuple(row[c] for c in CLAIM_COLUMNS_0006) for row in claims
                ),
                ("0006", "unconfirmed_coverage"): Counter(
                    tuple(row[c] for c in UNCONFIRMED_COLUMNS_0006) for row in waiting
                ),
            }
        for model in FILLED[revision]:
            conn.execute(delete(model))
        if revision == "0005":
            donations = conn.execute(select(Donation.id)).scalars().all()
            refresh_donations(conn, donations, claims=False)
        elif revision == "0010":
            refresh_donation_claims(conn)
            refresh_confirmed(conn, since_id=0)
        elif revision == "0018":
            refresh_unconfirmed(conn, since_id=0)
        else:
            refresh_spans(conn, None)
        recomputed = {
            (revision, model.__tablename__): _contents(conn, model.__table__, columns)
            for model, columns in FILLED[revision].items()
        }
        transaction.rollback()
    return recomputed


@pytest.mark.parametrize("ledger_kind", ["edge", "demo"])
def test_the_upgrades_fill_the_donor_tables_as_the_refresh_does(
    ledger_kind, cli, engine, database_url, tmp_path
):
    if ledger_kind == "edge":
        edge_ledger(cli, tmp_path)
    else:
        seed_programme(engine, workers=400, seed=11, today=TODAY)
    assert check_ledger(engine, TODAY) == []
    kept = {}
    for revision in FILLED:
        kept.update(_stored(engine, revision))
    assert all(kept.values()), {key: len(rows) for key, rows in kept.items()}
    if ledger_kind == "edge":
        _assert_the_edge_cases_are_exercised(kept)

    _move_to(engine, "0004", down=True)
    engine.dispose()
    created = {table for revision, table in kept if revision in CREATED}
    assert not any(inspect(engine).has_table(table) for table in created)

    for revision in FILLED:
        _move_to(engine, revision)
        migrated = _stored(engine, revision)
        assert migrated == {key: kept[key] for key in migrated}, revision
        assert _recomputed(engine, revision) == migrated, revision

    upgraded = open_ledger(database_url)
    assert check_ledger(upgraded, TODAY) == []
    assert cli("check", "--as-of", TODAY.isoformat()).exit_code == 0
    upgraded.dispose()


def _assert_the_edge_cases_are_exercised(kept: dict[str, Counter]) -> None:
    jan, feb = dt.date(2024, 1, 15), dt.date(2024, 2, 10)
    # A and D1: dates 2024-01-15 (L 2024-11) and 2024-02-10 (L 2024-03, then self-paid 2024-05).
    kept = {table: rows for (_revision, table), rows in kept.items()}  # the newest of each
    spans = {
        (before, first, last, after, month, bool(continued))
        for (_donor, before, first, last, after, month, continued, _n) in kept["donor_spans"]
    }
    nov, mar = month_index(2024, 11), month_index(2024, 3)
    assert {
        (None, jan, jan, feb, nov, False),
        (None, jan, feb, None, nov, False),
        (jan, feb, feb, None, mar, True),
    } <= spans
    outcomes = {row[3] for row in kept["donation_flows"]}
    assert outcomes == {"JKM", "JKK", "protected"}
    assert len(kept["donation_claims"]) == 3  # K1 and K2 in A's 2024-07 row, K4 in C's
    assert sum(kept["unconfirmed_coverage"].values()) == 8
    previous = {row[1] for row in kept["donation_cells"]}
    assert {None, jan, feb} <= previous
