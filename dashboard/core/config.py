"""Where the ledger lives: ``--db``, else ``LINGKARAN_DATABASE_URL``, else the data dir."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

DATABASE_URL_VARIABLE = "LINGKARAN_DATABASE_URL"


def data_dir() -> Path:
    """The user's data directory for Lingkaran (created on demand)."""
    path = Path(platformdirs.user_data_dir("lingkaran", appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_database_url() -> str:
    return f"sqlite:///{data_dir() / 'lingkaran.db'}"


def demo_database_url() -> str:
    return f"sqlite:///{data_dir() / 'demo.db'}"


def database_url(explicit: str | None = None) -> str:
    """The database to use: an explicit URL wins, then the environment, then the default."""
    return explicit or os.environ.get(DATABASE_URL_VARIABLE) or default_database_url()


PUBLIC_URL_VARIABLE = "LINGKARAN_PUBLIC_URL"


def public_url() -> str | None:
    """Where the public reaches this app (``https://lingkaran.example.org``), for addresses
    printed on statements; None when not configured."""
    url = os.environ.get(PUBLIC_URL_VARIABLE, "").strip().rstrip("/")
    return url or None


STATEMENT_KEY_VARIABLE = "LINGKARAN_STATEMENT_KEY"
DEMO_STATEMENT_KEY = "lingkaran-demo-statement-key"  # demo only: production sets its own


def statement_key() -> bytes:
    """The key of the statements' verification codes (``dashboard.exports.statement``)."""
    return os.environ.get(STATEMENT_KEY_VARIABLE, DEMO_STATEMENT_KEY).encode("utf-8")


IATI_ORG_VARIABLE = "LINGKARAN_IATI_ORG"
# Not a registered identifier: "XX" is no organisation-identifier prefix, so a file written
# before the publisher sets its own cannot be mistaken for theirs.
PLACEHOLDER_IATI_ORG = "XX-LINGKARAN"


def iati_org() -> str:
    """The publisher's IATI organisation identifier (``ID-...``), prefix of the activity's."""
    return os.environ.get(IATI_ORG_VARIABLE, "").strip() or PLACEHOLDER_IATI_ORG
