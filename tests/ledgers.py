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
