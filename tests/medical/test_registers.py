"""Register rules (items, services, diagnoses): each refusal names the field and the rule, and writes nothing."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from pghistory.models import Events

from medical import services
from medical.models import Diagnosis, Item, ItemPriceListEntry, Service, ServicePriceListEntry
from openimis.common.exceptions import ApplicationError, PermissionDeniedError

from .factories import ItemFactory, ItemPriceListFactory, ServiceFactory, ServicePriceListFactory

pytestmark = pytest.mark.django_db

ITEM = {"code": "AMX250", "name": "Amoxicillin 250 mg capsules", "price": Decimal("2500.00"), "package": "Box of 100"}
SERVICE = {"code": "C001", "name": "General consultation", "price": Decimal("5000"), "category": "C"}


def test_create_item_and_service_with_their_fields(scheme_admin):
    item = services.item_create(user=scheme_admin, **ITEM, patient_category=15, maximum_amount=Decimal(30))
    assert item.pk and item.is_active and item.type == "D" and item.care_type == "B"
    service = services.service_create(user=scheme_admin, **SERVICE, level="V", patient_category=6, manual_price=True)
    assert service.patient_labels == ["Female", "Adult"]
    assert service.manual_price and service.level == "V"


def test_update_item_records_history_of_the_price(scheme_admin):
    item = services.item_create(user=scheme_admin, **ITEM)
    services.item_update(user=scheme_admin, item=item, price=Decimal("2750.50"), name=" Amoxicillin 250 mg caps ")
    item.refresh_from_db()
    assert item.price == Decimal("2750.50") and item.name == "Amoxicillin 250 mg caps"
    update = Events.objects.tracks(item).filter(pgh_label="update").get()
    assert Decimal(str(update.pgh_data["price"])) == Decimal("2750.50")


@pytest.mark.parametrize(
    ("create", "values", "message"),
    [
        (services.item_create, ITEM, "Another active item already has this code."),
        (services.service_create, SERVICE, "Another active service already has this code."),
        (
            services.diagnosis_create,
            {"code": "A00", "name": "Cholera"},
            "Another active diagnosis already has this code.",
        ),
    ],
)
def test_duplicate_code_is_refused_on_the_code_field(scheme_admin, create, values, message):
    create(user=scheme_admin, **values)
    with pytest.raises(ApplicationError) as err:
        create(user=scheme_admin, **{**values, "name": "Another"})
    assert err.value.fields == {"code": [message]}
    assert err.value.code.endswith("_code_live_unique")


def test_code_is_free_again_once_deactivated(scheme_admin):
    item = services.item_create(user=scheme_admin, **ITEM)
    services.item_deactivate(user=scheme_admin, item=item)
    again = services.item_create(user=scheme_admin, **ITEM)
    assert again.is_active and Item.objects.filter(code="AMX250").count() == 2


@pytest.mark.parametrize("field", ["price", "maximum_amount", "quantity"])
def test_negative_amounts_are_refused(scheme_admin, field):
    with pytest.raises(ApplicationError) as err:
        services.item_create(user=scheme_admin, **{**ITEM, field: Decimal("-1")})
    assert err.value.fields == {field: ["May not be negative."]}
    assert not Item.objects.exists()


def test_negative_service_price_and_frequency_are_refused(scheme_admin):
    with pytest.raises(ApplicationError) as err:
        services.service_create(user=scheme_admin, **{**SERVICE, "price": Decimal("-5"), "frequency": -1})
    assert set(err.value.fields) == {"price", "frequency"}
    assert not Service.objects.exists()


def test_more_than_two_decimals_is_refused(scheme_admin):
    with pytest.raises(ApplicationError) as err:
        services.item_create(user=scheme_admin, **{**ITEM, "price": Decimal("1.005")})
    assert err.value.fields == {"price": ["At most 2 decimals."]}


@pytest.mark.parametrize(
    ("mask", "message"),
    [
        (16, "The patient category must be a sum of 1 male, 2 female, 4 adult, 8 child (1 to 15)."),
        (-1, "The patient category must be a sum of 1 male, 2 female, 4 adult, 8 child (1 to 15)."),
        (0, "Choose at least one of male and female and at least one of adult and child."),
        (12, "Choose at least one of male and female."),  # adult + child, no sex
        (1, "Choose at least one of adult and child."),  # male, no age
        (3, "Choose at least one of adult and child."),
    ],
)
def test_patient_mask_outside_range_or_without_sex_or_age_is_refused(scheme_admin, mask, message):
    with pytest.raises(ApplicationError) as err:
        services.service_create(user=scheme_admin, **SERVICE, patient_category=mask)
    assert err.value.fields == {"patient_category": [message]}
    assert not Service.objects.exists()


def test_database_refuses_a_mask_without_age_even_in_raw_sql(scheme_admin):
    item = services.item_create(user=scheme_admin, **ITEM)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE medical_item SET patient_category = 2 WHERE id = %s", [item.pk])


def test_empty_code_and_name_and_long_code_are_refused(scheme_admin):
    with pytest.raises(ApplicationError) as err:
        services.item_create(user=scheme_admin, code="", name="", price=Decimal(1))
    assert set(err.value.fields) == {"code", "name"}
    with pytest.raises(ApplicationError) as err:
        services.diagnosis_create(user=scheme_admin, code="A000000", name="Too long")
    assert "code" in err.value.fields


def test_unknown_choice_is_refused(scheme_admin):
    with pytest.raises(ApplicationError) as err:
        services.service_create(user=scheme_admin, **{**SERVICE, "category": "Z"})
    assert "category" in err.value.fields


def test_inactive_entry_cannot_be_changed(scheme_admin):
    item = services.item_create(user=scheme_admin, **ITEM)
    services.item_deactivate(user=scheme_admin, item=item)
    with pytest.raises(ApplicationError) as err:
        services.item_update(user=scheme_admin, item=item, price=Decimal(1))
    assert err.value.code == "inactive"
    with pytest.raises(ApplicationError):
        services.item_deactivate(user=scheme_admin, item=item)


def test_deactivating_an_item_removes_it_from_every_price_list(scheme_admin):
    item, other = ItemFactory.create(), ItemFactory.create()
    for price_list in ItemPriceListFactory.create_batch(3):
        ItemPriceListEntry.objects.create(price_list=price_list, item=item)
        ItemPriceListEntry.objects.create(price_list=price_list, item=other)
    assert services.item_deactivate(user=scheme_admin, item=item) == 3
    assert not ItemPriceListEntry.objects.filter(item=item).exists()
    assert ItemPriceListEntry.objects.filter(item=other).count() == 3
    removal = Events.objects.filter(pgh_model="medical.ItemPriceListEntryEvent", pgh_label="delete")
    assert removal.count() == 3


def test_deactivating_a_service_in_bulk_sql_removes_it_from_price_lists_too(scheme_admin):
    service = ServiceFactory.create()
    ServicePriceListEntry.objects.create(price_list=ServicePriceListFactory.create(), service=service)
    Service.objects.filter(pk=service.pk).update(is_active=False)  # the trigger holds the rule
    assert not ServicePriceListEntry.objects.exists()


def test_diagnosis_update_and_deactivate(scheme_admin):
    diagnosis = services.diagnosis_create(user=scheme_admin, code="B50", name="Plasmodium falciparum malaria")
    services.diagnosis_update(user=scheme_admin, diagnosis=diagnosis, name="Falciparum malaria")
    services.diagnosis_deactivate(user=scheme_admin, diagnosis=diagnosis)
    diagnosis.refresh_from_db()
    assert diagnosis.name == "Falciparum malaria" and not diagnosis.is_active
    assert Diagnosis.objects.active().count() == 0


@pytest.mark.parametrize("persona", ["eo_a", "medical_officer"])
def test_users_without_the_permission_cannot_write(request, persona):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDeniedError):
        services.item_create(user=user, **ITEM)
    with pytest.raises(PermissionDeniedError):
        services.diagnosis_create(user=user, code="A00", name="Cholera")
    assert not Item.objects.exists()


def test_registers_are_national_but_not_for_users_without_scope(scheme_admin, admin_b, nobody):
    ItemFactory.create()
    assert Item.objects.visible_to(admin_b).count() == 1
    assert Item.objects.visible_to(nobody).count() == 0
