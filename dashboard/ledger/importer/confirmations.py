"""Confirmations (docs/contract.md "confirmations"): BPJS-TK's word that the contribution of one
coverage row arrived. It names an existing coverage row by (donation_id, worker_id,
start_month), for exactly that row's amount, not before the donation was received; at most one
per coverage row; immutable.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Select, select

from dashboard.core import values as v
from dashboard.core.errors import message
from dashboard.core.labels import N_
from dashboard.core.months import month_label
from dashboard.ledger.bulk import insert_rows
from dashboard.ledger.derived import last_confirmation_id, refresh_confirmed
from dashboard.ledger.importer.common import (
    ImportRun,
    Kind,
    Parser,
    Record,
    cell_date,
    cell_text,
    worker_keys,
)
from dashboard.ledger.schema import CONFIRMATION_COLUMNS, Confirmation, Coverage, Donation, Worker


class Confirmations(Kind):
    name = "confirmations"
    label = N_("BPJS Ketenagakerjaan confirmations")
    table = Confirmation
    checks_partial_rows = True

    def export_query(self) -> Select:
        return (
            select(
                Donation.donation_id,
                Worker.worker_id,
                Coverage.start_month,
                Confirmation.confirmed_on,
                Confirmation.amount_idr,
                Confirmation.reference,
            )
            .join(Coverage, Coverage.id == Confirmation.coverage_key)
            .join(Donation, Donation.id == Coverage.donation_key)
            .join(Worker, Worker.id == Coverage.worker_key)
            .order_by(Confirmation.id)
        )

    def export_row(self, row: tuple) -> list[str]:
        return [
            row[0],
            row[1],
            month_label(row[2]),
            cell_date(row[3]),
            str(row[4]),
            cell_text(row[5]),
        ]

    def parsers(self, today: dt.date) -> dict[str, tuple[Parser, bool]]:
        return {
            "donation_id": (v.parse_id, True),
            "worker_id": (v.parse_id, True),
            "start_month": (v.parse_month, True),
            "confirmed_on": (lambda raw: v.parse_date(raw, today), True),
            "amount_idr": (v.parse_money, True),
            "reference": (v.parse_reference, False),
        }

    def start(self, run: ImportRun) -> None:
        run.state["donations"] = {}  # donation_id -> (key, received_on)
        run.state["since"] = last_confirmation_id(run.conn)

    def finish(self, run: ImportRun) -> None:
        refresh_confirmed(run.conn, run.state["since"])

    @staticmethod
    def _donations(run: ImportRun, rows: list[tuple[int, Record]]) -> dict[str, tuple]:
        known = run.state["donations"]
        unseen = sorted({r["donation_id"] for _, r in rows} - known.keys() - {None})
        if unseen:
            for donation_id, key, received_on in run.conn.execute(
                select(Donation.donation_id, Donation.id, Donation.received_on).where(
                    Donation.donation_id.in_(unseen)
                )
            ):
                known[donation_id] = (key, received_on)
        return known

    @staticmethod
    def _coverage(run: ImportRun, keys: set[int]) -> dict[tuple[int, int], tuple]:
        """(worker key, start month) -> (coverage key, donation key, amount, confirmation),
        for the chunk's workers; the confirmation is (confirmed_on, amount, reference) or None.
        """
        found = {}
        for row in run.conn.execute(
            select(
                Coverage.worker_key,
                Coverage.start_month,
                Coverage.id,
                Coverage.donation_key,
                Coverage.amount_idr,
                Confirmation.confirmed_on,
                Confirmation.amount_idr,
                Confirmation.reference,
            )
            .outerjoin(Confirmation, Confirmation.coverage_key == Coverage.id)
            .where(Coverage.worker_key.in_(sorted(keys)))
        ):
            confirmed = None if row[5] is None else (row[5], row[6], row[7])
            found[(row[0], row[1])] = (row[2], row[3], row[4], confirmed)
        return found

    def apply(self, run: ImportRun, rows: list[tuple[int, Record]]) -> None:
        workers = worker_keys(run, (r["worker_id"] for _, r in rows))
        donations = self._donations(run, rows)
        coverage = self._coverage(
            run, {workers[r["worker_id"]] for _, r in rows if r["worker_id"] in workers}
        )
        new = []
        for line, row in rows:
            worker_key = workers.get(row["worker_id"])
            donation = donations.get(row["donation_id"])
            if worker_key is None and row["worker_id"] is not None:
                run.fail(line, "worker_id", row["worker_id"], N_("no such worker"))
            if donation is None and row["donation_id"] is not None:
                run.fail(line, "donation_id", row["donation_id"], N_("no such donation"))
            if worker_key is None or donation is None or run.partial(line):
                continue  # a bad cell (named already) leaves nothing more to compare
            start = row["start_month"]
            found = coverage.get((worker_key, start))
            if found is None or found[1] != donation[0]:
                run.fail(
                    line,
                    "start_month",
                    month_label(start),
                    message(
                        N_(
                            "no coverage row of donation {donation} for worker {worker} "
                            "starts in {month}"
                        ),
                        donation=row["donation_id"],
                        worker=row["worker_id"],
                        month=month_label(start),
                    ),
                )
                continue
            coverage_key, donation_key, row_amount, confirmed = found
            if not run.first_in_file(line, "start_month", coverage_key, month_label(start)):
                continue
            content = (row["confirmed_on"], row["amount_idr"], row["reference"])
            if confirmed is not None:
                if confirmed == content:
                    run.result.unchanged += 1
                else:
                    run.fail(
                        line,
                        "confirmed_on",
                        row["confirmed_on"].isoformat(),
                        message(
                            N_(
                                "conflict: the coverage row of donation {donation} for worker "
                                "{worker} from {month} was confirmed on {day} for {amount} "
                                "(immutable)"
                            ),
                            donation=row["donation_id"],
                            worker=row["worker_id"],
                            month=month_label(start),
                            day=confirmed[0].isoformat(),
                            amount=confirmed[1],
                        ),
                    )
                continue
            if row["amount_idr"] != row_amount:
                run.fail(
                    line,
                    "amount_idr",
                    row["amount_idr"],
                    message(
                        N_(
                            "the coverage row's amount is {amount}, the confirmation says "
                            "{confirmed}: they must be equal"
                        ),
                        amount=row_amount,
                        confirmed=row["amount_idr"],
                    ),
                )
                continue
            if row["confirmed_on"] < donation[1]:
                run.fail(
                    line,
                    "confirmed_on",
                    row["confirmed_on"].isoformat(),
                    message(
                        N_("before donation {donation} was received ({day})"),
                        donation=row["donation_id"],
                        day=donation[1].isoformat(),
                    ),
                )
                continue
            new.append((coverage_key, donation_key, *content))
        run.result.new += len(new)
        if run.writing:
            insert_rows(run.conn, Confirmation, CONFIRMATION_COLUMNS, new)
