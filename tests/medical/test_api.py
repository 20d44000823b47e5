"""REST API of registers and price lists: round trips, filters, the error shape, permissions and scope."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from medical.models import FacilityPriceLists, Item, ItemPriceList
from openimis.common.models import Job

from .factories import ItemFactory, ItemPriceListFactory, ServiceFactory, ServicePriceListFactory

pytestmark = pytest.mark.django_db


def test_items_round_trip_with_filters(api, scheme_admin):
    client = api(scheme_admin)
    created = client.post(
        "/api/v1/medical-items/",
        {"code": "AMX250", "name": "Amoxicillin 250 mg capsules", "price": "60.00", "patient_category": 15},
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["price"] == "60.00" and body["type"] == "D" and body["is_active"]
    uuid = body["uuid"]
    assert client.get(f"/api/v1/medical-items/{uuid}/").json()["code"] == "AMX250"
    changed = client.patch(f"/api/v1/medical-items/{uuid}/", {"price": "75.50", "type": "D"}, format="json")
    assert changed.status_code == 200 and changed.json()["price"] == "75.50"
    ItemFactory.create(code="GLV", name="Examination gloves", type="M")
    listed = client.get("/api/v1/medical-items/", {"type": "M"}).json()
    assert [r["code"] for r in listed["results"]] == ["GLV"]
    assert client.get("/api/v1/medical-items/", {"q": "amox"}).json()["count"] == 1
    assert client.get("/api/v1/medical-items/", {"code": "amx250"}).json()["count"] == 1
    assert client.post(f"/api/v1/medical-items/{uuid}/deactivate/").json() == {"removed_from_price_lists": 0}
    assert client.get("/api/v1/medical-items/", {"is_active": "true"}).json()["count"] == 1


def test_services_round_trip_with_filters(api, scheme_admin):
    client = api(scheme_admin)
    created = client.post(
        "/api/v1/medical-services/",
        {
            "code": "CS",
            "name": "Caesarean section",
            "price": "350000",
            "category": "D",
            "level": "H",
            "patient_category": 6,
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    uuid = created.json()["uuid"]
    ServiceFactory.create(code="OPD1", category="C")
    assert [r["code"] for r in client.get("/api/v1/medical-services/", {"category": "D"}).json()["results"]] == ["CS"]
    changed = client.patch(f"/api/v1/medical-services/{uuid}/", {"manual_price": True}, format="json")
    assert changed.json()["manual_price"] is True
    assert client.get(f"/api/v1/medical-services/{uuid}/").json()["patient_category"] == 6


def test_diagnoses_round_trip(api, scheme_admin):
    client = api(scheme_admin)
    created = client.post("/api/v1/diagnoses/", {"code": "B50.9", "name": "Falciparum malaria"}, format="json")
    assert created.status_code == 201
    assert client.get("/api/v1/diagnoses/", {"q": "B50"}).json()["results"][0]["code"] == "B50.9"


def test_rule_violations_use_the_error_shape(api, scheme_admin):
    client = api(scheme_admin)
    ItemFactory.create(code="DUP")
    response = client.post(
        "/api/v1/medical-items/", {"code": "DUP", "name": "Again", "price": "1", "patient_category": 1}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "medical_invalid"
    assert body["fields"] == {"patient_category": ["Choose at least one of adult and child."]}
    response = client.post("/api/v1/medical-items/", {"code": "DUP", "name": "Again", "price": "1"}, format="json")
    assert response.json()["fields"] == {"code": ["Another active item already has this code."]}
    response = client.post("/api/v1/medical-items/", {"code": "NEG", "name": "Negative", "price": "-1"}, format="json")
    assert response.json()["fields"] == {"price": ["May not be negative."]}


def test_price_lists_round_trip_with_entries_copy_and_filters(api, scheme_admin, country):
    client = api(scheme_admin)
    item = ItemFactory.create(code="AMX", price="60.00")
    created = client.post(
        "/api/v1/item-price-lists/",
        {"name": "District A items", "date_from": "2026-01-01", "location": str(country.district_a.uuid)},
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["location_code"] == "DA" and body["entry_count"] == 0
    uuid = body["uuid"]
    entry = client.post(f"/api/v1/item-price-lists/{uuid}/entries/", {"item": str(item.uuid)}, format="json")
    assert entry.status_code == 201, entry.content
    assert entry.json() == {
        "item": {"uuid": str(item.uuid), "code": "AMX", "name": item.name, "price": "60.00"},
        "price_override": None,
        "effective_price": "60.00",
    }
    again = client.post(f"/api/v1/item-price-lists/{uuid}/entries/", {"item": str(item.uuid)}, format="json")
    assert again.status_code == 400 and again.json()["fields"] == {"item": ["This item is already in the price list."]}
    patched = client.patch(
        f"/api/v1/item-price-lists/{uuid}/entries/{item.uuid}/", {"price_override": "55.00"}, format="json"
    )
    assert patched.json()["effective_price"] == "55.00"
    entries = client.get(f"/api/v1/item-price-lists/{uuid}/entries/").json()
    assert entries["count"] == 1 and entries["results"][0]["price_override"] == "55.00"
    renamed = client.patch(f"/api/v1/item-price-lists/{uuid}/", {"name": "District A items 2026"}, format="json")
    assert renamed.json()["name"] == "District A items 2026"
    copy = client.post(f"/api/v1/item-price-lists/{uuid}/copy/", {"name": "District A items 2027"}, format="json")
    assert copy.status_code == 201 and copy.json()["entry_count"] == 1 and copy.json()["location_code"] == "DA"
    ItemPriceListFactory.create(name="National")
    assert client.get("/api/v1/item-price-lists/", {"location": str(country.district_a.uuid)}).json()["count"] == 2
    assert client.get("/api/v1/item-price-lists/", {"national": "true"}).json()["count"] == 1
    assert client.get("/api/v1/item-price-lists/", {"contains": "AMX"}).json()["count"] == 2
    assert client.get("/api/v1/item-price-lists/", {"name": "2027"}).json()["count"] == 1
    removed = client.delete(f"/api/v1/item-price-lists/{uuid}/entries/{item.uuid}/")
    assert removed.status_code == 204
    assert ItemPriceList.objects.get(uuid=uuid).entries.count() == 0


def test_service_price_list_refuses_an_inactive_service(api, scheme_admin):
    price_list, service = ServicePriceListFactory.create(), ServiceFactory.create(is_active=False)
    response = api(scheme_admin).post(
        f"/api/v1/service-price-lists/{price_list.uuid}/entries/", {"service": str(service.uuid)}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {"service": ["A price list may not include an inactive service."]}


def test_facility_price_lists_through_the_api(api, scheme_admin, country):
    items, services_list = ItemPriceListFactory.create(), ServicePriceListFactory.create(location=country.region_a)
    client = api(scheme_admin)
    response = client.put(
        f"/api/v1/facility-price-lists/{country.facility_a.uuid}/",
        {"items_price_list": str(items.uuid), "services_price_list": str(services_list.uuid)},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["items_price_list"] == str(items.uuid)
    assert FacilityPriceLists.objects.get(facility=country.facility_a).services_price_list == services_list
    refused = client.put(
        f"/api/v1/facility-price-lists/{country.facility_b.uuid}/",
        {"items_price_list": None, "services_price_list": str(services_list.uuid)},
        format="json",
    )
    assert refused.status_code == 400 and "services_price_list" in refused.json()["fields"]


def test_enrolment_officer_is_refused(api, eo_a):
    client = api(eo_a)
    assert client.get("/api/v1/medical-items/").status_code == 403
    response = client.post("/api/v1/medical-items/", {"code": "X", "name": "X", "price": "1"}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert client.post("/api/v1/item-price-lists/", {"name": "X", "date_from": "2026-01-01"}).status_code == 403


def test_medical_officer_reads_but_cannot_write(api, medical_officer):
    ItemFactory.create()
    client = api(medical_officer)
    assert client.get("/api/v1/medical-items/").json()["count"] == 1
    price_list = ItemPriceListFactory.create()
    assert client.get(f"/api/v1/item-price-lists/{price_list.uuid}/entries/").status_code == 200
    item = ItemFactory.create()
    response = client.post(f"/api/v1/item-price-lists/{price_list.uuid}/entries/", {"item": str(item.uuid)})
    assert response.status_code == 403


def test_price_list_of_district_b_is_404_for_a_user_of_district_a(api, admin_a, country):
    of_b = ItemPriceListFactory.create(location=country.district_b)
    client = api(admin_a)
    response = client.get(f"/api/v1/item-price-lists/{of_b.uuid}/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert client.get(f"/api/v1/item-price-lists/{of_b.uuid}/entries/").status_code == 404
    assert client.get("/api/v1/item-price-lists/").json()["count"] == 0
    assert client.get(f"/api/v1/facility-price-lists/{country.facility_b.uuid}/").status_code == 404


def test_import_through_the_api_returns_a_job(api, scheme_admin, django_capture_on_commit_callbacks):
    upload = SimpleUploadedFile("items.csv", b"code,name,price\nX1,Item,10\n", content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = api(scheme_admin).post("/api/v1/medical-items/import/", {"file": upload}, format="multipart")
    assert response.status_code == 202, response.content
    assert len(callbacks) == 1
    assert Job.objects.get(uuid=response.json()["uuid"]).kind == "medical.import_items"
    assert not Item.objects.exists()  # not before the worker runs it


def test_schema_lists_the_medical_endpoints(client):
    paths = set(client.get("/api/schema/", {"format": "json"}).json()["paths"])
    assert {
        "/api/v1/medical-items/",
        "/api/v1/medical-services/{uuid}/",
        "/api/v1/diagnoses/",
        "/api/v1/item-price-lists/{uuid}/entries/",
        "/api/v1/service-price-lists/{uuid}/copy/",
        "/api/v1/facility-price-lists/{uuid}/",
    } <= paths
