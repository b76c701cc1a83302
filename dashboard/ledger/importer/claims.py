"""Claims (docs/contract.md "Files", claims): a re-import may only move a claim's status forward."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, insert, select, update

from dashboard.core import values as v
from dashboard.core import vocabulary
from dashboard.core.errors import message
from dashboard.core.labels import N_
from dashboard.core.months import month_of
from dashboard.ledger.check_runs import CLAIMS, record_changes
from dashboard.ledger.derived import ATTRIBUTED_PROGRAMS, refresh_workers
from dashboard.ledger.importer.common import (
    ImportRun,
    Kind,
    Parser,
    Record,
    cell_date,
    cell_text,
    existing_rows,
    worker_keys,
)
from dashboard.ledger.schema import Claim, Worker

STATUS_RANK = {"submitted": 0, "approved": 1, "paid": 2, "rejected": 2}


class Claims(Kind):
    name = "claims"
    label = N_("Claims")
    table = Claim
    checks_partial_rows = True

    def export_query(self) -> Select:
        return (
            select(
                Claim.claim_id,
                Worker.worker_id,
                Claim.program,
                Claim.incident_on,
                Claim.status,
                Claim.paid_on,
                Claim.amount_idr,
            )
            .join(Worker, Worker.id == Claim.worker_key)
            .order_by(Claim.id)
        )

    def export_row(self, row: tuple) -> list[str]:
        return [
            row[0],
            row[1],
            row[2],
            cell_date(row[3]),
            row[4],
            cell_date(row[5]),
            cell_text(row[6]),
        ]

    fixed = ("worker_key", "program", "incident_on")

    def parsers(self, today: dt.date) -> dict[str, tuple[Parser, bool]]:
        return {
            "claim_id": (v.parse_id, True),
            "worker_id": (v.parse_id, True),
            "program": (lambda raw: v.parse_choice(raw, vocabulary.PROGRAMS, upper=True), True),
            "incident_on": (lambda raw: v.parse_date(raw, today), True),
            "status": (lambda raw: v.parse_choice(raw, vocabulary.CLAIM_STATUSES), True),
            "paid_on": (lambda raw: v.parse_date(raw, today), False),
            "amount_idr": (v.parse_money, False),
        }

    def finish(self, run: ImportRun) -> None:
        # A JKK or JKM claim paid changes the outcome of the coverage row it happened in;
        # no other claim, and no other change, does.
        refresh_workers(run.conn, run.state.get("touched", ()), cells=False)
        record_changes(run.conn, CLAIMS, run.state.get("touched", ()))  # for `check --since`

    def apply(self, run: ImportRun, rows: list[tuple[int, Record]]) -> None:
        conn = run.conn
        workers = worker_keys(run, (r["worker_id"] for _, r in rows))
        existing = existing_rows(conn, Claim, Claim.claim_id, (r["claim_id"] for _, r in rows))
        new = []
        for line, row in rows:
            first = row["claim_id"] is None or run.first_in_file(line, "claim_id", row["claim_id"])
            worker_key = workers.get(row["worker_id"])
            if worker_key is None and row["worker_id"] is not None:
                run.fail(
                    line, "worker_id", row["worker_id"], N_("no such worker (import workers first)")
                )
            # Each check runs whatever the others found, so a row's problems come in one round.
            if not first or run.partial(line):
                continue
            if not self._consistent(run, line, row) or worker_key is None:
                continue
            record = {
                "claim_id": row["claim_id"],
                "worker_key": worker_key,
                "program": row["program"],
                "incident_on": row["incident_on"],
                "incident_month": month_of(row["incident_on"]),
                "status": row["status"],
                "paid_on": row["paid_on"],
                "amount_idr": row["amount_idr"],
            }
            old = existing.get(row["claim_id"])
            if old is None:
                new.append(record)
            else:
                self._update(run, line, row, old, record)
        run.result.new += len(new)
        if run.writing and new:
            conn.execute(insert(Claim), new)
            run.state.setdefault("touched", set()).update(
                r["worker_key"] for r in new if _attributable(r)
            )

    @staticmethod
    def _consistent(run: ImportRun, line: int, row: Record) -> bool:
        """docs/contract.md "claims": paid needs paid_on >= incident_on and amount_idr > 0."""
        if row["status"] == "paid":
            if row["paid_on"] is None:
                run.fail(line, "paid_on", None, N_("a paid claim needs paid_on"))
                return False
            if row["amount_idr"] is None:
                run.fail(line, "amount_idr", None, N_("a paid claim needs amount_idr > 0"))
                return False
            if row["paid_on"] < row["incident_on"]:
                run.fail(
                    line,
                    "paid_on",
                    row["paid_on"].isoformat(),
                    N_("paid before the incident happened"),
                )
                return False
        elif row["paid_on"] is not None:
            run.fail(
                line,
                "paid_on",
                row["paid_on"].isoformat(),
                message(N_("a {status} claim is not paid"), status=row["status"]),
            )
            return False
        return True

    def _update(self, run: ImportRun, line: int, row: Record, old: Any, record: Record) -> None:
        changed = [c for c in self.fixed if old[c] != record[c]]
        if changed:
            column = "worker_id" if changed[0] == "worker_key" else changed[0]
            run.fail(
                line,
                column,
                row[column],
                message(
                    N_(
                        "conflict: claim {claim} exists with other {column}; "
                        "a re-import may only move its status forward"
                    ),
                    claim=row["claim_id"],
                    column=column,
                ),
            )
            return
        moving = (old["status"], record["status"])
        if old["status"] == record["status"]:
            if (old["paid_on"], old["amount_idr"]) == (record["paid_on"], record["amount_idr"]):
                run.result.unchanged += 1
            else:
                run.fail(
                    line,
                    "amount_idr" if old["paid_on"] == record["paid_on"] else "paid_on",
                    record["amount_idr"] if old["paid_on"] == record["paid_on"] else row["paid_on"],
                    message(
                        N_(
                            "conflict: claim {claim} is already {status} with other payment details"
                        ),
                        claim=row["claim_id"],
                        status=old["status"],
                    ),
                )
            return
        if STATUS_RANK[moving[1]] <= STATUS_RANK[moving[0]]:
            run.fail(
                line,
                "status",
                record["status"],
                message(
                    N_(
                        "claim {claim} is {status}: status may only move forward "
                        "(submitted -> approved -> paid, or -> rejected)"
                    ),
                    claim=row["claim_id"],
                    status=old["status"],
                ),
            )
            return
        run.result.updated += 1
        if run.writing:
            changes = {k: record[k] for k in ("status", "paid_on", "amount_idr")}
            run.conn.execute(update(Claim).where(Claim.id == old["id"]).values(**changes))
            if _attributable(record):
                run.state.setdefault("touched", set()).add(old["worker_key"])


def _attributable(record: Record) -> bool:
    """A paid JKK or JKM claim (``derived.attributable_claim``, for one record)."""
    return record["status"] == "paid" and record["program"] in ATTRIBUTED_PROGRAMS
