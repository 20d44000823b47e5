"""Pages: the shell, error pages, forms with errors next to fields, jobs, French."""

import pytest
from django.urls import reverse

from location.models import HealthFacility, Location

pytestmark = pytest.mark.django_db


def test_login_page_renders_for_anonymous(client):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert 'name="username"' in response.content.decode()


def test_pages_require_login(client, country):
    response = client.get(reverse("location:location_list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_navigation_follows_permissions(login, eo_a, sysadmin):
    html = login(eo_a).get(reverse("home")).content.decode()
    assert reverse("location:location_list") in html and reverse("location:user_list") not in html
    html = login(sysadmin).get(reverse("home")).content.decode()
    assert reverse("location:user_list") in html


def test_forbidden_page_for_missing_permission(login, eo_a):
    response = login(eo_a).get(reverse("location:facility_create"))
    assert response.status_code == 403
    assert "permission" in response.content.decode().lower()


def test_not_found_page(login, eo_a):
    response = login(eo_a).get("/locations/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404


def test_create_facility_through_the_page_with_errors_next_to_fields(login, scheme_admin, country):
    client = login(scheme_admin)
    data = {
        "code": "HFA",
        "name": "Duplicate",
        "district": str(country.district_a.uuid),
        "level": "C",
        "legal_form": "G",
        "care_type": "B",
        "status": "AC",
        "contract_start_date": "2026-01-01",
        "contract_end_date": "2025-01-01",
    }
    response = client.post(reverse("location:facility_create"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "The contract must end after it starts." in html
    assert 'id="id_contract_end_date_error"' in html
    data.update(code="HFN", contract_end_date="2027-01-01", catchments="VA1 80\nVA2 20")
    response = client.post(reverse("location:facility_create"), data)
    assert response.status_code == 302
    facility = HealthFacility.objects.get(code="HFN")
    assert facility.catchments.count() == 2


def test_create_location_pages(login, scheme_admin, country):
    client = login(scheme_admin)
    response = client.post(reverse("location:location_create"), {"code": "RN", "name": "North"})
    assert response.status_code == 302
    region = Location.objects.get(code="RN")
    response = client.post(f"{reverse('location:location_create')}?parent={region.uuid}", {"code": "DN", "name": "Dn"})
    assert response.status_code == 302
    assert Location.objects.get(code="DN").parent == region
    response = client.post(
        f"{reverse('location:location_create')}?parent={region.uuid}", {"code": "DN", "name": "Again"}
    )
    assert "Another active location already has this code." in response.content.decode()


def test_move_and_deactivate_pages(login, scheme_admin, country):
    client = login(scheme_admin)
    page = client.get(reverse("location:location_move", args=[country.municipality_a.uuid]))
    assert "District B" in page.content.decode()
    response = client.post(
        reverse("location:location_move", args=[country.municipality_a.uuid]), {"parent": str(country.district_b.uuid)}
    )
    assert response.status_code == 302
    response = client.post(reverse("location:location_deactivate", args=[country.municipality_a.uuid]), follow=True)
    assert "3 locations were deactivated." in response.content.decode()


def test_district_page_lists_villages_with_pagination(login, eo_a, country):
    client = login(eo_a)
    html = client.get(reverse("location:location_detail", args=[country.district_a.uuid]), {"tab": "villages"}).content
    assert b"VA1" in html and b"VA2" in html and b"VB1" not in html


def test_import_page_queues_a_job_and_job_page_shows_progress(
    login, scheme_admin, country, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(scheme_admin)
    upload = SimpleUploadedFile("v.csv", b"type,code,name,parent_code\nW,MN,New,DA\n", content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("location:location_import"), {"file": upload})
    assert len(callbacks) == 1  # the task is sent only once the job row is committed
    assert response.status_code == 302
    job_page = client.get(response["Location"])
    assert b"job-progress" in job_page.content and b"hx-get" in job_page.content


def test_user_management_sets_roles_and_scope(login, sysadmin, country):
    from openimis.accounts.models import User

    client = login(sysadmin)
    response = client.post(
        reverse("location:user_create"),
        {
            "username": "new_eo",
            "language": "fr",
            "is_active": "on",
            "password": "a-long-enough-secret",
            "roles": ["enrolment_officer"],
            "locations": [str(country.district_b.uuid)],
        },
    )
    assert response.status_code == 302, response.content.decode()
    user = User.objects.get(username="new_eo")
    assert list(Location.objects.visible_to(user).values_list("code", flat=True).order_by("code")) == [
        "DB",
        "MB",
        "VB1",
    ]
    assert "new_eo" in client.get(reverse("location:user_list")).content.decode()


def test_pages_in_french(login, eo_a):
    client = login(eo_a)
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    html = client.get(reverse("location:location_list")).content.decode()
    assert 'lang="fr"' in html
    assert "Lieux" in html
    eo_a.refresh_from_db()
    assert eo_a.language == "fr"  # remembered for the next log-in on any device


def test_server_error_page_needs_no_context(client, settings):
    from openimis.errors import server_error

    response = server_error(client.get("/").wsgi_request)
    assert response.status_code == 500
    assert b"<html" in response.content


def test_edit_facility_page_keeps_its_values(login, scheme_admin, country):
    client = login(scheme_admin)
    url = reverse("location:facility_edit", args=[country.facility_a.uuid])
    form = client.get(url).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        code=country.facility_a.code, name=country.facility_a.name, district=str(country.district_a.uuid), phone="123"
    )
    html = client.get(url).content.decode()
    assert f'<option value="{country.district_a.uuid}" selected>' in html
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    country.facility_a.refresh_from_db()
    assert country.facility_a.phone == "123"
