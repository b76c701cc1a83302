"""What a ledger's database keeps besides the contract's files: the app's own state, which
`lingkaran migrate` carries to the new database after the ledger itself.

The contract's files (`export ledger`) are the ledger; these are not, and a move to another
database lost them: who may sign in (memberships), each donor's fiscal year, the digest
choices and deliveries (a month already sent would have gone out again), the statements
and report packs as issued (a statement would no longer verify), the audit log, the
reports of a problem with their decisions (issue 29), and the public releases with the
secret behind their offsets. Releases published after a move with
a new secret would carry offsets unrelated to the earlier ones, and averaging the two series
would remove the permanent part of every offset (docs/contract.md "Public releases"): the
secret moves with the releases, and a target that already publishes with another secret is
refused before anything is written.

Not carried: the record of `lingkaran check` (check_runs, check_snapshots) and the change
journal (ledger_changes): `migrate` runs and records a full check on the target, which is
where `check --since` starts there.

Donors are matched by their contract id (``donor_id``): the surrogate keys differ between
databases. Rows the target already holds are left as they are, so a second run adds nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, Table, insert, select, update

from dashboard.core.errors import LedgerError
from dashboard.ledger.schema import (
    AuditEntry,
    DigestDelivery,
    DigestSetting,
    Donor,
    IssuedStatement,
    Membership,
    ProblemReport,
    ProblemReportDecision,
    Release,
    ReleaseSecret,
    Webhook,
    WebhookDelivery,
)

BATCH = 500  # rows per insert: releases are a few hundred kilobytes each


@dataclass
class Carried:
    """Rows carried per kind of state, in the order they were carried."""

    rows: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        parts = [f"{count} {what}" for what, count in self.rows.items() if count]
        return "carried the app's state: " + (", ".join(parts) if parts else "nothing to carry")


def _salt(conn: Connection) -> int | None:
    return conn.execute(select(ReleaseSecret.salt).where(ReleaseSecret.id == 1)).scalar()


def refuse_conflicting_releases(origin: Engine, destination: Engine) -> None:
    """Raise before the move when both databases publish releases under different secrets:
    neither series could then go on without weakening the other's offsets."""
    with origin.connect() as source, destination.connect() as target:
        if not source.execute(select(Release.id).limit(1)).first():
            return
        if not target.execute(select(Release.id).limit(1)).first():
            return
        if _salt(source) != _salt(target):
            raise LedgerError(
                "both databases hold public releases, published with different secrets: "
                "carrying one series into the other would let their offsets be averaged "
                'away (docs/contract.md "Public releases"); move into a database without '
                "releases"
            )


def _utc(value):
    """SQLite hands back a time zone's datetimes without their zone: they were written in UTC."""
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def _insert_new(
    target: Connection, table: Table, rows: Iterable[dict], key: tuple[str, ...], have: set
) -> int:
    """Insert the rows whose ``key`` columns are not in ``have``; the count inserted."""
    batch: list[dict] = []
    count = 0
    for row in rows:
        identity = tuple(row[column] for column in key)
        if identity in have:
            continue
        have.add(identity)
        batch.append({column: _utc(value) for column, value in row.items()})
        if len(batch) == BATCH:
            target.execute(insert(table), batch)
            count, batch = count + len(batch), []
    if batch:
        target.execute(insert(table), batch)
        count += len(batch)
    return count


def _rows(source: Connection, table: Table, without: tuple[str, ...] = ()) -> Iterable[dict]:
    columns = [column for column in table.columns if column.name not in without]
    for row in source.execute(select(*columns).order_by(*table.primary_key.columns)):
        yield dict(row._mapping)


