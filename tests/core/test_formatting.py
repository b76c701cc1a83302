"""Money as text: the project's faster path gives exactly what Babel's format_currency gives."""

from __future__ import annotations

from fractions import Fraction

from babel.numbers import format_currency, format_decimal
from hypothesis import given
from hypothesis import strategies as st

from dashboard.core.formatting import percent, ratio, rupiah, usd


@given(amount=st.integers(-(10**15), 10**15), lang=st.sampled_from(["id", "en"]))
def test_rupiah_reads_as_babel_writes_it(amount, lang):
    expected = format_currency(amount, "IDR", locale=lang, format="¤ #,##0", currency_digits=False)
    assert rupiah(amount, lang) == expected


@given(
    amount=st.integers(0, 10**13),
    rate=st.integers(1, 50_000),
    drawn_ratio=st.fractions(0, 100),
    lang=st.sampled_from(["id", "en"]),
)
def test_dollars_and_ratios_read_as_babel_writes_them(amount, rate, drawn_ratio, lang):
    dollars = (2 * amount + rate) // (2 * rate)
    assert usd(amount, rate, lang) == format_currency(
        dollars, "USD", locale=lang, format="¤#,##0", currency_digits=False
    )
    assert ratio(drawn_ratio, lang) == format_decimal(
        round(float(drawn_ratio), 2), "#,##0.00", locale=lang
    )


def test_the_two_languages_write_rupiah_their_own_way():
    assert rupiah(1_234_567, "id") == "Rp 1.234.567"
    assert rupiah(1_234_567, "en") == "IDR 1,234,567"


def test_a_share_that_is_not_the_whole_never_reads_as_all_of_it():
    almost = Fraction(9_996, 10_000)  # Rp 9,996 of Rp 10,000 allocated
    assert percent(almost, "en") == "100.0%"  # rounded: what the page must not say
    assert percent(almost, "en", down=True) == "99.9%"
    assert percent(Fraction(1), "id", down=True) == "100,0%"
