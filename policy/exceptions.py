from openimis.common.exceptions import ApplicationError, PermissionDeniedError


class ProductError(ApplicationError):
    code = "product_invalid"


class ProductInUseError(ApplicationError):
    """A product something refers to (a product converting into it, policies) cannot be deleted, only closed."""

    code = "product_in_use"
    status_code = 409


class PolicyError(ApplicationError):
    code = "policy_invalid"


class PolicyStateError(ApplicationError):
    """The policy's status does not allow this (only Idle policies change; payments need a current policy)."""

    code = "policy_state"
    status_code = 409


class ContributionError(ApplicationError):
    code = "contribution_invalid"


__all__ = [
    "ApplicationError",
    "ContributionError",
    "PermissionDeniedError",
    "PolicyError",
    "PolicyStateError",
    "ProductError",
    "ProductInUseError",
]
