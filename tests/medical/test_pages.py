"""Staff pages of registers and price lists: happy paths, refusals next to fields, forbidden cases, History tabs,
exports and scope."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from medical.models import Diagnosis, FacilityPriceLists, Item, ItemPriceList, ItemPriceListEntry, Service

from .factories import DiagnosisFactory, ItemFactory, ItemPriceListFactory, ServiceFactory, ServicePriceListFactory

pytestmark = pytest.mark.django_db

ITEM_POST = {
    "code": "AMX250",
    "name": "Amoxicillin 250 mg capsules",
    "type": "D",
    "package": "Tin of 1000 capsules",
    "price": "60",
    "care_type": "B",
    "patient_category": ["1", "2", "4", "8"],
}


def test_item_pages_create_list_edit_and_history(login, scheme_admin):
    client = login(scheme_admin)
    form = client.get(reverse("medical:item_create")).content.decode()
    assert 'type="checkbox" name="patient_category" value="1"' in form and "Child" in form
    response = client.post(reverse("medical:item_create"), ITEM_POST)
    assert response.status_code == 302, response.content.decode()[-2000:]
    item = Item.objects.get(code="AMX250")
    assert item.patient_category == 15 and item.price == 60
    listing = client.get(reverse("medical:item_list"), {"q": "amox"}).content.decode()
    assert "AMX250" in listing and "Amoxicillin 250 mg capsules" in listing
    edit = client.post(
        reverse("medical:item_edit", args=[item.uuid]), {**ITEM_POST, "price": "75", "patient_category": ["2", "4"]}
    )
    assert edit.status_code == 302
    item.refresh_from_db()
    assert item.price == 75 and item.patient_category == 6
    history = client.get(reverse("medical:item_detail", args=[item.uuid]), {"tab": "history"}).content.decode()
    assert "Changed" in history and "Created" in history and "scheme_admin" in history


def test_patient_checkboxes_need_a_sex_and_an_age(login, scheme_admin):
    client = login(scheme_admin)
    response = client.post(reverse("medical:item_create"), {**ITEM_POST, "patient_category": ["1"]})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Choose at least one of adult and child." in html and 'id="id_patient_category_error"' in html
    response = client.post(reverse("medical:item_create"), {**ITEM_POST, "patient_category": []})
    assert "Choose at least one of male and female and at least one of adult and child." in response.content.decode()
    assert not Item.objects.exists()


def test_duplicate_code_and_negative_price_are_shown_next_to_the_fields(login, scheme_admin):
    ItemFactory.create(code="AMX250")
    client = login(scheme_admin)
    html = client.post(reverse("medical:item_create"), ITEM_POST).content.decode()
    assert "Another active item already has this code." in html and 'id="id_code_error"' in html
    html = client.post(reverse("medical:item_create"), {**ITEM_POST, "code": "NEW", "price": "-1"}).content.decode()
    assert "May not be negative." in html and 'id="id_price_error"' in html


def test_service_pages(login, scheme_admin):
    client = login(scheme_admin)
    response = client.post(
        reverse("medical:service_create"),
        {
            "code": "ANC1",
            "name": "First antenatal visit",
            "type": "P",
            "category": "A",
            "level": "V",
            "package_type": "S",
            "price": "8000",
            "care_type": "O",
            "patient_category": ["2", "4"],
        },
    )
    assert response.status_code == 302
    service = Service.objects.get(code="ANC1")
    assert service.patient_category == 6 and service.category == "A"
    detail = client.get(reverse("medical:service_detail", args=[service.uuid])).content.decode()
    assert "Female, Adult" in detail and "Antenatal" in detail
    assert "ANC1" in client.get(reverse("medical:service_list"), {"category": "A"}).content.decode()
    assert "ANC1" not in client.get(reverse("medical:service_list"), {"category": "S"}).content.decode()


def test_diagnosis_pages_and_deactivation(login, scheme_admin):
    client = login(scheme_admin)
    assert client.post(reverse("medical:diagnosis_create"), {"code": "B50.9", "name": "Malaria"}).status_code == 302
    diagnosis = Diagnosis.objects.get(code="B50.9")
    response = client.post(reverse("medical:diagnosis_deactivate", args=[diagnosis.uuid]), follow=True)
    assert response.status_code == 200
    diagnosis.refresh_from_db()
    assert not diagnosis.is_active
    assert "B50.9" not in client.get(reverse("medical:diagnosis_list")).content.decode()
    assert "B50.9" in client.get(reverse("medical:diagnosis_list"), {"include_inactive": "on"}).content.decode()


def test_item_deactivation_page_reports_price_lists_left(login, scheme_admin):
    item = ItemFactory.create()
    ItemPriceListEntry.objects.create(price_list=ItemPriceListFactory.create(), item=item)
    client = login(scheme_admin)
    assert "every price list" in client.get(reverse("medical:item_deactivate", args=[item.uuid])).content.decode()
    response = client.post(reverse("medical:item_deactivate", args=[item.uuid]), follow=True)
    assert "was deactivated and removed from 1 price list." in response.content.decode()
    assert not ItemPriceListEntry.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        reverse("medical:item_create"),
        reverse("medical:service_create"),
        reverse("medical:diagnosis_create"),
        reverse("medical:pricelist_create", args=["items"]),
        reverse("medical:pricelist_create", args=["services"]),
        reverse("medical:item_import"),
        reverse("medical:pricelist_import", args=["items"]),
        reverse("medical:item_list"),
    ],
)
def test_enrolment_officer_gets_403(login, eo_a, url):
    assert login(eo_a).get(url).status_code == 403


def test_medical_officer_reads_but_cannot_create(login, medical_officer):
    item = ItemFactory.create()
    client = login(medical_officer)
    assert client.get(reverse("medical:item_detail", args=[item.uuid])).status_code == 200
    assert client.get(reverse("medical:item_create")).status_code == 403
    page = client.get(reverse("medical:item_list")).content.decode()
    assert reverse("medical:item_create") not in page


def test_exports_csv_and_xlsx_follow_the_filters(login, scheme_admin):
    ItemFactory.create(code="AMX", name="Amoxicillin", price=Decimal("60.00"))
    ItemFactory.create(code="GLV", name="Gloves", type="M")
    ItemFactory.create(code="OLD", is_active=False)
    client = login(scheme_admin)
    csv = b"".join(client.get(reverse("medical:item_export", args=["csv"]), {"type": "D"}).streaming_content)
    lines = csv.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("code,name,type,package") and len(lines) == 2 and lines[1].startswith("AMX,Amoxicillin")
    response = client.get(reverse("medical:item_export", args=["xlsx"]), {"include_inactive": "on"})
    assert response["Content-Disposition"].endswith('medical-items.xlsx"')
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).worksheets[0]
    codes = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert codes == ["AMX", "GLV"]  # inactive rows are never exported


def test_import_page_queues_a_job(login, scheme_admin, django_capture_on_commit_callbacks):
    client = login(scheme_admin)
    upload = SimpleUploadedFile("items.csv", b"code,name,price\nX1,Item,10\n", content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("medical:item_import"), {"file": upload})
    assert response.status_code == 302 and len(callbacks) == 1
    assert "Import of medical items" in client.get(response["Location"]).content.decode()


def test_price_list_pages_entries_and_copy(login, scheme_admin, country):
    client = login(scheme_admin)
    amoxicillin, old = (
        ItemFactory.create(code="AMX", price=Decimal(60)),
        ItemFactory.create(code="OLD", is_active=False),
    )
    response = client.post(
        reverse("medical:pricelist_create", args=["items"]),
        {"name": "Region A items", "date_from": "2026-01-01", "location": str(country.region_a.uuid)},
    )
    assert response.status_code == 302
    price_list = ItemPriceList.objects.get(name="Region A items")
    add = reverse("medical:pricelist_entry_add", args=["items", price_list.uuid])
    assert client.post(add, {"item": "AMX", "price_override": "55"}).status_code == 302
    html = client.post(add, {"item": "AMX"}).content.decode()
    assert "This item is already in the price list." in html
    html = client.post(add, {"item": "AMX", "price_override": "-3"}).content.decode()
    assert "May not be negative." in html and 'id="id_price_override_error"' in html
    html = client.post(add, {"item": old.code}).content.decode()
    assert "No active item has code OLD." in html
    detail = client.get(reverse("medical:pricelist_detail", args=["items", price_list.uuid])).content.decode()
    assert "AMX" in detail and "55.00" in detail
    edit = reverse("medical:pricelist_entry_edit", args=["items", price_list.uuid, amoxicillin.uuid])
    assert client.post(edit, {"price_override": ""}).status_code == 302
    assert price_list.entries.get().price_override is None
    copy = client.post(
        reverse("medical:pricelist_copy", args=["items", price_list.uuid]),
        {"name": "Region A items 2027", "date_from": "2027-01-01", "location": str(country.region_a.uuid)},
    )
    assert copy.status_code == 302
    assert ItemPriceList.objects.get(name="Region A items 2027").entries.count() == 1
    remove = reverse("medical:pricelist_entry_remove", args=["items", price_list.uuid, amoxicillin.uuid])
    assert client.post(remove).status_code == 302 and not price_list.entries.exists()
    history = client.get(reverse("medical:pricelist_detail", args=["items", price_list.uuid]), {"tab": "history"})
    assert "Created" in history.content.decode()


def test_price_list_list_tabs_and_export(login, scheme_admin):
    ItemPriceListFactory.create(name="Items national")
    ServicePriceListFactory.create(name="Services national")
    client = login(scheme_admin)
    assert "Items national" in client.get(reverse("medical:pricelist_list")).content.decode()
    services_tab = client.get(reverse("medical:pricelist_list"), {"kind": "services"}).content.decode()
    assert "Services national" in services_tab and "Items national" not in services_tab
    csv = b"".join(client.get(reverse("medical:pricelist_export", args=["items", "csv"])).streaming_content)
    assert (
        csv.decode("utf-8-sig").splitlines()[0]
        == "price_list,date_from,location_code,code,name,price,price_override,effective_price"
    )


def test_facility_price_lists_page(login, scheme_admin, country):
    items = ItemPriceListFactory.create(name="District A items", location=country.district_a)
    ItemPriceListFactory.create(name="District B items", location=country.district_b)
    client = login(scheme_admin)
    url = reverse("medical:facility_pricelists_edit", args=[country.facility_a.uuid])
    form = client.get(url).content.decode()
    assert "District A items" in form and "District B items" not in form
    assert client.post(url, {"items_price_list": str(items.uuid), "services_price_list": ""}).status_code == 302
    assert FacilityPriceLists.objects.get(facility=country.facility_a).items_price_list == items
    listing = client.get(reverse("medical:facility_pricelists")).content.decode()
    assert "District A items" in listing and "HFB" in listing
    used_by = client.get(reverse("medical:pricelist_detail", args=["items", items.uuid]), {"tab": "facilities"})
    assert "HFA" in used_by.content.decode()


def test_price_list_of_district_b_is_404_for_a_user_of_district_a(login, admin_a, country):
    of_b = ItemPriceListFactory.create(location=country.district_b)
    client = login(admin_a)
    assert client.get(reverse("medical:pricelist_detail", args=["items", of_b.uuid])).status_code == 404
    assert client.get(reverse("medical:pricelist_edit", args=["items", of_b.uuid])).status_code == 404
    assert client.get(reverse("medical:facility_pricelists_edit", args=[country.facility_b.uuid])).status_code == 404
    assert "HFB" not in client.get(reverse("medical:facility_pricelists")).content.decode()


def test_regional_price_list_is_read_only_for_a_district_admin(login, admin_a, country):
    regional = ItemPriceListFactory.create(location=country.region_a)
    ItemPriceListEntry.objects.create(price_list=regional, item=ItemFactory.create())
    page = login(admin_a).get(reverse("medical:pricelist_detail", args=["items", regional.uuid])).content.decode()
    assert reverse("medical:pricelist_entry_add", args=["items", regional.uuid]) not in page
    assert reverse("medical:pricelist_edit", args=["items", regional.uuid]) not in page


def test_register_detail_shows_the_price_lists_holding_it(login, scheme_admin):
    service = ServiceFactory.create()
    price_list = ServicePriceListFactory.create(name="Hospitals 2026")
    price_list.entries.create(service=service, price_override=Decimal(4200))
    DiagnosisFactory.create()
    page = login(scheme_admin).get(reverse("medical:service_detail", args=[service.uuid]), {"tab": "price_lists"})
    assert "Hospitals 2026" in page.content.decode() and "4,200.00" in page.content.decode()
