"""Memberships and the audit log: the writes behind who may see which donor.

An administrator (the console) or an operator (``lingkaran members``) gives an e-mail one
donor or the admin role; ``dashboard.accounts.access`` reads them back as an ``Access``.
Every such change, and every other administrative act, is written to the audit log.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, Engine, delete, insert, select

from dashboard.accounts.access import normalise_email
from dashboard.core.errors import LedgerError
from dashboard.ledger.schema import AuditEntry, Donor, Membership


def add_membership(engine: Engine, email: str, donor_id: str | None, *, admin: bool) -> str:
    """Give ``email`` one donor (or admin); returns what changed, in words."""
    email = normalise_email(email)
    with engine.begin() as conn:
        key = None
        if not admin:
            key = conn.execute(select(Donor.id).where(Donor.donor_id == donor_id)).scalar()
            if key is None:
                raise LedgerError(f"no donor with id {donor_id!r}")
        role = "admin" if admin else "donor"
        exists = conn.execute(
            select(Membership.id).where(
                Membership.email == email,
                Membership.role == role,
                Membership.donor_key.is_(None) if key is None else Membership.donor_key == key,
            )
        ).first()
        if exists:
            return f"{email} already is {'an admin' if admin else f'a user of {donor_id}'}"
        conn.execute(insert(Membership).values(email=email, role=role, donor_key=key))
    return f"{email} is now {'an admin' if admin else f'a user of {donor_id}'}"


def remove_membership(engine: Engine, email: str, donor_id: str | None = None) -> int:
    """Remove one donor from ``email`` (or every membership of it); returns rows removed."""
    email = normalise_email(email)
    with engine.begin() as conn:
        statement = delete(Membership).where(Membership.email == email)
        if donor_id is not None:
            key = conn.execute(select(Donor.id).where(Donor.donor_id == donor_id)).scalar()
            statement = statement.where(Membership.donor_key == key)
        return conn.execute(statement).rowcount


def memberships(engine: Engine) -> list[tuple[str, str, str | None]]:
    with engine.connect() as conn:
        return [
            tuple(row)
            for row in conn.execute(
                select(Membership.email, Membership.role, Donor.donor_id)
                .outerjoin(Donor, Donor.id == Membership.donor_key)
                .order_by(Membership.email, Membership.role, Donor.donor_id)
            ).all()
        ]


def audit(
    bind: Engine | Connection, actor: str, action: str, detail: str, sha256: str | None = None
) -> None:
    """Record one admin action (who, what, when, file sha256)."""
    values = {
        "at": dt.datetime.now(dt.UTC),
        "actor": actor,
        "action": action,
        "detail": detail[:2000],
        "sha256": sha256,
    }
    if isinstance(bind, Engine):
        with bind.begin() as conn:
            conn.execute(insert(AuditEntry).values(**values))
    else:
        bind.execute(insert(AuditEntry).values(**values))
