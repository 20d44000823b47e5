"""Error pages: HTML for people, the API's JSON shape for /api/ paths."""

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def forbidden(request: HttpRequest, exception: Any = None) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(
            {"code": "permission_denied", "detail": "You do not have permission.", "fields": {}}, status=403
        )
    return render(request, "403.html", status=403)


def not_found(request: HttpRequest, exception: Any = None) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"code": "not_found", "detail": "Not found.", "fields": {}}, status=404)
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"code": "server_error", "detail": "Internal error.", "fields": {}}, status=500)
    return HttpResponse(loader.get_template("500.html").render(), status=500)
