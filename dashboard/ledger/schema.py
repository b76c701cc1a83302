"""The ledger's tables (docs/contract.md "Files"), as SQLAlchemy 2.x typed models.

Money is integer rupiah in BIGINT columns. Months are month indexes (see ``months.py``).
Ledger ids (``donor_id``, ``worker_id`` ...) are the contract's ids; ``id`` columns are
internal surrogate keys that keep the large coverage table narrow.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    cast,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

ID_LENGTH = 64


class Base(DeclarativeBase):
    pass


class Donor(Base):
    __tablename__ = "donors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    donor_id: Mapped[str] = mapped_column(String(ID_LENGTH), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(16))
    show_name: Mapped[bool] = mapped_column(Boolean)
    # The month the donor's fiscal year begins (1: the calendar year); set by an admin
    # (dashboard.accounts.fiscal_year checks it is 1 to 12).
    fiscal_year_start: Mapped[int] = mapped_column(Integer, server_default="1")


class Worker(Base):
    __tablename__ = "workers"
    __table_args__ = (Index("ix_workers_registration_order", "registered_on", "worker_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    worker_id: Mapped[str] = mapped_column(String(ID_LENGTH), unique=True)
    registered_on: Mapped[dt.date] = mapped_column(Date)
    province: Mapped[str] = mapped_column(String(8))
    occupation: Mapped[str] = mapped_column(String(32))
    gender: Mapped[str] = mapped_column(String(1))
    birth_year: Mapped[int] = mapped_column(Integer)


class Rate(Base):
    """Monthly JKK+JKM contribution per worker from ``effective_month`` on, and (v2) the JHT
    contribution from then on; a NULL JHT rate keeps the one in force before it."""

    __tablename__ = "rates"
    __table_args__ = (CheckConstraint("monthly_idr > 0", name="ck_rates_positive"),)

    effective_month: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    monthly_idr: Mapped[int] = mapped_column(BigInteger)
    jht_monthly_idr: Mapped[int | None] = mapped_column(BigInteger)


class Donation(Base):
    __tablename__ = "donations"
    __table_args__ = (
        Index("ix_donations_allocation_order", "received_on", "donation_id"),
        CheckConstraint("amount_idr > 0", name="ck_donations_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    donation_id: Mapped[str] = mapped_column(String(ID_LENGTH), unique=True)
    donor_key: Mapped[int] = mapped_column(ForeignKey("donors.id"), index=True)
    received_on: Mapped[dt.date] = mapped_column(Date)
    amount_idr: Mapped[int] = mapped_column(BigInteger)
    months_per_worker: Mapped[int] = mapped_column(Integer)
    earmark_province: Mapped[str | None] = mapped_column(String(8))
    earmark_occupation: Mapped[str | None] = mapped_column(String(32))
    # docs/contract.md: "jkk_jkm" (JKK and JKM) or "jkk_jkm_jht" (old-age savings as well).
    package: Mapped[str] = mapped_column(String(16), server_default="jkk_jkm")


class Coverage(Base):
    """One worker protected for ``months`` consecutive months, paid by one donation."""

    __tablename__ = "coverage"
    __table_args__ = (
        UniqueConstraint("worker_key", "start_month", name="uq_coverage_worker_start"),
        Index("ix_coverage_donation", "donation_key", "worker_key"),
        Index("ix_coverage_start", "start_month", "months"),
        CheckConstraint("months > 0", name="ck_coverage_months"),
        CheckConstraint("amount_idr > 0", name="ck_coverage_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    donation_key: Mapped[int] = mapped_column(ForeignKey("donations.id"))
    worker_key: Mapped[int] = mapped_column(ForeignKey("workers.id"))
    start_month: Mapped[int] = mapped_column(Integer)
    months: Mapped[int] = mapped_column(Integer)
    amount_idr: Mapped[int] = mapped_column(BigInteger)
    # "allocator" for rows written by `lingkaran allocate`, "import" for imported coverage.
    source: Mapped[str] = mapped_column(String(16))


# A new coverage row as a tuple, for dashboard.ledger.bulk.insert_rows (the allocator and importer).
COVERAGE_COLUMNS = ("donation_key", "worker_key", "start_month", "months", "amount_idr", "source")


class Claim(Base):
    __tablename__ = "claims"
    __table_args__ = (Index("ix_claims_status_worker", "status", "worker_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_id: Mapped[str] = mapped_column(String(ID_LENGTH), unique=True)
    worker_key: Mapped[int] = mapped_column(ForeignKey("workers.id"))
    program: Mapped[str] = mapped_column(String(3))
    incident_on: Mapped[dt.date] = mapped_column(Date)
    # Month index of incident_on, stored so that attributing a claim to the coverage row
    # containing it (docs/contract.md "Figures") is an indexed integer comparison on every database.
    incident_month: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10))
    paid_on: Mapped[dt.date | None] = mapped_column(Date)
    amount_idr: Mapped[int | None] = mapped_column(BigInteger)


class SelfPaid(Base):
    """Months a worker paid their own BPJS-TK contributions (docs/contract.md "self_paid")."""

    __tablename__ = "self_paid"
    __table_args__ = (
        UniqueConstraint("worker_key", "start_month", name="uq_self_paid_worker_start"),
        Index("ix_self_paid_start", "start_month"),
        CheckConstraint("months > 0", name="ck_self_paid_months"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    worker_key: Mapped[int] = mapped_column(ForeignKey("workers.id"))
    start_month: Mapped[int] = mapped_column(Integer)
    months: Mapped[int] = mapped_column(Integer)


SELF_PAID_COLUMNS = ("worker_key", "start_month", "months")


class Confirmation(Base):
    """BPJS-TK's confirmation that one coverage row's contribution arrived (docs/contract.md).

    ``donation_key`` repeats the coverage row's donation so that a donor's confirmed rupiah
    is a sum over an index, without joining the coverage table."""

    __tablename__ = "confirmations"
    __table_args__ = (CheckConstraint("amount_idr > 0", name="ck_confirmations_positive"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    coverage_key: Mapped[int] = mapped_column(ForeignKey("coverage.id"), unique=True)
    donation_key: Mapped[int] = mapped_column(ForeignKey("donations.id"), index=True)
    confirmed_on: Mapped[dt.date] = mapped_column(Date)
    amount_idr: Mapped[int] = mapped_column(BigInteger)
    reference: Mapped[str | None] = mapped_column(String(64))


CONFIRMATION_COLUMNS = (
    "coverage_key",
    "donation_key",
    "confirmed_on",
    "amount_idr",
    "reference",
)


class ImportLog(Base):
    """Every accepted import: what file, which content, what it changed."""

    __tablename__ = "import_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    file_name: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64))
    rows_new: Mapped[int] = mapped_column(Integer)
    rows_updated: Mapped[int] = mapped_column(Integer)
    rows_unchanged: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class AllocationRun(Base):
    """Every run of the allocator, so pages can state how fresh the ledger is."""

    __tablename__ = "allocation_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ran_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    coverage_rows: Mapped[int] = mapped_column(Integer)
    amount_idr: Mapped[int] = mapped_column(BigInteger)


def sum_int(column):
    """SUM as a BIGINT on every database (PostgreSQL's SUM(bigint) is NUMERIC), 0 when empty."""
    return cast(func.coalesce(func.sum(column), 0), BigInteger)


# Derived tables: kept by ``dashboard.ledger.derived.refresh`` in the same transaction as every
# coverage write, verified by `lingkaran check`, and read by ``queries`` so that the report
# for the whole programme does not scan millions of coverage rows.


class CoverageTotal(Base):
    """Coverage rows grouped by donation and block: sums and "active in month m" in a few rows."""

    __tablename__ = "coverage_totals"

    donation_key: Mapped[int] = mapped_column(ForeignKey("donations.id"), primary_key=True)
    start_month: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    months: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    amount_idr: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    row_count: Mapped[int] = mapped_column(Integer)


class DonorWorker(Base):
    """Each (donor, worker) pair with at least one coverage row: a donor's covered workers,
    with L, the last month the donor's coverage protects the worker, and (v2) whether the
    worker paid for themselves in L+1 .. L+3: ended and continued workers are sums here."""

    __tablename__ = "donor_workers"
    __table_args__ = (Index("ix_donor_workers_worker", "worker_key"),)

    donor_key: Mapped[int] = mapped_column(ForeignKey("donors.id"), primary_key=True)
    worker_key: Mapped[int] = mapped_column(ForeignKey("workers.id"), primary_key=True)
    last_month: Mapped[int] = mapped_column(Integer)
    continued: Mapped[bool] = mapped_column(Boolean)


class CoveredWorker(Base):
    """Each worker with at least one coverage row: the programme's covered workers, with L,
    the months donations paid for in all (the stimulus), and (v2) continued as above."""

    __tablename__ = "covered_workers"

    worker_key: Mapped[int] = mapped_column(
        ForeignKey("workers.id"), primary_key=True, autoincrement=False
    )
    last_month: Mapped[int] = mapped_column(Integer)
    stimulus_months: Mapped[int] = mapped_column(Integer)
    continued: Mapped[bool] = mapped_column(Boolean)


class ConfirmationTotal(Base):
    """Per donation and day: the rupiah and coverage rows BPJS-TK confirmed on that day
    (docs/contract.md), so that a figure as of a date counts the confirmations made by it."""

    __tablename__ = "confirmation_totals"

    donation_key: Mapped[int] = mapped_column(
        ForeignKey("donations.id"), primary_key=True, autoincrement=False
    )
    confirmed_on: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    confirmed_idr: Mapped[int] = mapped_column(BigInteger)
    confirmed_rows: Mapped[int] = mapped_column(Integer)


class WorkerBusy(Base):
    """Every worker, with B, the last month their coverage or self-paid months hold (-1:
    none), and what the allocator orders and filters them by. A block starting in month S
    may pay for any worker with B < S; for each value of B such workers are one run of
    ``ix_worker_busy_order``, already in the allocator's order, so the first eligible
    workers are a merge of the runs' first few (dashboard/ledger/allocator.py)."""

    __tablename__ = "worker_busy"
    __table_args__ = (
        Index("ix_worker_busy_order", "busy_until", "registered_on", "worker_id"),
        Index("ix_worker_busy_province", "province", "busy_until", "registered_on", "worker_id"),
    )

    worker_key: Mapped[int] = mapped_column(
        ForeignKey("workers.id"), primary_key=True, autoincrement=False
    )
    busy_until: Mapped[int] = mapped_column(Integer)
    registered_on: Mapped[dt.date] = mapped_column(Date)
    worker_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    province: Mapped[str] = mapped_column(String(8))
    occupation: Mapped[str] = mapped_column(String(32))


class ExhaustedDonation(Base):
    """A donation left with money that could buy blocks because no worker was eligible, and
    how far the workers and the change journal reached then. Coverage and self-paid months
    only ever grow, so until a worker registered before its first month is added or moves,
    no worker can become eligible: the allocator passes it by without reading workers."""

    __tablename__ = "exhausted_donations"

    donation_key: Mapped[int] = mapped_column(
        ForeignKey("donations.id"), primary_key=True, autoincrement=False
    )
    worker_upto: Mapped[int] = mapped_column(Integer)
    change_upto: Mapped[int] = mapped_column(Integer)


class DonorContinuation(Base):
    """A donor's workers counted by last covered month and whether they continued: ended and
    continued workers at any date are sums over a few hundred rows (from donor_workers)."""

    __tablename__ = "donor_continuation"

    donor_key: Mapped[int] = mapped_column(ForeignKey("donors.id"), primary_key=True)
    last_month: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    continued: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    workers: Mapped[int] = mapped_column(Integer)


class ProgrammeContinuation(Base):
    """The programme's workers counted by last covered month, months of stimulus and whether
    they continued (from covered_workers)."""

    __tablename__ = "programme_continuation"

    last_month: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    stimulus_months: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    continued: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    workers: Mapped[int] = mapped_column(Integer)


class Membership(Base):
    """Who may see what: a verified e-mail is an admin, or a user of one donor (or several)."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("email", "donor_key", name="uq_membership"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), index=True)
    role: Mapped[str] = mapped_column(String(8))  # "donor" or "admin"
    donor_key: Mapped[int | None] = mapped_column(ForeignKey("donors.id"))


class DigestSetting(Base):
    """A donor user's choice about the monthly digest: its language, or none at all. An
    e-mail without a row gets it, in Indonesian."""

    __tablename__ = "digest_settings"

    email: Mapped[str] = mapped_column(String(320), primary_key=True)
    language: Mapped[str] = mapped_column(String(2))
    receives: Mapped[bool] = mapped_column(Boolean)


class IssuedStatement(Base):
    """An impact statement or report pack as issued: the figures it states, under its code.
    Its verification checks the code against this record, so that a statement stays what it
    said when later data restates the figures of its day (docs/contract.md "As of")."""

    __tablename__ = "issued_statements"

    code: Mapped[str] = mapped_column(String(24), primary_key=True)
    donor_key: Mapped[int] = mapped_column(ForeignKey("donors.id"))
    period_start: Mapped[dt.date | None] = mapped_column(Date)
    period_end: Mapped[dt.date | None] = mapped_column(Date)
    as_of: Mapped[dt.date] = mapped_column(Date)
    figures: Mapped[str] = mapped_column(Text)  # the JSON the code signs
    document: Mapped[str] = mapped_column(String(16))  # "statement", "report pack"
    issued_by: Mapped[str] = mapped_column(String(320))
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Release(Base):
    """A public release: the whole public surface as of one day, as published (a JSON
    document, compressed), never changed once stored (docs/contract.md "Public releases")."""

    __tablename__ = "releases"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    as_of: Mapped[dt.date] = mapped_column(Date, unique=True)
    published_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    ledger_version: Mapped[str] = mapped_column(String(200))
    method: Mapped[str] = mapped_column(String(32))
    suppression_k: Mapped[int] = mapped_column(Integer)
    cells: Mapped[int] = mapped_column(Integer)
    cells_changed: Mapped[int] = mapped_column(Integer)
    changes: Mapped[str] = mapped_column(Text)
    payload: Mapped[bytes] = mapped_column(LargeBinary)


class ReleaseSecret(Base):
    """The secret behind the record keys of the cell-key perturbation: drawn once per
    ledger by its migration, never shown."""

    __tablename__ = "release_secret"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    salt: Mapped[int] = mapped_column(BigInteger)


class ProblemReport(Base):
    """A visitor's "this is wrong" from a public page, as sent: plain text, the page and the
    release it concerns, and a keyed hash of the sender's address (the rate limit's key,
    never the address). Never changed once stored; its status is its latest decision."""

    __tablename__ = "problem_reports"
    __table_args__ = (Index("ix_problem_reports_client", "client_key", "received_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    page: Mapped[str] = mapped_column(String(64))
    release_id: Mapped[str | None] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(String(2000))
    contact: Mapped[str | None] = mapped_column(String(320))
    client_key: Mapped[str] = mapped_column(String(64))


class ProblemReportDecision(Base):
    """An admin's triage of a report: a new row per decision, never an update, so the
    history stays."""

    __tablename__ = "problem_report_decisions"
    __table_args__ = (
        Index("ix_problem_report_decisions_report", "report_id", "id"),
        CheckConstraint(
            "status IN ('new', 'accepted', 'rejected', 'fixed')",
            name="ck_problem_report_decisions_status",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("problem_reports.id"))
    status: Mapped[str] = mapped_column(String(8))
    note: Mapped[str] = mapped_column(String(2000))
    decided_by: Mapped[str] = mapped_column(String(320))
    decided_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Webhook(Base):
    """An address an admin registered to be told of each release published after it, with
    the secret its deliveries are signed with (shown once, when registered)."""

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    active: Mapped[bool] = mapped_column(Boolean)


class WebhookDelivery(Base):
    """One attempt to send a release to a webhook: a row per attempt, never changed."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_hook", "webhook_id", "release_id"),
        CheckConstraint("status IN ('sent', 'failed')", name="ck_webhook_deliveries_status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id"))
    release_id: Mapped[str] = mapped_column(String(16))
    attempt: Mapped[int] = mapped_column(Integer)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(8))
    http_status: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(500))


