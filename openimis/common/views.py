from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from redis import Redis
from redis.exceptions import RedisError

from .models import Job
from .pages import AuthedRequest, paginate


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Answers 200 when the database and Redis both answer, 503 otherwise, naming what failed."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure of the database is reported, not raised
        checks["database"] = f"error: {exc.__class__.__name__}"
    try:
        Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2).ping()
        checks["redis"] = "ok"
    except RedisError as exc:
        checks["redis"] = f"error: {exc.__class__.__name__}"
    healthy = all(v == "ok" for v in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)


@login_required
def job_list(request: AuthedRequest) -> HttpResponse:
    page_obj = paginate(request, Job.objects.visible_to(request.user).select_related("created_by"))
    return render(request, "common/job_list.html", {"page_obj": page_obj})


@login_required
def job_detail(request: AuthedRequest, uuid: str) -> HttpResponse:
    job = get_object_or_404(Job.objects.visible_to(request.user), uuid=uuid)
    return render(request, "common/job_detail.html", {"job": job})


@login_required
@never_cache
def job_progress(request: AuthedRequest, uuid: str) -> HttpResponse:
    """The progress part of the job page; HTMX polls it until the job has finished."""
    job = get_object_or_404(Job.objects.visible_to(request.user), uuid=uuid)
    return render(request, "common/_job_progress.html", {"job": job})


@login_required
def job_download(request: AuthedRequest, uuid: str) -> FileResponse:
    job = get_object_or_404(Job.objects.visible_to(request.user).exclude(result_file=""), uuid=uuid)
    return FileResponse(
        job.result_file.open("rb"), as_attachment=True, filename=(job.result_file.name or "result").rsplit("/", 1)[-1]
    )
