"""Writes to price lists, their entries and the price lists each health facility uses (rules: see the package
docstring). One implementation serves both kinds; the `item_...` / `service_...` functions name them."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from location.models import HealthFacility, Location, LocationType
from location.selectors import covers_whole_country
from openimis.accounts.models import User
from openimis.common.db import ConstraintMessages, constraint_errors
from openimis.common.exceptions import PermissionDeniedError

from .. import rules
from ..exceptions import MedicalError
from ..models import (
    ITEMS,
    PRICE_LIST_KINDS,
    SERVICES,
    FacilityPriceLists,
    Item,
    ItemPriceList,
    ItemPriceListEntry,
    PriceList,
    PriceListKind,
    Service,
    ServicePriceList,
    ServicePriceListEntry,
)
from ._base import raise_problems, require_perm

PRICE_LIST_FIELDS = ("name", "date_from", "location")
AnyPriceList = ItemPriceList | ServicePriceList
AnyEntry = ItemPriceListEntry | ServicePriceListEntry


def kind_of(price_list: PriceList) -> PriceListKind:
    return ITEMS if isinstance(price_list, ItemPriceList) else SERVICES


def price_list_messages(kind: PriceListKind) -> ConstraintMessages:
    p, target = kind.constraint_prefix, kind.target_field
    already = (
        _("This item is already in the price list.")
        if kind is ITEMS
        else _("This service is already in the price list.")
    )
    inactive = (
        _("A price list may not include an inactive item.")
        if kind is ITEMS
        else _("A price list may not include an inactive service.")
    )
    return {
        f"{p}_name_unique": ("name", _("Another active price list of this kind already has this name.")),
        f"{p}_location_level": ("location", _("A price list belongs to the whole country, a region or a district.")),
        f"{p}_entry_unique": (target, already),
        f"{p}_entry_{target}_active": (target, inactive),
        f"{p}_entry_price_not_negative": ("price_override", _("May not be negative.")),
    }


def _visible_locations(user: User) -> Any:
    return Location.objects.visible_to(user)


def _check_location(user: User, location: Location | None) -> None:
    if location is None:
        if not covers_whole_country(user):
            raise MedicalError.for_field(
                "location", _("Only staff working for the whole country may make a price list national.")
            )
        return
    if location.type not in (LocationType.REGION, LocationType.DISTRICT):
        raise MedicalError.for_field(
            "location", _("A price list belongs to the whole country, a region or a district.")
        )
    if not location.is_active:
        raise MedicalError.for_field("location", _("This location is inactive."))
    if not _visible_locations(user).filter(pk=location.pk).exists():
        raise MedicalError.for_field("location", _("This location is outside your scope."))


def check_editable(user: User, price_list: PriceList) -> None:
    """National price lists are changed by national staff, those of a region or district by users whose scope holds
    it; lists of an area above the user's scope serve them read-only."""
    if not price_list.is_active:
        raise MedicalError(_("An inactive price list cannot be changed."), code="inactive")
    if price_list.location_id is None and not covers_whole_country(user):
        raise PermissionDeniedError(_("National price lists are changed by staff working for the whole country."))
    if price_list.location_id and not _visible_locations(user).filter(pk=price_list.location_id).exists():
        raise PermissionDeniedError(
            _("This price list belongs to %s, above your scope: you may use it but not change it.")
            % price_list.location
        )


def _check_values(price_list: PriceList) -> None:
    raise_problems(rules.price_list_problems({"name": price_list.name, "date_from": price_list.date_from}))


# --- price lists -------------------------------------------------------------------------------------------


@transaction.atomic
def price_list_create(
    *, user: User, kind: PriceListKind, name: str, date_from: date | None, location: Location | None = None
) -> Any:
    require_perm(user, kind.perm("add"))
    values: dict[str, Any] = {"name": name.strip(), "date_from": date_from, "location": location}
    price_list = kind.list_model(**values)
    _check_values(price_list)
    _check_location(user, location)
    with constraint_errors(price_list_messages(kind)):
        price_list.save()
    return price_list


