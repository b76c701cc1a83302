"""Small hand-checkable ledgers, written as real contract files."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import write_csv

WORKER_HEADER = ["worker_id", "registered_on", "province", "occupation", "gender", "birth_year"]
DONATION_HEADER = ["donation_id", "donor_id", "received_on", "amount_idr", "months_per_worker"]
CLAIM_HEADER = [
    "claim_id",
    "worker_id",
    "program",
    "incident_on",
    "status",
    "paid_on",
    "amount_idr",
]


def worked_example(folder: Path) -> dict[str, Path]:
    """docs/contract.md "Worked example": rates 16,800 then 20,000 from 2024-07; workers A, B, C;
    donation X of 300,000 received 2024-04-20 for 6 months; two paid JKK claims of A."""
    return {
        "donors": write_csv(
            folder,
            "donors.csv",
            ["donor_id", "name", "type"],
            [["D1", "PT Contoh Peduli", "corporate"]],
        ),
        "rates": write_csv(
            folder,
            "rates.csv",
            ["effective_from", "monthly_idr"],
            [["2015-07", "16800"], ["2024-07", "20.000"]],
        ),
        "workers": write_csv(
            folder,
            "workers.csv",
            WORKER_HEADER,
            [
                ["A", "2024-01-10", "ID-MA", "fisher", "M", "1980"],
                ["B", "2024-02-01", "ID-JB", "farmer", "F", "1975"],
                ["C", "2024-05-02", "ID-JB", "farmer", "F", "1990"],
            ],
        ),
        "donations": write_csv(
            folder, "donations.csv", DONATION_HEADER, [["X", "D1", "2024-04-20", "300000", "6"]]
        ),
        "claims": write_csv(
            folder,
            "claims.csv",
            CLAIM_HEADER,
            [
                ["K1", "A", "JKK", "2024-09-03", "paid", "2024-09-20", "5000000"],
                ["K2", "A", "JKK", "2024-11-01", "paid", "2024-11-20", "3000000"],
            ],
        ),
    }


def worked_example_v2(folder: Path) -> dict[str, Path]:
    """docs/contract.md "Worked example (v2)": JKK+JKM 16,800 and JHT 20,000 throughout; workers A
    and B; B paid herself 2023-03 .. 2023-05; donation Y of 200,000 received 2023-01-20 for 3
    months with JHT; A's block confirmed; A paid herself 2023-06 .. 2023-08; a paid JHT and a
    paid JKK claim of A on 2023-03-10. ``confirmations`` is imported after allocation."""
    return {
        "donors": write_csv(
            folder, "donors.csv", ["donor_id", "name", "type"], [["D2", "BUMN Contoh", "soe"]]
        ),
        "rates": write_csv(
            folder,
            "rates.csv",
            ["effective_from", "monthly_idr", "jht_monthly_idr"],
            [["2015-07", "16800", "20000"]],
        ),
        "workers": write_csv(
            folder,
            "workers.csv",
            WORKER_HEADER,
            [
                ["A", "2023-01-05", "ID-JT", "street_vendor", "F", "1985"],
                ["B", "2023-01-06", "ID-JT", "street_vendor", "F", "1988"],
            ],
        ),
        "donations": write_csv(
            folder,
            "donations.csv",
            [*DONATION_HEADER, "package"],
            [["Y", "D2", "2023-01-20", "200000", "3", "JKK+JKM+JHT"]],
        ),
        "self_paid": write_csv(
            folder,
            "self_paid.csv",
            ["worker_id", "start_month", "months"],
            [["B", "2023-03", "3"], ["A", "2023-06", "3"]],
        ),
        "claims": write_csv(
            folder,
            "claims.csv",
            CLAIM_HEADER,
            [
                ["KH", "A", "JHT", "2023-03-10", "paid", "2023-03-20", "1500000"],
                ["KK", "A", "JKK", "2023-03-10", "paid", "2023-03-25", "2000000"],
            ],
        ),
        "confirmations": write_csv(
            folder,
            "confirmations.csv",
            ["donation_id", "worker_id", "start_month", "confirmed_on", "amount_idr", "reference"],
            [["Y", "A", "2023-02", "2023-02-03", "110400", "BPJS-TK/2023/000123"]],
        ),
    }


def import_all(cli, files: dict[str, Path]) -> None:
    """Every kind but confirmations (they name coverage rows: import them after allocating)."""
    for kind in ("donors", "rates", "workers", "donations", "coverage", "claims", "self_paid"):
        if kind in files:
            result = cli("import", kind, files[kind])
            assert result.exit_code == 0, result.output


LAPSING_WORKERS = [
    ["A", "2024-01-10", "ID-MA", "fisher", "M", "1980"],
    ["B", "2024-02-01", "ID-JB", "farmer", "F", "1975"],
    ["C", "2024-03-01", "ID-JB", "farmer", "F", "1990"],
    ["D", "2024-04-01", "ID-JT", "street_vendor", "M", "1985"],
    ["E", "2024-05-01", "ID-JT", "street_vendor", "F", "1992"],
]


# Donor L1's donations in the lapse and digest tests (tests/pages/test_lapses.py says who
# they cover and until when).
AUTUMN_DONATIONS = [
    ["H1", "L1", "2026-09-15", "33600", "1"],
    ["H2", "L1", "2026-09-20", "33600", "2"],
    ["H3", "L1", "2026-09-25", "50400", "3"],
    ["H4", "L1", "2026-10-05", "67200", "4"],
]


def one_donor_ledger(cli, folder: Path, donor: list[str], workers, donations, claims=()) -> None:
    """One donor (id, name, type) with these workers, donations (and claims) imported as
    contract files and allocated; the rate is 16,800 throughout."""
    files = {
        "donors": write_csv(folder, "donors.csv", ["donor_id", "name", "type"], [donor]),
        "rates": write_csv(
            folder, "rates.csv", ["effective_from", "monthly_idr"], [["2015-07", "16800"]]
        ),
        "workers": write_csv(folder, "workers.csv", WORKER_HEADER, list(workers)),
        "donations": write_csv(folder, "donations.csv", DONATION_HEADER, list(donations)),
    }
    if claims:
        files["claims"] = write_csv(folder, "claims.csv", CLAIM_HEADER, list(claims))
    for kind, path in files.items():
        assert cli("import", kind, path).exit_code == 0
    assert cli("allocate").exit_code == 0


def lapsing_ledger(
    cli, folder: Path, donations: list[list[str]], claims=(), name: str = "PT Lapsing"
) -> None:
    """Donor L1 (``name``) with these donations over workers A..E (and these claims)."""
    one_donor_ledger(cli, folder, ["L1", name, "corporate"], LAPSING_WORKERS, donations, claims)


def edge_ledger(cli, folder: Path) -> None:
    """Two donors over four workers, with the cases the frozen SQL must get right: a worker
    funded on two receipt dates whose later date covers earlier months (L is a maximum over
    the run, not the last date's), two donations of one donor received the same day for the
    same worker, two rows of one donation for one worker, a worker of two donors, self-paid
    months after some runs' L and not others', paid JKK and JKM claims in one row, a paid JHT
    claim, an unpaid claim and a claim outside coverage, some rows confirmed."""
    files = {
        "donors": write_csv(
            folder,
            "donors.csv",
            ["donor_id", "name", "type"],
            [["D1", "PT Satu", "corporate"], ["D2", "PT Dua", "corporate"]],
        ),
        "rates": write_csv(
            folder,
            "rates.csv",
            ["effective_from", "monthly_idr", "jht_monthly_idr"],
            [["2015-07", "16800", "20000"]],
        ),
        "workers": write_csv(
            folder,
            "workers.csv",
            WORKER_HEADER,
            [
                ["A", "2023-01-10", "ID-MA", "fisher", "M", "1980"],
                ["B", "2023-02-01", "ID-JB", "farmer", "F", "1975"],
                ["C", "2023-03-01", "ID-JB", "farmer", "F", "1990"],
                ["E", "2023-04-01", "ID-JT", "street_vendor", "M", "1985"],
            ],
        ),
        "donations": write_csv(
            folder,
            "donations.csv",
            DONATION_HEADER,
            [
                ["X1", "D1", "2024-01-15", "1000000", "3"],
                ["X2", "D1", "2024-02-10", "1000000", "1"],
                ["X3", "D1", "2024-02-10", "1000000", "1"],
                ["Y1", "D2", "2024-03-01", "1000000", "3"],
            ],
        ),
        "coverage": write_csv(
            folder,
            "coverage.csv",
            ["donation_id", "worker_id", "start_month", "months", "amount_idr"],
            [
                ["X1", "A", "2024-07", "3", "50400"],
                ["X1", "A", "2024-11", "1", "16800"],
                ["X2", "A", "2024-02", "1", "16800"],
                ["X3", "A", "2024-03", "1", "16800"],
                ["X1", "B", "2024-01", "6", "100800"],
                ["X3", "B", "2024-09", "2", "33600"],
                ["X2", "C", "2024-02", "1", "16800"],
                ["Y1", "C", "2024-03", "3", "50400"],
                ["X3", "E", "2024-02", "1", "16800"],
                ["Y1", "E", "2024-05", "2", "33600"],
            ],
        ),
        "self_paid": write_csv(
            folder,
            "self_paid.csv",
            ["worker_id", "start_month", "months"],
            [["A", "2024-05", "1"], ["B", "2024-12", "2"], ["E", "2024-07", "1"]],
        ),
        "claims": write_csv(
            folder,
            "claims.csv",
            CLAIM_HEADER,
            [
                ["K1", "A", "JKK", "2024-07-10", "paid", "2024-07-30", "5000000"],
                ["K2", "A", "JKM", "2024-08-05", "paid", "2024-08-20", "20000000"],
                ["K3", "A", "JHT", "2024-02-15", "paid", "2024-03-01", "2500000"],
                ["K4", "C", "JKK", "2024-04-02", "paid", "2024-04-20", "3000000"],
                ["K5", "B", "JKK", "2024-03-03", "rejected", "", ""],
                ["K6", "E", "JKK", "2024-12-01", "paid", "2024-12-20", "1000000"],
                ["K7", "B", "JKM", "2024-10-01", "approved", "", ""],
            ],
        ),
    }
    import_all(cli, files)
    confirmations = write_csv(
        folder,
        "confirmations.csv",
        ["donation_id", "worker_id", "start_month", "confirmed_on", "amount_idr", "reference"],
        [
            ["X1", "A", "2024-07", "2024-07-05", "50400", "REF-1"],
            ["Y1", "C", "2024-03", "2024-03-10", "50400", "REF-2"],
        ],
    )
    result = cli("import", "confirmations", confirmations)
    assert result.exit_code == 0, result.output
