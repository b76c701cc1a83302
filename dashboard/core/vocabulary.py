"""The contract's vocabulary, in one place: donor types, genders, programs, packages, claim
statuses, occupations, provinces, age bands and a worker's outcomes (docs/contract.md
"Values"). Parsers (``dashboard.core.values``), labels in both languages
(``dashboard.core.labels``) and queries read these; ``tests/core/test_vocabulary.py``
fails when a value has no label.
"""

from __future__ import annotations

from functools import cache

import pycountry

MAX_IDR = 9_223_372_036_854_775_807  # BIGINT

DONOR_TYPES = ("corporate", "soe", "personal", "community")
GENDERS = {"F": "F", "M": "M", "P": "F", "L": "M"}  # perempuan / laki-laki
PROGRAMS = ("JKK", "JKM", "JHT")
# docs/contract.md "rates": the JHT schedule starts 2015-07 -> 20,000 (2% of Rp 1,000,000).
BASE_JHT_MONTHLY_IDR = 20_000
# docs/contract.md "donations": what a donation's blocks pay for.
JKK_JKM = "jkk_jkm"
JKK_JKM_JHT = "jkk_jkm_jht"
PACKAGES = {
    "jkk_jkm": JKK_JKM,
    "jkk+jkm": JKK_JKM,
    "jkk_jkm_jht": JKK_JKM_JHT,
    "jkk+jkm+jht": JKK_JKM_JHT,
}
CLAIM_STATUSES = ("submitted", "approved", "paid", "rejected")
OCCUPATIONS = {
    "farmer": "petani",
    "fisher": "nelayan",
    "street_vendor": "pedagang kaki lima",
    "motorcycle_taxi": "ojek",
    "domestic_worker": "pekerja rumah tangga",
    "construction_laborer": "buruh bangunan",
    "market_porter": "buruh gendong/kuli pasar",
    "waste_picker": "pemulung",
    "home_industry": "industri rumahan",
    "other": "lainnya",
}


# Where the ISO list's names are not how Indonesians write them: its Jakarta and
# Yogyakarta are not the official names, and "Pengunungan" is a misspelling.
PROVINCE_NAMES = {
    "ID-JK": "DKI Jakarta",
    "ID-YO": "DI Yogyakarta",
    "ID-PE": "Papua Pegunungan",
}


@cache
def provinces() -> dict[str, str]:
    """ISO 3166-2:ID code -> name for the 38 provinces (island groups are not provinces),
    as Indonesians write them (``PROVINCE_NAMES`` over the ISO list)."""
    return {
        sub.code: PROVINCE_NAMES.get(sub.code, sub.name)
        for sub in pycountry.subdivisions.get(country_code="ID")
        if sub.type != "Geographical unit"
    }


# A worker's age in the year asked about, in bands of ten years from 15 (docs/contract.md
# "workers": a birth year is at least 15 years before this year).
AGE_BANDS = ((15, 24), (25, 34), (35, 44), (45, 54), (55, 64), (65, 200))
UNDER_AGE = "< 15"


def age_band_label(low: int, high: int) -> str:
    return f"{low}+" if high >= 200 else f"{low}–{high}"


AGE_BAND_ORDER = (UNDER_AGE, *(age_band_label(low, high) for low, high in AGE_BANDS))


def age_band_of(age: int) -> str:
    """The age band (``25–34``) of a worker of ``age`` years."""
    for low, high in AGE_BANDS:
        if low <= age <= high:
            return age_band_label(low, high)
    return UNDER_AGE


# What became of a covered worker, as the donor page's flow shows it: protected with no
# claim, a JKK claim paid, a JKM claim paid.
OUTCOMES = ("protected", "JKK", "JKM")