@transaction.atomic
def price_list_update(*, user: User, price_list: AnyPriceList, **changes: Any) -> Any:
    kind = kind_of(price_list)
    require_perm(user, kind.perm("change"))
    unknown = set(changes) - set(PRICE_LIST_FIELDS)
    if unknown:
        raise MedicalError(_("These fields cannot be changed here: %s") % ", ".join(sorted(unknown)))
    check_editable(user, price_list)
    for name, value in changes.items():
        setattr(price_list, name, value.strip() if isinstance(value, str) else value)
    _check_values(price_list)
    if "location" in changes:
        _check_location(user, price_list.location)
        if price_list.location is not None:
            _check_still_serves(price_list)
    with constraint_errors(price_list_messages(kind)):
        price_list.save(update_fields=[*changes.keys(), "updated_at"])
    return price_list


def _check_still_serves(price_list: AnyPriceList) -> None:
    kind = kind_of(price_list)
    assert price_list.location is not None
    outside = (
        FacilityPriceLists.objects.filter(**{kind.facility_field: price_list})
        .exclude(facility__district__path__startswith=price_list.location.path)
        .count()
    )
    if outside:
        raise MedicalError.for_field(
            "location",
            ngettext(
                "%(n)d health facility outside %(location)s uses this price list.",
                "%(n)d health facilities outside %(location)s use this price list.",
                outside,
            )
            % {"n": outside, "location": price_list.location},
        )


@transaction.atomic
def price_list_deactivate(*, user: User, price_list: AnyPriceList) -> None:
    """Refused while a health facility uses the list; its entries stay, as its history."""
    kind = kind_of(price_list)
    require_perm(user, kind.perm("delete"))
    check_editable(user, price_list)
    users = FacilityPriceLists.objects.filter(**{kind.facility_field: price_list}).count()
    if users:
        raise MedicalError(
            ngettext(
                "%(n)d health facility uses this price list; give it another one first.",
                "%(n)d health facilities use this price list; give them another one first.",
                users,
            )
            % {"n": users},
            code="price_list_in_use",
        )
    price_list.is_active = False
    price_list.save(update_fields=["is_active", "updated_at"])


@transaction.atomic
def price_list_copy(
    *, user: User, source: AnyPriceList, name: str, date_from: date | None, location: Location | None
) -> Any:
    """A new price list with every entry of `source` (override prices included), copied in one statement."""
    kind = kind_of(source)
    copy = price_list_create(user=user, kind=kind, name=name, date_from=date_from, location=location)
    entries, targets = kind.entry_model._meta.db_table, kind.target_model._meta.db_table
    column = f"{kind.target_field}_id"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {entries} (price_list_id, {column}, price_override) "  # noqa: S608 - names from models
            f"SELECT %s, e.{column}, e.price_override FROM {entries} e "
            f"JOIN {targets} t ON t.id = e.{column} AND t.is_active "
            "WHERE e.price_list_id = %s ORDER BY e.id",
            [copy.pk, source.pk],
        )
    return copy


# --- entries -----------------------------------------------------------------------------------------------


@transaction.atomic
def price_list_entry_add(
    *, user: User, price_list: AnyPriceList, target: Item | Service, price_override: Decimal | None = None
) -> Any:
    kind = kind_of(price_list)
    require_perm(user, kind.perm("change"))
    check_editable(user, price_list)
    if not isinstance(target, kind.target_model):
        raise MedicalError.for_field(kind.target_field, _("This price list holds another kind of entry."))
    messages = price_list_messages(kind)
    if not target.is_active:
        raise MedicalError.for_field(
            kind.target_field, messages[f"{kind.constraint_prefix}_entry_{kind.target_field}_active"][1]
        )
    raise_problems({k: v for k, v in {"price_override": rules.amount_problem(price_override)}.items() if v})
    values: dict[str, Any] = {"price_list": price_list, "price_override": price_override, kind.target_field: target}
    entry = kind.entry_model(**values)
    with constraint_errors(messages):
        entry.save()
    return entry


