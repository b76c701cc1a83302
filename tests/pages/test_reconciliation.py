"""Parts that do not add up to their whole say so next to it (issue 12): a hand-built
ledger where workers A and B are protected by three donations of two donors."""

from __future__ import annotations

import pytest

from tests.conftest import write_csv
from tests.ledgers import DONATION_HEADER, import_all, worked_example


@pytest.fixture
def twice_protected(cli, tmp_path, database_url):
    """The worked example (donation X of D1 protects A and B, 2024-05..10), then Y of D1
    (2024-11..2025-01) and Z of D2 (2025-03..05), each again A and B at 60,000 a block."""
    files = worked_example(tmp_path)
    files["donors"] = write_csv(
        tmp_path,
        "donors.csv",
        ["donor_id", "name", "type"],
        [["D1", "PT Contoh Peduli", "corporate"], ["D2", "PT Kedua", "corporate"]],
    )
    files["donations"] = write_csv(
        tmp_path,
        "donations.csv",
        DONATION_HEADER,
        [
            ["X", "D1", "2024-04-20", "300000", "6"],
            ["Y", "D1", "2024-10-01", "120000", "3"],
            ["Z", "D2", "2025-02-01", "120000", "3"],
        ],
    )
    import_all(cli, files)
    assert cli("allocate").exit_code == 0
    return database_url


def captions(at) -> str:
    return " ".join(caption.value for caption in at.caption).replace("\\", "")


def test_the_donation_trail_says_why_its_workers_add_up_to_more_than_the_headline(
    open_page, twice_protected
):
    at = open_page(twice_protected, "donor_impact", donor="D1", lang="en")
    workers = [m for m in at.metric if m.label == "Workers protected"]
    assert workers and workers[0].value == "2"
    assert (
        "The workers column adds up to 4: a worker protected by more than one of these "
        "donations counts once for each. 2 different workers were protected"
    ) in captions(at)


def test_the_donors_wall_says_why_its_column_adds_up_to_more_than_the_programme(
    open_page, twice_protected, cli, monkeypatch
):
    import datetime as dt

    from dashboard.publish.privacy import K_VARIABLE

    # k = 2: the programme's 2 workers are published; under k the wall would not say it
    monkeypatch.setenv(K_VARIABLE, "2")
    assert cli("release", "--as-of", dt.date.today().isoformat()).exit_code == 0
    at = open_page(twice_protected, "donors_wall", lang="en")
    assert (
        "the column adds up to more than the 2 different workers the programme protected"
    ) in captions(at)


def test_no_note_where_the_parts_do_add_up(open_page, cli, tmp_path, database_url):
    import_all(cli, worked_example(tmp_path))  # one donation: 2 workers, 2 in its row
    assert cli("allocate").exit_code == 0
    at = open_page(database_url, "donor_impact", donor="D1", lang="en")
    assert "The workers column adds up to" not in captions(at)
    wall = open_page(database_url, "donors_wall", lang="en")
    assert "different workers the programme protected" not in captions(wall)


def test_open_data_says_why_a_year_after_the_release_is_listed(
    open_page, cli, tmp_path, database_url, monkeypatch
):
    """A donation of 20 December 2024 buys A and B 2025-01 .. 2025-06: the release as of
    31 December 2024 lists coverage that started in 2025, and says why next to it."""
    from dashboard.publish.privacy import K_VARIABLE

    files = worked_example(tmp_path)
    files["donations"] = write_csv(
        tmp_path, "donations.csv", DONATION_HEADER, [["X", "D1", "2024-12-20", "300000", "6"]]
    )
    import_all(cli, files)
    assert cli("allocate").exit_code == 0
    monkeypatch.setenv(K_VARIABLE, "2")  # A and B: a cell of 2 is published
    assert cli("release", "--as-of", "2024-12-31").exit_code == 0
    at = open_page(database_url, "open_data")
    at.multiselect(key="by").set_value(["year"]).run()
    at.toggle(key="only-shown").set_value(False).run()
    assert list(at.dataframe[0].value["year"]) == ["2025"]  # a year, not "2.025"
    assert (
        "2025: pertanggungan yang dimulai setelah 31 Desember 2024, sudah dibayar oleh donasi "
        "yang diterima sampai tanggal itu (bulan yang dibayar di muka, belum dijalani)."
    ) in captions(at)
