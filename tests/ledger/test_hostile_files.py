"""Hostile files and names are refused with file, line and reason, and nothing is written,
on SQLite and PostgreSQL (issue 11: a traceback, a wrong line number or a stored NUL before).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import table_contents


def _write(folder: Path, name: str, content: bytes) -> Path:
    path = folder / name
    path.write_bytes(content)
    return path


HEADER = b"donor_id,name,type\n"
CASES = {
    "unclosed quote": (
        HEADER + b'D1,"PT Contoh,corporate\nD2,B,corporate\n',
        "donors.csv:2: not valid CSV (unexpected end of data)",
    ),
    "field over the csv limit": (
        HEADER + b"D1," + b"x" * 140_000 + b",corporate\n",
        "donors.csv:2: not valid CSV (field larger than field limit",
    ),
    "NUL byte": (
        HEADER + b"D1,A,corporate\nD2,B\x00,corporate\n",
        "donors.csv:3: the line holds a NUL byte",
    ),
    "a Latin-1 byte far into the file": (
        HEADER
        + b"".join(b"D%d,Name %d,corporate\n" % (i, i) for i in range(1, 5000))
        + b"D5000,Caf\xe9,corporate\n",
        "donors.csv:5001: the file is not UTF-8 text",
    ),
    "right-to-left override in a name": (
        HEADER + "D1,PT Evil\u202egnp.exe,corporate\n".encode(),
        # the message shows the value escaped: the override does not act on the terminal
        "donors.csv:2: column name: value 'PT Evil\\u202egnp.exe': a name may not hold "
        "control or direction-changing characters (U+202E at character 8)",
    ),
    "line break inside a quoted name": (
        HEADER + b'D1,"PT Dua\nBaris",corporate\n',
        "a name may not hold control or direction-changing characters (U+000A",
    ),
    "escape character in a name": (
        HEADER + b"D1,PT \x1b[31mMerah,corporate\n",
        "(U+001B at character 4)",
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_a_hostile_file_is_refused_at_its_line_and_nothing_is_written(case, cli, engine, tmp_path):
    content, message = CASES[case]
    path = _write(tmp_path, "donors.csv", content)
    before = table_contents(engine)
    result = cli("import", "donors", path)
    assert result.exit_code == 1
    assert "refused, nothing was written" in result.output
    assert message in result.output, result.output
    assert "Traceback" not in result.output
    assert table_contents(engine) == before


def test_a_reference_with_a_control_character_is_refused(cli, engine, tmp_path):
    from tests.ledgers import import_all, worked_example

    files = worked_example(tmp_path)
    import_all(cli, {k: files[k] for k in ("donors", "rates", "workers", "donations")})
    assert cli("allocate").exit_code == 0
    path = _write(
        tmp_path,
        "confirmations.csv",
        b"donation_id,worker_id,start_month,confirmed_on,amount_idr,reference\n"
        b"X,A,2024-05,2024-05-02,113600,TK\x07-1\n",
    )
    before = table_contents(engine)
    result = cli("import", "confirmations", path)
    assert "confirmations.csv:2: column reference" in result.output
    assert "(U+0007 at character 3)" in result.output
    assert table_contents(engine) == before


def _xlsx(path: Path, patch) -> Path:
    """A real donors workbook written by openpyxl, its parts then rewritten by ``patch``."""
    import zipfile

    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["donor_id", "name", "type"])
    sheet.append(["D1", "PT Satu", "corporate"])
    plain = path.with_suffix(".plain.xlsx")
    workbook.save(plain)
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for part in source.infolist():
            out.writestr(part, patch(part.filename, source.read(part.filename)))
    return path


def test_a_forged_sheet_dimension_does_not_pad_rows(cli, engine, tmp_path):
    """<dimension ref="A1:XFD1048576"/> padded every row to 16,384 cells (minutes of CPU)."""
    import re

    def forge(name: str, data: bytes) -> bytes:
        if name == "xl/worksheets/sheet1.xml":
            return re.sub(rb'<dimension ref="[^"]+"/>', b'<dimension ref="A1:XFD1048576"/>', data)
        return data

    result = cli("import", "donors", _xlsx(tmp_path / "donors.xlsx", forge))
    assert result.exit_code == 0, result.output
    assert "1 new" in result.output


def test_an_archive_bomb_is_refused_before_it_is_read(cli, engine, tmp_path):
    """A shared-strings part of 60 MB of one repeated string, compressed to a few dozen KB."""

    def bomb(name: str, data: bytes) -> bytes:
        if name == "xl/worksheets/sheet1.xml":
            return data + b"<!--" + b"A" * 60_000_000 + b"-->"
        return data

    before = table_contents(engine)
    result = cli("import", "donors", _xlsx(tmp_path / "donors.xlsx", bomb))
    assert result.exit_code == 1
    assert "xl/worksheets/sheet1.xml expands" in result.output
    assert "an archive bomb?" in result.output
    assert table_contents(engine) == before
