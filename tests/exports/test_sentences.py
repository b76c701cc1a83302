"""Sentences a CSR report quotes: occupations read as people in both languages."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard.core import labels
from dashboard.core.vocabulary import OCCUPATIONS
from dashboard.exports.sentences import claim_sentence

CLAIM = {
    "program": "JKK",
    "incident_month": dt.date(2025, 3, 1),
    "occupation": "home_industry",
    "age_band": "45–54",
    "province": "ID-JK",
    "amount_idr": 5_733_000,
}


def test_a_claim_names_a_person_not_a_trade():
    assert claim_sentence(CLAIM, "en").startswith(
        "In March 2025, a home-industry worker aged 45–54 in DKI Jakarta received a "
        "work-accident (JKK) benefit of IDR 5,733,000"
    )
    assert "seorang pekerja industri rumahan berusia 45–54 tahun di DKI Jakarta" in claim_sentence(
        CLAIM, "id"
    )
    death = {**CLAIM, "program": "JKM", "occupation": "motorcycle_taxi"}
    assert "the family of a motorcycle-taxi (ojek) driver aged" in claim_sentence(death, "en")
    assert "keluarga seorang pengemudi ojek berusia" in claim_sentence(death, "id")


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_occupation_has_a_person(lang):
    assert set(labels.OCCUPATION_PEOPLE) == set(OCCUPATIONS)
    people = [labels.occupation_person(code, lang) for code in OCCUPATIONS]
    assert all(people) and len(set(people)) == len(people)
