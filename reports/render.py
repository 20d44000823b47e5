"""Turns a report's data into a file: PDF (WeasyPrint, in the active language), XLSX or CSV."""

from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from openimis.common.tabular import csv_lines, xlsx_bytes

from .base import Report, ReportData

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
}


def no_data() -> str:
    return _("No data for these parameters.")


def _table(data: ReportData) -> list[list[Any]]:
    """The rows for a spreadsheet: the data, then the totals line; or one line saying there is no data."""
    if data.is_empty:
        return [[no_data()]]
    return [*data.rows, *([data.totals] if data.totals else []), *([[data.note]] if data.note else [])]


def _shown(value: Any) -> str:
    if isinstance(value, Decimal):
        places = 2 if value.as_tuple().exponent == -2 else None
        return formats.number_format(value, places, use_l10n=True, force_grouping=True)
    if isinstance(value, int):
        return formats.number_format(value, use_l10n=True, force_grouping=True)
    return str(value)


def render(report: Report, data: ReportData, fmt: str) -> bytes:
    if fmt == "csv":
        return "".join(csv_lines(data.columns, _table(data))).encode("utf-8")
    if fmt == "xlsx":
        return xlsx_bytes(data.columns, _table(data), title=str(report.code))
    return render_pdf(report, data)


# Above this many rows the PDF lists the rows as lines of fixed-width text under their column heads rather than as a
# table: WeasyPrint lays out about a hundred table rows a second, so the 6,000 facilities of a national report would
# take a minute as a table and take a few seconds as lines. Each block of lines fills one A4 landscape page (51 lines
# fit; the first page also holds the report's head), so that every page has its column heads and no page is left
# half empty: blocks of 40 lines took 4.2 s for 5,000 rows on 125 pages, page-sized blocks 2.7 s on 106 pages.
LISTING_ABOVE = 500
FIRST_BLOCK = 30
LINES_PER_BLOCK = 48
LABEL_WIDTH = 40


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _listing(columns: list[str], rows: list[list[str]], numeric: list[bool]) -> tuple[str, list[str]]:
    """The head line and the text lines of the rows, each column padded to its width (numbers on the right)."""
    widths = [
        min(max([len(c), *(len(r[i]) for r in rows)]), LABEL_WIDTH if not numeric[i] else 999)
        for i, c in enumerate(columns)
    ]

    def line(values: list[str]) -> str:
        cells = [
            _cut(v, w).rjust(w) if n else _cut(v, w).ljust(w) for v, w, n in zip(values, widths, numeric, strict=True)
        ]
        return "  ".join(cells).rstrip()

    return line(columns), [line(r) for r in rows]


def _blocks(lines: list[str]) -> list[str]:
    """The lines in blocks of a page each: FIRST_BLOCK under the report's head, then LINES_PER_BLOCK a page."""
    rest = lines[FIRST_BLOCK:]
    return [
        "\n".join(block)
        for block in (
            lines[:FIRST_BLOCK],
            *(rest[k : k + LINES_PER_BLOCK] for k in range(0, len(rest), LINES_PER_BLOCK)),
        )
        if block
    ]


def render_pdf(report: Report, data: ReportData) -> bytes:
    from batch.statements import render_pdf as html_to_pdf

    numeric = [bool(data.rows) and isinstance(v, int | Decimal) for v in (data.rows[0] if data.rows else [])]
    rows = [[_shown(v) for v in row] for row in data.rows]
    totals = [_shown(v) for v in data.totals] if data.totals else None
    context: dict[str, Any] = {
        "data": data,
        "columns": list(zip(data.columns, numeric or [False] * len(data.columns), strict=True)),
        "no_data": no_data(),
        "generated_at": formats.date_format(timezone.localtime(), "SHORT_DATETIME_FORMAT"),
    }
    if len(rows) > LISTING_ABOVE:
        head, lines = _listing([str(c) for c in data.columns], [*rows, *([totals] if totals else [])], numeric)
        total_line = lines.pop() if totals else ""
        context["listing"] = {
            "head": head,
            "blocks": _blocks(lines),
            "totals": total_line,
        }
    else:
        context["rows"] = [list(zip(row, numeric, strict=True)) for row in rows]
        context["totals"] = list(zip(totals, numeric, strict=True)) if totals else None
    return html_to_pdf(render_to_string(report.template, context))
