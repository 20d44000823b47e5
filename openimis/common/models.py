import uuid
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from openimis.accounts.models import User


class JobStatus(models.IntegerChoices):
    QUEUED = 0, _("Queued")
    RUNNING = 1, _("Running")
    SUCCEEDED = 2, _("Done")
    FAILED = 3, _("Failed")


# Names people see for each kind of job; apps add theirs.
JOB_KINDS: dict[str, Any] = {"location.import": _("Import of locations")}


class JobQuerySet(models.QuerySet["Job"]):
    def visible_to(self, user: "User") -> "JobQuerySet":
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(created_by=user)


class Job(models.Model):
    """Long work a person waits for (imports, valuation, reports, card batches), run by a Celery worker."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=64)
    status = models.PositiveSmallIntegerField(_("status"), choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress %"), default=0)
    message = models.CharField(_("current step"), max_length=200, blank=True)
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    input_file = models.FileField(upload_to="jobs/input/%Y/%m/", blank=True)
    result_file = models.FileField(upload_to="jobs/result/%Y/%m/", blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="jobs")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_by", "-created_at"]), models.Index(fields=["status"])]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="common_job_progress_0_100"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.uuid}"

    @property
    def kind_label(self) -> str:
        return str(JOB_KINDS.get(self.kind, self.kind))

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)
