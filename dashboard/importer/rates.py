"""Rates (CONTRACT.md "Files", rates): the contribution schedule, immutable."""

from __future__ import annotations

from sqlalchemy import func, insert, select

from dashboard import values as v
from dashboard.importer.common import (
    ImportRun,
    Kind,
    Record,
)
from dashboard.months import month_label
from dashboard.schema import (
    Coverage,
    Rate,
)

BASE_RATE_MONTH = 2015 * 12 + 6  # 2015-07, CONTRACT.md "rates"


class Rates(Kind):
    name = "rates"

    def __init__(self) -> None:
        self.columns = {
            "effective_from": (v.parse_month, True),
            "monthly_idr": (v.parse_money, True),
        }

    def apply(self, run: ImportRun, rows: list[tuple[int, Record]]) -> None:
        existing = dict(run.conn.execute(select(Rate.effective_month, Rate.monthly_idr)).all())
        allocated_until = run.conn.execute(
            select(func.max(Coverage.start_month + Coverage.months - 1)).where(
                Coverage.source == "allocator"
            )
        ).scalar()
        new = []
        for line, row in rows:
            month, amount = row["effective_from"], row["monthly_idr"]
            if not run.first_in_file(line, "effective_from", month):
                continue
            label = month_label(month)
            if month in existing:
                if existing[month] == amount:
                    run.result.unchanged += 1
                else:
                    run.fail(
                        line,
                        "monthly_idr",
                        amount,
                        f"conflict: the rate from {label} is {existing[month]} (immutable)",
                    )
            elif month < BASE_RATE_MONTH:
                run.fail(line, "effective_from", label, "the rate schedule starts with 2015-07")
            elif allocated_until is not None and month <= allocated_until:
                run.fail(
                    line,
                    "effective_from",
                    label,
                    f"allocated coverage already runs until {month_label(allocated_until)} "
                    "at the rates in force; a new rate must start after it",
                )
            else:
                new.append({"effective_month": month, "monthly_idr": amount})
        run.result.new += len(new)
        if run.writing and new:
            run.conn.execute(insert(Rate), new)
