from openimis.common.exceptions import ApplicationError, NotFoundError, PermissionDeniedError


class InsureeError(ApplicationError):
    code = "insuree_invalid"


class FamilyError(ApplicationError):
    code = "family_invalid"


__all__ = ["ApplicationError", "FamilyError", "InsureeError", "NotFoundError", "PermissionDeniedError"]
