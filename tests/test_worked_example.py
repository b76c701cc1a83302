"""docs/contract.md's worked example, end to end through the command line, on both databases."""

import json

from tests.conftest import write_csv
from tests.ledgers import CLAIM_HEADER, import_all, worked_example, worked_example_v2


def report(cli, *args: str) -> dict:
    result = cli("report", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_worked_example_allocates_two_blocks_and_leaves_72800(cli, tmp_path):
    import_all(cli, worked_example(tmp_path))
    allocated = cli("allocate")
    assert allocated.exit_code == 0, allocated.output
    assert "Created 2 coverage row(s) for 1 donation(s)" in allocated.output

    figures = report(cli, "--donor", "D1", "--as-of", "2024-09-30")
    assert figures == {
        "donated_idr": 300_000,
        "allocated_idr": 227_200,  # 2 blocks x (2 x 16,800 + 4 x 20,000)
        "balance_idr": 72_800,
        "covered_workers": 2,  # A and B; C registered after 2024-05-01
        "protected_months": 12,
        "active_workers": 2,
        "claims_paid_count": 1,  # the 2024-09-03 claim (paid 2024-09-20); 2024-11-01: after
        "claims_paid_idr": 5_000_000,
        "jht_saved_idr": 0,  # a jkk_jkm donation
        "confirmed_idr": 0,  # no confirmation imported
        "unconfirmed_idr": 227_200,
        "ended_workers": 0,  # L = 2024-10: not ended before 2025-02
        "continued_workers": 0,
        "paid_ahead_months": 2,  # 2024-10 of A and of B: bought, not yet lived
        "as_of": "2024-09-30",
        "donor_id": "D1",
    }


def test_programme_report_has_the_contract_keys_and_counts_donors(cli, tmp_path):
    import_all(cli, worked_example(tmp_path))
    cli("allocate")
    figures = report(cli, "--as-of", "2024-11-01")
    assert list(figures) == [
        "donated_idr",
        "allocated_idr",
        "balance_idr",
        "covered_workers",
        "protected_months",
        "active_workers",
        "claims_paid_count",
        "claims_paid_idr",
        "jht_saved_idr",
        "confirmed_idr",
        "unconfirmed_idr",
        "ended_workers",
        "continued_workers",
        "paid_ahead_months",
        "as_of",
        "donors",
    ]
    assert figures["donors"] == 1
    assert figures["active_workers"] == 0  # the block ran 2024-05 .. 2024-10


def test_allocate_twice_creates_nothing_the_second_time(cli, tmp_path):
    import_all(cli, worked_example(tmp_path))
    cli("allocate")
    again = cli("allocate")
    assert "Created 0 coverage row(s)" in again.output
    assert report(cli, "--donor", "D1")["allocated_idr"] == 227_200


def test_check_passes_on_the_worked_example(cli, tmp_path):
    import_all(cli, worked_example(tmp_path))
    cli("allocate")
    result = cli("check")
    assert result.exit_code == 0, result.output
    assert "Ledger OK" in result.output


def test_report_for_unknown_donor_is_a_clear_error(cli, tmp_path):
    import_all(cli, worked_example(tmp_path))
    result = cli("report", "--donor", "NOPE")
    assert result.exit_code == 1
    assert "no donor with id 'NOPE'" in result.output


def test_report_table_formats_rupiah_for_indonesia(cli, tmp_path):
    import_all(cli, worked_example(tmp_path))
    cli("allocate")
    result = cli("report", "--donor", "D1")
    assert "Rp 227.200" in result.output
    assert "Rp 72.800" in result.output


def test_v2_worked_example_figure_by_figure(cli, tmp_path):
    """docs/contract.md "Worked example (v2)": JHT package, B's self-paid months keep her out of the
    block, A's block confirmed, A continues on her own, her JHT claim is not counted."""
    files = worked_example_v2(tmp_path)
    import_all(cli, files)
    allocated = cli("allocate", "--verbose")
    assert allocated.exit_code == 0, allocated.output
    # One block of 3 x (16,800 + 20,000) for A only: B paid herself in 2023-03 and 2023-04.
    assert "Y: 1 worker(s) x 3 month(s) from 2023-02" in allocated.output
    confirmed = cli("import", "confirmations", files["confirmations"])
    assert confirmed.exit_code == 0, confirmed.output

    assert report(cli, "--donor", "D2", "--as-of", "2023-08-15") == {
        "donated_idr": 200_000,
        "allocated_idr": 110_400,
        "balance_idr": 89_600,
        "covered_workers": 1,
        "protected_months": 3,
        "active_workers": 0,  # A's block ran 2023-02 .. 2023-04
        "claims_paid_count": 1,  # the JKK claim; the JHT claim is her own savings
        "claims_paid_idr": 2_000_000,
        "jht_saved_idr": 60_000,  # 3 x 20,000
        "confirmed_idr": 110_400,
        "unconfirmed_idr": 0,
        "ended_workers": 1,  # L = 2023-04 and 2023-08 > 2023-07
        "continued_workers": 1,  # self-paid 2023-06 lies in 2023-05 .. 2023-07
        "paid_ahead_months": 0,
        "as_of": "2023-08-15",
        "donor_id": "D2",
    }
    # A month earlier the stimulus has not had its three months yet: nobody has ended.
    earlier = report(cli, "--donor", "D2", "--as-of", "2023-07-31")
    assert (earlier["ended_workers"], earlier["continued_workers"]) == (0, 0)
    assert cli("check").exit_code == 0


def test_v3_worked_example_as_of_is_a_cut_off(cli, tmp_path):
    """docs/contract.md "As of": the worked example with one paid JKK claim of A, incident
    2024-08-10, paid 2024-09-05. A claim counts from the day it is paid; the months after
    the month of as_of are paid ahead; a donation counts from the day it is received."""
    files = worked_example(tmp_path)
    files["claims"] = write_csv(
        tmp_path,
        "claims-v3.csv",
        CLAIM_HEADER,
        [["K1", "A", "JKK", "2024-08-10", "paid", "2024-09-05", "5000000"]],
    )
    import_all(cli, files)
    assert cli("allocate").exit_code == 0

    august = report(cli, "--donor", "D1", "--as-of", "2024-08-31")
    assert august["donated_idr"] == 300_000  # X, received 2024-04-20, counts
    assert (august["claims_paid_count"], august["claims_paid_idr"]) == (0, 0)  # not paid yet
    assert august["paid_ahead_months"] == 4  # 2 workers x (2024-09, 2024-10)
    assert august["protected_months"] == 12  # every month bought still counts

    september = report(cli, "--donor", "D1", "--as-of", "2024-09-30")
    assert (september["claims_paid_count"], september["claims_paid_idr"]) == (1, 5_000_000)
    assert september["paid_ahead_months"] == 2

    before = report(cli, "--donor", "D1", "--as-of", "2024-04-19")
    assert (before["donated_idr"], before["covered_workers"]) == (0, 0)
    assert before["allocated_idr"] == before["protected_months"] == before["paid_ahead_months"] == 0
    assert report(cli, "--as-of", "2024-04-19")["donors"] == 0

    # A period's figures are as at its end unless told otherwise: a closed year stays closed.
    closed = report(cli, "--donor", "D1", "--from", "2024-01-01", "--to", "2024-08-31")
    assert closed["as_of"] == "2024-08-31" and closed["claims_paid_count"] == 0
    assert cli("check", "--as-of", "2024-08-31").exit_code == 0
