"""queries.donor on docs/contract.md's worked example, every answer computed by hand.

X (300,000, received 2024-04-20, 6 months) buys two blocks of 113,600 for A (ID-MA fisher,
M, born 1980) and B (ID-JB farmer, F, born 1975), 2024-05..2024-10; A's JKK claim of
5,000,000 on 2024-09-03 is made possible by X, the one of 2024-11-01 is not.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest
from sqlalchemy import func, select

from dashboard.accounts.access import Access
from dashboard.core.errors import LedgerError
from dashboard.ledger.schema import Donation, DonationClaim, Donor
from queries import donor
from queries.checks import check_ledger
from queries.figures import ALL_TIME, Period
from tests.conftest import TODAY, write_csv
from tests.ledgers import CLAIM_HEADER, edge_ledger, import_all, worked_example

EVERYONE = Access.everything("test")
BLOCK = 2 * 16_800 + 4 * 20_000  # 113,600
YEAR_2023 = Period(dt.date(2023, 1, 1), dt.date(2023, 12, 31))


@pytest.fixture
def example(cli, tmp_path, engine):
    import_all(cli, worked_example(tmp_path))
    assert cli("allocate").exit_code == 0
    return engine


def test_headline_figures_and_board_ratios(example):
    headline = donor.headline(example, EVERYONE, "D1", as_of=TODAY)
    assert headline.figures.allocated_idr == 2 * BLOCK
    assert headline.allocated_share == Fraction(227_200, 300_000)
    assert headline.cost_per_worker_month == 18_933  # 227,200 / 12 = 18,933.33
    assert headline.claims_per_rupiah == Fraction(5_000_000, 227_200)


def test_a_period_without_donations_has_no_ratios(example):
    headline = donor.headline(example, EVERYONE, "D1", YEAR_2023, TODAY)
    assert headline.figures.donated_idr == 0
    assert headline.allocated_share is None
    assert headline.cost_per_worker_month is None
    assert headline.claims_per_rupiah is None


def test_the_donation_trail(example):
    trail = donor.donations(example, EVERYONE, "D1")
    assert trail.to_dict("records") == [
        {
            "donation_id": "X",
            "received_on": dt.date(2024, 4, 20),
            "amount_idr": 300_000,
            "allocated_idr": 227_200,
            "balance_idr": 72_800,
            "workers": 2,
            "protected_months": 12,
            "months_per_worker": 6,
            "earmark_province": None,
            "earmark_occupation": None,
            "package": "jkk_jkm",
            "confirmed_idr": 0,  # nothing confirmed yet: both rows await BPJS-TK
            "confirmed_rows": 0,
            "unconfirmed_rows": 2,
        }
    ]
    assert donor.donations(example, EVERYONE, "D1", YEAR_2023).empty


def test_a_donation_expands_to_its_coverage_rows(example):
    rows = donor.donation_coverage(example, EVERYONE, "D1", "X")
    assert rows.to_dict("records") == [
        {
            "worker_id": "A",
            "province": "ID-MA",
            "occupation": "fisher",
            "start_month": "2024-05",
            "months": 6,
            "amount_idr": BLOCK,
            "confirmed_on": None,
            "reference": None,
        },
        {
            "worker_id": "B",
            "province": "ID-JB",
            "occupation": "farmer",
            "start_month": "2024-05",
            "months": 6,
            "amount_idr": BLOCK,
            "confirmed_on": None,
            "reference": None,
        },
    ]


def test_confirmations_show_in_the_trail_and_the_unconfirmed_rows_are_listed(
    cli, example, tmp_path
):
    from tests.conftest import write_csv

    confirmed = write_csv(
        tmp_path,
        "confirmations.csv",
        ["donation_id", "worker_id", "start_month", "confirmed_on", "amount_idr", "reference"],
        [["X", "B", "2024-05", "2024-05-06", str(BLOCK), "TK-9"]],
    )
    assert cli("import", "confirmations", confirmed).exit_code == 0
    trail = donor.donations(example, EVERYONE, "D1").iloc[0]
    assert (trail["confirmed_idr"], trail["confirmed_rows"], trail["unconfirmed_rows"]) == (
        BLOCK,
        1,
        1,
    )
    rows = donor.donation_coverage(example, EVERYONE, "D1", "X")
    # the row still awaiting confirmation comes first
    assert rows[["worker_id", "confirmed_on", "reference"]].values.tolist() == [
        ["A", None, None],
        ["B", dt.date(2024, 5, 6), "TK-9"],
    ]
    pending = donor.unconfirmed(example, EVERYONE, "D1")
    assert pending.to_dict("records") == [
        {
            "donation_id": "X",
            "worker_id": "A",
            "start_month": "2024-05",
            "months": 6,
            "amount_idr": BLOCK,
        }
    ]
    headline = donor.headline(example, EVERYONE, "D1", as_of=TODAY)
    assert headline.confirmed_share == Fraction(1, 2)
    # the list reads unconfirmed_coverage, which the import kept equal to a recomputation
    assert check_ledger(example, TODAY) == []


def test_monthly_protected_workers_and_cumulative_money(example):
    months = donor.monthly(example, EVERYONE, "D1")
    assert list(months["month"]) == [dt.date(2024, m, 1) for m in range(4, 11)]
    assert list(months["protected_workers"]) == [0, 2, 2, 2, 2, 2, 2]
    assert list(months["donated_idr"]) == [300_000, 0, 0, 0, 0, 0, 0]
    assert list(months["cumulative_allocated_idr"]) == [0] + [227_200] * 6
    assert list(months["cumulative_donated_idr"]) == [300_000] * 7
    assert donor.monthly(example, EVERYONE, "D1", YEAR_2023).empty


@pytest.mark.parametrize(
    "by, expected",
    [
        ("province", [("ID-JB", 1, 6, BLOCK), ("ID-MA", 1, 6, BLOCK)]),
        ("occupation", [("farmer", 1, 6, BLOCK), ("fisher", 1, 6, BLOCK)]),
        ("gender", [("F", 1, 6, BLOCK), ("M", 1, 6, BLOCK)]),
        ("age_band", [("45–54", 2, 12, 2 * BLOCK)]),  # 46 and 51 in 2026
    ],
)
def test_who_was_protected(example, by, expected):
    frame = donor.breakdown(donor.profile(example, EVERYONE, "D1", as_of=TODAY), by)
    assert [tuple(row) for row in frame.itertuples(index=False)] == expected


def test_the_flow_from_money_to_outcome(example):
    frame = donor.flow(example, EVERYONE, "D1")
    assert sorted(tuple(r) for r in frame.itertuples(index=False)) == [
        (2024, "ID-JB", "farmer", "protected", 1, BLOCK),
        (2024, "ID-MA", "fisher", "JKK", 1, BLOCK),
    ]


def test_claims_made_possible_are_anonymised(example):
    frame = donor.claims(example, EVERYONE, "D1", as_of=TODAY)
    assert frame.to_dict("records") == [
        {
            "program": "JKK",
            "incident_month": dt.date(2024, 9, 1),
            "province": "ID-MA",
            "occupation": "fisher",
            "age_band": "45–54",
            "amount_idr": 5_000_000,
        }
    ]
    assert not {"worker_id", "claim_id"} & set(frame.columns)


def test_the_claims_list_runs_by_incident_month_then_programme_largest_first(demo_engine):
    """The order the page, the statement and the deck list claims in (sorted by the code,
    not the database): every claim of the donor paid by then, each once."""
    largest = donor.donors(demo_engine, EVERYONE).iloc[0]["donor_id"]
    frame = donor.claims(demo_engine, EVERYONE, largest, as_of=TODAY)
    keys = list(zip(frame["incident_month"], frame["program"], -frame["amount_idr"], strict=True))
    assert keys == sorted(keys)
    # months with several claims of one programme: the amount decides their order
    assert frame["incident_month"].duplicated().sum() >= 3
    assert frame.duplicated(["incident_month", "program"]).sum() >= 3
    with demo_engine.connect() as conn:
        paid = conn.execute(
            select(func.count())
            .select_from(DonationClaim)
            .join(Donation, Donation.id == DonationClaim.donation_key)
            .join(Donor, Donor.id == Donation.donor_key)
            .where(Donor.donor_id == largest, DonationClaim.paid_on <= TODAY)
        ).scalar_one()
    assert len(frame) == paid


def test_donors_for_the_picker_largest_first(example):
    frame = donor.donors(example, EVERYONE)
    assert frame.to_dict("records") == [
        {"donor_id": "D1", "name": "PT Contoh Peduli", "type": "corporate", "donated_idr": 300_000}
    ]
    info = donor.donor_info(example, EVERYONE, "D1")
    assert (info.first_donation, info.last_donation) == (dt.date(2024, 4, 20), dt.date(2024, 4, 20))
    assert donor.donor_info(example, EVERYONE, "NOPE") is None


def test_an_unknown_donor_is_a_ledger_error(example):
    with pytest.raises(LedgerError, match="no donor with id 'NOPE'"):
        donor.donations(example, EVERYONE, "NOPE")


@pytest.fixture
def example_v3(cli, tmp_path, engine):
    """docs/contract.md "As of": the worked example with one paid JKK claim of A (incident
    2024-08-10, paid 2024-09-05), and A's block confirmed by BPJS-TK on 2024-10-15."""
    files = worked_example(tmp_path)
    files["claims"] = write_csv(
        tmp_path,
        "claims-v3.csv",
        CLAIM_HEADER,
        [["K1", "A", "JKK", "2024-08-10", "paid", "2024-09-05", "5000000"]],
    )
    import_all(cli, files)
    assert cli("allocate").exit_code == 0
    confirmations = write_csv(
        tmp_path,
        "confirmations.csv",
        ["donation_id", "worker_id", "start_month", "confirmed_on", "amount_idr"],
        [["X", "A", "2024-05", "2024-10-15", "113600"]],
    )
    assert cli("import", "confirmations", confirmations).exit_code == 0
    return engine


