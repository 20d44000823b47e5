"""Running a report as the worker does, and reading its file back: PDF text (pypdf), XLSX rows (openpyxl), CSV rows."""

import csv
import io
from typing import Any

from openpyxl import load_workbook
from pypdf import PdfReader

from openimis.common.models import Job, JobStatus
from reports.services import report_request
from reports.tasks import report_run_task

PERIOD = {"date_from": "2026-01-01", "date_to": "2026-03-31"}


def run_report(user: Any, code: str, fmt: str, **params: Any) -> Job:
    """Requests the report (the period of PERIOD unless given) and runs the job as the worker would."""
    job = report_request(user=user, code=code, params={**PERIOD, **params}, fmt=fmt)
    report_run_task(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    return job


def content(job: Job) -> bytes:
    with job.result_file.open("rb") as handle:
        return handle.read()


def pdf_text(job: Job) -> str:
    data = content(job)
    assert data.startswith(b"%PDF")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def xlsx_rows(job: Job) -> list[list[Any]]:
    sheet = load_workbook(io.BytesIO(content(job))).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def csv_rows(job: Job) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content(job).decode("utf-8-sig"))))
