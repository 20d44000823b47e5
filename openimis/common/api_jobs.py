"""API for background jobs: a client that started an import polls its job here."""

from django.db.models import QuerySet
from django.urls import reverse
from rest_framework import mixins, permissions, serializers, viewsets

from .api import acting_user
from .models import Job


class JobOut(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    kind_display = serializers.CharField(source="kind_label", read_only=True)
    result_url = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "uuid",
            "kind",
            "kind_display",
            "status",
            "status_display",
            "progress",
            "message",
            "error",
            "result",
            "result_url",
            "created_at",
            "started_at",
            "finished_at",
        ]

    def get_result_url(self, job: Job) -> str | None:
        return reverse("common:job_download", args=[job.uuid]) if job.result_file else None


class JobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The jobs the caller started (system administrators with national scope: all)."""

    serializer_class = JobOut
    lookup_field = "uuid"
    permission_classes = [permissions.IsAuthenticated]
    queryset = Job.objects.none()

    def get_queryset(self) -> QuerySet[Job]:
        return Job.objects.visible_to(acting_user(self.request)).order_by("-created_at")