def test_every_list_of_the_donor_page_is_cut_off_at_its_day(example_v3):
    """A day's claims, flow, trail and rows awaiting confirmation show nothing of later date,
    so they agree with the day's headline."""
    everything = Access.everything("t")
    august, september = dt.date(2024, 8, 31), dt.date(2024, 9, 30)

    def claims(day):
        return len(donor.claims(example_v3, everything, "D1", ALL_TIME, day))

    assert (claims(august), claims(september), claims(None)) == (0, 1, 1)

    def outcomes(day):
        flow = donor.flow(example_v3, everything, "D1", ALL_TIME, day)
        return dict(flow.groupby("outcome")["allocated_idr"].sum())

    assert outcomes(august) == {"protected": 227_200}  # the claim is not paid yet
    assert outcomes(september) == outcomes(None) == {"JKK": 113_600, "protected": 113_600}

    def confirmed(day):
        trail = donor.donations(example_v3, everything, "D1", ALL_TIME, day)
        return int(trail["confirmed_idr"].sum()), int(trail["unconfirmed_rows"].sum())

    assert confirmed(september) == (0, 2)
    assert confirmed(dt.date(2024, 10, 15)) == confirmed(None) == (113_600, 1)

    def waiting(day):
        return sorted(donor.unconfirmed(example_v3, everything, "D1", ALL_TIME, day)["worker_id"])

    assert waiting(september) == ["A", "B"]
    assert waiting(dt.date(2024, 10, 15)) == waiting(None) == ["B"]
    headline = donor.headline(example_v3, everything, "D1", ALL_TIME, september).figures
    assert (headline.claims_paid_count, headline.confirmed_idr) == (claims(september), 0)


