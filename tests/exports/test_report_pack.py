"""The sustainability-report pack, opened back with openpyxl: every indicator equals
`lingkaran report` for the same donor and fiscal year, as numbers, in both languages."""

from __future__ import annotations

import json
import re
from fractions import Fraction

import openpyxl
import pytest

from tests.conftest import write_csv

FIGURES = "queries.figures.ledger_figures: "


def report(cli, *options: str) -> dict:
    result = cli("report", "--donor", "FY1", "--format", "json", *options)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def pack(cli, folder, lang: str, year: str = "2025"):
    out = folder / f"pack-{lang}.xlsx"
    result = cli(
        "export", "report-pack", "--donor", "FY1", "--fiscal-year", year, "--lang", lang,
        "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return openpyxl.load_workbook(out)


def indicators(book) -> list[tuple]:
    """(framework, disclosure, value cell, source) of every indicator row."""
    sheet = book.worksheets[0]
    return [
        (row[0].value, row[1].value, row[3], row[5].value)
        for row in sheet.iter_rows(min_row=5)
        if row[5].value
    ]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_indicator_is_the_reports_figure_as_a_number(cli, april_donor, lang):
    expected = report(cli, "--fiscal-year", "2025")  # dated the fiscal year's end
    rows = indicators(pack(cli, april_donor, lang))
    by_source: dict[str, set] = {}
    for _framework, _disclosure, cell, source in rows:
        assert cell.data_type == "n"  # a number (or empty), never text
        by_source.setdefault(source, set()).add(cell.value)
    for key in (
        "donated_idr",
        "allocated_idr",
        "covered_workers",
        "protected_months",
        "claims_paid_count",
        "claims_paid_idr",
        "jht_saved_idr",
    ):
        assert by_source[FIGURES + key] == {expected[key]}, key
    assert expected["donated_idr"] == 201_600 + 50_400  # G2 and G3, hand-computed
    confirmed = by_source[FIGURES + "confirmed_idr / allocated_idr"]
    assert confirmed == {float(Fraction(expected["confirmed_idr"], expected["allocated_idr"]))}
    continued = by_source[FIGURES + "continued_workers / ended_workers"]
    ended = expected["ended_workers"]
    assert continued == {float(Fraction(expected["continued_workers"], ended)) if ended else None}
    for dimension in ("gender", "province", "occupation"):  # each breakdown adds up
        groups = [
            cell.value
            for _f, _d, cell, source in rows
            if source.startswith(f"queries.donor.profile: {dimension} = ")
        ]
        assert groups and sum(groups) == expected["covered_workers"], dimension


def test_each_row_names_its_framework_and_the_cells_are_formatted(cli, april_donor):
    rows = indicators(pack(cli, april_donor, "en"))
    frameworks = {framework for framework, *_ in rows}
    assert frameworks == {
        "GRI 203", "GRI 413", "POJK 51/POJK.03/2017", "TJSL BUMN", "SDG 1.3", "SDG 8.8",
    }  # fmt: skip
    sdg = {(framework, source) for framework, _d, _c, source in rows if "SDG" in framework}
    assert sdg == {
        ("SDG 1.3", FIGURES + "covered_workers"),
        ("SDG 1.3", FIGURES + "continued_workers / ended_workers"),
        ("SDG 8.8", FIGURES + "covered_workers"),
        ("SDG 8.8", FIGURES + "claims_paid_count"),
    }
    disclosures = {
        disclosure.split()[0] for framework, disclosure, *_ in rows if "GRI" in framework
    }
    assert disclosures == {"203-1", "203-2", "413-1"}
    formats = {source: cell.number_format for _f, _d, cell, source in rows}
    assert formats[FIGURES + "donated_idr"] == '"IDR" #,##0'  # as the English pages write it
    assert formats[FIGURES + "covered_workers"] == "#,##0"
    assert formats[FIGURES + "confirmed_idr / allocated_idr"] == "0.0%"


def test_the_pack_speaks_its_language_and_carries_the_statements_code(cli, april_donor):
    english, indonesian = pack(cli, april_donor, "en"), pack(cli, april_donor, "id")
    money = {
        source: cell.number_format
        for _f, _d, cell, source in indicators(indonesian)
        if source.endswith("_idr") and "/" not in source  # a share is a ratio of rupiah
    }
    assert set(money.values()) == {'"Rp" #,##0'}
    assert english.sheetnames == ["Indicators", "Methodology", "GRI content index"]
    assert indonesian.sheetnames == ["Indikator", "Metodologi", "Indeks isi GRI"]
    assert "received in fiscal year 2025/26 (" in english.worksheets[0]["A2"].value
    assert "diterima pada tahun buku 2025/26 (" in indonesian.worksheets[0]["A2"].value
    statement = cli(  # no --as-of: a past fiscal year's figures are dated its end
        "export", "statement", "--donor", "FY1", "--fiscal-year", "2025",
        "--out", april_donor / "statement.pdf",
    )  # fmt: skip
    code = re.search(r"verification code (\S+)", statement.output).group(1)
    methodology = " ".join(row[0].value for row in english.worksheets[1].iter_rows())
    assert code in methodology


def test_the_gri_content_index_points_at_the_rows_that_answer_each_disclosure(cli, april_donor):
    """Each GRI disclosure's location names exactly the Indicators rows carrying it, read
    back from the workbook; 413-2, which the pack does not answer, is listed as omitted."""
    book = pack(cli, april_donor, "en")
    sheet, index = book["Indicators"], book["GRI content index"]
    carried: dict[str, set[int]] = {}
    for line in sheet.iter_rows(min_row=5):
        if line[0].value and line[0].value.startswith("GRI"):
            carried.setdefault(line[1].value.split()[0], set()).add(line[0].row)
    located, omitted = {}, set()
    for standard, disclosure, location, omission in index.iter_rows(min_row=4, values_only=True):
        number = disclosure.split()[0]
        if omission:
            omitted.add(number)
            continue
        rows = set()
        for span in location.removeprefix("Indicators sheet, rows ").split(", "):
            first, _, last = span.partition("-")
            rows |= set(range(int(first), int(last or first) + 1))
        located[number] = rows
        assert standard == "GRI " + number.split("-")[0]
    assert located == carried and set(carried) == {"203-1", "203-2", "413-1"}
    assert omitted == {"413-2"}


def test_a_formula_in_a_donors_name_stays_text(cli, april_donor):
    renamed = write_csv(
        april_donor,
        "donors-renamed.csv",
        ["donor_id", "name", "type"],
        [["FY1", '=HYPERLINK("http://evil.example","Klik")', "corporate"]],
    )
    assert cli("import", "donors", renamed).exit_code == 0
    title = pack(cli, april_donor, "en").worksheets[0]["A1"]
    assert title.data_type == "s" and title.value.startswith("'=HYPERLINK")


def test_a_year_without_donations_or_an_unknown_donor_is_refused_clearly(cli, april_donor):
    empty = cli(
        "export", "report-pack", "--donor", "FY1", "--fiscal-year", "2020", "--out",
        april_donor / "p.xlsx",
    )  # fmt: skip
    assert empty.exit_code == 1 and "no donation in fiscal year 2020" in empty.output
    unknown = cli(
        "export", "report-pack", "--donor", "NOPE", "--fiscal-year", "2025", "--out",
        april_donor / "p.xlsx",
    )  # fmt: skip
    assert unknown.exit_code == 1 and "Traceback" not in unknown.output
    assert not (april_donor / "p.xlsx").exists()
