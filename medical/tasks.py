from typing import Any

from celery import shared_task

from openimis.common.jobs import JobTask
from openimis.common.models import Job


@shared_task(base=JobTask, name="medical.import_medical")
def import_medical_task(job: Job) -> dict[str, Any]:
    """Imports a file of items, services, diagnoses or price-list entries (the job's kind says which)."""
    from .services import medical_import

    return medical_import(job=job)
