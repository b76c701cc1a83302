"""Lapse alerts: the workers whose protection from a donor ends in the next 60 days, by month,
and what one more block would cost at today's rate (issue "the CSR manager's year", part 4)."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard.accounts.access import OPERATOR, Access
from dashboard.core.formatting import rupiah
from dashboard.core.months import first_day, month_index, month_of
from dashboard.exports.sentences import lapse_sentences
from queries.donor import Lapses, ending_months, lapses
from tests.ledgers import AUTUMN_DONATIONS
from tests.ledgers import lapsing_ledger as build

HOURGLASS = ":material/hourglass_bottom:"  # the alert's icon


@pytest.fixture
def autumn_donor(cli, tmp_path):
    """By hand, allocated in order of receipt and (registered_on, worker_id):
    H1 2026-09-15, 1 month for 2 workers -> A, B in 2026-10;
    H2 2026-09-20, 2 months for 1 -> C in 2026-10 .. 2026-11 (A, B are covered in 2026-10);
    H3 2026-09-25, 3 months for 1 -> D in 2026-10 .. 2026-12;
    H4 2026-10-05, 4 months for 1 -> A again, 2026-11 .. 2027-02 (A is free from 2026-11).
    The last month each worker has from L1: A 2027-02, B 2026-10, C 2026-11, D 2026-12."""
    build(
        cli,
        tmp_path,
        AUTUMN_DONATIONS,
    )


@pytest.mark.parametrize(
    ("since", "until", "first", "last"),
    [
        # Month ends from 1 November to 31 December: November and December.
        (dt.date(2026, 11, 1), dt.date(2026, 12, 31), (2026, 11), (2026, 12)),
        # 31 October ends that day; 30 December is not December's end.
        (dt.date(2026, 10, 31), dt.date(2026, 12, 30), (2026, 10), (2026, 11)),
        # 29 February of a leap year is a month's end.
        (dt.date(2028, 1, 15), dt.date(2028, 2, 29), (2028, 1), (2028, 2)),
        (dt.date(2027, 1, 15), dt.date(2027, 2, 27), (2027, 1), (2027, 1)),
    ],
)
def test_the_months_whose_last_day_falls_in_the_window(since, until, first, last):
    assert ending_months(since, until) == (month_index(*first), month_index(*last))


@pytest.mark.parametrize(
    ("since", "expected"),
    [
        # until 31 December: C ends 30 November, D 31 December; B ended 31 October, A later.
        (dt.date(2026, 11, 1), [((2026, 11), 1), ((2026, 12), 1)]),
        # until 30 December: B ends that very day (31 October), C in November; D not yet.
        (dt.date(2026, 10, 31), [((2026, 10), 1), ((2026, 11), 1)]),
        # until 30 January: D only.
        (dt.date(2026, 12, 1), [((2026, 12), 1)]),
        # until 1 April 2027 (not a month's end): A's 28 February is in, nothing else.
        (dt.date(2027, 1, 31), [((2027, 2), 1)]),
        (dt.date(2027, 3, 1), []),
    ],
)
def test_lapses_by_month_from_hand_computed_coverage(autumn_donor, engine, since, expected):
    found = lapses(engine, OPERATOR, "L1", since)
    assert found.until == since + dt.timedelta(days=60)
    assert found.months == tuple((month_index(*month), n) for month, n in expected)
    assert found.workers == sum(n for _, n in expected)
    # One block like the latest donation, H4: 4 months of JKK+JKM at 16,800.
    assert (found.block_months, found.package, found.monthly_idr) == (4, "jkk_jkm", 16_800)
    assert found.extension_idr == found.workers * 4 * 16_800


def test_lapses_are_the_donors_own(autumn_donor, engine):
    from dashboard.accounts.access import AccessDenied

    with pytest.raises(AccessDenied):
        lapses(engine, Access("someone@example.org", frozenset({"OTHER"})), "L1", dt.date.today())


def test_the_sentences_name_months_cost_and_rate_in_both_languages():
    found = Lapses(
        since=dt.date(2026, 11, 1),
        until=dt.date(2026, 12, 31),
        months=((month_index(2026, 11), 1_000), (month_index(2026, 12), 240)),
        block_months=3,
        package="jkk_jkm_jht",
        monthly_idr=16_800 + 20_000,
    )
    assert found.extension_idr == 1_240 * 3 * 36_800 == 136_896_000
    english = " ".join(lapse_sentences(found, "en"))
    assert english.startswith(
        "Workers whose protection from you ends in the next 60 days: "
        "1,240 (1,000 in November 2026 and 240 in December 2026)."
    )
    assert rupiah(136_896_000, "en") in english and rupiah(36_800, "en") in english
    assert "3 months" in english and "JHT" in english
    indonesian = " ".join(lapse_sentences(found, "id"))
    assert indonesian.startswith(
        "Pekerja yang perlindungannya dari Anda berakhir dalam 60 hari ke depan: 1.240 "
        "(1.000 pada November 2026 dan 240 pada Desember 2026)."
    )
    assert rupiah(136_896_000, "id") in indonesian
    assert lapse_sentences(Lapses(found.since, found.until, (), 3, "jkk_jkm", 16_800)) == []


def test_the_donor_page_warns_of_protection_ending_soon(
    open_page, cli, tmp_path, database_url, engine
):
    """Relative to today (T, this month): P1 protects A and B in T only; P2 protects C from
    T to T + 3, which ends more than 60 days from any day of T."""
    today = dt.date.today()
    before = first_day(month_of(today) - 1)
    build(
        cli,
        tmp_path,
        [
            ["P1", "L1", before.replace(day=10).isoformat(), "33600", "1"],
            ["P2", "L1", before.replace(day=11).isoformat(), "67200", "4"],
        ],
    )
    at = open_page(database_url, "donor_impact", donor="L1", lang="en")
    month = first_day(month_of(today)).strftime("%B %Y")
    warnings = [w.value for w in at.warning if w.icon == HOURGLASS]
    assert len(warnings) == 1, [w.value for w in at.warning]
    assert warnings[0].startswith(
        f"Workers whose protection from you ends in the next 60 days: 2 (2 in {month})."
    )
    # One block like P2 (4 months) for the 2 workers at 16,800.
    assert rupiah(2 * 4 * 16_800, "en") in warnings[0]
    # The same whatever period is chosen: a year before anything was donated.
    at = open_page(
        database_url,
        "donor_impact",
        donor="L1",
        lang="id",
        **{"from": "2020-01-01", "to": "2020-12-31"},
    )
    assert [w.value for w in at.warning if w.icon == HOURGLASS] == [
        " ".join(lapse_sentences(lapses(engine, OPERATOR, "L1", today), "id"))
    ]


def test_no_warning_when_nobodys_protection_ends_soon(open_page, april_donor, database_url):
    at = open_page(database_url, "donor_impact", donor="FY1", lang="en")
    # The demo banner is the only warning.
    assert at.warning and not [w for w in at.warning if w.icon == HOURGLASS]
