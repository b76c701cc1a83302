"""docs/contract.md "Values": every accepted spelling, every refused one with its reason."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard.core import values as v
from dashboard.core import vocabulary
from dashboard.core.months import month_index

TODAY = dt.date(2026, 11, 24)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("1500000", 1_500_000),
        ("1.500.000", 1_500_000),
        ("Rp 1.500.000", 1_500_000),
        ("Rp1.500.000,00", 1_500_000),
        ("rp 16.800", 16_800),
        (" 42000000 ", 42_000_000),
        (300000, 300_000),  # an XLSX numeric cell
        (300000.0, 300_000),  # an XLSX numeric cell stored as a float, integral
    ],
)
def test_money_spellings_of_the_contract_are_accepted(raw, expected):
    assert v.parse_money(raw) == expected
    assert type(v.parse_money(raw)) is int


@pytest.mark.parametrize(
    "raw, reason",
    [
        ("1,500,000", "English digit grouping"),
        ("1.500.000,50", "fractions of a rupiah"),
        (1500.5, "fractions of a rupiah"),
        ("-5000", "negative"),
        ("Rp -5.000", "negative"),
        ("0", "greater than zero"),
        ("Rp 0", "greater than zero"),
        ("1.5000.000", "not a rupiah amount"),
        ("1500000 IDR", "not a rupiah amount"),
        ("USD 100", "not a rupiah amount"),
        (True, "not a rupiah amount"),
    ],
)
def test_money_spellings_outside_the_contract_are_refused_with_the_reason(raw, reason):
    with pytest.raises(v.Invalid, match=reason):
        v.parse_money(raw)


@given(st.integers(min_value=1, max_value=10**13))
def test_money_round_trips_through_indonesian_grouping(amount):
    grouped = f"{amount:,}".replace(",", ".")
    assert v.parse_money(grouped) == amount
    assert v.parse_money(f"Rp{grouped},00") == amount


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("2024-04-20", dt.date(2024, 4, 20)),
        ("20/04/2024", dt.date(2024, 4, 20)),
        ("5/9/2016", dt.date(2016, 9, 5)),
        ("2024-02-29", dt.date(2024, 2, 29)),
        (dt.datetime(2024, 4, 20), dt.date(2024, 4, 20)),  # an XLSX date cell
    ],
)
def test_dates_in_iso_or_indonesian_order_are_accepted(raw, expected):
    assert v.parse_date(raw, TODAY) == expected


@pytest.mark.parametrize(
    "raw, reason",
    [
        ("2023-02-29", "no such day"),
        ("31/04/2024", "no such day"),
        ("2026-11-25", "future"),
        ("04/20/2024", "no such day"),  # American order: month 20 does not exist
        ("20-04-2024", "YYYY-MM-DD or DD/MM/YYYY"),
        ("April 2024", "YYYY-MM-DD or DD/MM/YYYY"),
    ],
)
def test_impossible_or_future_dates_are_refused(raw, reason):
    with pytest.raises(v.Invalid, match=reason):
        v.parse_date(raw, TODAY)


def test_months_are_year_dash_month():
    assert v.parse_month("2015-07") == month_index(2015, 7)
    with pytest.raises(v.Invalid, match="no such month"):
        v.parse_month("2024-13")
    with pytest.raises(v.Invalid, match="YYYY-MM"):
        v.parse_month("07/2015")


@pytest.mark.parametrize("raw", ["A", "w-000123", "CSR.01_x", "x" * 64, "  D1  "])
def test_ids_of_the_contract_alphabet_are_accepted_trimmed(raw):
    assert v.parse_id(raw) == raw.strip()


@pytest.mark.parametrize("raw", ["", "D 1", "x" * 65, "dönor", "a/b", "<script>"])
def test_ids_outside_the_alphabet_are_refused(raw):
    with pytest.raises(v.Invalid):
        v.parse_id(raw)


def test_the_38_provinces_come_from_pycountry_without_island_groups():
    codes = vocabulary.provinces()
    assert len(codes) == 38
    assert {"ID-MA", "ID-JB", "ID-PD", "ID-PE", "ID-PS", "ID-PT"} <= set(codes)
    assert v.parse_province("id-ma") == "ID-MA"
    with pytest.raises(v.Invalid, match="island group"):
        v.parse_province("ID-JW")
    with pytest.raises(v.Invalid, match="ISO 3166-2:ID"):
        v.parse_province("Jawa Barat")


def test_occupations_are_the_contract_codes_case_insensitive():
    assert v.parse_occupation("Fisher") == "fisher"
    assert v.parse_occupation("MOTORCYCLE_TAXI") == "motorcycle_taxi"
    with pytest.raises(v.Invalid, match="occupation is one of"):
        v.parse_occupation("nelayan")


def test_gender_accepts_indonesian_initials():
    assert v.parse_gender("P") == "F"
    assert v.parse_gender("l") == "M"
    with pytest.raises(v.Invalid):
        v.parse_gender("X")


@pytest.mark.parametrize("raw", ["yes", "TRUE", "1", "ya"])
def test_show_name_yes_spellings(raw):
    assert v.parse_yes_no(raw) is True


@pytest.mark.parametrize("raw", ["no", "False", "0", "tidak"])
def test_show_name_no_spellings(raw):
    assert v.parse_yes_no(raw) is False


@pytest.mark.parametrize(
    ("parse", "raw"),
    [
        (v.parse_money, "１５０００００"),  # full-width digits
        (v.parse_money, "Rp １.５００.０００"),
        (v.parse_money, "١٥٠٠٠٠٠"),  # Arabic-Indic digits
        (lambda raw: v.parse_date(raw, dt.date(2026, 1, 1)), "２０２４-０５-０１"),
        (lambda raw: v.parse_date(raw, dt.date(2026, 1, 1)), "０１/０５/２０２４"),
        (v.parse_month, "２０２４-０５"),
        (lambda raw: v.parse_int_between(raw, 1, 60), "６"),
    ],
)
def test_digits_of_other_scripts_are_not_the_contracts_spellings(parse, raw):
    """Python's int() and \\d read them; the contract lists ASCII digits only."""
    with pytest.raises(v.Invalid):
        parse(raw)


def test_provinces_read_as_indonesians_write_them():
    from dashboard.core.vocabulary import provinces

    names = provinces()
    assert len(names) == 38
    assert names["ID-JK"] == "DKI Jakarta"
    assert names["ID-YO"] == "DI Yogyakarta"
    assert names["ID-PE"] == "Papua Pegunungan"  # the ISO list misspells it "Pengunungan"
    assert names["ID-JB"] == "Jawa Barat"
