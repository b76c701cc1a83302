"""Donors (docs/contract.md "Files", donors): re-import may change name, type and show_name."""

from __future__ import annotations

from sqlalchemy import Select, insert, select, update

from dashboard.core import values as v
from dashboard.core import vocabulary
from dashboard.core.labels import N_
from dashboard.ledger.importer.common import (
    ImportRun,
    Kind,
    Record,
    cell_yes_no,
    existing_rows,
)
from dashboard.ledger.schema import Donor


class Donors(Kind):
    name = "donors"
    label = N_("Donors")
    table = Donor
    checks_partial_rows = True

    def export_query(self) -> Select:
        return select(Donor.donor_id, Donor.name, Donor.type, Donor.show_name).order_by(Donor.id)

    def export_row(self, row: tuple) -> list[str]:
        return [row[0], row[1], row[2], cell_yes_no(row[3])]

    def __init__(self) -> None:
        self.columns = {
            "donor_id": (v.parse_id, True),
            "name": (v.parse_name, True),
            "type": (lambda raw: v.parse_choice(raw, vocabulary.DONOR_TYPES), True),
            "show_name": (v.parse_yes_no, False),
        }

    def apply(self, run: ImportRun, rows: list[tuple[int, Record]]) -> None:
        existing = existing_rows(run.conn, Donor, Donor.donor_id, (r["donor_id"] for _, r in rows))
        new: list[Record] = []
        for line, row in rows:
            if row["donor_id"] is not None and not run.first_in_file(
                line, "donor_id", row["donor_id"]
            ):
                continue
            if run.partial(line):  # its bad cells are named already
                continue
            if row["show_name"] is None:  # personal donors stay anonymous unless they opt in
                row["show_name"] = row["type"] != "personal"
            old = existing.get(row["donor_id"])
            if old is None:
                new.append(row)
            elif (old["name"], old["type"], old["show_name"]) == (
                row["name"],
                row["type"],
                row["show_name"],
            ):
                run.result.unchanged += 1
            else:
                run.result.updated += 1
                if run.writing:
                    run.conn.execute(update(Donor).where(Donor.id == old["id"]).values(**row))
        run.result.new += len(new)
        if run.writing and new:
            run.conn.execute(insert(Donor), new)
