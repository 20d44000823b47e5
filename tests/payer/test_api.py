"""REST API for payers: round trip, filters, the error shape for each refusal, the forbidden cases."""

import pytest

from payer.models import Payer

pytestmark = pytest.mark.django_db

URL = "/api/v1/payers/"


def test_create_read_update_round_trip(api, scheme_admin, country):
    client = api(scheme_admin)
    created = client.post(
        URL,
        {
            "type": "C",
            "name": "Bahari Co-op",
            "location": str(country.district_a.uuid),
            "address": "Fish market",
            "phone": "+255 754 000 111",
            "email": "coop@example.org",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["location"] == {"uuid": str(country.district_a.uuid), "code": "DA", "name": "District A", "type": "D"}
    assert (body["type"], body["type_display"], body["is_active"], body["fax"]) == ("C", "Co-operative", True, "")

    read = client.get(f"{URL}{body['uuid']}/")
    assert read.status_code == 200 and read.json() == body

    updated = client.patch(f"{URL}{body['uuid']}/", {"name": "Bahari Fishers", "location": None}, format="json")
    assert updated.status_code == 200, updated.content
    assert updated.json()["name"] == "Bahari Fishers" and updated.json()["location"] is None
    assert updated.json()["address"] == "Fish market"  # untouched by a partial update
    stored = Payer.objects.get(uuid=body["uuid"])
    assert (stored.name, stored.location) == ("Bahari Fishers", None)


def test_list_filters(api, scheme_admin, payers, country):
    client = api(scheme_admin)

    def names(**params) -> set[str]:
        return {row["name"] for row in client.get(URL, params).json()["results"]}

    assert names(type="L") == {"Region A Council", "Region B Council"}
    assert names(location=str(country.region_a.uuid)) == {"Region A Council", "District A Co-op"}
    assert names(location=str(country.district_b.uuid)) == {"District B Co-op"}
    assert names(name="co-op") == {"District A Co-op", "District B Co-op"}
    assert names(national="true") == {"Ministry of Health"}
    assert names(type="C", location=str(country.region_b.uuid)) == {"District B Co-op"}
    client.post(f"{URL}{payers.district_b.uuid}/deactivate/")
    assert "District B Co-op" not in names(is_active="true")
    assert "District B Co-op" in names(is_active="false")


def test_list_is_paginated(api, scheme_admin, payers):
    body = api(scheme_admin).get(URL, {"page_size": 2}).json()
    assert body["count"] == 5 and len(body["results"]) == 2 and body["next"]


def test_field_errors_name_the_field(api, scheme_admin, country):
    client = api(scheme_admin)
    response = client.post(URL, {"type": "Z", "email": "nope"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert set(response.json()["fields"]) == {"type", "name", "email"}


def test_domain_errors_use_the_same_shape(api, scheme_admin, admin_of_region_a, payers, country):
    response = api(scheme_admin).post(URL, {"type": "D", "name": "ministry of health"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "code": "payer_name_live_unique",
        "detail": "Another active payer already has this name.",
        "fields": {"name": ["Another active payer already has this name."]},
    }
    response = api(admin_of_region_a).post(URL, {"type": "D", "name": "National fund"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "payer_national_scope" and set(response.json()["fields"]) == {"location"}
    response = api(scheme_admin).post(
        URL, {"type": "D", "name": "Village fund", "location": str(country.village_a1.uuid)}, format="json"
    )
    assert response.json()["fields"] == {"location": ["A payer belongs to a region or a district."]}


def test_location_outside_the_scope_is_not_found(api, admin_of_region_a, country):
    response = api(admin_of_region_a).post(
        URL, {"type": "D", "name": "Fund", "location": str(country.district_b.uuid)}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {"location": ["No location with this uuid in your scope."]}
    assert not Payer.objects.exists()


def test_deactivate(api, scheme_admin, payers):
    client = api(scheme_admin)
    response = client.post(f"{URL}{payers.district_a.uuid}/deactivate/")
    assert response.status_code == 200 and response.json()["is_active"] is False
    again = client.post(f"{URL}{payers.district_a.uuid}/deactivate/")
    assert again.status_code == 400 and again.json()["code"] == "payer_inactive"


def test_enrolment_officer_reads_but_cannot_write(api, eo_a, payers, country):
    client = api(eo_a)
    assert client.get(f"{URL}{payers.district_a.uuid}/").status_code == 200
    created = client.post(URL, {"type": "D", "name": "X", "location": str(country.district_a.uuid)}, format="json")
    assert created.status_code == 403 and created.json()["code"] == "permission_denied"
    assert client.patch(f"{URL}{payers.district_a.uuid}/", {"name": "X"}, format="json").status_code == 403
    assert client.post(f"{URL}{payers.district_a.uuid}/deactivate/").status_code == 403
    assert Payer.objects.get(pk=payers.district_a.pk).name == "District A Co-op"


def test_payer_managed_above_the_scope_is_403(api, admin_of_district_a, payers):
    client = api(admin_of_district_a)
    assert client.get(f"{URL}{payers.region_a.uuid}/").status_code == 200
    response = client.patch(f"{URL}{payers.region_a.uuid}/", {"phone": "1"}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"


def test_put_and_delete_are_not_offered(api, scheme_admin, payers):
    client = api(scheme_admin)
    assert client.put(f"{URL}{payers.district_a.uuid}/", {"type": "D", "name": "X"}, format="json").status_code == 405
    assert client.delete(f"{URL}{payers.district_a.uuid}/").status_code == 405


def test_anonymous_and_roleless_users_are_refused(api, country):
    from tests.factories import UserFactory

    assert api().get(URL).status_code in (401, 403)
    assert api(UserFactory.create(scope=[country.region_a])).get(URL).status_code == 403


def test_schema_documents_the_payer_endpoints(client):
    paths = client.get("/api/schema/", {"format": "json"}).json()["paths"]
    assert {"/api/v1/payers/", "/api/v1/payers/{uuid}/", "/api/v1/payers/{uuid}/deactivate/"} <= set(paths)
    assert {"get", "patch"} <= set(paths["/api/v1/payers/{uuid}/"])
    assert not {"put", "delete"} & set(paths["/api/v1/payers/{uuid}/"])
