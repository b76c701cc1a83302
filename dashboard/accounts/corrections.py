"""The correction channel: a visitor's "this is wrong" from a public page, stored append-only
and triaged by an administrator (issue 29; docs/guide.md, docs/operations.md).

Bounded and safe: the text and the contact are length-limited here (whatever the form
allowed), kept as the plain text they are (every screen shows them through
``shell.plain``), and each address may send a few reports an hour. The address itself is
never stored: ``client_key`` is its HMAC under the ledger's release secret, which never
leaves the ledger, so the table (and any copy of it) does not list who sent what.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass

from sqlalchemy import Engine, func, insert, select

from dashboard.accounts.memberships import audit
from dashboard.core.errors import LedgerError
from dashboard.core.escaping import visible
from dashboard.ledger.schema import ProblemReport, ProblemReportDecision, ReleaseSecret

MAX_TEXT = 2000  # characters of "what is wrong"
MAX_CONTACT = 320  # an e-mail address's longest
MAX_PAGE = 64
REPORTS_PER_HOUR = 5  # per client address; the sixth within the hour is refused
STATUSES = ("new", "accepted", "rejected", "fixed")
OPEN_STATUSES = ("new", "accepted")  # still to be acted on; "rejected" and "fixed" are closed
DECISION_ACTION = "problem report"  # its audit action


class ReportRefused(LedgerError):
    """A report not stored, and why: ``reason`` is "empty", "too long" or "too many"."""

    def __init__(self, reason: str):
        super().__init__(f"problem report refused: {reason}")
        self.reason = reason


@dataclass(frozen=True)
class Report:
    """A report with its current status (its latest decision, "new" without one)."""

    id: int
    received_at: dt.datetime
    page: str
    release_id: str | None
    text: str
    contact: str | None
    status: str
    history: tuple[tuple[str, str, str, dt.datetime], ...]  # status, note, by, at; oldest first


def plain_text(text: str) -> str:
    """A report's text as stored: its lines kept, every control or direction-changing
    character within a line dropped (``escaping.visible``), the ends trimmed."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(visible(line) for line in lines).strip()


def client_key(engine: Engine, address: str) -> str:
    """The keyed hash that stands for a client address in the table."""
    with engine.connect() as conn:
        salt = conn.execute(select(ReleaseSecret.salt).where(ReleaseSecret.id == 1)).scalar()
    key = f"lingkaran problem reports {salt}".encode()
    return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()


def submit_report(
    engine: Engine,
    *,
    text: str,
    contact: str,
    page: str,
    release_id: str | None,
    address: str,
    now: dt.datetime | None = None,
) -> int:
    """Store one report and return its id, or raise ``ReportRefused`` (nothing stored)."""
    text, contact = plain_text(text), visible(contact).strip()
    if not text:
        raise ReportRefused("empty")
    if len(text) > MAX_TEXT or len(contact) > MAX_CONTACT:
        raise ReportRefused("too long")
    now = now or dt.datetime.now(dt.UTC)
    key = client_key(engine, address)
    with engine.begin() as conn:
        recent = conn.execute(
            select(func.count())
            .select_from(ProblemReport)
            .where(
                ProblemReport.client_key == key,
                ProblemReport.received_at > now - dt.timedelta(hours=1),
            )
        ).scalar_one()
        if recent >= REPORTS_PER_HOUR:
            raise ReportRefused("too many")
        return conn.execute(
            insert(ProblemReport)
            .values(
                received_at=now,
                page=page[:MAX_PAGE],
                release_id=release_id,
                text=text,
                contact=contact or None,
                client_key=key,
            )
            .returning(ProblemReport.id)
        ).scalar_one()


def decide(engine: Engine, report_id: int, status: str, note: str, actor: str) -> None:
    """Record an admin's decision on a report as a new row, and in the audit log."""
    if status not in STATUSES:
        raise LedgerError(f"a report's status is one of {', '.join(STATUSES)}, not {status!r}")
    note = note.strip()[:MAX_TEXT]
    with engine.begin() as conn:
        if (
            conn.execute(select(ProblemReport.id).where(ProblemReport.id == report_id)).first()
            is None
        ):
            raise LedgerError(f"no problem report {report_id}")
        conn.execute(
            insert(ProblemReportDecision).values(
                report_id=report_id,
                status=status,
                note=note,
                decided_by=actor,
                decided_at=dt.datetime.now(dt.UTC),
            )
        )
        audit(conn, actor, DECISION_ACTION, f"report {report_id}: {status}")


def reports(engine: Engine, *, open_only: bool = False) -> list[Report]:
    """Every report, newest first, each with its decisions; ``open_only``: new or accepted."""
    with engine.connect() as conn:
        rows = conn.execute(select(ProblemReport.__table__).order_by(ProblemReport.id.desc())).all()
        decisions = conn.execute(
            select(
                ProblemReportDecision.report_id,
                ProblemReportDecision.status,
                ProblemReportDecision.note,
                ProblemReportDecision.decided_by,
                ProblemReportDecision.decided_at,
            ).order_by(ProblemReportDecision.id)
        ).all()
    history: dict[int, list] = {}
    for report_id, *decision in decisions:
        history.setdefault(report_id, []).append(tuple(decision))
    listed = []
    for row in rows:
        past = tuple(history.get(row.id, ()))
        status = past[-1][0] if past else "new"
        if open_only and status not in OPEN_STATUSES:
            continue
        listed.append(
            Report(
                row.id,
                row.received_at,
                row.page,
                row.release_id,
                row.text,
                row.contact,
                status,
                past,
            )
        )
    return listed


def status_counts(engine: Engine) -> dict[str, int]:
    """How many reports stand at each status now (every status, zero included)."""
    latest = (
        select(ProblemReportDecision.report_id, func.max(ProblemReportDecision.id).label("id"))
        .group_by(ProblemReportDecision.report_id)
        .subquery()
    )
    with engine.connect() as conn:
        decided = conn.execute(
            select(ProblemReportDecision.status, func.count())
            .join(latest, latest.c.id == ProblemReportDecision.id)
            .group_by(ProblemReportDecision.status)
        ).all()
        total = conn.execute(select(func.count()).select_from(ProblemReport)).scalar_one()
    counts = dict.fromkeys(STATUSES, 0) | dict(decided)
    counts["new"] += total - sum(count for _, count in decided)
    return counts
