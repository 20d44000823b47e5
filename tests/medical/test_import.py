"""Imports of items, services, diagnoses and price lists (CSV and XLSX), run as jobs: every row checked, a report
with row numbers and reasons, and all rows or none written."""

from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pghistory.models import Events

from medical import services
from medical.models import Diagnosis, Item, ItemPriceList, ItemPriceListEntry, Service, ServicePriceList
from medical.tasks import import_medical_task
from openimis.common.exceptions import PermissionDeniedError
from openimis.common.models import Job, JobStatus
from openimis.common.tabular import xlsx_bytes

from .factories import ItemFactory, ItemPriceListFactory, ServiceFactory

pytestmark = pytest.mark.django_db


def _run(user, what: str, data: bytes | str, filename: str = "file.csv") -> Job:
    content = data.encode() if isinstance(data, str) else data
    job = services.medical_import_start(user=user, what=what, upload=SimpleUploadedFile(filename, content))
    import_medical_task(job.pk)  # the task body, in this process
    job.refresh_from_db()
    return job


def test_items_csv_creates_new_codes_and_updates_existing_ones(scheme_admin):
    existing = ItemFactory.create(code="PCM500", price=Decimal(100), package="Box of 10")
    unchanged = ItemFactory.create(code="ORS", name="Oral rehydration salts", price=Decimal(300))
    job = _run(
        scheme_admin,
        "items",
        "code,name,type,price,patient_category,maximum_amount\n"
        "PCM500,Paracetamol 500 mg tablets,D,150.50,15,20\n"
        "AMX250,Amoxicillin 250 mg capsules,drug,2500,15,\n"
        "GLV,Examination gloves,M,80,6,100\n"
        f"ORS,Oral rehydration salts,D,300,15,{unchanged.maximum_amount or ''}\n",
    )
    assert job.status == JobStatus.SUCCEEDED, (job.error, job.result)
    assert (job.result["created"], job.result["updated"], job.result["unchanged"]) == (2, 1, 1)
    existing.refresh_from_db()
    assert existing.price == Decimal("150.50") and existing.maximum_amount == 20
    assert existing.package == "Box of 10"  # not a column of the file: kept
    glove = Item.objects.get(code="GLV")
    assert glove.type == "M" and glove.patient_category == 6 and glove.care_type == "B" and glove.uuid
    assert Item.objects.count() == 4
    inserted = Events.objects.filter(pgh_model="medical.ItemEvent", pgh_label="insert", pgh_context__job=str(job.uuid))
    assert inserted.count() == 2
    assert not Events.objects.filter(
        pgh_model="medical.ItemEvent", pgh_obj_id=unchanged.pk, pgh_label="update"
    ).exists()


def test_a_code_held_only_by_an_inactive_item_creates_a_new_item(scheme_admin):
    old = ItemFactory.create(code="AMX250", is_active=False, price=Decimal(1))
    job = _run(scheme_admin, "items", "code,name,price\nAMX250,Amoxicillin 250 mg capsules,60\n")
    assert job.result["created"] == 1
    old.refresh_from_db()
    assert old.price == 1 and Item.objects.get(code="AMX250", is_active=True).price == 60


def test_items_csv_with_semicolons_bom_and_decimal_commas(scheme_admin):
    text = "\ufeffCode;Name;Price;Care_type\nAMX250;Amoxicilline 250 mg gélules;2500,75;o\n"
    job = _run(scheme_admin, "items", text.encode("utf-8"))
    assert job.status == JobStatus.SUCCEEDED, job.result
    item = Item.objects.get(code="AMX250")
    assert item.price == Decimal("2500.75") and item.care_type == "O" and item.name.endswith("gélules")


def test_items_xlsx(scheme_admin):
    rows: list[list[Any]] = [
        ["AMX250", "Amoxicillin 250 mg capsules", "D", "Box of 100", 100, 2500.5, "B", 7, 15, 21],
        ["SYR5", "Syringe 5 ml", "M", "Box of 100", None, 120, "O", None, 15, None],
    ]
    data = xlsx_bytes(
        [
            "code",
            "name",
            "type",
            "package",
            "quantity",
            "price",
            "care_type",
            "frequency",
            "patient_category",
            "maximum_amount",
        ],
        rows,
    )
    job = _run(scheme_admin, "items", data, "items.xlsx")
    assert job.status == JobStatus.SUCCEEDED, job.result
    amoxicillin = Item.objects.get(code="AMX250")
    assert amoxicillin.price == Decimal("2500.50") and amoxicillin.frequency == 7 and amoxicillin.quantity == 100
    assert Item.objects.get(code="SYR5").type == "M"


