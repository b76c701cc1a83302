"""Workers (docs/contract.md "Files", workers): pseudonymous; re-import may change province and
occupation only."""

from __future__ import annotations

import datetime as dt
from operator import itemgetter

from sqlalchemy import Select, func, select, update

from dashboard.core import values as v
from dashboard.core.errors import message
from dashboard.core.labels import N_
from dashboard.ledger.bulk import insert_rows
from dashboard.ledger.check_runs import MOVED, record_changes
from dashboard.ledger.derived import refresh_worker_busy, refresh_workers
from dashboard.ledger.importer.common import (
    IdLedger,
    ImportRun,
    Kind,
    Parser,
    Record,
    cell_date,
    existing_rows,
)
from dashboard.ledger.schema import Worker, WorkerBusy

WORKER_COLUMNS = ("worker_id", "registered_on", "province", "occupation", "gender", "birth_year")


class Workers(Kind):
    name = "workers"
    label = N_("Workers")
    table = Worker
    bare = (Worker, WorkerBusy)
    checks_partial_rows = True

    def export_query(self) -> Select:
        return select(
            Worker.worker_id,
            Worker.registered_on,
            Worker.province,
            Worker.occupation,
            Worker.gender,
            Worker.birth_year,
        ).order_by(Worker.id)

    def export_row(self, row: tuple) -> list[str]:
        return [row[0], cell_date(row[1]), row[2], row[3], row[4], str(row[5])]

    refused_columns = {
        column: N_(
            "workers are pseudonymous: the ledger holds no names, national ids or phone numbers"
        )
        for column in ("name", "full_name", "nik", "national_id", "ktp", "phone", "phone_number")
    }
    mutable = ("province", "occupation")

    def parsers(self, today: dt.date) -> dict[str, tuple[Parser, bool]]:
        return {
            "worker_id": (v.parse_id, True),
            "registered_on": (lambda raw: v.parse_date(raw, today), True),
            "province": (v.parse_province, True),
            "occupation": (v.parse_occupation, True),
            "gender": (v.parse_gender, True),
            "birth_year": (lambda raw: v.parse_int_between(raw, 1940, today.year - 15), True),
        }

    def start(self, run: ImportRun) -> None:
        # Into an empty table (a new ledger, import-ledger) no row can exist already, and
        # repeated ids are looked for once, at the end (IdLedger). A second reading, naming
        # problems, keeps the first's view of the table.
        if "empty" not in run.state:
            run.state["empty"] = run.conn.execute(select(Worker.id).limit(1)).first() is None
        if "since" not in run.state:  # the new workers are those with a higher key
            run.state["since"] = run.conn.execute(
                select(func.coalesce(func.max(Worker.id), 0))
            ).scalar_one()
        naming = run.state.get("naming_problems")
        run.state["deferred"] = IdLedger() if run.state["empty"] and not naming else None

    def complete(self, run: ImportRun) -> bool:
        deferred: IdLedger | None = run.state["deferred"]
        return deferred is None or deferred.distinct()

    def second_reading(self, run: ImportRun) -> dict:
        return {"empty": run.state["empty"]}

    def finish(self, run: ImportRun) -> None:
        # A worker who moved province or occupation moves in the donor pages' tables.
        refresh_workers(run.conn, run.state.get("moved", ()))
        # The allocator's order of the new workers, and where the moved ones now are.
        refresh_worker_busy(run.conn, select(Worker.id).where(Worker.id > run.state["since"]))
        refresh_worker_busy(run.conn, sorted(run.state.get("moved", ())))
        record_changes(run.conn, MOVED, run.state.get("moved", ()))  # for `check --since`

    def apply(self, run: ImportRun, rows: list[tuple[int, Record]]) -> None:
        ids = (r["worker_id"] for _, r in rows)
        existing = (
            {} if run.state["empty"] else existing_rows(run.conn, Worker, Worker.worker_id, ids)
        )
        new: list[Record] = []
        deferred: IdLedger | None = run.state["deferred"]
        for line, row in rows:
            if row["worker_id"] is None:  # a bad id, named already
                continue
            if deferred is not None:
                deferred.add(row["worker_id"])
            elif not run.first_in_file(line, "worker_id", row["worker_id"]):
                continue
            if run.partial(line):  # its bad cells are named already
                continue
            old = existing.get(row["worker_id"])
            if old is None:
                new.append(row)
                continue
            fixed = [c for c in ("registered_on", "gender", "birth_year") if old[c] != row[c]]
            if fixed:
                column = fixed[0]
                run.fail(
                    line,
                    column,
                    row[column],
                    message(
                        N_(
                            "conflict: worker {worker} has {column} {value}; "
                            "a re-import may change only province and occupation"
                        ),
                        worker=row["worker_id"],
                        column=column,
                        value=old[column],
                    ),
                )
            elif all(old[c] == row[c] for c in self.mutable):
                run.result.unchanged += 1
            else:
                run.result.updated += 1
                if run.writing:
                    changes = {c: row[c] for c in self.mutable}
                    run.conn.execute(update(Worker).where(Worker.id == old["id"]).values(**changes))
                    run.state.setdefault("moved", set()).add(old["id"])
        run.result.new += len(new)
        if run.writing:
            # Left to the end, an id may repeat: such a file is refused there, and until
            # then the repeat must not end the transaction.
            insert_rows(
                run.conn,
                Worker,
                WORKER_COLUMNS,
                list(map(itemgetter(*WORKER_COLUMNS), new)),
                skip_existing=("worker_id",) if deferred is not None else (),
            )
