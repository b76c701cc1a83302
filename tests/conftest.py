"""Real databases for every test: a fresh SQLite file, and a fresh PostgreSQL database.

PostgreSQL: one database per test session on the server at LINGKARAN_TEST_POSTGRES
(default postgresql+psycopg://postgres@127.0.0.1:5432/test), dropped at the end; each test
gets the schema rebuilt by the migrations. Unreachable: skipped with a message, except in CI
(CI=true), where that is a failure.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from click.testing import CliRunner
from hypothesis import settings
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from dashboard.cli import main
from dashboard.ledger.db import alembic_config, make_engine, open_ledger
from dashboard.ledger.schema import Base

POSTGRES_ADMIN_URL = os.environ.get(
    "LINGKARAN_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
# CI runs the property tests on the same generated examples every time, so that a landing
# never depends on the draw; runs elsewhere draw new ones, and keep finding (the coverage
# import's end-of-file check was mended after a local run found a file it got wrong).
settings.register_profile("ci", derandomize=True)
if IN_CI:
    settings.load_profile("ci")
TODAY = dt.date(2026, 11, 24)


@contextlib.contextmanager
def postgres_database(prefix: str) -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped afterwards. The server
    unreachable: the test is skipped with a message, except in CI, where it fails."""
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as problem:
        admin.dispose()
        message = f"PostgreSQL unreachable at {POSTGRES_ADMIN_URL}: {problem.orig}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    try:
        yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    with postgres_database("lingkaran_test") as url:
        yield url


@contextlib.contextmanager
def postgres_programme(workers: int, prefix: str) -> Iterator[str]:
    """A demo programme of ``workers`` workers in a PostgreSQL database of its own (for a
    server process to serve while other tests reset theirs), dropped afterwards."""
    from dashboard.ledger.demo import seed_programme
    from dashboard.publish.releases import monthly_releases

    with postgres_database(prefix) as url:
        engine = open_ledger(url)
        seed_programme(engine, workers=workers, seed=2016, today=TODAY)
        monthly_releases(engine, 1, today=TODAY)  # the public pages show releases only
        engine.dispose()
        yield url


def _reset_postgres(url: str) -> Engine:
    engine = make_engine(url)
    with engine.begin() as conn:
        config = alembic_config()
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
    engine.dispose()
    return open_ledger(url)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty, migrated ledger on each database the product supports."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'ledger.db'}"
        open_ledger(url).dispose()
        yield url
    else:
        url = request.getfixturevalue("postgres_url")
        _reset_postgres(url).dispose()
        yield url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = open_ledger(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = open_ledger(f"sqlite:///{tmp_path / 'ledger.db'}")
    yield engine
    engine.dispose()


def write_csv(folder: Path, name: str, header: list[str], rows: list[list[object]], **kw) -> Path:
    """A contract file on disk (``delimiter``/``bom`` to vary the spelling)."""
    path = folder / name
    encoding = "utf-8-sig" if kw.get("bom") else "utf-8"
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle, delimiter=kw.get("delimiter", ","))
        writer.writerow(header)
        writer.writerows(rows)
    return path


def table_counts(engine: Engine) -> dict[str, int]:
    """Rows per ledger table: equal before and after a refused import."""
    with engine.connect() as conn:
        return {
            table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in Base.metadata.sorted_tables
        }


def table_contents(engine: Engine) -> dict[str, list[tuple]]:
    with engine.connect() as conn:
        return {
            table.name: sorted((tuple(row) for row in conn.execute(select(table)).all()), key=repr)
            for table in Base.metadata.sorted_tables
        }


@pytest.fixture
def ledger(cli, tmp_path: Path) -> Path:
    """docs/contract.md's worked example, allocated: A and B covered 2024-05..2024-10 by donation X
    (the importer tests' starting point); returns the folder for more files."""
    from tests.ledgers import import_all, worked_example

    files = worked_example(tmp_path)
    import_all(cli, {k: files[k] for k in ("donors", "rates", "workers", "donations")})
    assert cli("allocate").exit_code == 0
    return tmp_path


@pytest.fixture
def cli(database_url: str):
    """Run `lingkaran --db <test database> ...` and return click's result."""
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(main, ["--db", database_url, *map(str, args)], catch_exceptions=False)

    return run


@pytest.fixture(scope="session")
def demo_url(tmp_path_factory) -> str:
    """A small demo programme (5,000 workers, seed 2016, as of TODAY), built once per run."""
    from dashboard.ledger.demo import seed_programme
    from dashboard.publish.releases import monthly_releases

    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    engine = open_ledger(url)
    seed_programme(engine, workers=5_000, seed=2016, today=TODAY)
    monthly_releases(engine, 12, today=TODAY)  # as `lingkaran demo` publishes its history
    engine.dispose()
    return url


@pytest.fixture
def demo_engine(demo_url: str) -> Iterator[Engine]:
    engine = open_ledger(demo_url)
    yield engine
    engine.dispose()


@pytest.fixture
def demo_copy_url(demo_url: str, tmp_path: Path) -> str:
    """A private copy of the demo ledger, for tests that write to it (memberships, audit)."""
    import shutil

    source = Path(make_url(demo_url).database)
    copy = tmp_path / "demo-copy.db"
    shutil.copy(source, copy)
    return f"sqlite:///{copy}"


@pytest.fixture
def april_donor(cli, tmp_path):
    """PT Tahun Buku, whose fiscal year runs April to March, with donations on each side of
    the boundaries: 2025-03-31 (fiscal 2024/25), 2025-04-01 and 2026-03-31 (2025/26),
    2026-04-01 (2026/27)."""
    from tests.ledgers import one_donor_ledger

    one_donor_ledger(
        cli,
        tmp_path,
        ["FY1", "PT Tahun Buku", "corporate"],
        [
            ["A", "2024-01-10", "ID-MA", "fisher", "M", "1980"],
            ["B", "2024-02-01", "ID-JB", "farmer", "F", "1975"],
        ],
        [
            ["G1", "FY1", "2025-03-31", "100800", "3"],
            ["G2", "FY1", "2025-04-01", "201600", "6"],
            ["G3", "FY1", "2026-03-31", "50400", "3"],
            ["G4", "FY1", "2026-04-01", "33600", "2"],
        ],
    )
    result = cli("fiscal-year", "FY1", "4")
    assert result.exit_code == 0 and "fiscal year begins in month 4 (was 1)" in result.output
    return tmp_path
