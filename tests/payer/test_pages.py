"""Payer pages: list with filters and pagination, detail with history, forms with errors next to fields,
deactivation with confirmation, CSV export, and the forbidden cases."""

import csv
import io

import pytest
from django.urls import reverse

from payer.models import Payer

from .factories import PayerFactory

pytestmark = pytest.mark.django_db


def _form(country, **extra) -> dict[str, str]:
    return {"type": "D", "name": "Health Fund", "location": str(country.district_a.uuid), **extra}


def test_list_search_type_and_location_filters(login, scheme_admin, payers, country):
    client = login(scheme_admin)
    url = reverse("payer:payer_list")
    html = client.get(url).content.decode()
    assert all(n in html for n in ("Ministry of Health", "Region A Council", "District B Co-op"))
    assert 'href="/payers/new/"' in html and "/payers/export.csv" in html
    html = client.get(url, {"q": "co-op"}).content.decode()
    assert "District A Co-op" in html and "Ministry of Health" not in html
    html = client.get(url, {"type": "L"}).content.decode()
    assert "Region A Council" in html and "District A Co-op" not in html
    html = client.get(url, {"location": str(country.region_a.uuid)}).content.decode()
    assert "Region A Council" in html and "District A Co-op" in html and "Region B Council" not in html


def test_list_hides_inactive_payers_unless_asked(login, scheme_admin, payers):
    Payer.objects.filter(pk=payers.district_b.pk).update(is_active=False)
    client = login(scheme_admin)
    assert "District B Co-op" not in client.get(reverse("payer:payer_list")).content.decode()
    html = client.get(reverse("payer:payer_list"), {"include_inactive": "on"}).content.decode()
    assert "District B Co-op" in html and "Inactive" in html


def test_list_is_paginated(login, eo_a, country):
    for i in range(30):
        PayerFactory.create(name=f"Fund {i:02d}", location=country.district_a)
    client = login(eo_a)
    first = client.get(reverse("payer:payer_list"), {"per_page": 25}).content.decode()
    assert "Fund 00" in first and "Fund 29" not in first and "Showing 1–25 of 30" in first
    second = client.get(reverse("payer:payer_list"), {"per_page": 25, "page": 2}).content.decode()
    assert "Fund 29" in second and "Fund 00" not in second


def test_create_through_the_page_and_history_shows_the_user(login, scheme_admin, country):
    client = login(scheme_admin)
    assert client.get(reverse("payer:payer_create")).status_code == 200
    response = client.post(reverse("payer:payer_create"), _form(country, email="fund@example.org"))
    assert response.status_code == 302
    payer = Payer.objects.get(name="Health Fund")
    assert response["Location"] == reverse("payer:payer_detail", args=[payer.uuid])
    assert (payer.location, payer.email) == (country.district_a, "fund@example.org")
    detail = client.get(response["Location"]).content.decode()
    assert "Health Fund" in detail and "District A" in detail and "fund@example.org" in detail
    history = client.get(response["Location"], {"tab": "history"}).content.decode()
    assert "Created" in history and str(scheme_admin) in history


def test_edit_through_the_page_records_who_changed_what(login, scheme_admin, payers, country):
    client = login(scheme_admin)
    url = reverse("payer:payer_edit", args=[payers.district_a.uuid])
    page = client.get(url).content.decode()
    assert 'value="District A Co-op"' in page
    assert f'<option value="{country.district_a.uuid}" selected>' in page
    response = client.post(url, _form(country, name="Bahari Fishers", type="C"))
    assert response.status_code == 302
    history = client.get(response["Location"], {"tab": "history"}).content.decode()
    assert "Changed" in history and "District A Co-op" in history and "Bahari Fishers" in history
    assert str(scheme_admin) in history


