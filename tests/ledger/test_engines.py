"""The app's PostgreSQL connections plan for a ledger read by key from memory, unless the
operator chose otherwise (docs/operations.md "PostgreSQL")."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from dashboard.ledger.db import make_engine
from tests.conftest import postgres_database

pytestmark = pytest.mark.postgres


def _random_page_cost(url: str) -> tuple[str, str]:
    """random_page_cost on a new connection of a new engine, before and after a rollback."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            first = conn.execute(text("SHOW random_page_cost")).scalar_one()
            conn.rollback()
            return first, conn.execute(text("SHOW random_page_cost")).scalar_one()
    finally:
        engine.dispose()


def test_connections_plan_with_a_low_random_page_cost_unless_the_operator_set_one():
    with postgres_database("lingkaran_planner") as url:
        # The server's default (4) is replaced on each connection, and a rollback keeps it.
        assert _random_page_cost(url) == ("1.1", "1.1")
        engine = make_engine(url)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            name = make_url(url).database
            conn.execute(text(f'ALTER DATABASE "{name}" SET random_page_cost = 2'))
        engine.dispose()
        # The operator's own value for the database stands.
        assert _random_page_cost(url) == ("2", "2")
