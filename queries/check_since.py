"""`lingkaran check --since`: every invariant of `check`, for what the writes since the last
passing full check touched, at a cost that follows the size of the change (issue 30).

The change: coverage, self-paid rows and confirmations above the full check's watermarks,
and the workers the change journal names (moved, a claim paid). Each per-key derived table
is compared on both sides for the keys those rows can change (the donations, the workers,
the coverage rows), as the refresh functions of ``dashboard.ledger.derived`` recompute them.
The three aggregate tables no key restricts: each must equal the copy the full check kept,
less what the touched workers gave it then and plus what they give it now (coverage and
self-paid rows are append-only, so "then" is the rows below the watermarks).

What no write touched is not read again: a row changed outside the importer and the allocator
(by hand, in SQL) is found by the full check only. Run that monthly or before a release
(docs/operations.md).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, and_, func, or_, select

from dashboard.core.errors import Message, message
from dashboard.core.labels import N_
from dashboard.ledger.check_runs import (
    AGGREGATES,
    Watermarks,
    last_full_check,
    marks_of,
    normalised,
    record_check_run,
    snapshot_of,
    stored_aggregates,
    watermarks,
)
from dashboard.ledger.derived import (
    CELL_COLUMNS,
    CLAIM_COLUMNS,
    FLOW_COLUMNS,
    UNCONFIRMED_COLUMNS,
    WORKER_BUSY_COLUMNS,
    attributable_claim,
    confirmation_totals_query,
    coverage_totals_query,
    covered_workers_query,
    dated_rows,
    donation_cells_query,
    donation_claims_query,
    donation_flows_query,
    donor_spans,
    donor_workers_query,
    unconfirmed_coverage_query,
    worker_busy_query,
)
from dashboard.ledger.schema import (
    Claim,
    Confirmation,
    ConfirmationTotal,
    Coverage,
    CoverageTotal,
    CoveredWorker,
    Donation,
    DonationCell,
    DonationClaim,
    DonationFlow,
    DonorWorker,
    LedgerChange,
    SelfPaid,
    UnconfirmedCoverage,
    Worker,
    WorkerBusy,
)
from queries.checks import (
    Violation,
    block_cost_violations,
    check_ledger,
    confirmation_violations,
    derived_mismatch,
    except_counts,
    in_chunks,
    orphan_violations,
    overlap_violations,
    spending_violations,
    totals_violations,
)


def full_check(engine: Engine, as_of: dt.date | None = None) -> list[Violation]:
    """`check_ledger`, recorded: when it finds nothing and no write came while it ran, its
    watermarks and the aggregate tables as they stood are what `check --since` starts from."""
    with engine.connect() as conn:
        began = watermarks(conn)
        aggregates = stored_aggregates(conn)
    violations = check_ledger(engine, as_of)
    with engine.begin() as conn:
        settled = watermarks(conn) == began
        keep = aggregates if settled and not violations else None
        record_check_run(conn, "full", began, len(violations), snapshot=keep)
    return violations


@dataclass(frozen=True)
class Touched:
    """The keys the writes between two sets of watermarks can have changed."""

    coverage_rows: int
    self_paid_rows: int
    confirmations: int
    changes: int
    coverage_donations: list[int]  # their spending, coverage_totals
    workers: list[int]  # new coverage or self-paid rows: overlaps, worker tables, aggregates
    page_donations: list[int]  # donation_cells, donation_flows, donation_claims
    confirmation_donations: list[int]  # confirmation_totals
    confirmed_rows: list[int]  # coverage rows confirmed since: unconfirmed_coverage
    changed_workers: list[int]  # the journal's and new paid claims' workers
    busy_workers: list[int]  # worker_busy: new, moved, or with new coverage or self-paid rows

    @property
    def donations(self) -> int:
        return len(
            set(self.coverage_donations)
            | set(self.page_donations)
            | set(self.confirmation_donations)
        )

    @property
    def worker_count(self) -> int:
        return len(set(self.workers) | set(self.changed_workers))


def _between(column, base: int, now: int):
    return and_(column > base, column <= now)


def _keys(conn: Connection, query) -> list[int]:
    return sorted(set(conn.execute(query).scalars()))


def touched(conn: Connection, base: Watermarks, now: Watermarks) -> Touched:
    """What changed from ``base`` to ``now``, as the keys each derived table is kept by."""
    new_coverage = _between(Coverage.id, base.coverage_id, now.coverage_id)
    new_self_paid = _between(SelfPaid.id, base.self_paid_id, now.self_paid_id)
    new_confirmations = _between(Confirmation.id, base.confirmation_id, now.confirmation_id)
    coverage_donations = _keys(conn, select(Coverage.donation_key).where(new_coverage).distinct())
    coverage_workers = _keys(conn, select(Coverage.worker_key).where(new_coverage).distinct())
    workers = sorted(
        set(coverage_workers)
        | set(_keys(conn, select(SelfPaid.worker_key).where(new_self_paid).distinct()))
    )
    # Moved workers and changed claims: the journal; a new paid claim also by its id.
    changed_workers = sorted(
        set(
            _keys(
                conn,
                select(LedgerChange.key).where(
                    _between(LedgerChange.id, base.change_id, now.change_id)
                ),
            )
        )
        | set(
            _keys(
                conn,
                select(Claim.worker_key).where(
                    _between(Claim.id, base.claim_id, now.claim_id), attributable_claim()
                ),
            )
        )
    )
    return Touched(
        coverage_rows=_count(conn, Coverage.id, new_coverage),
        self_paid_rows=_count(conn, SelfPaid.id, new_self_paid),
        confirmations=_count(conn, Confirmation.id, new_confirmations),
        changes=_count(
            conn, LedgerChange.id, _between(LedgerChange.id, base.change_id, now.change_id)
        ),
        coverage_donations=coverage_donations,
        workers=workers,
        page_donations=sorted(
            set(_later_donations(conn, coverage_donations, coverage_workers))
            | set(_covering_donations(conn, changed_workers))
        ),
        confirmation_donations=_keys(
            conn, select(Confirmation.donation_key).where(new_confirmations).distinct()
        ),
        confirmed_rows=_keys(
            conn,
            select(Confirmation.coverage_key).where(
                new_confirmations, Confirmation.coverage_key <= base.coverage_id
            ),
        ),
        changed_workers=changed_workers,
        busy_workers=sorted(
            set(workers)
            | set(
                _keys(
                    conn,
                    select(Worker.id).where(_between(Worker.id, base.worker_id, now.worker_id)),
                )
            )
            | set(changed_workers)
        ),
    )


def _count(conn: Connection, column, condition) -> int:
    return conn.execute(select(func.count(column)).where(condition)).scalar_one()


def _later_donations(conn: Connection, donation_keys: list[int], workers: list[int]) -> set[int]:
    """The donations a coverage write to ``donation_keys`` for ``workers`` can change on the
    donor pages: those, and the same donors' donations after them in the order a row's
    "previous" date is taken in, (received_on, donation), that cover one of ``workers``
    (``derived.previous_received_on``: a new row is the "previous" of a later row of the
    same donor and worker only; ``refresh_donor_pages`` recomputes these). At 2,000,000
    workers a week's ten donations had three large later ones of their donors (10,603
    coverage rows), none of them covering a worker of the week's 364 new rows."""
    first: dict[int, tuple[dt.date, int]] = {}
    for keys in in_chunks(donation_keys):
        for key, donor_key, received_on in conn.execute(
            select(Donation.id, Donation.donor_key, Donation.received_on).where(
                Donation.id.in_(keys)
            )
        ):
            first[donor_key] = min((received_on, key), first.get(donor_key, (received_on, key)))
    later: set[int] = set()
    for donor_key, (received_on, key) in first.items():
        later.update(
            conn.execute(
                select(Donation.id).where(
                    Donation.donor_key == donor_key,
                    or_(
                        Donation.received_on > received_on,
                        and_(Donation.received_on == received_on, Donation.id >= key),
                    ),
                )
            ).scalars()
        )
    found = set(donation_keys)
    candidates = sorted(later - found)
    for keys in in_chunks(workers):
        for donations in in_chunks(candidates):
            found.update(
                conn.execute(
                    select(Coverage.donation_key)
                    .where(Coverage.worker_key.in_(keys), Coverage.donation_key.in_(donations))
                    .distinct()
                ).scalars()
            )
    return found


