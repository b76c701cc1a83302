"""The running app serves a ledger and never creates one (issue 11, part 5): a missing or
deleted SQLite file is an error the pages and the API report, not a new empty ledger."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from starlette.applications import Starlette
from starlette.testclient import TestClient

from dashboard.core.config import DATABASE_URL_VARIABLE
from dashboard.core.errors import LedgerError
from dashboard.ledger.db import open_ledger
from dashboard.ledger.schema import Donor


def _files(path: Path) -> list[Path]:
    return [p for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()]


def test_a_missing_ledger_is_an_error_not_a_new_file(tmp_path):
    path = tmp_path / "gone.db"
    with pytest.raises(LedgerError, match="no ledger at .*gone.db: create it with"):
        open_ledger(f"sqlite:///{path}", create=False)
    assert not path.exists()


def test_a_ledger_deleted_while_served_stops_answering_and_is_not_recreated(demo_url, tmp_path):
    path = tmp_path / "served.db"
    shutil.copy(make_url(demo_url).database, path)
    engine = open_ledger(f"sqlite:///{path}", create=False)
    with engine.connect() as conn:  # a pooled connection now holds the file open
        assert conn.execute(select(Donor.donor_id).limit(1)).scalar()
    for file in _files(path):
        file.unlink()
    with pytest.raises(OperationalError), engine.connect() as conn:
        conn.execute(select(Donor.donor_id).limit(1)).scalar()
    assert _files(path) == []
    engine.dispose()


def test_the_api_answers_503_json_for_a_missing_ledger(tmp_path, monkeypatch):
    import dashboard.publish.api as api

    path = tmp_path / "missing.db"
    monkeypatch.setenv(DATABASE_URL_VARIABLE, f"sqlite:///{path}")
    client = TestClient(Starlette(routes=api.routes))
    answer = client.get("/api/v1/summary")
    assert answer.status_code == 503
    assert answer.json() == {"error": "the ledger database cannot be read right now"}
    assert not path.exists()
