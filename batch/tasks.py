"""The batch run's execution on a Celery worker: a job ("batch.run") whose progress follows the claims valued.

The message is acknowledged late (CELERY_TASK_ACKS_LATE, CELERY_TASK_REJECT_ON_WORKER_LOST): a worker killed in
the middle of a run leaves it to be delivered again, and the next execution resumes the run (`RunClaim` keeps every
claim valued once; the job is taken again because it is still running).
"""

from typing import Any

from celery import shared_task
from django.utils.translation import gettext_lazy as _

from openimis.common.jobs import JobTask
from openimis.common.models import JOB_KINDS, Job

JOB_KINDS.setdefault("batch.run", _("Batch run"))


@shared_task(base=JobTask, name="batch.run", acks_late=True, reject_on_worker_lost=True)
def batch_run_task(job: Job) -> dict[str, Any]:
    from .services import batch_run_job

    return batch_run_job(job=job)
