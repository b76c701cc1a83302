"""Rates (docs/contract.md "Files", rates): the contribution schedule, immutable.

v2: an optional ``jht_monthly_idr`` gives the JHT contribution from that month on; a row
without it keeps the JHT rate in force before it (20,000 from 2015-07 when none was given).
"""

from __future__ import annotations

from sqlalchemy import Select, func, insert, select

from dashboard.core import values as v
from dashboard.core import vocabulary
from dashboard.core.errors import message
from dashboard.core.labels import N_
from dashboard.core.months import month_label
from dashboard.ledger.importer.common import (
    ImportRun,
    Kind,
    Record,
    cell_text,
)
from dashboard.ledger.schema import (
    Coverage,
    Rate,
)

BASE_RATE_MONTH = 2015 * 12 + 6  # 2015-07, docs/contract.md "rates"


class Rates(Kind):
    name = "rates"
    label = N_("Contribution rates")
    table = Rate
    seeded = True  # every ledger starts with the base rate (docs/contract.md "rates")

    def export_query(self) -> Select:
        return select(Rate.effective_month, Rate.monthly_idr, Rate.jht_monthly_idr).order_by(
            Rate.effective_month
        )

    def export_row(self, row: tuple) -> list[str]:
        return [month_label(row[0]), str(row[1]), cell_text(row[2])]

    def __init__(self) -> None:
        self.columns = {
            "effective_from": (v.parse_month, True),
            "monthly_idr": (v.parse_money, True),
            "jht_monthly_idr": (v.parse_money, False),
        }

    def apply(self, run: ImportRun, rows: list[tuple[int, Record]]) -> None:
        existing = {
            month: (amount, jht)
            for month, amount, jht in run.conn.execute(
                select(Rate.effective_month, Rate.monthly_idr, Rate.jht_monthly_idr)
            )
        }
        allocated_until = run.conn.execute(
            select(func.max(Coverage.start_month + Coverage.months - 1)).where(
                Coverage.source == "allocator"
            )
        ).scalar()
        new = []
        for line, row in rows:
            month, amount, jht = row["effective_from"], row["monthly_idr"], row["jht_monthly_idr"]
            if month == BASE_RATE_MONTH and jht is None:
                # the schedule's first row always says its JHT rate
                jht = vocabulary.BASE_JHT_MONTHLY_IDR
            if not run.first_in_file(line, "effective_from", month, month_label(month)):
                continue
            label = month_label(month)
            if month in existing:
                old_amount, old_jht = existing[month]
                if (old_amount, old_jht) == (amount, jht):
                    run.result.unchanged += 1
                elif old_amount != amount:
                    run.fail(
                        line,
                        "monthly_idr",
                        amount,
                        message(
                            N_("conflict: the rate from {month} is {amount} (immutable)"),
                            month=label,
                            amount=old_amount,
                        ),
                    )
                else:
                    held = message(N_("none")) if old_jht is None else old_jht
                    run.fail(
                        line,
                        "jht_monthly_idr",
                        jht,
                        message(
                            N_("conflict: the JHT rate from {month} is {amount} (immutable)"),
                            month=label,
                            amount=held,
                        ),
                    )
            elif month < BASE_RATE_MONTH:
                run.fail(line, "effective_from", label, N_("the rate schedule starts with 2015-07"))
            elif allocated_until is not None and month <= allocated_until:
                run.fail(
                    line,
                    "effective_from",
                    label,
                    message(
                        N_(
                            "allocated coverage already runs until {month} at the rates in "
                            "force; a new rate must start after it"
                        ),
                        month=month_label(allocated_until),
                    ),
                )
            else:
                new.append(
                    {"effective_month": month, "monthly_idr": amount, "jht_monthly_idr": jht}
                )
        run.result.new += len(new)
        if run.writing and new:
            run.conn.execute(insert(Rate), new)
