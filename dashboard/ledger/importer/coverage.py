"""Coverage (docs/contract.md "Files", coverage): bought outside the allocator; never before its
donation, never overlapping another coverage row or (v2) the worker's self-paid months,
never more than its donation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, select

from dashboard.core import values as v
from dashboard.core.errors import message
from dashboard.core.labels import N_
from dashboard.core.months import month_label, month_of
from dashboard.ledger.bulk import insert_rows
from dashboard.ledger.derived import last_coverage_id, refresh
from dashboard.ledger.importer.common import (
    ImportRun,
    Kind,
    Record,
    SpanLedger,
    overlap,
    parse_months,
    refuse_overlap,
    self_paid_spans,
    worker_keys,
)
from dashboard.ledger.schema import (
    COVERAGE_COLUMNS,
    Coverage,
    Donation,
    Worker,
    sum_int,
)


@dataclass(frozen=True, slots=True)
class _Funding:
    """What a coverage row is checked against: its donation's key, amount and first month."""

    key: int
    amount_idr: int
    received_on: dt.date
    first_month: int  # coverage may start in the month the donation was received or later


class CoverageRows(Kind):
    name = "coverage"
    label = N_("Coverage")
    table = Coverage
    checks_partial_rows = True

    def export_query(self) -> Select:
        return (
            select(
                Donation.donation_id,
                Worker.worker_id,
                Coverage.start_month,
                Coverage.months,
                Coverage.amount_idr,
            )
            .join(Donation, Donation.id == Coverage.donation_key)
            .join(Worker, Worker.id == Coverage.worker_key)
            .order_by(Coverage.id)
        )

    def export_row(self, row: tuple) -> list[str]:
        return [row[0], row[1], month_label(row[2]), str(row[3]), str(row[4])]

    def __init__(self) -> None:
        self.columns = {
            "donation_id": (v.parse_id, True),
            "worker_id": (v.parse_id, True),
            "start_month": (v.parse_month, True),
            "months": (parse_months, True),
            "amount_idr": (v.parse_money, True),
        }

    def start(self, run: ImportRun) -> None:
        if "since" not in run.state:  # a second reading, naming problems, keeps the first's
            run.state["since"] = last_coverage_id(run.conn)
        # No coverage before this file: every interval and every rupiah spent is this
        # file's own, already held in run.state, so the database need not be asked; and
        # overlaps are checked once, at the end (SpanLedger), not row by row.
        run.state["empty"] = run.state["since"] == 0
        naming = run.state.get("naming_problems")
        run.state["deferred"] = SpanLedger() if run.state["empty"] and not naming else None
        run.state["spans"] = {}  # worker key -> [(start, months, donation key, amount)]
        run.state["spent"] = {}  # donation key -> rupiah funded so far
        run.state["donations"] = {}  # donation_id -> _Funding

    def complete(self, run: ImportRun) -> bool:
        deferred: SpanLedger | None = run.state["deferred"]
        return deferred is None or deferred.clash_free()

    def second_reading(self, run: ImportRun) -> dict:
        return {"since": run.state["since"]}  # the ledger as it was before the first reading

    def finish(self, run: ImportRun) -> None:
        refresh(run.conn, run.state["since"])

    @staticmethod
    def _donations(run: ImportRun, rows: list[tuple[int, Record]]) -> dict[str, _Funding]:
        """Every donation the file names so far, each read once; with what it has funded."""
        known: dict[str, _Funding] = run.state["donations"]
        unseen = {r["donation_id"] for _, r in rows} - known.keys() - {None}
        if not unseen:
            return known
        found = run.conn.execute(
            select(
                Donation.donation_id, Donation.id, Donation.amount_idr, Donation.received_on
            ).where(Donation.donation_id.in_(sorted(unseen)))
        ).all()
        for donation_id, key, amount, received_on in found:
            known[donation_id] = _Funding(key, amount, received_on, month_of(received_on))
        if found and not run.state["empty"]:
            run.state["spent"].update(
                run.conn.execute(
                    select(Coverage.donation_key, sum_int(Coverage.amount_idr))
                    .where(Coverage.donation_key.in_([key for _, key, _, _ in found]))
                    .group_by(Coverage.donation_key)
                ).all()
            )
        return known

    @staticmethod
    def _load_spans(
        run: ImportRun, workers: dict[str, int], rows: list[tuple[int, Record]]
    ) -> None:
        """The coverage the ledger already holds for the chunk's workers not seen before."""
        spans = run.state["spans"]
        fresh = {workers[r["worker_id"]] for _, r in rows if r["worker_id"] in workers}
        fresh -= spans.keys()
        for key in fresh:
            spans[key] = []
        if not fresh:
            return
        for worker_key, start, months, donation_key, amount in run.conn.execute(
            select(
                Coverage.worker_key,
                Coverage.start_month,
                Coverage.months,
                Coverage.donation_key,
                Coverage.amount_idr,
            ).where(Coverage.worker_key.in_(sorted(fresh)))
        ):
            spans[worker_key].append((start, months, donation_key, amount))

    def apply(self, run: ImportRun, rows: list[tuple[int, Record]]) -> None:
        workers = worker_keys(run, (r["worker_id"] for _, r in rows))
        donations = self._donations(run, rows)
        if not run.state["empty"]:
            self._load_spans(run, workers, rows)
        spans: dict[int, list[tuple[int, int, int, int]]] = run.state["spans"]
        spent: dict[int, int] = run.state["spent"]
        deferred: SpanLedger | None = run.state["deferred"]
        self_paid = self_paid_spans(
            run, (workers[r["worker_id"]] for _, r in rows if r["worker_id"] in workers)
        )
        new = []
        for line, row in rows:
            worker_key = workers.get(row["worker_id"])
            funding = donations.get(row["donation_id"])
            if worker_key is None and row["worker_id"] is not None:
                run.fail(
                    line, "worker_id", row["worker_id"], N_("no such worker (import workers first)")
                )
            if funding is None and row["donation_id"] is not None:
                run.fail(
                    line,
                    "donation_id",
                    row["donation_id"],
                    N_("no such donation (import it first)"),
                )
            if worker_key is None or funding is None or run.partial(line):
                continue  # a bad cell (named already) leaves nothing more to compare
            start, months, amount = row["start_month"], row["months"], row["amount_idr"]
            held = None
            if deferred is not None:
                # Every row the row-by-row checks would compare, even one refused below for
                # another reason: a repeat of its start month or an overlap with it must
                # still send the file to the row-by-row reading, which names the problems
                # exactly as it would have (found by the end-of-file property test).
                deferred.add(worker_key, start, months)
            else:
                key = (worker_key, start)
                if not run.first_in_file(line, "start_month", key, month_label(start)):
                    continue
                held = spans.get(worker_key)
                if held is None:  # only into an empty ledger: _load_spans filled the others
                    held = spans[worker_key] = []
                if (start, months, funding.key, amount) in held:
                    run.result.unchanged += 1
                    continue
            if start < funding.first_month:
                run.fail(
                    line,
                    "start_month",
                    month_label(start),
                    message(
                        N_("coverage cannot start before the donation was received ({day})"),
                        day=funding.received_on.isoformat(),
                    ),
                )
                continue
            clash = None if held is None else overlap(held, start, months)
            if clash is not None:
                refuse_overlap(
                    run,
                    line,
                    row["worker_id"],
                    start,
                    clash,
                    N_("overlaps coverage of worker {worker} from {month} for {months} month(s)"),
                )
                continue
            paid = overlap(self_paid.get(worker_key, ()), start, months)
            if paid is not None:
                refuse_overlap(
                    run,
                    line,
                    row["worker_id"],
                    start,
                    paid,
                    N_(
                        "overlaps self-paid months of worker {worker} from {month} "
                        "for {months} month(s)"
                    ),
                )
                continue
            total = spent.get(funding.key, 0) + amount
            if total > funding.amount_idr:
                run.fail(
                    line,
                    "amount_idr",
                    amount,
                    message(
                        N_("donation {donation} would fund {total} of its {amount} rupiah"),
                        donation=row["donation_id"],
                        total=total,
                        amount=funding.amount_idr,
                    ),
                )
                continue
            spent[funding.key] = total
            if held is not None:
                held.append((start, months, funding.key, amount))
            new.append((funding.key, worker_key, start, months, amount, "import"))
        run.result.new += len(new)
        if run.writing:
            # Left to the end, a worker's start month may repeat: such a file is refused
            # there, and until then the repeat must not end the transaction.
            repeats = ("worker_key", "start_month") if deferred is not None else ()
            insert_rows(run.conn, Coverage, COVERAGE_COLUMNS, new, skip_existing=repeats)
