"""Donations (docs/contract.md "Files", donations): immutable, each from a known donor."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Select, insert, select

from dashboard.core import values as v
from dashboard.core import vocabulary
from dashboard.core.errors import message
from dashboard.core.labels import N_
from dashboard.ledger.importer.common import (
    ImportRun,
    Kind,
    Parser,
    Record,
    cell_date,
    cell_text,
    existing_rows,
    keys_by_id,
    parse_months,
)
from dashboard.ledger.schema import (
    Donation,
    Donor,
)


class Donations(Kind):
    name = "donations"
    label = N_("Donations")
    table = Donation
    checks_partial_rows = True

    def export_query(self) -> Select:
        return (
            select(
                Donation.donation_id,
                Donor.donor_id,
                Donation.received_on,
                Donation.amount_idr,
                Donation.months_per_worker,
                Donation.earmark_province,
                Donation.earmark_occupation,
                Donation.package,
            )
            .join(Donor, Donor.id == Donation.donor_key)
            .order_by(Donation.id)
        )

    def export_row(self, row: tuple) -> list[str]:
        return [
            row[0],
            row[1],
            cell_date(row[2]),
            str(row[3]),
            str(row[4]),
            cell_text(row[5]),
            cell_text(row[6]),
            row[7],
        ]

    immutable = (
        "received_on",
        "amount_idr",
        "months_per_worker",
        "earmark_province",
        "earmark_occupation",
        "package",
    )

    def parsers(self, today: dt.date) -> dict[str, tuple[Parser, bool]]:
        return {
            "donation_id": (v.parse_id, True),
            "donor_id": (v.parse_id, True),
            "received_on": (lambda raw: v.parse_date(raw, today), True),
            "amount_idr": (v.parse_money, True),
            "months_per_worker": (parse_months, False),
            "earmark_province": (v.parse_province, False),
            "earmark_occupation": (v.parse_occupation, False),
            "package": (v.parse_package, False),
        }

    def apply(self, run: ImportRun, rows: list[tuple[int, Record]]) -> None:
        ids = [r["donation_id"] for _, r in rows]
        existing = existing_rows(run.conn, Donation, Donation.donation_id, ids)
        donors = keys_by_id(run.conn, Donor.donor_id, Donor.id, (r["donor_id"] for _, r in rows))
        new = []
        for line, row in rows:
            # Each check runs whatever the others found (a None cell was bad and is named
            # already), so a row's every problem is listed in one round.
            first = row["donation_id"] is None or run.first_in_file(
                line, "donation_id", row["donation_id"]
            )
            donor_key = donors.get(row["donor_id"])
            if donor_key is None and row["donor_id"] is not None:
                run.fail(
                    line, "donor_id", row["donor_id"], N_("no such donor (import donors first)")
                )
            if not first or donor_key is None or run.partial(line):
                continue
            row["months_per_worker"] = row["months_per_worker"] or 6
            row["package"] = row["package"] or vocabulary.JKK_JKM
            old = existing.get(row["donation_id"])
            if old is None:
                new.append(
                    {"donor_key": donor_key, **{k: x for k, x in row.items() if k != "donor_id"}}
                )
                continue
            changed = [c for c in self.immutable if old[c] != row[c]]
            if old["donor_key"] != donor_key:
                changed.insert(0, "donor_id")
            if changed:
                run.fail(
                    line,
                    changed[0],
                    row[changed[0]],
                    message(
                        N_(
                            "conflict: donation {donation} exists with other content; "
                            "donations are immutable"
                        ),
                        donation=row["donation_id"],
                    ),
                )
            else:
                run.result.unchanged += 1
        run.result.new += len(new)
        if run.writing and new:
            run.conn.execute(insert(Donation), new)
