from datetime import timedelta

from celery import shared_task
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Job, JobStatus


@shared_task(name="openimis.common.tasks.jobs_fail_stale")
def jobs_fail_stale() -> int:
    """Ends jobs that no worker has finished within a day (their worker and its message are gone)."""
    cutoff = timezone.now() - timedelta(days=1)
    return Job.objects.filter(status__in=[JobStatus.QUEUED, JobStatus.RUNNING], created_at__lt=cutoff).update(
        status=JobStatus.FAILED, finished_at=timezone.now(), error=_("No worker finished this job within a day.")
    )