class DigestDelivery(Base):
    """A month's digest to one address: recorded as ``sending`` before the SMTP server is
    asked, ``sent`` once it accepted, removed if it refused (so the next run tries again).
    A ``sending`` left by a run that stopped midway is never resent blindly."""

    __tablename__ = "digest_deliveries"
    __table_args__ = (UniqueConstraint("email", "month", name="uq_digest_delivery"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    month: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(8))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class AuditEntry(Base):
    """Every admin action: who, what, when, and the sha256 of the file it concerned."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(String(2000))
    sha256: Mapped[str | None] = mapped_column(String(64))


class DonationCell(Base):
    """A donation's coverage rows by one worker attribute (province, occupation, gender or
    birth year) and by the date the same donor last funded the same worker before this row
    (``previous_received_on``, empty for the first). The distinct workers of any donor and
    any range of receipt dates are then a sum: the rows whose previous date falls before the
    range. Sizes: a few hundred rows per donation, whatever its number of workers."""

    __tablename__ = "donation_cells"
    __table_args__ = (Index("ix_donation_cells_donation", "donation_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    donation_key: Mapped[int] = mapped_column(ForeignKey("donations.id"))
    previous_received_on: Mapped[dt.date | None] = mapped_column(Date)
    dimension: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(32))
    row_count: Mapped[int] = mapped_column(Integer)
    months: Mapped[int] = mapped_column(BigInteger)
    amount_idr: Mapped[int] = mapped_column(BigInteger)


class DonationFlow(Base):
    """A donation's coverage rupiah by the worker's province and occupation and by the row's
    outcome ("JKM" when a paid death claim fell in it, else "JKK", else "protected")."""

    __tablename__ = "donation_flows"
    __table_args__ = (Index("ix_donation_flows_donation", "donation_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    donation_key: Mapped[int] = mapped_column(ForeignKey("donations.id"))
    province: Mapped[str] = mapped_column(String(8))
    occupation: Mapped[str] = mapped_column(String(32))
    outcome: Mapped[str] = mapped_column(String(10))
    row_count: Mapped[int] = mapped_column(Integer)
    amount_idr: Mapped[int] = mapped_column(BigInteger)


class DonationClaim(Base):
    """A paid JKK or JKM claim matched to the donation whose coverage row holds its incident
    month (docs/contract.md "Figures": claims made possible), with what the donor page shows of
    it and of its worker (no ids). A worker's coverage rows never overlap, so a claim has at
    most one donation: the claim is the key."""

    __tablename__ = "donation_claims"
    __table_args__ = (Index("ix_donation_claims_donation", "donation_key"),)

    claim_key: Mapped[int] = mapped_column(ForeignKey("claims.id"), primary_key=True)
    donation_key: Mapped[int] = mapped_column(ForeignKey("donations.id"))
    program: Mapped[str] = mapped_column(String(3))
    incident_month: Mapped[int] = mapped_column(Integer)
    province: Mapped[str] = mapped_column(String(8))
    occupation: Mapped[str] = mapped_column(String(32))
    birth_year: Mapped[int] = mapped_column(Integer)
    amount_idr: Mapped[int] = mapped_column(BigInteger)
    paid_on: Mapped[dt.date] = mapped_column(Date)  # a figure as of a date counts it from then


class UnconfirmedCoverage(Base):
    """A coverage row BPJS Ketenagakerjaan has not confirmed yet (docs/contract.md
    "confirmations"): added with the row, removed by its confirmation, with what the donor
    page lists of it (coverage rows and worker ids never change). Few at any time, so the
    page lists a donor's oldest without reading their confirmed rows or their workers.
    Each row carries its donation's donor, id and receipt date (donations never change), so
    the page reads its oldest rows for a period in order from one index and stops."""

    __tablename__ = "unconfirmed_coverage"
    __table_args__ = (
        Index(
            "ix_unconfirmed_coverage_donor_order",
            "donor_key",
            "start_month",
            "donation_id",
            "worker_id",
            postgresql_include=["received_on", "months", "amount_idr"],
        ),
    )

    coverage_key: Mapped[int] = mapped_column(ForeignKey("coverage.id"), primary_key=True)
    donation_key: Mapped[int] = mapped_column(ForeignKey("donations.id"))
    donor_key: Mapped[int] = mapped_column(Integer)
    donation_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    received_on: Mapped[dt.date] = mapped_column(Date)
    worker_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    start_month: Mapped[int] = mapped_column(Integer)
    months: Mapped[int] = mapped_column(Integer)
    amount_idr: Mapped[int] = mapped_column(BigInteger)


class DonorSpan(Base):
    """A donor's workers by the run of receipt dates a period can select from their rows.

    For one donor and worker, the distinct receipt dates of the donations covering them are
    d1 < d2 < ... < dn. A period of receipt dates selects a run di .. dj of them; this row
    counts the workers whose run is (``first_on``, ``last_on``), with the dates just outside
    it (``before_on``, ``after_on``; empty at either end), L (the last month the run's rows
    cover) and whether the worker paid for themselves in L+1 .. L+3. A period [s, e] selects
    the rows with before_on < s <= first_on and last_on <= e < after_on, so its ended and
    continued workers (docs/contract.md) are sums. A worker with n dates has n(n+1)/2 runs."""

    __tablename__ = "donor_spans"
    __table_args__ = (Index("ix_donor_spans_donor", "donor_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    donor_key: Mapped[int] = mapped_column(ForeignKey("donors.id"))
    before_on: Mapped[dt.date | None] = mapped_column(Date)
    first_on: Mapped[dt.date] = mapped_column(Date)
    last_on: Mapped[dt.date] = mapped_column(Date)
    after_on: Mapped[dt.date | None] = mapped_column(Date)
    last_month: Mapped[int] = mapped_column(Integer)
    continued: Mapped[bool] = mapped_column(Boolean)
    workers: Mapped[int] = mapped_column(Integer)


class LedgerChange(Base):
    """A key an import updated in place, written in the import's transaction: a worker who
    moved (``moved``) or whose paid JKK/JKM claims changed (``claims``). Coverage, self-paid
    rows and confirmations are append-only, their ids say what is new; updates need this
    journal for `lingkaran check --since` to know what they touched."""

    __tablename__ = "ledger_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    key: Mapped[int] = mapped_column(Integer)


class CheckRun(Base):
    """One run of `lingkaran check` (``full``) or `check --since` (``since``, from the full
    check ``base_run``): how many violations it found and how far the ledger reached when it
    began, as the highest id of each append-only table and of the change journal."""

    __tablename__ = "check_runs"
    __table_args__ = (CheckConstraint("scope IN ('full', 'since')", name="ck_check_runs_scope"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    scope: Mapped[str] = mapped_column(String(8))
    base_run: Mapped[int | None] = mapped_column(ForeignKey("check_runs.id"))
    violations: Mapped[int] = mapped_column(Integer)
    coverage_id: Mapped[int] = mapped_column(Integer)
    self_paid_id: Mapped[int] = mapped_column(Integer)
    confirmation_id: Mapped[int] = mapped_column(Integer)
    claim_id: Mapped[int] = mapped_column(Integer)
    worker_id: Mapped[int] = mapped_column(Integer)
    donation_id: Mapped[int] = mapped_column(Integer)
    change_id: Mapped[int] = mapped_column(Integer)


class CheckSnapshot(Base):
    """An aggregate derived table (donor_continuation, programme_continuation, donor_spans)
    as a passing full check found it, as JSON rows: `check --since` verifies the stored table
    against it, corrected by the contributions of the workers touched since."""

    __tablename__ = "check_snapshots"

    run_id: Mapped[int] = mapped_column(ForeignKey("check_runs.id"), primary_key=True)
    aggregate: Mapped[str] = mapped_column(String(32), primary_key=True)
    rows: Mapped[str] = mapped_column(Text)