def test_form_errors_sit_next_to_their_fields(login, scheme_admin, admin_of_region_a, payers, country):
    client = login(scheme_admin)
    html = client.post(reverse("payer:payer_create"), _form(country, name="MINISTRY of health")).content.decode()
    assert 'id="id_name_error"' in html and "Another active payer already has this name." in html
    html = client.post(reverse("payer:payer_create"), _form(country, email="nope")).content.decode()
    assert 'id="id_email_error"' in html
    html = client.post(reverse("payer:payer_create"), _form(country, name="")).content.decode()
    assert 'id="id_name_error"' in html
    client = login(admin_of_region_a)
    html = client.post(reverse("payer:payer_create"), _form(country, location="")).content.decode()
    assert 'id="id_location_error"' in html and "national staff" in html
    assert Payer.objects.filter(name="Health Fund").count() == 0


def test_form_offers_only_regions_and_districts_in_scope(login, admin_of_region_a, country):
    html = login(admin_of_region_a).get(reverse("payer:payer_create")).content.decode()
    assert str(country.region_a.uuid) in html and str(country.district_a.uuid) in html
    assert str(country.district_b.uuid) not in html and str(country.municipality_a.uuid) not in html


def test_deactivate_asks_for_confirmation(login, scheme_admin, payers):
    client = login(scheme_admin)
    url = reverse("payer:payer_deactivate", args=[payers.district_a.uuid])
    page = client.get(url).content.decode()
    assert "no longer be offered for new contributions" in page
    payers.district_a.refresh_from_db()
    assert payers.district_a.is_active  # the GET changed nothing
    response = client.post(url, follow=True)
    assert "District A Co-op was deactivated." in response.content.decode()
    payers.district_a.refresh_from_db()
    assert not payers.district_a.is_active
    detail = client.get(reverse("payer:payer_detail", args=[payers.district_a.uuid])).content.decode()
    assert url not in detail  # no more edit or deactivate buttons


def test_enrolment_officer_sees_but_cannot_create_or_change(login, eo_a, payers, country):
    client = login(eo_a)
    assert client.get(reverse("payer:payer_create")).status_code == 403
    assert client.post(reverse("payer:payer_create"), _form(country)).status_code == 403
    assert client.get(reverse("payer:payer_edit", args=[payers.district_a.uuid])).status_code == 403
    assert client.post(reverse("payer:payer_deactivate", args=[payers.district_a.uuid])).status_code == 403
    list_html = client.get(reverse("payer:payer_list")).content.decode()
    assert "District A Co-op" in list_html and reverse("payer:payer_create") not in list_html
    detail = client.get(reverse("payer:payer_detail", args=[payers.district_a.uuid])).content.decode()
    assert reverse("payer:payer_edit", args=[payers.district_a.uuid]) not in detail
    assert not Payer.objects.filter(name="Health Fund").exists()


def test_payer_managed_above_the_scope_has_no_edit_button_and_is_403(login, admin_of_district_a, payers):
    client = login(admin_of_district_a)
    detail = client.get(reverse("payer:payer_detail", args=[payers.region_a.uuid])).content.decode()
    assert reverse("payer:payer_edit", args=[payers.region_a.uuid]) not in detail
    assert client.get(reverse("payer:payer_edit", args=[payers.region_a.uuid])).status_code == 403
    assert client.post(reverse("payer:payer_deactivate", args=[payers.national.uuid])).status_code == 403


def test_export_follows_the_filters_and_defuses_formulas(login, scheme_admin, payers, country):
    PayerFactory.create(name="=HYPERLINK(1)", location=country.district_a, phone="+255 22 000 111")
    client = login(scheme_admin)
    response = client.get(reverse("payer:payer_export"), {"location": str(country.district_a.uuid)})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["type", "name", "location_code", "location_name", "address", "phone", "fax", "email", "active"]
    assert {r[1] for r in rows[1:]} == {"District A Co-op", "'=HYPERLINK(1)"}
    assert ["C", "District A Co-op", "DA", "District A", "", "", "", "", "1"] in rows
    assert "+255 22 000 111" in {r[5] for r in rows[1:]}


def test_navigation_links_to_payers(login, eo_a):
    assert reverse("payer:payer_list") in login(eo_a).get(reverse("home")).content.decode()
