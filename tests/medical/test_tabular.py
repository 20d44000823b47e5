"""openimis.common.tabular: the file reading and writing every import and export shares."""

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from openimis.common.tabular import TableUnreadable, cell_text, csv_lines, read_table, xlsx_bytes


def test_csv_with_bom_semicolons_quotes_and_blank_rows():
    data = '\ufeffCode ; Name\n"A;1";"Line ""one"""\n\n;\nB2;Two\n'.encode()
    table = read_table(data, required=["code"])
    assert table.columns == ["code", "name"]
    assert [(r.number, r.values) for r in table.rows] == [
        (2, {"code": "A;1", "name": 'Line "one"'}),
        (5, {"code": "B2", "name": "Two"}),
    ]


def test_csv_with_commas_and_short_rows():
    table = read_table(b"code,name,price\nX,Thing\n")
    assert table.rows[0].values == {"code": "X", "name": "Thing", "price": ""}


def test_xlsx_rows_are_numbered_as_the_spreadsheet_shows_them():
    book = Workbook()
    sheet = book.active
    sheet["A3"], sheet["B3"] = "Code", "Price"  # the header on row 3, after two empty rows
    sheet["A5"], sheet["B5"] = "AMX", 12.5
    sheet["A6"], sheet["B6"] = 7, datetime(2026, 1, 31)
    buffer = io.BytesIO()
    book.save(buffer)
    table = read_table(buffer.getvalue(), required=["code", "price"])
    assert table.header_row == 3
    assert [(r.number, r.values) for r in table.rows] == [
        (5, {"code": "AMX", "price": "12.5"}),
        (6, {"code": "7", "price": "2026-01-31"}),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"code,name\n", "price"),
        (b"", "empty"),
        (b"\xff\xfe\x00bad", "UTF-8"),
        (b"\xd0\xcf\x11\xe0rest", ".xls"),
        (b"PK\x03\x04not a workbook", "xlsx"),
        (b"code,code,price\n", "twice"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(data, message):
    with pytest.raises(TableUnreadable) as err:
        read_table(data, required=["code", "price"])
    assert message in err.value.message


def test_cell_text():
    assert cell_text(3.0) == "3" and cell_text(0.1) == "0.1" and cell_text(1e-05) == "0.00001"
    assert (
        cell_text(Decimal("2.50")) == "2.50" and cell_text(True) == "1" and cell_text(date(2026, 2, 1)) == "2026-02-01"
    )
    assert cell_text(None) == "" and cell_text("  x ") == "x"


def test_writers_round_trip():
    rows = [["AMX", Decimal("60.00"), None, date(2026, 1, 1), True]]
    text = "".join(csv_lines(["code", "price", "max", "date", "flag"], rows))
    assert text == "\ufeffcode,price,max,date,flag\r\nAMX,60.00,,2026-01-01,1\r\n"
    sheet = load_workbook(io.BytesIO(xlsx_bytes(["code", "price"], [["AMX", Decimal("60.00")]]))).active
    assert sheet["A1"].font.bold and sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[2]] == ["AMX", 60]
    assert sheet["B2"].number_format == "0.00"  # an amount to the cent shows 60.00, not 60
    assert load_workbook(io.BytesIO(xlsx_bytes(["n"], [[Decimal("2.5")]]))).active["A2"].number_format == "General"
    table = read_table(xlsx_bytes(["code", "price"], [["AMX", Decimal("60.50")]]))
    assert table.rows[0].values == {"code": "AMX", "price": "60.5"}
