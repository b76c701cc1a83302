"""Money as text: the project's faster path gives exactly what Babel's format_currency gives."""

from __future__ import annotations

from babel.numbers import format_currency
from hypothesis import given
from hypothesis import strategies as st

from dashboard.core.formatting import rupiah, rupiah_ratio, usd


@given(amount=st.integers(-(10**15), 10**15), lang=st.sampled_from(["id", "en"]))
def test_rupiah_reads_as_babel_writes_it(amount, lang):
    expected = format_currency(amount, "IDR", locale=lang, format="¤ #,##0", currency_digits=False)
    assert rupiah(amount, lang) == expected


@given(
    amount=st.integers(0, 10**13),
    rate=st.integers(1, 50_000),
    ratio=st.fractions(0, 100),
    lang=st.sampled_from(["id", "en"]),
)
def test_dollars_and_ratios_read_as_babel_writes_them(amount, rate, ratio, lang):
    dollars = (2 * amount + rate) // (2 * rate)
    assert usd(amount, rate, lang) == format_currency(
        dollars, "USD", locale=lang, format="¤#,##0", currency_digits=False
    )
    assert rupiah_ratio(ratio, lang) == format_currency(
        round(float(ratio), 2), "IDR", locale=lang, format="¤ #,##0.00", currency_digits=False
    )


def test_the_two_languages_write_rupiah_their_own_way():
    assert rupiah(1_234_567, "id") == "Rp 1.234.567"
    assert rupiah(1_234_567, "en") == "IDR 1,234,567"
