"""Products a user sees: national ones, those of their area and of the areas above it; nothing without a scope."""

import pytest
from django.urls import reverse

from .factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def products(country):
    return {
        "national": ProductFactory.create(code="NAT"),
        "region_a": ProductFactory.create(code="REGA", location=country.region_a),
        "district_a": ProductFactory.create(code="DISA", location=country.district_a),
        "region_b": ProductFactory.create(code="REGB", location=country.region_b),
        "district_b": ProductFactory.create(code="DISB", location=country.district_b),
    }


def test_district_b_product_is_404_for_eo_a_by_uuid(login, api, eo_a, products):
    client, rest = login(eo_a), api(eo_a)
    hidden = products["district_b"]
    assert client.get(reverse("policy:product_detail", args=[hidden.uuid])).status_code == 404
    assert client.get(reverse("policy:product_detail", args=[hidden.uuid]) + "?tab=items").status_code == 404
    response = rest.get(f"/api/v1/products/{hidden.uuid}/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert rest.get(f"/api/v1/products/{hidden.uuid}/items/").status_code == 404
    for name in ("national", "region_a", "district_a"):
        assert client.get(reverse("policy:product_detail", args=[products[name].uuid])).status_code == 200
        assert rest.get(f"/api/v1/products/{products[name].uuid}/").status_code == 200


def test_lists_and_api_hold_national_and_own_area_products_only(login, api, eo_a, products):
    html = login(eo_a).get(reverse("policy:product_list")).content.decode()
    assert all(code in html for code in ("NAT", "REGA", "DISA"))
    assert "REGB" not in html and "DISB" not in html
    codes = {row["code"] for row in api(eo_a).get("/api/v1/products/").json()["results"]}
    assert codes == {"NAT", "REGA", "DISA"}


def test_filters_cannot_widen_the_scope(api, eo_a, country, products):
    rest = api(eo_a)
    assert rest.get("/api/v1/products/", {"location": str(country.district_b.uuid)}).json()["results"] == [
        {**rest.get(f"/api/v1/products/{products['national'].uuid}/").json()}
    ]
    assert rest.get("/api/v1/products/", {"code": "DISB"}).json()["count"] == 0


def test_user_with_no_scope_sees_no_product(login, api, nobody, products):
    html = login(nobody).get(reverse("policy:product_list")).content.decode()
    assert "NAT" not in html and "No product matches." in html
    assert api(nobody).get("/api/v1/products/").json()["count"] == 0
    assert login(nobody).get(reverse("policy:product_detail", args=[products["national"].uuid])).status_code == 404


def test_region_user_sees_the_districts_below(api, medical_officer, products):
    codes = {row["code"] for row in api(medical_officer).get("/api/v1/products/").json()["results"]}
    assert codes == {"NAT", "REGA", "DISA"}


def test_scheme_admin_of_both_regions_sees_all(api, scheme_admin, products):
    assert api(scheme_admin).get("/api/v1/products/").json()["count"] == 5


def test_write_pages_and_api_answer_404_outside_scope(login, api, country, products):
    from openimis.accounts import roles
    from tests.factories import UserFactory

    admin_a = UserFactory.create(role=roles.SCHEME_ADMINISTRATOR, scope=[country.region_a])
    hidden = products["district_b"]
    client = login(admin_a)
    for name in ("product_edit", "product_copy", "product_close", "product_delete"):
        assert client.get(reverse(f"policy:{name}", args=[hidden.uuid])).status_code == 404, name
    rest = api(admin_a)
    assert rest.patch(f"/api/v1/products/{hidden.uuid}/", {"name": "X"}, format="json").status_code == 404
    assert rest.post(f"/api/v1/products/{hidden.uuid}/close/").status_code == 404
    assert rest.delete(f"/api/v1/products/{hidden.uuid}/").status_code == 404
    hidden.refresh_from_db()
    assert hidden.name != "X"
