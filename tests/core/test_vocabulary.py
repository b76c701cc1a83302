"""The contract's vocabulary is written once (dashboard.core.vocabulary); every label, colour
and tile is for a value it knows, and every value it knows has them."""

from __future__ import annotations

import pytest

from dashboard.core import labels, vocabulary


@pytest.mark.parametrize(
    ("known", "shown"),
    [
        (set(vocabulary.DONOR_TYPES), set(labels.DONOR_TYPES)),
        (set(vocabulary.DONOR_TYPES), set(labels.DONOR_TYPE_COLOURS)),
        (set(vocabulary.PROGRAMS), set(labels.PROGRAMS)),
        (set(vocabulary.PROGRAMS), set(labels.PROGRAM_COLOURS)),
        (set(vocabulary.OUTCOMES), set(labels.OUTCOMES)),
        (set(vocabulary.OUTCOMES), set(labels.OUTCOME_COLOURS)),
        (set(vocabulary.PACKAGES.values()), set(labels.PACKAGES)),
        (set(vocabulary.GENDERS.values()), set(labels.GENDERS)),
        (set(vocabulary.OCCUPATIONS), set(labels.OCCUPATION_PEOPLE)),
        (set(vocabulary.provinces()), set(labels.PROVINCE_TILES)),
    ],
    ids=[
        "donor types",
        "donor type colours",
        "programs",
        "program colours",
        "outcomes",
        "outcome colours",
        "packages",
        "genders",
        "occupations",
        "province tiles",
    ],
)
def test_every_value_has_its_label_and_every_label_a_value(known, shown):
    assert known == shown


def test_the_age_bands_in_order_name_every_band_a_worker_can_be_in():
    seen = {vocabulary.age_band_of(age) for age in range(0, 121)}
    assert seen == set(vocabulary.AGE_BAND_ORDER)
    assert vocabulary.AGE_BAND_ORDER[:3] == ("< 15", "15–24", "25–34")
    assert vocabulary.age_band_of(65) == vocabulary.age_band_of(99) == "65+"
    assert vocabulary.age_band_of(14) == "< 15"
