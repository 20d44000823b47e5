"""The report job: a thin Celery task around `reports.services.report_run`; registers the job kind."""

from typing import Any

from celery import shared_task
from django.utils.translation import gettext_lazy as _

from openimis.common.jobs import JobTask
from openimis.common.models import JOB_KINDS, Job

JOB_KINDS.setdefault("reports.run", _("Report"))


@shared_task(base=JobTask, name="reports.run")
def report_run_task(job: Job) -> dict[str, Any]:
    from .services import report_run

    return report_run(job=job)
