from typing import Any

from rest_framework import status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response


class TokenLoginView(ObtainAuthToken):
    """Exchanges a user name and password for an API token; the same lockout as the log-in page applies."""

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        try:
            return super().post(request, *args, **kwargs)
        except ValidationError:
            if getattr(request, "axes_locked_out", False) or getattr(request._request, "axes_locked_out", False):
                body = {
                    "code": "locked_out",
                    "detail": "Too many failed log-in attempts: this account is locked here for 15 minutes.",
                    "fields": {},
                }
                return Response(body, status=status.HTTP_429_TOO_MANY_REQUESTS)
            raise