@transaction.atomic
def price_list_entry_update(*, user: User, entry: AnyEntry, price_override: Decimal | None) -> Any:
    kind = kind_of(entry.price_list)
    require_perm(user, kind.perm("change"))
    check_editable(user, entry.price_list)
    raise_problems({k: v for k, v in {"price_override": rules.amount_problem(price_override)}.items() if v})
    entry.price_override = price_override
    with constraint_errors(price_list_messages(kind)):
        entry.save(update_fields=["price_override"])
    return entry


@transaction.atomic
def price_list_entry_remove(*, user: User, entry: AnyEntry) -> None:
    kind = kind_of(entry.price_list)
    require_perm(user, kind.perm("change"))
    check_editable(user, entry.price_list)
    entry.delete()


# --- the price lists a facility uses -----------------------------------------------------------------------


def serves(price_list: PriceList, facility: HealthFacility) -> bool:
    """A price list serves the facilities of its area (a national list: every facility)."""
    return price_list.location is None or facility.district.path.startswith(price_list.location.path)


@transaction.atomic
def facility_price_lists_set(
    *,
    user: User,
    facility: HealthFacility,
    items_price_list: ItemPriceList | None,
    services_price_list: ServicePriceList | None,
) -> FacilityPriceLists:
    """Which items and which services price list a facility uses (either may be empty)."""
    require_perm(user, "location.change_healthfacility")
    if not HealthFacility.objects.visible_to(user).filter(pk=facility.pk).exists():
        raise PermissionDeniedError(_("This health facility is outside your scope."))
    for field, price_list in (("items_price_list", items_price_list), ("services_price_list", services_price_list)):
        if price_list is None:
            continue
        kind = PRICE_LIST_KINDS["items" if field == "items_price_list" else "services"]
        if not isinstance(price_list, kind.list_model):
            raise MedicalError.for_field(field, _("This is a price list of another kind."))
        if not price_list.is_active:
            raise MedicalError.for_field(field, _("This price list is inactive."))
        if not kind.list_model.objects.visible_to(user).filter(pk=price_list.pk).exists():
            raise MedicalError.for_field(field, _("This price list is outside your scope."))
        if not serves(price_list, facility):
            raise MedicalError.for_field(
                field, _("This price list is for %s; the facility is not there.") % price_list.location
            )
    current = FacilityPriceLists.objects.filter(facility=facility).first()
    if current is None:
        return FacilityPriceLists.objects.create(
            facility=facility, items_price_list=items_price_list, services_price_list=services_price_list
        )
    current.items_price_list, current.services_price_list = items_price_list, services_price_list
    current.save(update_fields=["items_price_list", "services_price_list"])
    return current


# --- the same, named per kind ------------------------------------------------------------------------------


def item_price_list_create(
    *, user: User, name: str, date_from: date | None, location: Location | None = None
) -> ItemPriceList:
    return price_list_create(user=user, kind=ITEMS, name=name, date_from=date_from, location=location)


def service_price_list_create(
    *, user: User, name: str, date_from: date | None, location: Location | None = None
) -> ServicePriceList:
    return price_list_create(user=user, kind=SERVICES, name=name, date_from=date_from, location=location)


def item_price_list_copy(
    *, user: User, source: ItemPriceList, name: str, date_from: date | None, location: Location | None
) -> ItemPriceList:
    return price_list_copy(user=user, source=source, name=name, date_from=date_from, location=location)


def service_price_list_copy(
    *, user: User, source: ServicePriceList, name: str, date_from: date | None, location: Location | None
) -> ServicePriceList:
    return price_list_copy(user=user, source=source, name=name, date_from=date_from, location=location)


def item_price_list_entry_add(
    *, user: User, price_list: ItemPriceList, item: Item, price_override: Decimal | None = None
) -> ItemPriceListEntry:
    return price_list_entry_add(user=user, price_list=price_list, target=item, price_override=price_override)


def service_price_list_entry_add(
    *, user: User, price_list: ServicePriceList, service: Service, price_override: Decimal | None = None
) -> ServicePriceListEntry:
    return price_list_entry_add(user=user, price_list=price_list, target=service, price_override=price_override)