def test_the_digests_claims_by_month_are_those_paid_by_the_months_end(example_v3):
    everything = Access.everything("t")
    august = 2024 * 12 + 7  # the claim's incident month (2024-08)
    before_paid = donor.claims_by_month(
        example_v3, everything, "D1", august, august, dt.date(2024, 8, 31)
    )
    assert before_paid == {}  # paid 2024-09-05: not yet, at August's end
    paid = donor.claims_by_month(example_v3, everything, "D1", august, august, dt.date(2024, 9, 30))
    assert paid == {august: (1, 5_000_000)}


def test_the_unconfirmed_list_runs_by_month_then_donation_then_worker(cli, engine, tmp_path):
    """D1's rows of the edge ledger, sorted by hand: all but (X1, A, 2024-07), confirmed on
    2024-07-05. X1 was received 2024-01-15, X2 and X3 2024-02-10; X1's imported rows start
    in its own month, and later than X2's and X3's. One more row, (X2, E, 2024-03), puts
    donation order and worker order at odds within a month."""
    edge_ledger(cli, tmp_path)
    more = write_csv(
        tmp_path,
        "more_coverage.csv",
        ["donation_id", "worker_id", "start_month", "months", "amount_idr"],
        [["X2", "E", "2024-03", "1", "16800"]],
    )
    assert cli("import", "coverage", more).exit_code == 0

    def listed(period=ALL_TIME, as_of=None, most=1_000):
        frame = donor.unconfirmed(engine, EVERYONE, "D1", period, as_of, most)
        return [tuple(row) for row in frame[["start_month", "donation_id", "worker_id"]].values]

    everything = [
        ("2024-01", "X1", "B"),
        ("2024-02", "X2", "A"),
        ("2024-02", "X2", "C"),
        ("2024-02", "X3", "E"),
        ("2024-03", "X2", "E"),
        ("2024-03", "X3", "A"),
        ("2024-09", "X3", "B"),
        ("2024-11", "X1", "A"),
    ]
    assert listed() == everything
    assert listed(most=3) == everything[:3]
    # a period from X1's receipt day still starts at X1's month; one from February drops X1
    assert listed(Period(dt.date(2024, 1, 15), None)) == everything
    assert listed(Period(dt.date(2024, 2, 1), None)) == everything[1:7]
    assert listed(Period(None, dt.date(2024, 2, 9))) == [everything[0], everything[7]]
    # as of 2024-07-01 the row confirmed on 2024-07-05 was still waiting, in its place
    before = [*everything[:6], ("2024-07", "X1", "A"), *everything[6:]]
    assert listed(as_of=dt.date(2024, 7, 1)) == before
    assert listed(as_of=dt.date(2024, 7, 1), most=7) == before[:7]
    # as of 2024-02-01 only X1 had been received
    assert listed(as_of=dt.date(2024, 2, 1)) == [
        ("2024-01", "X1", "B"),
        ("2024-07", "X1", "A"),
        ("2024-11", "X1", "A"),
    ]
