"""Payers a user sees: national ones, those of their area and those of a region or district above it; nothing of
another district, whether by uuid, in lists, pages, the API or exports. A user with no scope sees none."""

import pytest
from django.urls import reverse

from payer.models import Payer

pytestmark = pytest.mark.django_db


def _csv(client, **params) -> str:
    return b"".join(client.get(reverse("payer:payer_export"), params).streaming_content).decode()


def test_district_b_payer_is_404_by_uuid_for_district_a(login, api, eo_a, payers):
    client = login(eo_a)
    assert client.get(reverse("payer:payer_detail", args=[payers.district_a.uuid])).status_code == 200
    assert client.get(reverse("payer:payer_detail", args=[payers.district_b.uuid])).status_code == 404
    assert client.get(reverse("payer:payer_detail", args=[payers.region_b.uuid])).status_code == 404
    response = api(eo_a).get(f"/api/v1/payers/{payers.district_b.uuid}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_lists_api_and_export_hold_national_own_and_above_only(login, api, eo_a, payers):
    expected = {"Ministry of Health", "Region A Council", "District A Co-op"}
    html = login(eo_a).get(reverse("payer:payer_list")).content.decode()
    assert all(name in html for name in expected)
    assert "District B Co-op" not in html and "Region B Council" not in html
    names = {row["name"] for row in api(eo_a).get("/api/v1/payers/").json()["results"]}
    assert names == expected
    export = _csv(login(eo_a))
    assert all(name in export for name in expected)
    assert "District B" not in export and "Region B" not in export


def test_national_payers_are_visible_to_every_scoped_user(api, eo_a, eo_b, claim_admin, payers):
    for user in (eo_a, eo_b):
        names = {row["name"] for row in api(user).get("/api/v1/payers/").json()["results"]}
        assert "Ministry of Health" in names
    names = {row["name"] for row in api(eo_b).get("/api/v1/payers/").json()["results"]}
    assert names == {"Ministry of Health", "Region B Council", "District B Co-op"}
    # a facility grant serves the facility's district
    names = set(Payer.objects.visible_to(claim_admin).values_list("name", flat=True))
    assert names == {"Ministry of Health", "Region A Council", "District A Co-op"}


def test_user_with_no_scope_sees_no_payer(login, api, nobody, payers):
    client = login(nobody)
    html = client.get(reverse("payer:payer_list")).content.decode()
    assert "Ministry of Health" not in html and "No payer matches." in html
    assert client.get(reverse("payer:payer_detail", args=[payers.national.uuid])).status_code == 404
    assert _csv(client).strip().count("\n") == 0  # header only
    assert api(nobody).get("/api/v1/payers/").json()["count"] == 0
    assert api(nobody).get(f"/api/v1/payers/{payers.national.uuid}/").status_code == 404


def test_filters_cannot_switch_the_scope_off(login, api, eo_a, payers, country):
    rest = api(eo_a)
    assert rest.get("/api/v1/payers/", {"location": str(country.district_b.uuid)}).json()["count"] == 0
    assert rest.get("/api/v1/payers/", {"location": str(country.region_b.uuid)}).json()["count"] == 0
    assert rest.get("/api/v1/payers/", {"name": "District B"}).json()["count"] == 0
    html = login(eo_a).get(reverse("payer:payer_list"), {"location": str(country.district_b.uuid)}).content.decode()
    assert "District B Co-op" not in html
    assert "District B Co-op" not in _csv(login(eo_a), q="District B")


def test_location_filter_offers_only_places_the_user_sees(login, eo_a, payers, country):
    html = login(eo_a).get(reverse("payer:payer_list")).content.decode()
    assert str(country.district_a.uuid) in html and str(country.region_a.uuid) in html
    assert str(country.district_b.uuid) not in html and str(country.region_b.uuid) not in html


PAGES = ["payer:payer_detail", "payer:payer_edit", "payer:payer_deactivate"]
API_CALLS = [
    ("get", "/api/v1/payers/{}/"),
    ("patch", "/api/v1/payers/{}/"),
    ("post", "/api/v1/payers/{}/deactivate/"),
]


@pytest.mark.parametrize("name", PAGES)
def test_every_page_by_uuid_is_404_outside_the_scope_even_with_every_permission(login, admin_of_region_a, payers, name):
    client = login(admin_of_region_a)
    assert client.get(reverse(name, args=[payers.district_a.uuid])).status_code == 200
    assert client.get(reverse(name, args=[payers.district_b.uuid])).status_code == 404
    assert client.post(reverse(name, args=[payers.district_b.uuid]), {}).status_code == 404
    payers.district_b.refresh_from_db()
    assert payers.district_b.is_active


@pytest.mark.parametrize(("method", "url"), API_CALLS)
def test_every_api_object_url_is_404_outside_the_scope_even_with_every_permission(
    api, admin_of_region_a, payers, method, url
):
    response = getattr(api(admin_of_region_a), method)(url.format(payers.district_b.uuid), {}, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
