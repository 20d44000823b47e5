"""The only way a request loads a register row, a price list or one of its entries: by uuid, within the requesting
user's scope (anything else is reported exactly like a missing object)."""

from typing import Any

from django.http import Http404

from openimis.accounts.models import User

from .models import Diagnosis, Item, PriceListKind, Service


def access_item_by_uuid(user: User, uuid: Any) -> Item:
    try:
        return Item.objects.visible_to(user).get(uuid=uuid)
    except (Item.DoesNotExist, ValueError) as exc:
        raise Http404("No such item") from exc


def access_service_by_uuid(user: User, uuid: Any) -> Service:
    try:
        return Service.objects.visible_to(user).get(uuid=uuid)
    except (Service.DoesNotExist, ValueError) as exc:
        raise Http404("No such service") from exc


def access_diagnosis_by_uuid(user: User, uuid: Any) -> Diagnosis:
    try:
        return Diagnosis.objects.visible_to(user).get(uuid=uuid)
    except (Diagnosis.DoesNotExist, ValueError) as exc:
        raise Http404("No such diagnosis") from exc


def access_price_list_by_uuid(user: User, kind: PriceListKind, uuid: Any) -> Any:
    try:
        return kind.list_model.objects.visible_to(user).select_related("location").get(uuid=uuid)
    except (kind.list_model.DoesNotExist, ValueError) as exc:
        raise Http404("No such price list") from exc


def access_price_list_entry(user: User, price_list: Any, target_uuid: Any) -> Any:
    """An entry of a price list the caller already accessed, by the uuid of its item or service."""
    from .services import kind_of

    kind = kind_of(price_list)
    try:
        return kind.entry_model.objects.select_related("price_list", kind.target_field).get(
            price_list=price_list, **{f"{kind.target_field}__uuid": target_uuid}
        )
    except (kind.entry_model.DoesNotExist, ValueError) as exc:
        raise Http404("No such entry") from exc
