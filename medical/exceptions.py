from openimis.common.exceptions import ApplicationError, PermissionDeniedError


class MedicalError(ApplicationError):
    """A refused change to a medical register or a price list; `fields` names the input at fault."""

    code = "medical_invalid"


__all__ = ["ApplicationError", "MedicalError", "PermissionDeniedError"]
