"""The operators' questions: what was imported and who did what (admin console only)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, select

from dashboard.ledger.schema import AuditEntry, ImportLog
from queries.figures import connected


@connected
def import_log(conn: Connection, limit: int = 200) -> pd.DataFrame:
    """The latest accepted imports, newest first: file, kind, row counts and sha256."""
    rows = conn.execute(
        select(
            ImportLog.imported_at,
            ImportLog.kind,
            ImportLog.file_name,
            ImportLog.rows_new,
            ImportLog.rows_updated,
            ImportLog.rows_unchanged,
            ImportLog.sha256,
        )
        .order_by(ImportLog.id.desc())
        .limit(limit)
    ).all()
    columns = ["imported_at", "kind", "file_name", "new", "updated", "unchanged", "sha256"]
    return pd.DataFrame(rows, columns=columns)


@connected
def audit_log(conn: Connection, limit: int = 200) -> pd.DataFrame:
    """The latest admin actions, newest first: when, who, what, and a file's sha256."""
    rows = conn.execute(
        select(
            AuditEntry.at, AuditEntry.actor, AuditEntry.action, AuditEntry.detail, AuditEntry.sha256
        )
        .order_by(AuditEntry.id.desc())
        .limit(limit)
    ).all()
    return pd.DataFrame(rows, columns=["at", "who", "action", "detail", "sha256"])
