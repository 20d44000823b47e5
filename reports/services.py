"""Running a report: a request becomes a job ("reports.run") run by a Celery worker, which writes the file.

Rules:
- Only users with `reports.run_report` run reports; the report code and the format must be known.
- The job records who asked for what: the report code, its parameters and the format (job params).
- The worker runs the query as the job's user (the query is scoped to that user's area, whatever the parameters
  say), in that user's language, and stores the file as the job's result; a report with no data is a file that
  says so, not a failure.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.utils import formats
from django.utils.translation import gettext as _

from location.models import HealthFacility, Location
from openimis.accounts.models import User
from openimis.common.exceptions import ApplicationError, NotFoundError, PermissionDeniedError
from openimis.common.jobs import job_create, job_progress
from openimis.common.models import Job
from payer.models import Payer
from policy.models import Product

from .base import ReportParams, reading_db
from .registry import FORMATS, REPORTS, Report
from .render import render
from .routers import reading_replica

JOB_KIND = "reports.run"


def report_for(*, user: User, code: str) -> Report:
    if not user.has_perm("reports.run_report"):
        raise PermissionDeniedError(_("You do not have the permission to do this."))
    report = REPORTS.get(code)
    if report is None:
        raise NotFoundError(_("There is no such report."))
    return report


def report_request(*, user: User, code: str, params: dict[str, Any], fmt: str) -> Job:
    """Queues a run of the report `code` with `params` (as `ReportForm.params()` gives them) in format `fmt`."""
    from .tasks import report_run_task

    report = report_for(user=user, code=code)
    if fmt not in FORMATS:
        raise ApplicationError.for_field("fmt", _("Choose PDF, XLSX or CSV."))
    stored = {name: params.get(name) for name in report.parameters}
    return job_create(
        user=user, kind=JOB_KIND, task=report_run_task, params={"report": code, "params": stored, "format": fmt}
    )


def _params_of(stored: dict[str, Any]) -> ReportParams:
    db = reading_db()

    def row(model: Any, pk: Any) -> Any:
        return model.objects.using(db).filter(pk=pk).first() if pk is not None else None

    return ReportParams(
        date_from=date.fromisoformat(stored["date_from"]) if stored.get("date_from") else None,
        date_to=date.fromisoformat(stored["date_to"]) if stored.get("date_to") else None,
        location=row(Location, stored.get("location")),
        product=row(Product, stored.get("product")),
        facility=row(HealthFacility, stored.get("facility")),
        payer=row(Payer, stored.get("payer")),
        officer=row(User, stored.get("officer")),
        user=row(User, stored.get("user")),
        insurance_number=stored.get("insurance_number") or "",
        rate=Decimal(stored["rate"]) if stored.get("rate") else None,
    )


def _head(params: ReportParams) -> list[tuple[str, str]]:
    head: list[tuple[str, str]] = []
    if params.date_from and params.date_to:
        period = f"{formats.date_format(params.date_from, 'SHORT_DATE_FORMAT')} – "
        period += formats.date_format(params.date_to, "SHORT_DATE_FORMAT")
        head.append((_("Period"), period))
    if params.location is not None:
        head.append((_("Location"), f"{params.location.code} · {params.location.name}"))
    if params.facility is not None:
        head.append((_("Health facility"), f"{params.facility.code} · {params.facility.name}"))
    if params.product is not None:
        head.append((_("Product"), f"{params.product.code} · {params.product.name}"))
    if params.payer is not None:
        head.append((_("Payer"), params.payer.name))
    if params.officer is not None:
        head.append((_("Enrolment officer"), str(params.officer)))
    if params.user is not None:
        head.append((_("User"), str(params.user)))
    if params.insurance_number:
        head.append((_("Insurance number"), params.insurance_number))
    if params.rate is not None:
        head.append((_("Commission rate"), f"{formats.number_format(params.rate, use_l10n=True)} %"))
    return head


def report_run(*, job: Job) -> dict[str, Any]:
    """The worker's part: runs the query as the job's user and stores the file in the job."""
    user = job.created_by
    report = report_for(user=user, code=job.params["report"])
    fmt = job.params["format"]
    with reading_replica():
        params = _params_of(job.params.get("params") or {})
    job_progress(job=job, percent=10, message=_("Reading the data…"))
    with reading_replica():
        data = report.query(user=user, params=params)
    data.parameters = _head(params)
    job_progress(job=job, percent=60, message=_("Writing the file…"))
    content = render(report, data, fmt)
    start = params.date_from.isoformat() if params.date_from else ""
    job.result_file.save(f"{report.code}_{start}.{fmt}".replace("_.", "."), ContentFile(content), save=False)
    return {"rows": len(data.rows), "format": fmt, "report": report.code}