def _covering_donations(conn: Connection, worker_keys: list[int]) -> set[int]:
    """The donations that cover ``worker_keys`` (``derived.refresh_workers``)."""
    found: set[int] = set()
    for keys in in_chunks(worker_keys):
        found.update(
            conn.execute(
                select(Coverage.donation_key).where(Coverage.worker_key.in_(keys)).distinct()
            ).scalars()
        )
    return found


@dataclass
class SinceReport:
    """What `check --since` verified and found. ``base`` None: no passing full check to start
    from (``why`` says which), and the full check ran instead."""

    violations: list[Violation]
    base: int | None = None
    base_at: dt.datetime | None = None
    why: Message | None = None
    change: Touched | None = None


def check_since(engine: Engine, as_of: dt.date | None = None) -> SinceReport:
    """The invariants of `check` for what changed since the last passing full check; the full
    check itself when there is none to start from."""
    as_of = as_of or dt.date.today()
    with engine.connect() as conn:
        base = last_full_check(conn)
        snapshot = None if base is None or base.violations else snapshot_of(conn, base.id)
    if snapshot is None:
        return SinceReport(full_check(engine, as_of), why=_no_base(base))
    with engine.connect() as conn:
        now = watermarks(conn)
        change = touched(conn, marks_of(base), now)
        found = [
            *spending_violations(conn, change.coverage_donations),
            *orphan_violations(conn, base.coverage_id),
            *overlap_violations(conn, change.workers),
            *confirmation_violations(conn, base.confirmation_id),
            *block_cost_violations(conn, base.coverage_id),
            *_keyed_violations(conn, change, marks_of(base)),
            *_aggregate_violations(conn, change.workers, marks_of(base), snapshot),
            *totals_violations(conn, as_of),
        ]
    with engine.begin() as conn:
        record_check_run(conn, "since", now, len(found), base_run=base.id)
    return SinceReport(found, base=base.id, base_at=base.at, change=change)


