"""Turns a report's data into a file: PDF (WeasyPrint, in the active language), XLSX or CSV."""

from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from openimis.common.tabular import csv_lines, xlsx_bytes

from .queries import ReportData
from .registry import Report

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
    return [*data.rows, *([data.totals] if data.totals else [])]


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


def render_pdf(report: Report, data: ReportData) -> bytes:
    from batch.statements import render_pdf as html_to_pdf

    numeric = [bool(data.rows) and isinstance(v, int | Decimal) for v in (data.rows[0] if data.rows else [])]
    html = render_to_string(
        report.template,
        {
            "data": data,
            "columns": list(zip(data.columns, numeric or [False] * len(data.columns), strict=True)),
            "rows": [[(_shown(v), n) for v, n in zip(row, numeric, strict=True)] for row in data.rows],
            "totals": [(_shown(v), n) for v, n in zip(data.totals, numeric, strict=True)] if data.totals else None,
            "no_data": no_data(),
            "generated_at": formats.date_format(timezone.localtime(), "SHORT_DATETIME_FORMAT"),
        },
    )
    return html_to_pdf(html)