def carry_app_state(origin: Engine, destination: Engine) -> Carried:
    """Copy the app's state from ``origin`` to ``destination`` (whose ledger holds the same
    donors: run after the ledger's import), in one transaction."""
    carried = Carried()
    with origin.connect() as source, destination.begin() as target:
        donor_ids = dict(source.execute(select(Donor.id, Donor.donor_id)).all())
        keys = dict(target.execute(select(Donor.donor_id, Donor.id)).all())

        def moved(key: int | None) -> int | None:
            return None if key is None else keys[donor_ids[key]]

        starts = source.execute(
            select(Donor.donor_id, Donor.fiscal_year_start).where(Donor.fiscal_year_start != 1)
        ).all()
        for donor_id, start in starts:
            target.execute(
                update(Donor).where(Donor.donor_id == donor_id).values(fiscal_year_start=start)
            )
        carried.rows["fiscal years"] = len(starts)

        memberships = (
            {**row, "donor_key": moved(row["donor_key"])}
            for row in _rows(source, Membership.__table__, without=("id",))
        )
        have = set(target.execute(select(Membership.email, Membership.donor_key)).all())
        carried.rows["memberships"] = _insert_new(
            target, Membership.__table__, memberships, ("email", "donor_key"), have
        )

        have = set(target.execute(select(DigestSetting.email)).all())
        carried.rows["digest choices"] = _insert_new(
            target,
            DigestSetting.__table__,
            _rows(source, DigestSetting.__table__),
            ("email",),
            have,
        )
        have = set(target.execute(select(DigestDelivery.email, DigestDelivery.month)).all())
        carried.rows["digest deliveries"] = _insert_new(
            target,
            DigestDelivery.__table__,
            _rows(source, DigestDelivery.__table__, without=("id",)),
            ("email", "month"),
            have,
        )

        statements = (
            {**row, "donor_key": moved(row["donor_key"])}
            for row in _rows(source, IssuedStatement.__table__)
        )
        have = set(target.execute(select(IssuedStatement.code)).all())
        carried.rows["issued statements"] = _insert_new(
            target, IssuedStatement.__table__, statements, ("code",), have
        )

        have = set(target.execute(select(Release.id)).all())
        if not have:  # the secret behind the offsets travels with the releases
            salt = _salt(source)
            if salt is not None:
                target.execute(update(ReleaseSecret).where(ReleaseSecret.id == 1).values(salt=salt))
        carried.rows["releases"] = _insert_new(
            target, Release.__table__, _rows(source, Release.__table__), ("id",), have
        )

        carried.rows["problem reports"], carried.rows["report decisions"] = _carry_reports(
            source, target
        )
        carried.rows["webhooks"], carried.rows["webhook deliveries"] = _carry_webhooks(
            source, target
        )

        fields = ("at", "actor", "action", "detail")
        have = {
            tuple(_utc(value) for value in row)
            for row in target.execute(select(*(AuditEntry.__table__.c[f] for f in fields)))
        }
        entries = (
            {**row, "at": _utc(row["at"])}
            for row in _rows(source, AuditEntry.__table__, without=("id",))
        )
        carried.rows["audit entries"] = _insert_new(
            target, AuditEntry.__table__, entries, fields, have
        )
    return carried


def _carry_reports(source: Connection, target: Connection) -> tuple[int, int]:
    """The reports of a problem, each with its decisions under the report's new id (the
    target numbers its own rows). A report is known by when it came and from whom."""
    have = {
        (_utc(at), key)
        for at, key in target.execute(select(ProblemReport.received_at, ProblemReport.client_key))
    }
    decisions: dict[int, list[dict]] = {}
    for row in _rows(source, ProblemReportDecision.__table__, without=("id",)):
        decisions.setdefault(row.pop("report_id"), []).append(row)
    reports = decided = 0
    for row in _rows(source, ProblemReport.__table__):
        old = row.pop("id")
        if (_utc(row["received_at"]), row["client_key"]) in have:
            continue
        new = target.execute(
            insert(ProblemReport)
            .values({column: _utc(value) for column, value in row.items()})
            .returning(ProblemReport.id)
        ).scalar_one()
        reports += 1
        for decision in decisions.get(old, []):
            values = {column: _utc(value) for column, value in decision.items()}
            target.execute(insert(ProblemReportDecision).values(report_id=new, **values))
            decided += 1
    return reports, decided


def _carry_webhooks(source: Connection, target: Connection) -> tuple[int, int]:
    """The webhooks, each with its delivery log under the webhook's new id: a release
    already sent is not sent again from the new database. A webhook is known by its address
    and when it was registered."""
    have = {(url, _utc(at)) for url, at in target.execute(select(Webhook.url, Webhook.created_at))}
    log: dict[int, list[dict]] = {}
    for row in _rows(source, WebhookDelivery.__table__, without=("id",)):
        log.setdefault(row.pop("webhook_id"), []).append(row)
    hooks = deliveries = 0
    for row in _rows(source, Webhook.__table__):
        old = row.pop("id")
        if (row["url"], _utc(row["created_at"])) in have:
            continue
        new = target.execute(
            insert(Webhook)
            .values({column: _utc(value) for column, value in row.items()})
            .returning(Webhook.id)
        ).scalar_one()
        hooks += 1
        for entry in log.get(old, []):
            values = {column: _utc(value) for column, value in entry.items()}
            target.execute(insert(WebhookDelivery).values(webhook_id=new, **values))
            deliveries += 1
    return hooks, deliveries