def _no_base(base) -> Message:
    if base is None:
        return message(N_("no full check is recorded"))
    if base.violations:
        return message(
            N_("the last full check (#{run}, {day}) found {count} violation(s)"),
            run=base.id,
            day=base.at.date().isoformat(),
            count=base.violations,
        )
    return message(
        N_("the last full check (#{run}, {day}) kept no snapshot: the ledger changed while it ran"),
        run=base.id,
        day=base.at.date().isoformat(),
    )


def _columns(table, columns) -> list:
    return [getattr(table, column) for column in columns]


def _stored(model, columns: tuple[str, ...], key: str):
    """The stored rows of ``model`` (its ``columns``) whose ``key`` is among a list of keys."""
    return lambda keys: select(*_columns(model, columns)).where(getattr(model, key).in_(keys))


# Each per-key derived table: its stored rows and its recomputation for a list of keys, and
# which keys of the change it is kept by.
KEYED = {
    "coverage_totals": (
        "coverage_donations",
        _stored(
            CoverageTotal,
            ("donation_key", "start_month", "months", "amount_idr", "row_count"),
            "donation_key",
        ),
        coverage_totals_query,
    ),
    "donor_workers": (
        "workers",
        _stored(DonorWorker, ("donor_key", "worker_key", "last_month", "continued"), "worker_key"),
        lambda keys: donor_workers_query(worker_keys=keys),
    ),
    "covered_workers": (
        "workers",
        _stored(
            CoveredWorker,
            ("worker_key", "last_month", "stimulus_months", "continued"),
            "worker_key",
        ),
        covered_workers_query,
    ),
    "confirmation_totals": (
        "confirmation_donations",
        _stored(
            ConfirmationTotal,
            ("donation_key", "confirmed_on", "confirmed_idr", "confirmed_rows"),
            "donation_key",
        ),
        confirmation_totals_query,
    ),
    "donation_cells": (
        "page_donations",
        _stored(DonationCell, CELL_COLUMNS, "donation_key"),
        donation_cells_query,
    ),
    "donation_flows": (
        "page_donations",
        _stored(DonationFlow, FLOW_COLUMNS, "donation_key"),
        donation_flows_query,
    ),
    "donation_claims": (
        "page_donations",
        _stored(DonationClaim, CLAIM_COLUMNS, "donation_key"),
        # The same rows; naming the donations' workers lets the planner start from them,
        # not from every paid claim of the programme.
        lambda keys: donation_claims_query(keys).where(
            Claim.worker_key.in_(select(Coverage.worker_key).where(Coverage.donation_key.in_(keys)))
        ),
    ),
    "worker_busy": (
        "busy_workers",
        _stored(WorkerBusy, WORKER_BUSY_COLUMNS, "worker_key"),
        worker_busy_query,
    ),
    "unconfirmed_coverage": (
        "confirmed_rows",
        _stored(UnconfirmedCoverage, UNCONFIRMED_COLUMNS, "coverage_key"),
        lambda keys: unconfirmed_coverage_query().where(Coverage.id.in_(keys)),
    ),
}


