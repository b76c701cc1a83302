"""Table downloads (CSV and XLSX) carry texts as texts: no formula from a donor's name."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd

from dashboard.web.controls import csv_file, published_table, xlsx_file

NAMES = [
    '=HYPERLINK("https://evil.example","klik")',
    "+62 811",
    "-1+1",
    "@SUM(A1)",
    "PT Biasa",
]


def frame() -> pd.DataFrame:
    return pd.DataFrame({"name": NAMES, "donated_idr": [1_000_000, 2, 3, 4, 5]})


def test_the_xlsx_holds_no_formula_and_keeps_numbers():
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_file(frame(), "donors"))).active
    names = [sheet.cell(row, 1) for row in range(2, 2 + len(NAMES))]
    assert all(cell.data_type == "s" for cell in names)
    assert [cell.value for cell in names] == [f"'{name}" for name in NAMES[:4]] + ["PT Biasa"]
    assert sheet.cell(2, 2).value == 1_000_000 and sheet.cell(2, 2).data_type == "n"


def test_the_csv_starts_no_cell_with_a_formula_character():
    text = csv_file(frame()).decode("utf-8-sig")
    cells = [line.split(",")[0] for line in text.splitlines()[1:]]
    assert not any(cell.lstrip('"').startswith(("=", "+", "-", "@")) for cell in cells)
    assert "PT Biasa,5" in text


def test_control_and_direction_characters_never_reach_a_file():
    """A ledger imported before names refused them: the public XLSX failed for everyone
    (openpyxl refuses a BEL) and kept a right-to-left override."""
    names = pd.DataFrame({"name": ["PT \x07Bel", "PT Evil\u202egnp.exe", "\t=1+1"]})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_file(names, "donors"))).active
    assert [sheet.cell(row, 1).value for row in (2, 3, 4)] == [
        "PT Bel",
        "PT Evilgnp.exe",
        "'=1+1",
    ]
    assert "\u202e" not in csv_file(names).decode("utf-8-sig")


def test_a_published_table_reads_in_the_page_language_with_withheld_cells_marked():
    frame = pd.DataFrame(
        {
            "province": ["ID-JK", "ID-PE"],
            "occupation": ["motorcycle_taxi", "fisher"],
            "workers": pd.array([12_345, None], dtype="Int64"),
            "protected_months": pd.array([70_000, None], dtype="Int64"),
            "allocated_idr": pd.array([1_176_000_000, None], dtype="Int64"),
            "suppressed": [False, True],
        }
    )
    shown = published_table(frame, "id", 10)
    assert shown.to_dict("records") == [
        {
            "province": "DKI Jakarta",
            "occupation": "Ojek",
            "workers": "12.345",
            "protected_months": "70.000",
            "allocated_idr": "Rp 1.176.000.000",
        },
        {
            "province": "Papua Pegunungan",
            "occupation": "Nelayan",
            "workers": "< 10",
            "protected_months": "–",
            "allocated_idr": "–",
        },
    ]
    assert published_table(frame, "en", 10)["workers"].iloc[0] == "12,345"
