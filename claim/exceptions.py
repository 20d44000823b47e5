from openimis.common.exceptions import ApplicationError, PermissionDeniedError


class ClaimError(ApplicationError):
    code = "claim_invalid"


class ClaimStateError(ApplicationError):
    """The claim's status does not allow this (only Entered claims change)."""

    code = "claim_state"
    status_code = 409


__all__ = ["ApplicationError", "ClaimError", "ClaimStateError", "PermissionDeniedError"]
