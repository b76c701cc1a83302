"""Months as integers, so that coverage arithmetic is plain addition in Python and in SQL.

A month index is ``year * 12 + (month - 1)``: 2024-05 is 24292. Coverage rows store their start
month this way, so "does this row cover month m" is ``start_month <= m < start_month + months``
on every database.
"""

from __future__ import annotations

import datetime as dt


def month_index(year: int, month: int) -> int:
    """The month index of ``year``-``month``."""
    return year * 12 + (month - 1)


def month_of(day: dt.date) -> int:
    """The month index of the month containing ``day``."""
    return month_index(day.year, day.month)


def month_label(index: int) -> str:
    """``YYYY-MM`` for a month index."""
    year, month0 = divmod(index, 12)
    return f"{year:04d}-{month0 + 1:02d}"


def first_day(index: int) -> dt.date:
    """The first calendar day of a month index."""
    year, month0 = divmod(index, 12)
    return dt.date(year, month0 + 1, 1)
