"""Real databases for every test: a fresh SQLite file, and a fresh PostgreSQL database.

PostgreSQL: databases of their own on the server at LINGKARAN_TEST_POSTGRES (default
postgresql+psycopg://postgres@127.0.0.1:5432/test), dropped at the end; each test gets a
copy of one the migrations built. Unreachable: skipped with a message, except in CI
(CI=true), where that is a failure.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import fcntl
import os
import shutil
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


def _create_database(prefix: str, template: str | None = None) -> str:
    """A new PostgreSQL database's name (empty, or a copy of ``template``). The server
    unreachable: the test is skipped with a message, except in CI, where it fails."""
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    copied = f' TEMPLATE "{template}"' if template else ""
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"{copied}'))
    except OperationalError as problem:
        message = f"PostgreSQL unreachable at {POSTGRES_ADMIN_URL}: {problem.orig}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    finally:
        admin.dispose()
    return name


def _drop_database(name: str) -> None:
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _database_url(name: str) -> str:
    return make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


@contextlib.contextmanager
def postgres_database(prefix: str, template: str | None = None) -> Iterator[str]:
    """The URL of a new PostgreSQL database, empty or a copy of ``template`` (``CREATE
    DATABASE ... TEMPLATE``), dropped afterwards."""
    name = _create_database(prefix, template)
    try:
        yield _database_url(name)
    finally:
        _drop_database(name)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    with postgres_database("lingkaran_test") as url:
        yield url


# -- Ledgers built once per run, for every worker. A seeded programme costs minutes on the CI
# machine; each test file (and each xdist worker) used to seed its own. The first worker to
# ask builds it under a lock in the folder the workers share (a worker that asks meanwhile
# waits for it), and every test takes a private copy of it: a file copy on SQLite,
# ``CREATE DATABASE ... TEMPLATE`` on PostgreSQL. What each test reads is the same ledger it
# seeded before, so no assertion changes.


def _run_folder(tmp_path_factory) -> Path:
    """A folder every worker of this run shares (xdist makes each worker's base temporary
    folder a subfolder of the controller's), for the ledgers built once per run."""
    base = tmp_path_factory.getbasetemp()
    folder = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "built-once"
    folder.mkdir(exist_ok=True)
    return folder


@contextlib.contextmanager
def _run_lock(folder: Path, name: str) -> Iterator[None]:
    with (folder / f"{name}.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def sqlite_built_once(tmp_path_factory, name: str, build) -> Path:
    """The SQLite file that ``build(url)`` fills, built once per run (copy it before use:
    ``sqlite_copy``)."""
    folder = _run_folder(tmp_path_factory)
    path = folder / f"{name}.db"
    with _run_lock(folder, name):
        if not path.exists():
            partial = folder / f"{name}.partial.db"
            partial.unlink(missing_ok=True)
            build(f"sqlite:///{partial}")
            partial.rename(path)
    return path


def sqlite_copy(source: Path, copy: Path) -> str:
    """The URL of a private copy of a SQLite ledger."""
    shutil.copy(source, copy)
    return f"sqlite:///{copy}"


def postgres_built_once(tmp_path_factory, name: str, build) -> str:
    """The name of a PostgreSQL database that ``build(url)`` fills, built once per run and
    dropped at its end (``pytest_sessionfinish``); copy it before use: ``postgres_database``
    with it as the template."""
    folder = _run_folder(tmp_path_factory)
    record = folder / f"{name}.postgres"
    with _run_lock(folder, name):
        if record.exists():
            return record.read_text()
        database = _create_database(f"lingkaran_once_{name}")
        try:
            build(_database_url(database))
        except BaseException:
            _drop_database(database)
            raise
        with (folder / "postgres-databases").open("a") as listed:
            listed.write(database + "\n")
        record.write_text(database)
    return database


def pytest_sessionfinish(session) -> None:
    """The controller (or a run without workers) drops the databases built once."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return
    factory = getattr(session.config, "_tmp_path_factory", None)
    listed = factory and factory.getbasetemp() / "built-once" / "postgres-databases"
    if not listed or not listed.exists():
        return
    for name in listed.read_text().split():
        _drop_database(name)


def _seed_demo(url: str, workers: int, releases: int) -> None:
    from dashboard.ledger.demo import seed_programme
    from dashboard.publish.releases import monthly_releases

    engine = open_ledger(url)
    seed_programme(engine, workers=workers, seed=2016, today=TODAY)
    monthly_releases(engine, releases, today=TODAY)
    engine.dispose()


@contextlib.contextmanager
def postgres_programme(tmp_path_factory, workers: int, prefix: str) -> Iterator[str]:
    """A demo programme of ``workers`` workers in a PostgreSQL database of its own (for a
    server process to serve while other tests reset theirs), dropped afterwards: a copy of
    one seeded once per run (the load test and the two-process browser test share it)."""
    # The public pages show releases only: one.
    template = postgres_built_once(
        tmp_path_factory, f"programme{workers}", lambda url: _seed_demo(url, workers, 1)
    )
    with postgres_database(prefix, template) as url:
        yield url


def _seed_small_programme(url: str) -> None:
    from dashboard.ledger.demo import seed_programme

    engine = open_ledger(url)
    seed_programme(engine, workers=600, seed=11, today=TODAY)
    engine.dispose()


@contextlib.contextmanager
def small_programme(tmp_path_factory, database: str, folder: Path) -> Iterator[str]:
    """The URL of a private copy of a small demo programme (600 workers, seed 11, as of
    TODAY) on ``database`` ("sqlite" or "postgresql"), seeded once per run on each (the
    derived tables' and `check --since`'s tests start from it)."""
    if database == "sqlite":
        built = sqlite_built_once(tmp_path_factory, "programme600", _seed_small_programme)
        yield sqlite_copy(built, folder / f"programme-{uuid.uuid4().hex[:10]}.db")
        return
    template = postgres_built_once(tmp_path_factory, "programme600", _seed_small_programme)
    with postgres_database("lingkaran_programme", template) as url:
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
        # A copy of a database migrated once per run: about a fifth of the time of taking
        # the migrations down and up again for each test, which several hundred tests do.
        template = postgres_built_once(
            request.getfixturevalue("tmp_path_factory"),
            "migrated",
            lambda url: open_ledger(url).dispose(),
        )
        with postgres_database("lingkaran_test", template) as url:
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
    """A small demo programme (5,000 workers, seed 2016, as of TODAY), built once per run
    with 12 releases (as `lingkaran demo` publishes its history); each worker reads its own
    copy (the browser tests' server writes to it)."""
    built = sqlite_built_once(tmp_path_factory, "demo5000", lambda url: _seed_demo(url, 5_000, 12))
    return sqlite_copy(built, tmp_path_factory.mktemp("demo") / "demo.db")


@pytest.fixture
def demo_engine(demo_url: str) -> Iterator[Engine]:
    engine = open_ledger(demo_url)
    yield engine
    engine.dispose()


@pytest.fixture
def demo_copy_url(demo_url: str, tmp_path: Path) -> str:
    """A private copy of the demo ledger, for tests that write to it (memberships, audit)."""
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
