"""Background jobs: one Job row per piece of long work, created in the request and run by a Celery worker.

Rules:
- A job is enqueued only after the transaction that created it commits (the worker must find the row).
- A worker takes a job by a conditional UPDATE from queued (or running, when a crashed worker's message is
  delivered again) to running; a finished job is never run again, so a repeated message is harmless.
- Progress is written in its own short statement so that the page polling it sees it while the work goes on.
- Everything the job changes is recorded in history with the user who started it (pghistory context), and
  the messages it stores are in that user's language.
"""

from typing import Any

import pghistory
from celery import Task
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from openimis.accounts.models import User

from .exceptions import ApplicationError
from .models import Job, JobStatus


def job_create(
    *, user: User, kind: str, task: Task, params: dict[str, Any] | None = None, input_file: Any = None
) -> Job:
    with transaction.atomic():
        job = Job(kind=kind, created_by=user, params=params or {})
        if input_file is not None:
            job.input_file.save(getattr(input_file, "name", "input") or "input", input_file, save=False)
        job.save()
        job_id = job.pk
        transaction.on_commit(lambda: task.delay(job_id))
    return job


def job_start(*, job_id: int) -> Job | None:
    taken = Job.objects.filter(pk=job_id, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).update(
        status=JobStatus.RUNNING, started_at=timezone.now(), attempts=F("attempts") + 1, progress=0
    )
    if not taken:
        return None
    return Job.objects.select_related("created_by").get(pk=job_id)


def job_progress(*, job: Job, percent: float, message: str = "") -> None:
    job.progress = max(0, min(100, int(percent)))
    job.message = message[:200]
    Job.objects.filter(pk=job.pk).update(progress=job.progress, message=job.message)


def job_succeed(*, job: Job, result: dict[str, Any] | None = None) -> None:
    job.status, job.progress, job.finished_at = JobStatus.SUCCEEDED, 100, timezone.now()
    job.result = result or {}
    job.save(update_fields=["status", "progress", "finished_at", "result", "result_file"])


def job_fail(*, job: Job, error: str, result: dict[str, Any] | None = None) -> None:
    job.status, job.finished_at, job.error = JobStatus.FAILED, timezone.now(), error
    job.result = result or {}
    job.save(update_fields=["status", "finished_at", "error", "result"])


class JobFailed(ApplicationError):
    """Raised by a job's work to end it as failed with a report (e.g. the rows of a file that are wrong)."""

    code = "job_failed"

    def __init__(self, message: Any, *, report: dict[str, Any] | None = None):
        super().__init__(message)
        self.report = report or {}


class JobTask(Task):  # type: ignore[misc]
    """Celery task base: called with a job id, runs the task body with the Job, records the outcome."""

    def __call__(self, job_id: int, *args: Any, **kwargs: Any) -> Any:
        job = job_start(job_id=job_id)
        if job is None:
            return None  # finished already: a repeated delivery
        try:
            # Messages the job stores (steps, summaries, row errors) are in the language of the person waiting.
            with (
                translation.override(job.created_by.language),
                pghistory.context(user=job.created_by_id, job=str(job.uuid), task=self.name),
            ):
                result = self.run(job, *args, **kwargs)
        except JobFailed as exc:
            job_fail(job=job, error=exc.message, result=exc.report)
            return None
        except ApplicationError as exc:
            job_fail(job=job, error=exc.message, result={"code": exc.code, "fields": exc.fields})
            return None
        except BaseException:
            with translation.override(job.created_by.language):
                message = _("The job stopped on an internal error; the administrators have the log.")
            job_fail(job=job, error=message)
            raise
        job_succeed(job=job, result=result if isinstance(result, dict) else {})
        return None
