"""Money as text: the project's faster path gives exactly what Babel's format_currency gives."""

from __future__ import annotations

from fractions import Fraction

import pytest
from babel.numbers import format_currency, format_decimal
from hypothesis import given
from hypothesis import strategies as st

from dashboard.core.formatting import percent, ratio, rupiah, short_rupiah, usd


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


@pytest.mark.parametrize(
    ("amount", "id_text", "en_text"),
    [
        (19_123_456_789, "Rp 19,1 miliar", "IDR 19.1 billion"),  # 19.12... rounds down
        (19_150_000_000, "Rp 19,2 miliar", "IDR 19.2 billion"),  # exactly half: up
        (850_000_000, "Rp 850 juta", "IDR 850 million"),  # from 100 of a unit: whole
        (999_499_999, "Rp 999 juta", "IDR 999 million"),
        (999_500_000, "Rp 1 miliar", "IDR 1 billion"),  # 1,000 juta is 1 miliar
        (99_949_999, "Rp 99,9 juta", "IDR 99.9 million"),
        (99_950_000, "Rp 100 juta", "IDR 100 million"),
        (1_000_000, "Rp 1 juta", "IDR 1 million"),
        (999_999, "Rp 999.999", "IDR 999,999"),  # under a million: the exact amount
        (2_500_000_000_000, "Rp 2,5 triliun", "IDR 2.5 trillion"),
        (1_234_000_000_000_000, "Rp 1.234 triliun", "IDR 1,234 trillion"),  # no larger unit
        (-19_150_000_000, "-Rp 19,2 miliar", "-IDR 19.2 billion"),
    ],
)
def test_short_rupiah_says_an_amount_as_a_forum_does(amount, id_text, en_text):
    assert short_rupiah(amount, "id") == id_text
    assert short_rupiah(amount, "en") == en_text


def test_babel_compact_currency_is_not_what_a_forum_reads():
    """The control: Babel's own short form, which short_rupiah replaces."""
    from babel.numbers import format_compact_currency

    assert format_compact_currency(19_123_456_789, "IDR", locale="id", fraction_digits=1) != (
        short_rupiah(19_123_456_789, "id")
    )
