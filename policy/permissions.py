"""The only way a request loads a product or one of its lines: by uuid, within the requesting user's scope."""

from django.http import Http404

from openimis.accounts.models import User

from .models import LineKind, Product, ProductItem, ProductService


def access_product_by_uuid(user: User, uuid: str) -> Product:
    try:
        return Product.objects.visible_to(user).select_related("location", "conversion_product").get(uuid=uuid)
    except (Product.DoesNotExist, ValueError) as exc:
        raise Http404("No such product") from exc


def access_product_line(product: Product, kind: LineKind, target_uuid: str) -> ProductItem | ProductService:
    """A line of a product the caller reached through `access_product_by_uuid`, by its item's or service's uuid."""
    lookup = {"product": product, f"{kind.target_field}__uuid": target_uuid}
    try:
        return kind.model.objects.select_related(kind.target_field).get(**lookup)  # type: ignore[attr-defined]
    except (kind.model.DoesNotExist, ValueError) as exc:
        raise Http404("This product does not cover it") from exc
