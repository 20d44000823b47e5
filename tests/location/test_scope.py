"""A user scoped to district A never sees district B's data: not by uuid, not in lists, pages, API or exports."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_district_a_user_gets_404_for_district_b_facility_page(login, eo_a, country):
    client = login(eo_a)
    assert client.get(reverse("location:facility_detail", args=[country.facility_a.uuid])).status_code == 200
    assert client.get(reverse("location:facility_detail", args=[country.facility_b.uuid])).status_code == 404
    assert client.get(reverse("location:location_detail", args=[country.district_b.uuid])).status_code == 404
    assert client.get(reverse("location:location_detail", args=[country.village_b1.uuid])).status_code == 404


def test_district_a_user_gets_404_for_district_b_facility_in_api(api, eo_a, country):
    client = api(eo_a)
    assert client.get(f"/api/v1/health-facilities/{country.facility_a.uuid}/").status_code == 200
    response = client.get(f"/api/v1/health-facilities/{country.facility_b.uuid}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert client.get(f"/api/v1/locations/{country.district_b.uuid}/").status_code == 404


def test_lists_pages_api_and_exports_hold_only_district_a(login, api, eo_a, country):
    client = login(eo_a)
    facility_page = client.get(reverse("location:facility_list")).content.decode()
    assert "HFA" in facility_page and "HFB" not in facility_page
    search = client.get(reverse("location:location_list"), {"q": "B"}).content.decode()
    assert "VB1" not in search and "District B" not in search
    roots = client.get(reverse("location:location_list")).content.decode()
    assert "District A" in roots and "Region A" not in roots and "District B" not in roots

    facility_csv = b"".join(client.get(reverse("location:facility_export")).streaming_content).decode()
    assert "HFA" in facility_csv and "HFB" not in facility_csv
    location_csv = b"".join(client.get(reverse("location:location_export")).streaming_content).decode()
    assert "VA1" in location_csv and "VB1" not in location_csv and "RA" not in location_csv.split()

    rest = api(eo_a)
    codes = {row["code"] for row in rest.get("/api/v1/health-facilities/").json()["results"]}
    assert codes == {"HFA"}
    codes = {row["code"] for row in rest.get("/api/v1/locations/", {"page_size": 500}).json()["results"]}
    assert codes == {"DA", "MA", "VA1", "VA2"}
    assert rest.get("/api/v1/health-facilities/", {"district": str(country.district_b.uuid)}).json()["count"] == 0


def test_user_with_no_scope_sees_nothing(login, api, nobody, country):
    client = login(nobody)
    assert "HFA" not in client.get(reverse("location:facility_list")).content.decode()
    page = client.get(reverse("location:location_list")).content.decode()
    assert "District A" not in page and "Region" not in page.split("<main", 1)[-1].split("Locations", 1)[-1]
    assert client.get(reverse("location:facility_detail", args=[country.facility_a.uuid])).status_code == 404
    export = b"".join(client.get(reverse("location:location_export")).streaming_content).decode()
    assert export.strip().count("\n") == 0  # header only
    rest = api(nobody)
    assert rest.get("/api/v1/locations/").json()["count"] == 0
    assert rest.get("/api/v1/health-facilities/").json()["count"] == 0


def test_claim_administrator_sees_own_facility_and_its_district(api, claim_admin, country):
    rest = api(claim_admin)
    assert {r["code"] for r in rest.get("/api/v1/health-facilities/").json()["results"]} == {"HFA"}
    codes = {r["code"] for r in rest.get("/api/v1/locations/").json()["results"]}
    assert codes == {"DA", "MA", "VA1", "VA2"}


def test_region_grant_covers_everything_below(api, medical_officer, country):
    codes = {r["code"] for r in api(medical_officer).get("/api/v1/locations/").json()["results"]}
    assert codes == {"RA", "DA", "MA", "VA1", "VA2"}


def test_api_filter_cannot_switch_scope_off(api, eo_a, country):
    rest = api(eo_a)
    response = rest.get("/api/v1/locations/", {"within": str(country.region_b.uuid)})
    assert response.json()["count"] == 0
    response = rest.get("/api/v1/locations/", {"parent": str(country.municipality_b.uuid)})
    assert response.json()["count"] == 0


def test_write_to_other_district_is_refused(api, scheme_admin, eo_a, country):
    # eo_a cannot write at all; a scheme administrator of region A only cannot write in region B.
    from openimis.accounts import roles
    from tests.factories import UserFactory

    admin_a = UserFactory.create(role=roles.SCHEME_ADMINISTRATOR, scope=[country.region_a])
    response = api(admin_a).post(
        "/api/v1/locations/",
        {"type": "W", "code": "MX", "name": "X", "parent": str(country.district_b.uuid)},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {"parent": ["No location with this uuid in your scope."]}
    response = api(eo_a).post("/api/v1/locations/", {"type": "R", "code": "RX", "name": "X"}, format="json")
    assert response.status_code == 403


def test_breadcrumbs_leave_out_ancestors_outside_the_scope(login, eo_a, country):
    html = login(eo_a).get(f"/locations/{country.village_a1.uuid}/").content.decode()
    assert "District A" in html and "Municipality A" in html
    assert "Region A" not in html and str(country.region_a.uuid) not in html


PAGE_URLS = [
    ("location:location_detail", "district"),
    ("location:location_edit", "district"),
    ("location:location_move", "municipality"),
    ("location:location_deactivate", "district"),
    ("location:facility_detail", "facility"),
    ("location:facility_edit", "facility"),
]
API_URLS = [
    ("get", "/api/v1/locations/{}/", "district"),
    ("patch", "/api/v1/locations/{}/", "district"),
    ("post", "/api/v1/locations/{}/move/", "municipality"),
    ("post", "/api/v1/locations/{}/deactivate/", "district"),
    ("get", "/api/v1/health-facilities/{}/", "facility"),
    ("patch", "/api/v1/health-facilities/{}/", "facility"),
]


def _objects(country, which: str, side: str):
    return {
        "district": getattr(country, f"district_{side}"),
        "municipality": getattr(country, f"municipality_{side}"),
        "facility": getattr(country, f"facility_{side}"),
    }[which]


@pytest.fixture
def admin_of_region_a(country):
    from openimis.accounts import roles
    from tests.factories import UserFactory

    return UserFactory.create(role=roles.SCHEME_ADMINISTRATOR, scope=[country.region_a])


@pytest.mark.parametrize(("name", "which"), PAGE_URLS)
def test_every_page_by_uuid_is_404_outside_the_scope_even_with_every_permission(
    login, admin_of_region_a, country, name, which
):
    client = login(admin_of_region_a)
    assert client.get(reverse(name, args=[_objects(country, which, "a").uuid])).status_code == 200
    assert client.get(reverse(name, args=[_objects(country, which, "b").uuid])).status_code == 404
    assert client.post(reverse(name, args=[_objects(country, which, "b").uuid]), {}).status_code == 404


@pytest.mark.parametrize(("method", "url", "which"), API_URLS)
def test_every_api_object_url_is_404_outside_the_scope_even_with_every_permission(
    api, admin_of_region_a, country, method, url, which
):
    client = api(admin_of_region_a)
    response = getattr(client, method)(url.format(_objects(country, which, "b").uuid), {}, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
