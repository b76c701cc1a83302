"""`lingkaran allocate` names what it did not do (docs/contract.md "Allocation"): each donation
left unspent with the reason, and, before it writes, the donations whose blocks would start
in months already past. Small ledgers built by hand; the sentences are asserted whole."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from dashboard.cli import main
from dashboard.core.i18n import environment_language
from dashboard.core.months import month_index, month_of
from dashboard.ledger.allocator import allocate, late_starts
from dashboard.ledger.db import open_ledger
from dashboard.ledger.importer import import_file
from tests.conftest import table_contents, write_csv
from tests.ledgers import DONATION_HEADER, WORKER_HEADER


@pytest.fixture
def three_donations(tmp_path: Path) -> str:
    """Workers A and B; rates 16,800 (a 6-month block: 100,800). X pays A's and B's blocks;
    Y finds both covered; Z's earmark (ID-AC) matches nobody; W cannot pay one block (and is
    listed after them: workers may still be found for Y and Z, never a block for W)."""
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    engine = open_ledger(url)
    files = {
        "donors": write_csv(
            tmp_path, "donors.csv", ["donor_id", "name", "type"], [["D1", "PT A", "soe"]]
        ),
        "workers": write_csv(
            tmp_path,
            "workers.csv",
            WORKER_HEADER,
            [
                ["A", "2024-01-10", "ID-MA", "fisher", "M", 1980],
                ["B", "2024-02-01", "ID-JB", "farmer", "F", 1975],
            ],
        ),
        "donations": write_csv(
            tmp_path,
            "donations.csv",
            [*DONATION_HEADER, "earmark_province"],
            [
                ["X", "D1", "2024-04-20", "201600", "6", ""],
                ["Y", "D1", "2024-04-25", "100800", "6", ""],
                ["Z", "D1", "2024-04-28", "100800", "6", "ID-AC"],
                ["W", "D1", "2024-04-21", "50000", "6", ""],  # allocated before Y, listed last
            ],
        ),
    }
    for kind, path in files.items():
        import_file(engine, kind, path)
    engine.dispose()
    return url


def months_since_2024_05() -> int:
    return month_of(dt.date.today()) - month_index(2024, 5)


def test_allocate_names_each_donation_left_unspent_and_why(three_donations):
    late = months_since_2024_05()
    result = CliRunner().invoke(main, ["--db", three_donations, "--lang", "en", "allocate"])

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Blocks of 3 donation(s) would start in months already past (a block starts in the "
        "month after the donation was received):",
        f"  X: received 2024-04-20, blocks from 2024-05 ({late} month(s) ago)",
        f"  Y: received 2024-04-25, blocks from 2024-05 ({late} month(s) ago)",
        f"  Z: received 2024-04-28, blocks from 2024-05 ({late} month(s) ago)",
        "If that coverage was really bought in those months, record it first with "
        "`lingkaran import coverage FILE`: allocation only appends, and what it writes stays. "
        "`lingkaran allocate --dry-run` shows an allocation without writing it.",
        "  X: 2 worker(s) x 6 month(s) from 2024-05, IDR 201,600",
        "Created 2 coverage row(s) for 1 donation(s): IDR 201,600 allocated, 12 worker-month(s).",
        "3 donation(s) left money unspent:",
        "  Y: IDR 100,800 left: every worker it may pay for already has coverage or self-paid "
        "months in 2024-05 to 2024-10",
        "  Z: IDR 100,800 left: no worker registered before 2024-05 matches its earmark (ID-AC)",
        "  W: IDR 50,000 left: less than one block: 6 month(s) for one worker cost IDR 100,800",
    ]


def test_the_report_reads_in_indonesian(three_donations):
    result = CliRunner().invoke(main, ["--db", three_donations, "--lang", "id", "allocate"])

    lines = result.output.splitlines()
    assert lines[-5:] == [
        "Dibuat 2 baris cakupan untuk 1 donasi: Rp 201.600 dialokasikan, 12 bulan-pekerja.",
        "3 donasi menyisakan dana yang belum terpakai:",
        "  Y: sisa Rp 100.800: setiap pekerja yang boleh dibiayainya sudah memiliki cakupan "
        "atau bulan bayar sendiri pada 2024-05 sampai 2024-10",
        "  Z: sisa Rp 100.800: tidak ada pekerja terdaftar sebelum 2024-05 yang sesuai "
        "peruntukannya (ID-AC)",
        "  W: sisa Rp 50.000: kurang dari satu blok: 6 bulan untuk satu pekerja seharga Rp 100.800",
    ]


def test_a_dry_run_reports_the_same_and_writes_nothing(three_donations):
    engine = open_ledger(three_donations)
    before = table_contents(engine)

    dry = allocate(engine, dry_run=True)
    assert table_contents(engine) == before
    done = allocate(engine)

    assert dry.donations == done.donations and dry.unspent == done.unspent
    assert not dry.written
    engine.dispose()


def test_late_starts_are_read_before_writing_and_only_for_donations_not_yet_allocated(
    three_donations,
):
    engine = open_ledger(three_donations)
    # 2024-05 is S for all four: in June 2024 it is one month past; W pays no block.
    assert [(s.donation_id, s.months_ago) for s in late_starts(engine, dt.date(2024, 6, 3))] == [
        ("X", 1),
        ("Y", 1),
        ("Z", 1),
    ]
    assert late_starts(engine, dt.date(2024, 5, 31)) == []  # S is this month: not late
    allocate(engine)
    # X has coverage now; Y and Z still nothing: they are still late if they ever get any.
    assert [s.donation_id for s in late_starts(engine, dt.date(2024, 6, 3))] == ["Y", "Z"]
    engine.dispose()


@pytest.mark.parametrize(
    "environ, lang",
    [
        ({}, "en"),
        ({"LANG": "id_ID.UTF-8"}, "id"),
        ({"LANG": "en_GB.UTF-8", "LC_ALL": "id_ID.UTF-8"}, "id"),
        ({"LANG": "id_ID.UTF-8", "LC_ALL": "C.UTF-8"}, "en"),
        ({"LANG": "id_ID.UTF-8", "LINGKARAN_LANG": "en"}, "en"),
        ({"LINGKARAN_LANG": "id"}, "id"),
    ],
)
def test_the_command_lines_language_comes_from_the_environment(environ, lang):
    assert environment_language(environ) == lang


def test_the_command_line_refuses_in_indonesian_with_lang_id(tmp_path):
    """A real process, its locale English: --lang id wins, and every reason is Indonesian."""
    path = write_csv(
        tmp_path,
        "donasi.csv",
        [*DONATION_HEADER, "earmark_province"],
        [["X1", "D9", "31/02/2026", "1,500,000", "6", "Jawa Barat"]],
    )
    lingkaran = Path(sys.executable).with_name("lingkaran")
    env = {k: v for k, v in os.environ.items() if k not in ("LINGKARAN_LANG", "LC_ALL")}
    env["LANG"] = "en_US.UTF-8"
    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    refused = subprocess.run(
        [lingkaran, "--db", db, "--lang", "id", "import", "donations", path],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )

    assert refused.returncode == 1
    assert refused.stderr.splitlines() == [
        "donasi.csv: ditolak, tidak ada yang ditulis (1 baris salah)",
        "  donasi.csv:2: kolom received_on: nilai '31/02/2026': tanggal itu tidak ada di kalender",
        "  donasi.csv:2: kolom amount_idr: nilai '1,500,000': pengelompokan angka cara Inggris "
        "(1,500,000) bermakna ganda: tulis 1500000 atau 1.500.000; tulis 1.500.000",
        "  donasi.csv:2: kolom earmark_province: nilai 'Jawa Barat': provinsi ditulis dengan "
        "kode ISO 3166-2:ID-nya, bukan namanya; tulis ID-JB",
        "  donasi.csv:2: kolom donor_id: nilai 'D9': donatur tidak ditemukan (impor donatur "
        "terlebih dahulu)",
    ]


def test_a_broken_invariant_reads_in_the_readers_language(three_donations):
    """`check` names what breaks, in Indonesian too: a coverage row moved before its
    donation was received (written behind the importer's back)."""
    from sqlalchemy import update

    from dashboard.ledger.schema import Coverage
    from queries.checks import check_ledger

    engine = open_ledger(three_donations)
    allocate(engine)
    with engine.begin() as conn:
        conn.execute(update(Coverage).values(start_month=month_index(2024, 3)))
    found = [v for v in check_ledger(engine) if v.rule == "coverage after donation"]
    engine.dispose()

    assert [v.text("en") for v in found] == [
        "coverage after donation: donation X received 2024-04-20 covers 2024-03"
    ]
    assert [v.text("id") for v in found] == [
        "cakupan setelah donasi: donasi X diterima 2024-04-20 menanggung 2024-03"
    ]
