import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation


class UserLanguageMiddleware:
    """Uses the logged-in user's language, unless this browser chose another one with the language switch."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.COOKIES.get("django_language"):
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


class SessionActivityMiddleware:
    """Keeps a session alive while its user is active: its expiry moves 30 minutes ahead on activity.

    The session is written at most once a minute instead of on every request (SESSION_SAVE_EVERY_REQUEST would
    cost a database write per page), so an idle session ends between 30 and 31 minutes after the last request.
    """

    REFRESH_SECONDS = 60

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated:
            now = int(time.time())
            if now - session.get("_active_at", 0) >= self.REFRESH_SECONDS:
                session["_active_at"] = now  # marks the session modified: saved with a new expiry
        return self.get_response(request)
