"""Reads for pages, the API and exports: always through `visible_to(user)`.

Registers (items, services, diagnoses) are national: a user with any scope reads all of them, a user with no
scope none. Price lists: national ones, those of the user's area and those of an area above it.
"""

from typing import Any

from django.db.models import Count, DecimalField, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from location.models import HealthFacility
from location.selectors import facilities_for
from openimis.accounts.models import User

from .models import (
    Diagnosis,
    FacilityPriceLists,
    Item,
    PriceListKind,
    Service,
)


def _matching(qs: QuerySet[Any], q: str, include_inactive: bool) -> QuerySet[Any]:
    if not include_inactive:
        qs = qs.filter(is_active=True)
    if q:
        qs = qs.filter(Q(code__istartswith=q) | Q(name__icontains=q))
    return qs


def items_for(
    user: User, *, q: str = "", type: str = "", care_type: str = "", include_inactive: bool = False
) -> QuerySet[Item]:
    qs = _matching(Item.objects.visible_to(user), q, include_inactive)
    if type:
        qs = qs.filter(type=type)
    if care_type:
        qs = qs.filter(care_type=care_type)
    return qs.order_by("code", "-is_active", "-id")


def services_for(
    user: User,
    *,
    q: str = "",
    type: str = "",
    category: str = "",
    level: str = "",
    care_type: str = "",
    include_inactive: bool = False,
) -> QuerySet[Service]:
    qs = _matching(Service.objects.visible_to(user), q, include_inactive)
    for field, value in (("type", type), ("category", category), ("level", level), ("care_type", care_type)):
        if value:
            qs = qs.filter(**{field: value})
    return qs.order_by("code", "-is_active", "-id")


def diagnoses_for(user: User, *, q: str = "", include_inactive: bool = False) -> QuerySet[Diagnosis]:
    return _matching(Diagnosis.objects.visible_to(user), q, include_inactive).order_by("code", "-is_active", "-id")


def active_by_code(user: User, model: type[Item] | type[Service], code: str) -> Item | Service | None:
    return model.objects.visible_to(user).filter(is_active=True, code=code.strip()).first()


def price_lists_for(
    user: User, kind: PriceListKind, *, q: str = "", location: Any = None, include_inactive: bool = False
) -> QuerySet[Any]:
    qs = kind.list_model.objects.visible_to(user).select_related("location")
    if not include_inactive:
        qs = qs.filter(is_active=True)
    if q:
        qs = qs.filter(name__icontains=q)
    if location is not None:
        qs = qs.filter(location=location)
    return qs.annotate(entry_count=Count("entries", distinct=True)).order_by("name", "-is_active", "-id")


def price_list_entries(user: User, price_list: Any, *, q: str = "") -> QuerySet[Any]:
    """The entries with their item or service and the price that applies (`effective_price`)."""
    from .services import kind_of

    kind = kind_of(price_list)
    target = kind.target_field
    qs = kind.entry_model.objects.filter(price_list=price_list).select_related(target)
    if q:
        qs = qs.filter(Q(**{f"{target}__code__istartswith": q}) | Q(**{f"{target}__name__icontains": q}))
    return qs.annotate(
        effective_price=Coalesce(
            "price_override", f"{target}__price", output_field=DecimalField(max_digits=18, decimal_places=2)
        )
    ).order_by(f"{target}__code")


def price_lists_including(user: User, kind: PriceListKind, target: Item | Service) -> QuerySet[Any]:
    """The price lists the user sees that hold the item or service, with its override price (`price_override`)."""
    entries = kind.entry_model.objects.filter(price_list=OuterRef("pk"), **{kind.target_field: target})
    return (
        kind.list_model.objects.visible_to(user)
        .filter(Exists(entries))
        .annotate(price_override=Subquery(entries.values("price_override")[:1]))
        .select_related("location")
        .order_by("name", "-id")
    )


def price_list_facilities(user: User, price_list: Any) -> QuerySet[HealthFacility]:
    """The facilities in the user's scope that use the price list."""
    from .services import kind_of

    field = kind_of(price_list).facility_field
    uses = FacilityPriceLists.objects.filter(facility=OuterRef("pk"), **{field: price_list})
    return facilities_for(user).filter(Exists(uses))


def facilities_with_price_lists(user: User, *, q: str = "", district: Any = None) -> QuerySet[HealthFacility]:
    return facilities_for(user, q=q, district=district).select_related(
        "price_lists__items_price_list", "price_lists__services_price_list"
    )


def facility_price_lists(facility: HealthFacility) -> dict[str, Any]:
    """The price lists a facility uses, by FacilityPriceLists field (None where it has none)."""
    row = (
        FacilityPriceLists.objects.filter(facility=facility)
        .select_related("items_price_list", "services_price_list")
        .first()
    )
    return {
        "items_price_list": row.items_price_list if row else None,
        "services_price_list": row.services_price_list if row else None,
    }


def price_lists_serving(user: User, kind: PriceListKind, facility: HealthFacility) -> QuerySet[Any]:
    """Active price lists the user sees that may serve the facility: national, or of its region or district."""
    ancestor_ids = [int(part) for part in facility.district.path.split(".") if part]
    return (
        kind.list_model.objects.visible_to(user)
        .filter(is_active=True)
        .filter(Q(location__isnull=True) | Q(location_id__in=ancestor_ids))
        .select_related("location")
        .order_by("name")
    )
