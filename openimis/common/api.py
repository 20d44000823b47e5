"""API conventions: deny by default, one error shape, every list paginated."""

from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, permissions
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

if TYPE_CHECKING:
    from rest_framework.views import APIView

    from openimis.accounts.models import User

from .exceptions import ApplicationError


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class ScopedModelPermissions(permissions.DjangoModelPermissions):
    """Authenticated, and the model permission for the method, reading included (view_<model>).

    Object scope is not decided here: each view's queryset comes from `visible_to(user)`, so an object out of
    scope is simply not found (404).
    """

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
    }


def require_perms(*perms: str) -> type[permissions.BasePermission]:
    """A permission class for actions that are not plain CRUD (move, deactivate, import)."""

    class HasPerms(permissions.BasePermission):
        def has_permission(self, request: Request, view: "APIView") -> bool:
            return bool(request.user and request.user.is_authenticated and request.user.has_perms(perms))

    HasPerms.__name__ = "HasPerms_" + "_".join(p.replace(".", "_") for p in perms)
    return HasPerms


def acting_user(request: Request) -> "User":
    """The authenticated user of an API request (the permission classes have already refused anonymous ones)."""
    return cast("User", request.user)


def _flatten(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            if isinstance(value, dict):
                for sub, msgs in _flatten(value).items():
                    out[f"{key}.{sub}"] = msgs
            elif isinstance(value, list):
                out[key] = [str(v) for v in value if not isinstance(v, dict)] or [str(value)]
            else:
                out[key] = [str(value)]
        return out
    return {}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every API error answers `{"code", "detail", "fields"}`."""
    if isinstance(exc, ApplicationError):
        return Response({"code": exc.code, "detail": exc.message, "fields": exc.fields}, status=exc.status_code)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    if not isinstance(exc, exceptions.APIException):
        return None
    headers = {}
    wait = getattr(exc, "wait", None)
    if wait:
        headers["Retry-After"] = str(int(wait))
    if isinstance(exc, exceptions.ValidationError):
        fields = (
            _flatten(exc.detail) if isinstance(exc.detail, dict) else {"non_field_errors": [str(d) for d in exc.detail]}
        )
        body = {"code": "invalid", "detail": "The input is not valid; see fields.", "fields": fields}
    else:
        code = exc.get_codes()
        body = {"code": code if isinstance(code, str) else "error", "detail": str(exc.detail), "fields": {}}
    return Response(body, status=exc.status_code, headers=headers)
