from openimis.common.exceptions import ApplicationError, PermissionDeniedError


class PayerError(ApplicationError):
    code = "payer_invalid"


__all__ = ["ApplicationError", "PayerError", "PermissionDeniedError"]
