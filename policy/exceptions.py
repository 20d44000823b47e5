from openimis.common.exceptions import ApplicationError, PermissionDeniedError


class ProductError(ApplicationError):
    code = "product_invalid"


class ProductInUseError(ApplicationError):
    """A product something refers to (a product converting into it, policies) cannot be deleted, only closed."""

    code = "product_in_use"
    status_code = 409


__all__ = ["ApplicationError", "PermissionDeniedError", "ProductError", "ProductInUseError"]
