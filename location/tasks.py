from typing import Any

from celery import shared_task

from openimis.common.jobs import JobTask
from openimis.common.models import Job


@shared_task(base=JobTask, name="location.import_locations")
def import_locations_task(job: Job) -> dict[str, Any]:
    from .services import locations_import

    return locations_import(job=job)
