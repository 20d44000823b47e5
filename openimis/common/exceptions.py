"""Domain errors: each carries a stable code, a message for people and, where it applies, per-field messages.

They are mapped once for the API (openimis.common.api.exception_handler) and once for pages
(openimis.common.forms.apply_error).
"""

from typing import Any


class ApplicationError(Exception):
    code = "invalid"
    status_code = 400

    def __init__(self, message: Any, *, fields: dict[str, list[str]] | None = None, code: str | None = None):
        super().__init__(str(message))
        self.message = str(message)
        self.fields = {key: [str(m) for m in msgs] for key, msgs in (fields or {}).items()}
        if code:
            self.code = code

    @classmethod
    def for_field(cls, field: str, message: Any, *, code: str | None = None) -> "ApplicationError":
        return cls(message, fields={field: [str(message)]}, code=code)


class NotFoundError(ApplicationError):
    code = "not_found"
    status_code = 404


class PermissionDeniedError(ApplicationError):
    code = "permission_denied"
    status_code = 403