def test_services_xlsx(scheme_admin):
    ServiceFactory.create(code="C001", price=Decimal(1000))
    data = xlsx_bytes(
        ["code", "name", "type", "category", "level", "price", "manual_price", "patient_category"],
        [
            ["C001", "General consultation", "C", "C", "V", 3000, 0, 15],
            ["ANC1", "First antenatal visit", "P", "A", "V", 0, "no", 6],
            ["SURG1", "Caesarean section", "C", "S", "H", 450000, "yes", 6],
        ],
    )
    job = _run(scheme_admin, "services", data, "services.xlsx")
    assert job.status == JobStatus.SUCCEEDED, job.result
    assert (job.result["created"], job.result["updated"]) == (2, 1)
    assert Service.objects.get(code="C001", is_active=True).price == 3000
    surgery = Service.objects.get(code="SURG1")
    assert surgery.manual_price and surgery.category == "S" and surgery.level == "H"


def test_diagnoses_csv(scheme_admin):
    job = _run(scheme_admin, "diagnoses", "code,name\nA00,Cholera\nA00.0,Cholera due to Vibrio cholerae 01\n")
    assert job.status == JobStatus.SUCCEEDED, job.result
    assert set(Diagnosis.objects.values_list("code", flat=True)) == {"A00", "A00.0"}
    again = _run(scheme_admin, "diagnoses", "code,name\nA00,Cholera\nA00.0,Cholera due to V. cholerae\n")
    assert (again.result["created"], again.result["updated"], again.result["unchanged"]) == (0, 1, 1)


def test_bad_rows_are_all_reported_and_nothing_is_written(scheme_admin):
    ItemFactory.create(code="KEEP", price=Decimal(1))
    job = _run(
        scheme_admin,
        "items",
        "code,name,type,price,patient_category,maximum_amount,frequency\n"
        "GOOD1,Good item,D,10,15,,\n"  # row 2: fine
        "KEEP,Changed,D,99,15,,\n"  # row 3: fine (an update)
        "BAD1,Negative,D,-5,15,,\n"  # row 4: negative price
        "BAD2,No age,D,5,1,,\n"  # row 5: mask without age
        "BAD3,Out of range,D,5,16,,\n"  # row 6: mask > 15
        "GOOD1,Again,D,10,15,,\n"  # row 7: code twice
        ",No code,D,10,15,,\n"  # row 8: no code
        "BAD4,Bad type,Z,10,15,,\n"  # row 9: unknown type
        "BAD5,Bad price,D,ten,15,,\n"  # row 10: not an amount
        "BAD6,Negative max,D,1,15,-2,\n"  # row 11: negative maximum
        "BAD7,Bad frequency,D,1,15,,2.5\n"  # row 12: not a whole number
        "TOOLONG,Long code,D,1,15,,\n",  # row 13: code over 6 characters
    )
    assert job.status == JobStatus.FAILED
    assert job.error == "The file has 10 errors; nothing was imported."
    report = {(e["row"], e["field"]): e["message"] for e in job.result["errors"]}
    assert set(report) == {
        (4, "price"),
        (5, "patient_category"),
        (6, "patient_category"),
        (7, "code"),
        (8, "code"),
        (9, "type"),
        (10, "price"),
        (11, "maximum_amount"),
        (12, "frequency"),
        (13, "code"),
    }
    assert report[(4, "price")] == "May not be negative."
    assert report[(5, "patient_category")] == "Choose at least one of adult and child."
    assert report[(7, "code")] == "Code GOOD1 already appears in row 2."
    assert not Item.objects.filter(code="GOOD1").exists()
    assert Item.objects.get(code="KEEP").price == 1  # the good update was not written either


