"""Numbers, rupiah and dates for people, through Babel: the only place figures become text."""

from __future__ import annotations

import datetime as dt
import functools
import math
from decimal import Decimal
from fractions import Fraction

from babel import Locale
from babel.dates import format_date
from babel.numbers import NumberPattern, format_decimal, format_percent, parse_pattern

DEFAULT_LOCALE = "id"


@functools.cache
def _locale(locale: str) -> Locale:
    return Locale.parse(locale)


@functools.cache
def _pattern(pattern: str) -> NumberPattern:
    return parse_pattern(pattern)


def _currency(value, currency: str, locale: str, pattern: str) -> str:
    """Babel's format_currency with the locale and pattern parsed once, not on every call: a
    donor page formats about 1,200 amounts a run (29 µs each through format_currency, 9 µs
    this way; the text is the same, see tests/core/test_formatting.py)."""
    return _pattern(pattern).apply(value, _locale(locale), currency=currency, currency_digits=False)


def rupiah(amount: int, locale: str = DEFAULT_LOCALE) -> str:
    """``Rp 1.234.567`` (id) or ``IDR 1,234,567`` (en): whole rupiah, never decimals."""
    return _currency(amount, "IDR", locale, "¤ #,##0")


def number(value: int, locale: str = DEFAULT_LOCALE) -> str:
    return format_decimal(value, locale=locale)


def date_text(day: dt.date, locale: str = DEFAULT_LOCALE, length: str = "medium") -> str:
    """``5 Sep 2016`` (id, medium); ``long`` gives ``5 September 2016``."""
    return format_date(day, length, locale=locale)


def month_text(day: dt.date, locale: str = DEFAULT_LOCALE) -> str:
    """``September 2024``: a month and year, spelled for the locale."""
    return format_date(day, "MMMM y", locale=locale)


def month_name(month: int, locale: str = DEFAULT_LOCALE) -> str:
    """The name of month 1-12 ("April", "April" in Indonesian too; "Januari")."""
    return _locale(locale).months["format"]["wide"][month]


def percent(value, locale: str = DEFAULT_LOCALE, *, down: bool = False) -> str:
    """``75,7%`` for a ratio (int, Fraction or Decimal), one decimal. ``down`` rounds toward
    zero, for a share that must not read as the whole while some is missing (99.96% of the
    money allocated is 99.9%, not 100.0%)."""
    if down:
        value = Fraction(math.floor(Fraction(value) * 1000), 1000)
    return format_percent(float(value), "#,##0.0%", locale=locale)


def usd(amount_idr: int, rupiah_per_usd: int, locale: str = DEFAULT_LOCALE) -> str:
    """Rupiah shown in US dollars at a rate the user entered (never fetched), whole dollars.

    Display only: the ledger's money stays integer rupiah; the division happens here.
    """
    dollars = (2 * amount_idr + rupiah_per_usd) // (2 * rupiah_per_usd)  # rounded half up
    return _currency(dollars, "USD", locale, "¤#,##0")


def ratio(value, locale: str = DEFAULT_LOCALE) -> str:
    """``0,45`` / ``0.45``: rupiah per rupiah is a ratio, not an amount of money; two
    decimals."""
    return format_decimal(round(float(value), 2), "#,##0.00", locale=locale)


# A forum's units, spelled out: Babel's compact forms ("Rp 19,1 M" in id, where M reads as
# "miliar" to some and "million" to others) are not what an audience reads off a projector.
SCALES = {
    "id": ((10**6, "juta"), (10**9, "miliar"), (10**12, "triliun")),
    "en": ((10**6, "million"), (10**9, "billion"), (10**12, "trillion")),
}


def _rounded(amount: int, unit: int) -> int:
    """``amount / unit`` rounded half up, in integers (money never passes through a float)."""
    return (2 * amount + unit) // (2 * unit)


def short_rupiah(amount: int, locale: str = DEFAULT_LOCALE) -> str:
    """``Rp 19,1 miliar`` (id) or ``IDR 19.1 billion`` (en): an amount as a forum says it.

    One decimal under 100 of a unit, whole from 100 (``Rp 850 juta``), the next unit from
    1,000 (999,96 juta is ``Rp 1 miliar``); under a million the exact amount. Formatting
    only: the exact value stays beside it on every slide (``rupiah``).
    """
    scales = SCALES.get(locale[:2], SCALES["en"])
    size = abs(amount)
    if size < scales[0][0]:
        return rupiah(amount, locale)
    sign = "-" if amount < 0 else ""
    symbol = "Rp" if locale[:2] == "id" else "IDR"
    for n, (unit, word) in enumerate(scales):
        last = n == len(scales) - 1
        tenths = _rounded(size, unit // 10)
        if tenths < 1000:  # under 100 of the unit: one decimal
            shown = format_decimal(Decimal(tenths).scaleb(-1), "#,##0.#", locale=locale)
        elif (whole := _rounded(size, unit)) >= 1000 and not last:
            continue
        else:
            shown = number(whole, locale)
        return f"{sign}{symbol} {shown} {word}"
    raise AssertionError("unreachable: the last unit always answers")
