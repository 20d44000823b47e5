"""Price lists, their entries, copies and the price lists facilities use: rules, refusals and scope."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from medical import selectors, services
from medical.models import ITEMS, SERVICES, FacilityPriceLists, ItemPriceList, ItemPriceListEntry, ServicePriceList
from openimis.common.exceptions import ApplicationError, PermissionDeniedError

from .factories import ItemFactory, ItemPriceListFactory, ServiceFactory, ServicePriceListFactory

pytestmark = pytest.mark.django_db
JAN = date(2026, 1, 1)


def test_create_national_and_district_price_lists(scheme_admin, country):
    national = services.item_price_list_create(user=scheme_admin, name="National items 2026", date_from=JAN)
    district = services.service_price_list_create(
        user=scheme_admin, name="District A services", date_from=JAN, location=country.district_a
    )
    assert national.location is None and district.location == country.district_a


def test_only_national_staff_make_and_change_national_price_lists(scheme_admin, admin_a, country):
    with pytest.raises(ApplicationError) as err:
        services.item_price_list_create(user=admin_a, name="Mine", date_from=JAN)
    assert err.value.fields == {
        "location": ["Only staff working for the whole country may make a price list national."]
    }
    national = services.item_price_list_create(user=scheme_admin, name="National", date_from=JAN)
    with pytest.raises(PermissionDeniedError):
        services.price_list_update(user=admin_a, price_list=national, name="Taken over")


def test_price_list_needs_a_name_and_a_date(scheme_admin):
    with pytest.raises(ApplicationError) as err:
        services.item_price_list_create(user=scheme_admin, name=" ", date_from=None)
    assert set(err.value.fields) == {"name", "date_from"}


def test_duplicate_price_list_name_is_refused_within_a_kind(scheme_admin):
    services.item_price_list_create(user=scheme_admin, name="Hospitals 2026", date_from=JAN)
    with pytest.raises(ApplicationError) as err:
        services.item_price_list_create(user=scheme_admin, name="Hospitals 2026", date_from=JAN)
    assert err.value.fields == {"name": ["Another active price list of this kind already has this name."]}
    services.service_price_list_create(user=scheme_admin, name="Hospitals 2026", date_from=JAN)  # other kind


def test_price_list_location_is_a_region_or_district_in_scope(scheme_admin, admin_a, country):
    with pytest.raises(ApplicationError) as err:
        services.item_price_list_create(user=scheme_admin, name="X", date_from=JAN, location=country.municipality_a)
    assert "location" in err.value.fields
    with pytest.raises(ApplicationError) as err:
        services.item_price_list_create(user=admin_a, name="X", date_from=JAN, location=country.district_b)
    assert err.value.fields == {"location": ["This location is outside your scope."]}
    assert not ItemPriceList.objects.exists()


def test_database_refuses_a_price_list_of_a_village(country):
    with pytest.raises(IntegrityError), transaction.atomic():
        ItemPriceList.objects.create(name="Bad", date_from=JAN, location=country.village_a1)


def test_entries_with_effective_price(scheme_admin):
    price_list = ItemPriceListFactory.create()
    cheap, dear = ItemFactory.create(price=Decimal(100)), ItemFactory.create(price=Decimal(900))
    services.item_price_list_entry_add(user=scheme_admin, price_list=price_list, item=cheap)
    services.item_price_list_entry_add(user=scheme_admin, price_list=price_list, item=dear, price_override=Decimal(750))
    prices = {e.item.code: e.effective_price for e in selectors.price_list_entries(scheme_admin, price_list)}
    assert prices == {cheap.code: Decimal(100), dear.code: Decimal(750)}


def test_entry_for_an_inactive_item_is_refused(scheme_admin):
    price_list, item = ItemPriceListFactory.create(), ItemFactory.create(is_active=False)
    with pytest.raises(ApplicationError) as err:
        services.item_price_list_entry_add(user=scheme_admin, price_list=price_list, item=item)
    assert err.value.fields == {"item": ["A price list may not include an inactive item."]}
    assert not ItemPriceListEntry.objects.exists()


def test_entry_for_an_inactive_service_is_refused(scheme_admin):
    price_list, service = ServicePriceListFactory.create(), ServiceFactory.create(is_active=False)
    with pytest.raises(ApplicationError) as err:
        services.service_price_list_entry_add(user=scheme_admin, price_list=price_list, service=service)
    assert err.value.fields == {"service": ["A price list may not include an inactive service."]}


def test_database_refuses_an_entry_for_an_inactive_item(country):
    item = ItemFactory.create(is_active=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        ItemPriceListEntry.objects.create(price_list=ItemPriceListFactory.create(), item=item)


def test_duplicate_entry_is_refused(scheme_admin):
    price_list, item = ItemPriceListFactory.create(), ItemFactory.create()
    services.item_price_list_entry_add(user=scheme_admin, price_list=price_list, item=item)
    with pytest.raises(ApplicationError) as err:
        services.item_price_list_entry_add(user=scheme_admin, price_list=price_list, item=item)
    assert err.value.fields == {"item": ["This item is already in the price list."]}
    assert ItemPriceListEntry.objects.count() == 1


def test_negative_override_is_refused(scheme_admin):
    price_list, item = ItemPriceListFactory.create(), ItemFactory.create()
    with pytest.raises(ApplicationError) as err:
        services.item_price_list_entry_add(
            user=scheme_admin, price_list=price_list, item=item, price_override=Decimal(-1)
        )
    assert err.value.fields == {"price_override": ["May not be negative."]}
    entry = services.item_price_list_entry_add(user=scheme_admin, price_list=price_list, item=item)
    with pytest.raises(ApplicationError):
        services.price_list_entry_update(user=scheme_admin, entry=entry, price_override=Decimal("-0.01"))


def test_wrong_kind_of_entry_is_refused(scheme_admin):
    with pytest.raises(ApplicationError) as err:
        services.price_list_entry_add(
            user=scheme_admin, price_list=ItemPriceListFactory.create(), target=ServiceFactory.create()
        )
    assert "item" in err.value.fields


def test_update_and_remove_entry(scheme_admin):
    price_list, item = ItemPriceListFactory.create(), ItemFactory.create()
    entry = services.item_price_list_entry_add(user=scheme_admin, price_list=price_list, item=item)
    services.price_list_entry_update(user=scheme_admin, entry=entry, price_override=Decimal("12.50"))
    entry.refresh_from_db()
    assert entry.price_override == Decimal("12.50")
    services.price_list_entry_remove(user=scheme_admin, entry=entry)
    assert not price_list.entries.exists()


def test_copy_copies_every_entry_with_its_override(scheme_admin, country):
    source = ItemPriceListFactory.create(name="Hospitals 2025")
    items = ItemFactory.create_batch(5)
    ItemPriceListEntry.objects.bulk_create(
        ItemPriceListEntry(price_list=source, item=item, price_override=Decimal(i) if i % 2 else None)
        for i, item in enumerate(items)
    )
    copy = services.item_price_list_copy(
        user=scheme_admin, source=source, name="Hospitals 2026", date_from=date(2026, 7, 1), location=country.region_a
    )
    assert copy.pk != source.pk and copy.location == country.region_a
    copied = set(copy.entries.values_list("item_id", "price_override"))
    assert copied == set(source.entries.values_list("item_id", "price_override")) and len(copied) == 5
    with pytest.raises(ApplicationError):  # the name is taken
        services.item_price_list_copy(
            user=scheme_admin, source=source, name="Hospitals 2026", date_from=JAN, location=None
        )


def test_regional_price_list_is_read_only_for_a_district_user(scheme_admin, admin_a, country):
    regional = ItemPriceListFactory.create(location=country.region_a)
    assert ItemPriceList.objects.visible_to(admin_a).filter(pk=regional.pk).exists()
    with pytest.raises(PermissionDeniedError):
        services.item_price_list_entry_add(user=admin_a, price_list=regional, item=ItemFactory.create())
    with pytest.raises(PermissionDeniedError):
        services.price_list_update(user=admin_a, price_list=regional, name="Mine now")
    services.price_list_update(user=scheme_admin, price_list=regional, name="Still regional")


def test_price_list_of_district_b_is_invisible_to_district_a(admin_a, country):
    ItemPriceListFactory.create(name="B only", location=country.district_b)
    ItemPriceListFactory.create(name="National")
    ItemPriceListFactory.create(name="A", location=country.district_a)
    names = set(selectors.price_lists_for(admin_a, ITEMS).values_list("name", flat=True))
    assert names == {"National", "A"}


def test_inactive_price_list_cannot_be_changed(scheme_admin):
    price_list = ItemPriceListFactory.create(is_active=False)
    with pytest.raises(ApplicationError) as err:
        services.item_price_list_entry_add(user=scheme_admin, price_list=price_list, item=ItemFactory.create())
    assert err.value.code == "inactive"


def test_facility_uses_one_list_of_each_kind_serving_its_district(scheme_admin, country):
    items = ItemPriceListFactory.create(location=country.district_a)
    national_services = ServicePriceListFactory.create()
    row = services.facility_price_lists_set(
        user=scheme_admin,
        facility=country.facility_a,
        items_price_list=items,
        services_price_list=national_services,
    )
    assert row.items_price_list == items and row.services_price_list == national_services
    services.facility_price_lists_set(
        user=scheme_admin, facility=country.facility_a, items_price_list=None, services_price_list=national_services
    )
    assert FacilityPriceLists.objects.get(facility=country.facility_a).items_price_list is None
    with pytest.raises(ApplicationError) as err:
        services.facility_price_lists_set(
            user=scheme_admin, facility=country.facility_b, items_price_list=items, services_price_list=None
        )
    assert "items_price_list" in err.value.fields


def test_facility_outside_scope_or_list_outside_scope_is_refused(admin_a, country):
    with pytest.raises(PermissionDeniedError):
        services.facility_price_lists_set(
            user=admin_a, facility=country.facility_b, items_price_list=None, services_price_list=None
        )
    regional_b = ItemPriceListFactory.create(location=country.region_b)
    with pytest.raises(ApplicationError) as err:
        services.facility_price_lists_set(
            user=admin_a, facility=country.facility_a, items_price_list=regional_b, services_price_list=None
        )
    assert "items_price_list" in err.value.fields


def test_price_list_in_use_cannot_be_deactivated_nor_moved_away(scheme_admin, country):
    used = ServicePriceListFactory.create(location=country.region_a)
    services.facility_price_lists_set(
        user=scheme_admin, facility=country.facility_a, items_price_list=None, services_price_list=used
    )
    with pytest.raises(ApplicationError) as err:
        services.price_list_deactivate(user=scheme_admin, price_list=used)
    assert err.value.code == "price_list_in_use"
    with pytest.raises(ApplicationError) as err:
        services.price_list_update(user=scheme_admin, price_list=used, location=country.district_b)
    assert "location" in err.value.fields
    unused = ServicePriceListFactory.create()
    services.price_list_deactivate(user=scheme_admin, price_list=unused)
    assert not ServicePriceList.objects.get(pk=unused.pk).is_active


def test_price_lists_serving_a_facility(scheme_admin, country):
    ServicePriceListFactory.create(name="National")
    ServicePriceListFactory.create(name="Region A", location=country.region_a)
    ServicePriceListFactory.create(name="District B", location=country.district_b)
    ServicePriceListFactory.create(name="Old", is_active=False)
    names = {p.name for p in selectors.price_lists_serving(scheme_admin, SERVICES, country.facility_a)}
    assert names == {"National", "Region A"}


def test_enrolment_officer_cannot_create_price_lists(eo_a):
    with pytest.raises(PermissionDeniedError):
        services.item_price_list_create(user=eo_a, name="X", date_from=JAN)
