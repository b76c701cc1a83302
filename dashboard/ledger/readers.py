"""Read a contract file (CSV or XLSX) as numbered rows of cells (docs/contract.md "Files")."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from dashboard.core.errors import ImportRefused, Message, ValidationError, message
from dashboard.core.labels import N_

Row = tuple[int, list[object]]  # (line number, raw cells in the order of Table.columns)


@dataclass
class Table:
    columns: list[str]
    rows: Iterator[Row]


def open_table(
    path: Path,
    required: tuple[str, ...],
    optional: tuple[str, ...],
    refused: dict[str, str] | None = None,
    kind_of: Callable[[list[str]], Message | None] = lambda header: None,
) -> Table:
    """The file's header checked against the kind's columns, and an iterator over its rows,
    each padded to the header's width; blank rows are skipped.

    ``refused`` names columns that are never accepted, with the reason (e.g. personal data);
    ``kind_of`` names the kind a refused header belongs to, when it is another kind's.
    """
    name = path.name
    if not path.is_file():
        raise ImportRefused(name, [ValidationError(name, 0, None, None, N_("no such file"))], 1)
    if path.suffix.lower() == ".xlsx":
        header, rows = _xlsx_rows(path)
    elif path.suffix.lower() in {".csv", ".txt"}:
        header, rows = _csv_rows(path)
    else:
        reason = N_("unsupported file type: use .csv or .xlsx")
        raise ImportRefused(name, [ValidationError(name, 0, None, None, reason)], 1)
    columns = [str(cell).strip().lower() if cell is not None else "" for cell in header]
    _check_header(name, columns, required, optional, refused or {}, kind_of)

    width = len(columns)

    def aligned_rows() -> Iterator[Row]:
        for line, cells in rows:
            if len(cells) != width:
                if len(cells) > width and any(cell not in (None, "") for cell in cells[width:]):
                    reason = message(
                        N_("{fields} fields, the header has {width}"),
                        fields=len(cells),
                        width=width,
                    )
                    raise ImportRefused(name, [ValidationError(name, line, None, None, reason)], 1)
                cells = list(cells[:width]) + [None] * (width - len(cells))
            if _blank_row(cells):
                continue
            yield line, cells

    return Table(columns, aligned_rows())


def _blank_row(cells: list[object]) -> bool:
    """True for a row without a value (an empty line, or only separators and spaces)."""
    first = cells[0]
    if type(first) is str and first and not first[0].isspace():  # the common case: an id
        return False
    return all(cell is None or str(cell).strip() == "" for cell in cells)


def _check_header(
    name: str,
    columns: list[str],
    required: tuple[str, ...],
    optional: tuple[str, ...],
    refused: dict[str, str],
    kind_of: Callable[[list[str]], Message | None],
) -> None:
    errors = []
    known = set(required) | set(optional)
    seen: set[str] = set()
    for column in columns:
        if column in seen:
            errors.append(ValidationError(name, 1, column, None, N_("column appears twice")))
        elif column in refused:
            errors.append(ValidationError(name, 1, column, None, refused[column]))
        elif column not in known:
            reason = message(
                N_("unknown column (expected {columns})"),
                columns=", ".join([*required, *optional]),
            )
            errors.append(ValidationError(name, 1, column or "(empty)", None, reason))
        seen.add(column)
    for column in required:
        if column not in seen:
            errors.append(ValidationError(name, 1, column, None, N_("required column is missing")))
    if errors:
        other_kind = kind_of(columns)
        if other_kind is not None:  # the one fix for all of them, named first
            errors.insert(0, ValidationError(name, 1, None, None, other_kind))
        raise ImportRefused(name, errors, 1)


def _refused(name: str, line: int, reason: str | Message) -> ImportRefused:
    return ImportRefused(name, [ValidationError(name, line, None, None, reason)], 1)


def _decoded_lines(name: str, handle) -> Iterator[str]:
    """The file's physical lines as text, each decoded on its own, so that a byte that is not
    UTF-8 (or a NUL byte, which no contract value holds) is reported at its own line."""
    for number, raw in enumerate(handle, start=1):
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if b"\x00" in raw:
            raise _refused(name, number, N_("the line holds a NUL byte: not a text file?"))
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            raise _refused(name, number, N_("the file is not UTF-8 text")) from None


def _csv_rows(path: Path) -> tuple[list[str], Iterator[tuple[int, list[object]]]]:
    name = path.name
    handle = path.open("rb")
    lines = _decoded_lines(name, handle)
    try:
        first = next(lines, "")
    except ImportRefused:
        handle.close()
        raise
    delimiter = ";" if first.count(";") > first.count(",") else ","
    header = next(csv.reader([first], delimiter=delimiter), [])
    if not header:
        handle.close()
        raise _refused(name, 1, N_("the file is empty"))

    def rows() -> Iterator[tuple[int, list[object]]]:
        # strict: a stray or unclosed quote is an error, not a field that swallows the file
        reader = csv.reader(lines, delimiter=delimiter, strict=True)
        line = 1
        try:
            for record in reader:
                line = reader.line_num + 1
                yield line, record
        except csv.Error as problem:
            reason = message(
                N_("not valid CSV ({problem}): a quote left open, or a field too long?"),
                problem=str(problem),
            )
            raise _refused(name, line + 1, reason) from None
        finally:
            handle.close()

    return header, rows()


# An XLSX file is a zip archive: its parts are checked before openpyxl reads them, so that a
# small upload cannot expand into gigabytes (a shared-strings or row bomb).
XLSX_MAX_UNPACKED = 512 * 2**20  # bytes of all parts together (a 1,048,576-row sheet ~ 100 MB)
XLSX_MAX_RATIO = 100  # a part over 1 MiB may expand at most 100 times (real sheets: ~10)


def _unreadable_workbook(exc: Exception) -> Message:
    return message(N_("not a readable XLSX workbook ({problem})"), problem=exc.__class__.__name__)


def _check_xlsx_archive(path: Path) -> None:
    import zipfile

    name = path.name
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise _refused(name, 0, _unreadable_workbook(exc)) from None
    unpacked = sum(part.file_size for part in parts)
    if unpacked > XLSX_MAX_UNPACKED:
        raise _refused(
            name,
            0,
            message(
                N_(
                    "the workbook unpacks to {size} MiB (at most {largest} MiB): split it, "
                    "or save it as CSV"
                ),
                size=f"{unpacked // 2**20:,}",
                largest=XLSX_MAX_UNPACKED // 2**20,
            ),
        )
    for part in parts:
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > 2**20 and ratio > XLSX_MAX_RATIO:
            raise _refused(
                name,
                0,
                message(
                    N_(
                        "{part} expands {ratio} times: not a spreadsheet a program wrote "
                        "(an archive bomb?)"
                    ),
                    part=part.filename,
                    ratio=f"{ratio:,.0f}",
                ),
            )


def _xlsx_rows(path: Path) -> tuple[list[object], Iterator[tuple[int, list[object]]]]:
    import openpyxl

    name = path.name
    _check_xlsx_archive(path)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        reason = _unreadable_workbook(exc)
        raise ImportRefused(name, [ValidationError(name, 0, None, None, reason)], 1) from None
    sheet = workbook.worksheets[0]
    # The sheet's declared size is the file's word, not its content: a forged dimension
    # (A1:XFD1048576) would pad every row to 16,384 cells.
    sheet.reset_dimensions()
    cells = sheet.iter_rows(values_only=True)
    header = list(next(cells, ()))
    while header and header[-1] is None:
        header.pop()
    if not header:
        workbook.close()
        raise ImportRefused(
            name, [ValidationError(name, 1, None, None, N_("the sheet is empty"))], 1
        )

    def rows() -> Iterator[tuple[int, list[object]]]:
        try:
            for line, record in enumerate(cells, start=2):
                yield line, list(record)
        finally:
            workbook.close()

    return header, rows()
