"""Sentences a CSR report quotes: about groups, never one person; occupations read as people."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pandas as pd
import pytest

from dashboard.core import labels
from dashboard.core.vocabulary import OCCUPATIONS
from dashboard.exports.sentences import claims_sentences, continuation_by_type_takeaway

CLAIM = {
    "program": "JKK",
    "incident_month": dt.date(2026, 7, 1),
    "occupation": "market_porter",
    "age_band": "55–64",
    "province": "ID-SR",
    "amount_idr": 6_743_000,
}


def paid(*claims: dict) -> pd.DataFrame:
    return pd.DataFrame(list(claims))


@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_lone_claim_is_told_without_its_person_month_or_exact_amount(lang):
    """The sentence made to be published once read "In July 2026, a market porter aged
    55–64 in Sulawesi Barat received ... IDR 6,743,000": one person."""
    (sentence,) = claims_sentences(paid(CLAIM), 10, lang)
    exact = {"id": "6.743.000", "en": "6,743,000"}[lang]
    for detail in (
        exact,
        "55–64",
        "Sulawesi Barat",
        labels.occupation_person("market_porter", lang),
        labels.occupation("market_porter", lang),
        {"id": "Juli", "en": "July"}[lang],
    ):
        assert detail.casefold() not in sentence.casefold(), detail
    assert (
        sentence
        == {
            "en": "In 2026, fewer than 10 paid claims brought about IDR 7,000,000 to workers and "
            "their families, thanks to contributions paid from this donation.",
            "id": "Pada 2026, kurang dari 10 klaim dibayar menyalurkan sekitar Rp 7.000.000 kepada "
            "pekerja dan keluarganya, berkat iuran yang dibayar dari donasi ini.",
        }[lang]
    )


def test_a_year_of_k_claims_or_more_is_told_exactly_and_years_newest_first():
    many = [{**CLAIM, "amount_idr": 1_000_000 + i} for i in range(3)]  # 3,000,003 in 2026
    older = {**CLAIM, "incident_month": dt.date(2024, 2, 1), "amount_idr": 400_000}
    assert claims_sentences(paid(*many, older), 3, "en") == [
        "In 2026, 3 paid claims brought IDR 3,000,003 to workers and their families, thanks "
        "to contributions paid from this donation.",
        "In 2024, fewer than 3 paid claims brought less than IDR 1,000,000 to workers and "
        "their families, thanks to contributions paid from this donation.",
    ]
    assert claims_sentences(paid(CLAIM).iloc[:0], 10, "en") == []


def test_the_continuation_takeaway_gives_the_programme_rate_and_why_types_run_below():
    below = continuation_by_type_takeaway(Fraction(1, 2), [Fraction(1, 4), Fraction(2, 5)], "en")
    assert below == (
        "Every donor type's rate is below the programme's 50.0%, as expected: a worker whose "
        "protection passed to another donor counts as ended, not continued, for the type "
        "that protected them first."
    )
    mixed = continuation_by_type_takeaway(Fraction(1, 2), [Fraction(3, 5)], "id")
    assert mixed.startswith("Tingkat program adalah 50,0%.")
    assert continuation_by_type_takeaway(None, [Fraction(1, 4)], "en") is None


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_occupation_has_a_person(lang):
    assert set(labels.OCCUPATION_PEOPLE) == set(OCCUPATIONS)
    people = [labels.occupation_person(code, lang) for code in OCCUPATIONS]
    assert all(people) and len(set(people)) == len(people)
