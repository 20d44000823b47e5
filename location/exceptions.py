from openimis.common.exceptions import ApplicationError, NotFoundError, PermissionDeniedError


class LocationError(ApplicationError):
    code = "location_invalid"


class OutOfScopeError(NotFoundError):
    """The object exists but not for this user: reported exactly like a missing object."""

    code = "not_found"


__all__ = ["ApplicationError", "LocationError", "OutOfScopeError", "PermissionDeniedError"]
