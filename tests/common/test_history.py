"""History is written by database triggers, with the acting user, for pages, the API and bulk SQL in tasks."""

import pytest
from django.urls import reverse
from pghistory.models import Events

from location.models import Location
from openimis.celery import app
from openimis.common.history import history_of
from openimis.common.jobs import JobTask
from openimis.common.models import Job

pytestmark = pytest.mark.django_db


def _last_update(obj):
    return Events.objects.tracks(obj).filter(pgh_label="update").order_by("-pgh_created_at").first()


def test_edit_through_a_page_records_the_user(login, scheme_admin, country):
    client = login(scheme_admin)
    response = client.post(
        reverse("location:location_edit", args=[country.village_a1.uuid]),
        {"code": "VA1", "name": "Renamed by page", "male_population": "5"},
    )
    assert response.status_code == 302
    event = _last_update(country.village_a1)
    assert event.pgh_data["name"] == "Renamed by page"
    assert event.pgh_context["user"] == scheme_admin.pk
    assert event.pgh_context["url"] == reverse("location:location_edit", args=[country.village_a1.uuid])
    entry = history_of(Location.objects.get(pk=country.village_a1.pk))[0]
    assert entry.user == scheme_admin
    assert {(c.field, c.before, c.after) for c in entry.changes} >= {("name", "Village A1", "Renamed by page")}


def test_edit_through_the_api_with_a_token_records_the_user(client, scheme_admin, country):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=scheme_admin)
    response = client.patch(
        f"/api/v1/health-facilities/{country.facility_a.uuid}/",
        data={"name": "Renamed by API"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token.key}",
    )
    assert response.status_code == 200, response.content
    event = _last_update(country.facility_a)
    assert event.pgh_data["name"] == "Renamed by API"
    assert event.pgh_context["user"] == scheme_admin.pk


@app.task(base=JobTask, name="tests.bulk_rename")
def bulk_rename(job: Job) -> dict:
    count = Location.objects.filter(parent__code="MA").update(name="Bulk renamed")
    return {"count": count}


def test_bulk_update_inside_a_task_records_the_user_who_started_it(scheme_admin, country):
    job = Job.objects.create(kind="tests.bulk", created_by=scheme_admin)
    bulk_rename.apply(args=[job.pk])  # through Celery's task machinery, in this process
    job.refresh_from_db()
    assert job.result == {"count": 2}
    for village in (country.village_a1, country.village_a2):
        event = _last_update(village)
        assert event.pgh_data["name"] == "Bulk renamed"
        assert event.pgh_context["user"] == scheme_admin.pk
        assert event.pgh_context["job"] == str(job.uuid)


def test_history_tab_shows_who_changed_what(login, scheme_admin, country):
    client = login(scheme_admin)
    client.post(reverse("location:location_edit", args=[country.district_a.uuid]), {"code": "DA", "name": "Dist Alpha"})
    page = client.get(reverse("location:location_detail", args=[country.district_a.uuid]), {"tab": "history"})
    html = page.content.decode()
    assert "Dist Alpha" in html and "District A" in html and scheme_admin.username in html


def test_facility_history_tab(login, scheme_admin, country):
    client = login(scheme_admin)
    page = client.get(reverse("location:facility_detail", args=[country.facility_a.uuid]), {"tab": "history"})
    assert page.status_code == 200
    assert "Created" in page.content.decode()
