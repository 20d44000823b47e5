"""The location import runs on a real Celery worker process through Redis, with history attributed to the user."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pghistory.models import Events

from location import services
from location.models import Location
from openimis.common.models import Job, JobStatus
from tests.workers import celery_worker, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_import_job_runs_on_a_real_worker(scheme_admin, country):
    upload = SimpleUploadedFile(
        "tree.csv", b"type,code,name,parent_code\nW,MW,Worker Municipality,DA\nV,VW1,Worker Village,MW\n"
    )
    with celery_worker():
        job = services.locations_import_start(user=scheme_admin, upload=upload)
        finished = wait_for(
            lambda: Job.objects.filter(pk=job.pk, status__in=[JobStatus.SUCCEEDED, JobStatus.FAILED]).first()
        )
    assert finished.status == JobStatus.SUCCEEDED, finished.error
    assert finished.progress == 100
    assert finished.started_at and finished.finished_at
    village = Location.objects.get(code="VW1")
    assert village.parent.code == "MW"
    event = Events.objects.tracks(village).get(pgh_label="insert")
    assert event.pgh_context["user"] == scheme_admin.pk
    assert event.pgh_context["job"] == str(job.uuid)
