"""CONTRACT.md's worked example, end to end through the command line, on both databases."""

import json

from tests.ledgers import import_all, worked_example


def report(cli, *args: str) -> dict:
    result = cli("report", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_worked_example_allocates_two_blocks_and_leaves_72800(cli, tmp_path):
    import_all(cli, worked_example(tmp_path))
    allocated = cli("allocate")
    assert allocated.exit_code == 0, allocated.output
    assert "Created 2 coverage row(s) for 1 donation(s)" in allocated.output

    figures = report(cli, "--donor", "D1", "--as-of", "2024-09-15")
    assert figures == {
        "donated_idr": 300_000,
        "allocated_idr": 227_200,  # 2 blocks x (2 x 16,800 + 4 x 20,000)
        "balance_idr": 72_800,
        "covered_workers": 2,  # A and B; C registered after 2024-05-01
        "protected_months": 12,
        "active_workers": 2,
        "claims_paid_count": 1,  # the 2024-09-03 claim; 2024-11-01 is after the block
        "claims_paid_idr": 5_000_000,
        "as_of": "2024-09-15",
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