def test_file_without_required_columns_or_unreadable_is_refused(scheme_admin):
    job = _run(scheme_admin, "items", "code;name\nX;Y\n")
    assert job.status == JobStatus.FAILED and "price" in job.error
    job = _run(scheme_admin, "items", b"\xd0\xcf\x11\xe0 old excel", "old.xls")
    assert job.status == JobStatus.FAILED and ".xls" in job.error
    job = _run(scheme_admin, "items", b"PK\x03\x04 broken zip", "broken.xlsx")
    assert job.status == JobStatus.FAILED and "xlsx" in job.error


def test_price_list_import_creates_lists_and_upserts_entries(scheme_admin, country):
    amoxicillin, _gloves, _other = ItemFactory.create(code="AMX"), ItemFactory.create(code="GLV"), ItemFactory.create()
    existing = ItemPriceListFactory.create(name="Hospitals 2026")
    ItemPriceListEntry.objects.create(price_list=existing, item=amoxicillin, price_override=Decimal(10))
    ItemPriceListEntry.objects.create(price_list=existing, item=_other)
    job = _run(
        scheme_admin,
        "item_price_lists",
        "price_list,code,price_override,date_from,location_code\n"
        "Hospitals 2026,AMX,12.50,,\n"
        "Hospitals 2026,GLV,,,\n"
        "District A 2026,AMX,,2026-07-01,DA\n",
    )
    assert job.status == JobStatus.SUCCEEDED, job.result
    assert (job.result["lists_created"], job.result["created"], job.result["updated"]) == (1, 2, 1)
    assert existing.entries.get(item=amoxicillin).price_override == Decimal("12.50")
    assert existing.entries.count() == 3  # the entry the file does not mention stays
    new = ItemPriceList.objects.get(name="District A 2026")
    assert new.location == country.district_a and str(new.date_from) == "2026-07-01"


def test_price_list_import_reports_inactive_unknown_and_duplicate_entries(scheme_admin, admin_a, country):
    ItemFactory.create(code="OLD", is_active=False)
    ItemFactory.create(code="AMX")
    ItemPriceListFactory.create(name="Region B", location=country.region_b)
    job = _run(
        admin_a,
        "item_price_lists",
        "price_list,code,price_override,date_from,location_code\n"
        "New list,OLD,,2026-01-01,\n"  # row 2: inactive item
        "New list,NOPE,,,\n"  # row 3: unknown code
        "New list,AMX,-1,,\n"  # row 4: negative override
        "New list,AMX,5,,\n"  # row 5: entry twice
        "Region B,AMX,,,\n"  # row 6: a list out of scope
        "Undated,AMX,,,DB\n",  # row 7: a new list without date, and a district outside scope
    )
    assert job.status == JobStatus.FAILED
    report = {(e["row"], e["field"]): e["message"] for e in job.result["errors"]}
    assert report == {
        (2, "code"): "No active item has code OLD.",
        (3, "code"): "No active item has code NOPE.",
        (4, "price_override"): "May not be negative.",
        (5, "code"): "Code AMX already appears in row 4.",
        (6, "price_list"): "Price list Region B is outside your scope.",
        (7, "date_from"): "Price list Undated is new: give the date it applies from.",
        (7, "location_code"): "No region or district with code DB in your scope.",
    }
    assert not ItemPriceList.objects.filter(name="New list").exists()


def test_services_price_list_import_xlsx(scheme_admin):
    ServiceFactory.create(code="C001", price=Decimal(3000))
    data = xlsx_bytes(
        ["price_list", "code", "price_override", "date_from"], [["Dispensaries", "C001", 2500, "2026-01-01"]]
    )
    job = _run(scheme_admin, "service_price_lists", data, "prices.xlsx")
    assert job.status == JobStatus.SUCCEEDED, job.result
    assert ServicePriceList.objects.get(name="Dispensaries").entries.get().price_override == 2500


def test_enrolment_officer_cannot_import(eo_a):
    with pytest.raises(PermissionDeniedError):
        services.medical_import_start(user=eo_a, what="items", upload=SimpleUploadedFile("x.csv", b"code,name,price\n"))


def test_job_kinds_have_labels(scheme_admin):
    job = _run(scheme_admin, "diagnoses", "code,name\nA01,Typhoid\n")
    assert job.kind_label == "Import of diagnoses"
