"""The Celery task of the family import (a thin wrapper: the work is `import_services.families_import`)."""

from typing import Any

from celery import shared_task
from django.utils.translation import gettext_lazy as _

from openimis.common.jobs import JobTask
from openimis.common.models import JOB_KINDS, Job

JOB_KINDS.setdefault("insuree.import", _("Import of families"))


@shared_task(base=JobTask, name="insuree.import_families")
def import_families_task(job: Job) -> dict[str, Any]:
    from .import_services import families_import

    return families_import(job=job)
