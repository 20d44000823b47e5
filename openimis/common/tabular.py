"""Tables of data in files (CSV and XLSX), read for imports and written for exports the same way in every app.

Reading (`read_table`):
- XLSX is recognised by its content (a zip archive), anything else is read as CSV; the old binary .xls is refused.
- CSV: UTF-8 with or without a byte-order mark, separated by commas or semicolons (whichever the header row
  holds more of), quoted as spreadsheets quote it.
- XLSX: the first worksheet, streamed with openpyxl's read-only mode (memory does not grow with the file).
- The first non-empty row is the header; column names are trimmed and compared in lower case.
- Every data row carries its number as the spreadsheet shows it (the header is usually row 1) and its values
  as trimmed text: numbers as plain decimals ("12.5", "3"), dates as ISO dates ("2026-01-31"). Empty rows are
  skipped.
Writing (`export_response`):
- CSV is streamed row by row, in UTF-8 with a byte-order mark so that spreadsheets show accents correctly.
- XLSX is written with openpyxl's write-only mode into a temporary file (spilled to disk when large), header
  in bold and frozen; amounts with two decimal places (Decimal, to the cent) are shown with both decimals.
"""

import csv
import io
import re
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils.translation import gettext as _

from .exceptions import ApplicationError

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
FORMATS = ("csv", "xlsx")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the binary .xls of Excel 97-2003


class TableUnreadable(ApplicationError):
    """The file cannot be read as a table at all (wrong format, encoding, no header, missing columns)."""

    code = "file_unreadable"


@dataclass(frozen=True)
class Row:
    number: int  # as the spreadsheet shows it
    values: dict[str, str]

    def get(self, column: str) -> str:
        return self.values.get(column, "")


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[Row]
    header_row: int

    def has(self, column: str) -> bool:
        return column in self.columns


# --- reading -----------------------------------------------------------------------------------------------


def read_table(data: bytes, *, required: Sequence[str] = ()) -> Table:
    """The table in a CSV or XLSX file; refuses files without a header or lacking a required column."""
    if data.startswith(_OLE_MAGIC):
        raise TableUnreadable(_("This is an old Excel file (.xls); save it as .xlsx or as CSV UTF-8."))
    records = _xlsx_records(data) if data.startswith(_ZIP_MAGIC) else _csv_records(data)
    header: list[str] | None = None
    header_row = 0
    rows: list[Row] = []
    for number, cells in records:
        if not any(cells):
            continue
        if header is None:
            header, header_row = [c.strip().lower() for c in cells], number
            _check_header(header, required)
            continue
        values = {name: cells[i] if i < len(cells) else "" for i, name in enumerate(header) if name}
        rows.append(Row(number, values))
    if header is None:
        raise TableUnreadable(_("The file is empty."))
    return Table(columns=[c for c in header if c], rows=rows, header_row=header_row)


def _check_header(header: list[str], required: Sequence[str]) -> None:
    named = [c for c in header if c]
    repeated = sorted({c for c in named if named.count(c) > 1})
    if repeated:
        raise TableUnreadable(_("The header row names these columns twice: %s.") % ", ".join(repeated))
    missing = [c for c in required if c not in header]
    if missing:
        raise TableUnreadable(_("The header row lacks the columns: %s.") % ", ".join(missing))


def _csv_records(data: bytes) -> Iterator[tuple[int, list[str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TableUnreadable(_("The file is not UTF-8 text; save it as 'CSV UTF-8' or as .xlsx.")) from exc
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for number, record in enumerate(reader, start=1):
            yield number, [value.strip() for value in record]
    except csv.Error as exc:
        raise TableUnreadable(
            _("The CSV file is malformed near row %(row)d: %(error)s")
            % {
                "row": reader.line_num,
                "error": exc,
            }
        ) from exc


def _xlsx_records(data: bytes) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise TableUnreadable(_("The file is not a readable .xlsx workbook.")) from exc
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some programs write a wrong size; read what is there
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [cell_text(value) for value in cells]
    finally:
        workbook.close()


def cell_text(value: Any) -> str:
    """A spreadsheet cell's value as the text a person would type for it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else format(Decimal(repr(value)), "f")
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value).strip()


# --- writing -----------------------------------------------------------------------------------------------


# A text cell a spreadsheet would run as a formula (=, @, or + / - not followed by a plain number or phone
# number) is written with a leading ' so that opening an export never executes anything.
_FORMULA = re.compile(r"^(?:[=@\t\r]|[+-](?![\d\s().-]*$))")


def safe_cell(value: Any) -> Any:
    return f"'{value}" if isinstance(value, str) and _FORMULA.match(value) else value


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    return safe_cell(value)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """The CSV text, a line at a time, starting with the byte-order mark."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(header)
    for row in rows:
        yield writer.writerow([_csv_value(v) for v in row])


def write_xlsx(handle: Any, header: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str = "data") -> None:
    """Writes a one-sheet workbook to a binary file object."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for name in header:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)

    def written(value: Any) -> Any:
        if isinstance(value, Decimal) and value.as_tuple().exponent == -2:
            money = WriteOnlyCell(sheet, value=value)
            money.number_format = "0.00"  # amounts to the cent keep their two decimals on screen (16.30)
            return money
        return None if value == "" else safe_cell(value)

    for row in rows:
        sheet.append([written(v) for v in row])
    workbook.save(handle)


def xlsx_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str = "data") -> bytes:
    buffer = io.BytesIO()
    write_xlsx(buffer, header, rows, title=title)
    return buffer.getvalue()


def export_response(
    fmt: str, stem: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> StreamingHttpResponse | FileResponse:
    """A download of the rows as `<stem>.csv` (streamed) or `<stem>.xlsx`."""
    if fmt == "xlsx":
        handle = tempfile.SpooledTemporaryFile(max_size=8 * 2**20)  # noqa: SIM115 - FileResponse closes it
        write_xlsx(handle, header, rows, title=stem)
        handle.seek(0)
        return FileResponse(handle, as_attachment=True, filename=f"{stem}.xlsx", content_type=XLSX_CONTENT_TYPE)
    response = StreamingHttpResponse(csv_lines(header, rows), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{stem}.csv"'
    return response
