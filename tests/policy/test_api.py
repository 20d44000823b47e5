"""REST API for products: round trip, filters, copy, close, delete guard, covered items and services."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from policy.models import Product

from .factories import ItemFactory, ProductFactory, ServiceFactory

pytestmark = pytest.mark.django_db
MONTHS = ["8"] * 8 + ["9"] * 4


def _create(client, **extra):
    body = {
        "code": "API1",
        "name": "API product",
        "date_from": "2026-01-01",
        "date_to": "2026-12-31",
        "premium_adult": "12000.00",
        "lump_sum": "40000",
        "threshold": 4,
        "start_cycle_1": "1-7",
        "ceiling_type": "I",
        "max_ip_insuree": "500000",
        "max_op_insuree": "100000",
        "period_rel_prices_ip": "M",
        "distribution": {"I": MONTHS},
        **extra,
    }
    return client.post("/api/v1/products/", body, format="json")


def test_round_trip_create_read_update_list(api, scheme_admin, country):
    client = api(scheme_admin)
    created = _create(client, location=str(country.region_a.uuid))
    assert created.status_code == 201, created.content
    body = created.json()
    uuid = body["uuid"]
    assert body["location"] == str(country.region_a.uuid)
    assert body["start_cycle_1"] == "01-07" and body["insurance_period"] == 12
    assert body["distribution"] == {"I": [f"{m}.00" for m in MONTHS]}
    assert body["premium_adult"] == "12000.00" and body["conversion_product"] is None

    read = client.get(f"/api/v1/products/{uuid}/").json()
    assert read == body

    patched = client.patch(f"/api/v1/products/{uuid}/", {"name": "Renamed", "premium_child": "5000"}, format="json")
    assert patched.status_code == 200, patched.content
    assert patched.json()["name"] == "Renamed" and patched.json()["premium_child"] == "5000.00"
    assert patched.json()["distribution"]["I"][0] == "8.00"  # kept

    ProductFactory.create(code="OTHER", name="Other thing", date_from=date(2027, 1, 1), date_to=date(2027, 12, 31))
    ProductFactory.create(code="DB1", location=country.district_b)

    def codes(**params):
        return sorted(r["code"] for r in client.get("/api/v1/products/", params).json()["results"])

    assert codes() == ["API1", "DB1", "OTHER"]
    assert codes(code="api1") == ["API1"]
    assert codes(name="renam") == ["API1"]
    assert codes(valid_on="2027-06-01") == ["DB1", "OTHER"]
    assert codes(location=str(country.district_a.uuid)) == ["API1", "OTHER"]  # its region's and national ones
    assert codes(national="true") == ["OTHER"]


def test_validation_errors_name_the_fields(api, scheme_admin, country):
    client = api(scheme_admin)
    response = _create(client, threshold=5, lump_sum=None, distribution={"I": ["50", "40"]}, start_cycle_2="31-02")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "product_invalid"
    assert {"threshold", "distribution_I", "start_cycle_2"} <= set(body["fields"])
    response = _create(client, premium_adult="-1", code="")
    assert response.status_code == 400 and {"code"} <= set(response.json()["fields"])
    response = _create(client, location=str(country.village_a1.uuid))
    assert response.json()["fields"] == {"location": ["A product belongs to a region or a district, not to a village."]}
    assert not Product.objects.exists()


def test_enrolment_officer_reads_but_cannot_write(api, eo_a, country):
    product = ProductFactory.create(code="NAT")
    client = api(eo_a)
    assert client.get(f"/api/v1/products/{product.uuid}/").status_code == 200
    assert _create(client).status_code == 403
    assert client.patch(f"/api/v1/products/{product.uuid}/", {"name": "X"}, format="json").status_code == 403
    assert client.post(f"/api/v1/products/{product.uuid}/copy/", {"code": "C", "name": "C"}).status_code == 403
    assert client.post(f"/api/v1/products/{product.uuid}/close/").status_code == 403
    assert client.delete(f"/api/v1/products/{product.uuid}/").status_code == 403
    assert client.post(f"/api/v1/products/{product.uuid}/items/", {"codes": ["X"]}, format="json").status_code == 403


def test_copy_close_and_delete_guard(api, scheme_admin, country):
    client = api(scheme_admin)
    today = timezone.localdate()
    uuid = _create(client, date_from=str(today - timedelta(days=10)), date_to=str(today + timedelta(days=100))).json()[
        "uuid"
    ]
    copied = client.post(f"/api/v1/products/{uuid}/copy/", {"code": "API2", "name": "Copy"}, format="json")
    assert copied.status_code == 201, copied.content
    assert copied.json()["distribution"] == client.get(f"/api/v1/products/{uuid}/").json()["distribution"]

    newer = client.patch(
        f"/api/v1/products/{copied.json()['uuid']}/",
        {"date_to": str(today + timedelta(days=400)), "code": "API2"},
        format="json",
    )
    assert newer.status_code == 200
    linked = client.patch(f"/api/v1/products/{uuid}/", {"conversion_product": copied.json()["uuid"]}, format="json")
    assert linked.status_code == 200 and linked.json()["conversion_product"] == copied.json()["uuid"]

    refused = client.delete(f"/api/v1/products/{copied.json()['uuid']}/")
    assert refused.status_code == 409
    assert refused.json()["code"] == "product_in_use" and "only closed" in refused.json()["detail"]

    closed = client.post(f"/api/v1/products/{uuid}/close/")
    assert closed.status_code == 200 and closed.json()["date_to"] == str(today)
    again = client.post(f"/api/v1/products/{uuid}/close/")
    assert again.status_code == 400 and again.json()["code"] == "product_ended"

    assert client.delete(f"/api/v1/products/{uuid}/").status_code == 204
    assert not Product.objects.filter(uuid=uuid).exists()


def test_items_and_services_sub_resources(api, scheme_admin, country):
    client = api(scheme_admin)
    uuid = _create(client).json()["uuid"]
    items = [ItemFactory.create(code=f"IT{n}") for n in range(3)]
    service = ServiceFactory.create(code="SV1")
    added = client.post(
        f"/api/v1/products/{uuid}/items/",
        {"codes": ["IT0", "it1", "IT2"], "limitation_type": "C", "limit_adult": "80", "waiting_period_child": 2},
        format="json",
    )
    assert added.status_code == 201, added.content
    assert [row["code"] for row in added.json()] == ["IT0", "IT1", "IT2"]
    listed = client.get(f"/api/v1/products/{uuid}/items/", {"page_size": 2}).json()
    assert listed["count"] == 3 and len(listed["results"]) == 2 and listed["next"]
    first = listed["results"][0]
    assert first["uuid"] == str(items[0].uuid) and first["limit_adult"] == "80.00" and first["limit_child"] == "100.00"

    line_url = f"/api/v1/products/{uuid}/items/{items[0].uuid}/"
    patched = client.patch(
        line_url, {"limitation_type": "F", "limit_adult": "900", "limit_child": "500"}, format="json"
    )
    assert patched.status_code == 200 and patched.json()["limitation_type"] == "F"
    too_much = client.patch(line_url, {"limitation_type": "C"}, format="json")  # 900 % is not a percentage
    assert too_much.status_code == 400 and "limit_adult" in too_much.json()["fields"]
    assert client.delete(line_url).status_code == 204
    assert client.get(line_url).status_code == 404

    wrong = client.post(
        f"/api/v1/products/{uuid}/services/",
        {"codes": ["SV1"], "limitation_type": "C", "limit_adult": "130"},
        format="json",
    )
    assert wrong.status_code == 400 and "limit_adult" in wrong.json()["fields"]
    ok = client.post(f"/api/v1/products/{uuid}/services/", {"codes": ["SV1"], "price_origin": "R"}, format="json")
    assert ok.status_code == 201, ok.content
    assert client.get(f"/api/v1/products/{uuid}/services/{service.uuid}/").json()["price_origin"] == "R"
    missing = client.post(f"/api/v1/products/{uuid}/services/", {"codes": ["NOPE"]}, format="json")
    assert missing.json()["fields"] == {"codes": ["No active medical service with the code NOPE."]}


def test_schema_lists_the_product_endpoints(client):
    paths = client.get("/api/schema/", {"format": "json"}).json()["paths"]
    assert {
        "/api/v1/products/",
        "/api/v1/products/{uuid}/",
        "/api/v1/products/{uuid}/copy/",
        "/api/v1/products/{uuid}/close/",
        "/api/v1/products/{product_uuid}/items/",
        "/api/v1/products/{product_uuid}/services/{uuid}/",
    } <= set(paths)


def test_references_outside_the_scope_are_refused(api, country):
    from openimis.accounts import roles
    from tests.factories import UserFactory

    admin_a = UserFactory.create(role=roles.SCHEME_ADMINISTRATOR, scope=[country.region_a])
    other = ProductFactory.create(code="DB1", location=country.district_b, date_to=date(2031, 1, 1))
    client = api(admin_a)
    response = _create(client, location=str(country.district_b.uuid))
    assert response.status_code == 400
    assert response.json()["fields"] == {"location": ["No region or district with this uuid in your scope."]}
    response = _create(client, conversion_product=str(other.uuid))
    assert response.json()["fields"] == {"conversion_product": ["No product with this uuid in your scope."]}
    assert Product.objects.count() == 1