def _keyed_violations(conn: Connection, change: Touched, base: Watermarks) -> list[Violation]:
    """The per-key derived tables, both sides restricted to the keys the change touched."""
    found = []
    for table, (keyed_by, stored, expected) in KEYED.items():
        missing = extra = 0
        for keys in in_chunks(getattr(change, keyed_by)):
            more, beyond = except_counts(conn, stored(keys), expected(keys))
            missing, extra = missing + more, extra + beyond
        if table == "unconfirmed_coverage":
            # The coverage rows written since: each unconfirmed unless confirmed already.
            more, beyond = except_counts(
                conn,
                select(*_columns(UnconfirmedCoverage, UNCONFIRMED_COLUMNS)).where(
                    UnconfirmedCoverage.coverage_key > base.coverage_id
                ),
                unconfirmed_coverage_query(base.coverage_id),
            )
            missing, extra = missing + more, extra + beyond
        if missing or extra:
            found.append(derived_mismatch(table, missing, extra))
    return found


def _aggregate_violations(
    conn: Connection, workers: list[int], base: Watermarks, snapshot: dict[str, Counter]
) -> list[Violation]:
    """Each aggregate table equals the full check's copy, less what ``workers`` gave it at
    the watermarks, plus what they give it now."""
    then, now = _contributions(conn, workers, base), _contributions(conn, workers, None)
    stored = stored_aggregates(conn)
    found = []
    for name in AGGREGATES:
        expected = Counter(snapshot[name])
        expected.subtract(then[name])
        expected.update(now[name])
        expected = Counter({key: count for key, count in expected.items() if count})
        missing, extra = len(expected - stored[name]), len(stored[name] - expected)
        if missing or extra:
            found.append(derived_mismatch(name, missing, extra))
    return found


def _contributions(
    conn: Connection, workers: list[int], base: Watermarks | None
) -> dict[str, Counter]:
    """What the rows of ``workers`` add to each aggregate table (as of ``base``, or now)."""
    bounds = (
        {}
        if base is None
        else {
            "coverage_upto": base.coverage_id,
            "self_paid_upto": base.self_paid_id,
        }
    )
    found = {name: Counter() for name in AGGREGATES}
    donor_columns = AGGREGATES["donor_continuation"][1]
    programme_columns = AGGREGATES["programme_continuation"][1]
    span_columns = AGGREGATES["donor_spans"][1]
    for keys in in_chunks(workers):
        for donor_key, _worker, last_month, continued in conn.execute(
            donor_workers_query(worker_keys=keys, **bounds)
        ):
            key = normalised((donor_key, last_month, continued), donor_columns)
            found["donor_continuation"][key] += 1
        for _worker, last_month, stimulus_months, continued in conn.execute(
            covered_workers_query(keys, **bounds)
        ):
            key = normalised((last_month, stimulus_months, continued), programme_columns)
            found["programme_continuation"][key] += 1
        for span, count in donor_spans(conn, query=dated_rows(None, keys, **bounds)).items():
            found["donor_spans"][normalised(span, span_columns)] += count
    return found
