"""API conventions: deny by default, one error shape, paginated lists, a valid OpenAPI 3 schema, offline docs."""

import re

import pytest
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db


def test_anonymous_is_refused_with_the_error_shape(api, country):
    response = api().get("/api/v1/locations/")
    assert response.status_code in (401, 403)
    body = response.json()
    assert set(body) == {"code", "detail", "fields"}
    assert body["code"] == "not_authenticated"


def test_user_without_view_permission_is_refused(api, country):
    from tests.factories import UserFactory

    user = UserFactory.create(scope=[country.region_a])  # no role at all
    response = api(user).get("/api/v1/health-facilities/")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_validation_errors_name_the_field(api, scheme_admin, country):
    response = api(scheme_admin).post(
        "/api/v1/health-facilities/",
        {"code": "", "name": "X", "legal_form": "Z", "level": "C", "district": str(country.district_a.uuid)},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["fields"]) == {"code", "legal_form"}


def test_domain_errors_use_the_same_shape(api, scheme_admin, country):
    response = api(scheme_admin).post(
        "/api/v1/health-facilities/",
        {
            "code": "HFN",
            "name": "X",
            "legal_form": "G",
            "level": "C",
            "district": str(country.district_a.uuid),
            "contract_start_date": "2026-05-01",
            "contract_end_date": "2026-01-01",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": "location_invalid",
        "detail": "The contract must end after it starts.",
        "fields": {"contract_end_date": ["The contract must end after it starts."]},
    }


def test_lists_are_paginated(api, scheme_admin, country):
    body = api(scheme_admin).get("/api/v1/locations/", {"page_size": 2}).json()
    assert body["count"] == 9
    assert len(body["results"]) == 2
    assert body["next"]


def test_create_move_and_deactivate_through_the_api(api, scheme_admin, country):
    client = api(scheme_admin)
    created = client.post(
        "/api/v1/locations/",
        {"type": "W", "code": "MN", "name": "New", "parent": str(country.district_a.uuid)},
        format="json",
    )
    assert created.status_code == 201, created.content
    uuid = created.json()["uuid"]
    moved = client.post(f"/api/v1/locations/{uuid}/move/", {"parent": str(country.district_b.uuid)}, format="json")
    assert moved.status_code == 200 and moved.json()["parent"] == str(country.district_b.uuid)
    refused = client.post(f"/api/v1/locations/{uuid}/move/", {"parent": str(country.region_a.uuid)}, format="json")
    assert refused.status_code == 400 and "parent" in refused.json()["fields"]
    assert client.post(f"/api/v1/locations/{uuid}/deactivate/").json() == {"deactivated": 1}


def test_enrolment_officer_cannot_move(api, eo_a, country):
    response = api(eo_a).post(
        f"/api/v1/locations/{country.village_a1.uuid}/move/",
        {"parent": str(country.municipality_a.uuid)},
        format="json",
    )
    assert response.status_code == 403


def test_token_login(client, scheme_admin):
    from tests.factories import PASSWORD

    response = client.post("/api/v1/auth/token/", {"username": "scheme_admin", "password": PASSWORD})
    assert response.status_code == 200
    token = response.json()["token"]
    listed = client.get("/api/v1/health-facilities/", HTTP_AUTHORIZATION=f"Token {token}")
    assert listed.status_code == 200


def test_schema_is_valid_openapi_3(client):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    validate(schema)
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/locations/", "/api/v1/locations/{uuid}/move/", "/api/v1/health-facilities/{uuid}/"} <= set(
        schema["paths"]
    )


def test_docs_page_loads_only_local_assets(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    urls = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
    assert urls, "the page references its assets"
    assert all(u.startswith("/") for u in urls), urls


def test_healthz_checks_database_and_redis(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "ok"}


def test_healthz_reports_redis_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["redis"].startswith("error")


def test_import_through_the_api_returns_a_job_to_poll(
    api, scheme_admin, eo_a, country, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = api(scheme_admin)
    upload = SimpleUploadedFile("t.csv", b"type,code,name,parent_code\nW,MN,New,DA\n", content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post("/api/v1/locations/import/", {"file": upload}, format="multipart")
    assert response.status_code == 202, response.content
    assert len(callbacks) == 1
    job = response.json()
    assert job["status"] == 0 and job["kind"] == "location.import"
    polled = client.get(f"/api/v1/jobs/{job['uuid']}/")
    assert polled.status_code == 200 and polled.json()["uuid"] == job["uuid"]
    # another user does not see the job, and an enrolment officer may not import
    assert api(eo_a).get(f"/api/v1/jobs/{job['uuid']}/").status_code == 404
    upload = SimpleUploadedFile("t.csv", b"type,code,name,parent_code\n", content_type="text/csv")
    assert api(eo_a).post("/api/v1/locations/import/", {"file": upload}, format="multipart").status_code == 403
