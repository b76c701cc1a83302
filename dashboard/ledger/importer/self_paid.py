"""Self-paid months (docs/contract.md "self_paid"): months a worker paid their own BPJS-TK
contributions, from BPJS-TK's records. They make a worker ineligible for a block that touches
them and measure continuation. Never before the worker registered, never overlapping another
self-paid row or a coverage row of the same worker; key (worker_id, start_month); immutable.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Select, select

from dashboard.core import values as v
from dashboard.core.errors import message
from dashboard.core.labels import N_
from dashboard.core.months import month_label, month_of
from dashboard.ledger.bulk import insert_rows
from dashboard.ledger.derived import last_self_paid_id, refresh_continued
from dashboard.ledger.importer.common import (
    ImportRun,
    Kind,
    Parser,
    Record,
    overlap,
    parse_months,
    refuse_overlap,
    self_paid_spans,
    worker_keys,
)
from dashboard.ledger.schema import SELF_PAID_COLUMNS, Coverage, Donation, SelfPaid, Worker


class SelfPaidRows(Kind):
    name = "self_paid"
    label = N_("Self-paid months")
    table = SelfPaid
    checks_partial_rows = True

    def export_query(self) -> Select:
        return (
            select(Worker.worker_id, SelfPaid.start_month, SelfPaid.months)
            .join(Worker, Worker.id == SelfPaid.worker_key)
            .order_by(SelfPaid.id)
        )

    def export_row(self, row: tuple) -> list[str]:
        return [row[0], month_label(row[1]), str(row[2])]

    def parsers(self, today: dt.date) -> dict[str, tuple[Parser, bool]]:
        return {
            "worker_id": (v.parse_id, True),
            "start_month": (v.parse_month, True),
            "months": (parse_months, True),
        }

    def start(self, run: ImportRun) -> None:
        run.state["since"] = last_self_paid_id(run.conn)

    def finish(self, run: ImportRun) -> None:
        refresh_continued(run.conn, run.state["since"])  # who continued, in the derived tables

    @staticmethod
    def _workers(run: ImportRun, keys: set[int]) -> tuple[dict, dict]:
        """For the chunk's workers: the first month each may pay for (registration), and the
        coverage each holds as (start, months, donation_id)."""
        first = dict(
            run.conn.execute(
                select(Worker.id, Worker.registered_on).where(Worker.id.in_(sorted(keys)))
            ).all()
        )
        coverage: dict[int, list[tuple[int, int, str]]] = {key: [] for key in keys}
        for worker_key, start, months, donation_id in run.conn.execute(
            select(Coverage.worker_key, Coverage.start_month, Coverage.months, Donation.donation_id)
            .join(Donation, Donation.id == Coverage.donation_key)
            .where(Coverage.worker_key.in_(sorted(keys)))
        ):
            coverage[worker_key].append((start, months, donation_id))
        return {key: month_of(day) for key, day in first.items()}, coverage

    def apply(self, run: ImportRun, rows: list[tuple[int, Record]]) -> None:
        workers = worker_keys(run, (r["worker_id"] for _, r in rows))
        keys = {workers[r["worker_id"]] for _, r in rows if r["worker_id"] in workers}
        held = self_paid_spans(run, keys)
        first_month, coverage = self._workers(run, keys)
        new = []
        for line, row in rows:
            worker_key = workers.get(row["worker_id"])
            if worker_key is None and row["worker_id"] is not None:
                run.fail(
                    line, "worker_id", row["worker_id"], N_("no such worker (import workers first)")
                )
            if worker_key is None or run.partial(line):
                continue  # a bad cell (named already) leaves nothing more to compare
            start, months = row["start_month"], row["months"]
            key = (worker_key, start)
            if not run.first_in_file(line, "start_month", key, month_label(start)):
                continue
            mine = held.setdefault(worker_key, [])  # a new worker: nothing paid yet
            same = next((span for span in mine if span[0] == start), None)
            if same is not None:
                if same[1] == months:
                    run.result.unchanged += 1
                else:
                    run.fail(
                        line,
                        "months",
                        months,
                        message(
                            N_(
                                "conflict: worker {worker} paid from {month} for {months} "
                                "month(s) (immutable)"
                            ),
                            worker=row["worker_id"],
                            month=month_label(start),
                            months=same[1],
                        ),
                    )
                continue
            if start < first_month[worker_key]:
                run.fail(
                    line,
                    "start_month",
                    month_label(start),
                    message(
                        N_("worker {worker} registered only in {month}"),
                        worker=row["worker_id"],
                        month=month_label(first_month[worker_key]),
                    ),
                )
                continue
            clash = overlap(mine, start, months)
            if clash is not None:
                refuse_overlap(
                    run,
                    line,
                    row["worker_id"],
                    start,
                    clash,
                    N_(
                        "overlaps self-paid months of worker {worker} from {month} "
                        "for {months} month(s)"
                    ),
                )
                continue
            covered = overlap(coverage[worker_key], start, months)
            if covered is not None:
                refuse_overlap(
                    run,
                    line,
                    row["worker_id"],
                    start,
                    covered,
                    N_(
                        "overlaps coverage of worker {worker} from {month} for {months} "
                        "month(s) (donation {donation})"
                    ),
                    donation=covered[2],
                )
                continue
            mine.append((start, months))
            new.append((worker_key, start, months))
        run.result.new += len(new)
        if run.writing:
            insert_rows(run.conn, SelfPaid, SELF_PAID_COLUMNS, new)
