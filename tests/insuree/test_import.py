"""Import of families from CSV/XLSX, run as a job: every row checked, then all written or none."""

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from insuree import import_services, importing
from insuree.import_tasks import import_families_task
from insuree.models import Family, Insuree
from insuree.numbers import NumberScheme
from openimis.common.exceptions import PermissionDeniedError
from openimis.common.models import JOB_KINDS, Job, JobStatus
from openimis.common.tabular import xlsx_bytes

from .test_duplicates import make_family

pytestmark = pytest.mark.django_db

HEADER = (
    "family_ref,is_head,village_code,insurance_number,last_name,other_names,gender,dob,relationship,phone,poverty\n"
)


def _run(user, data: bytes, name: str = "families.csv") -> Job:
    job = import_services.families_import_start(user=user, upload=SimpleUploadedFile(name, data))
    import_families_task(job.pk)  # the task body, in this process
    job.refresh_from_db()
    return job


def _number(body: str) -> str:
    return body + NumberScheme.from_settings().check_digit(body)


def test_good_csv_imports_families_with_heads_members_and_history(eo_a, country):
    given = _number("123456789")
    job = _run(
        eo_a,
        (
            HEADER + f"F1,1,VA1,{given},Mwangi,Joseph,M,1980-04-12,,+255700000001,1\n"
            "F1,0,,,Mwangi,Grace,F,1984-09-30,8,,\n"
            "F1,0,VA2,,Mwangi,Baraka,M,2010-01-05,4,,\n"
            "F2,1,VA2,,Otieno,Achieng,F,1975-07-07,,,0\n"
        ).encode(),
    )
    assert job.status == JobStatus.SUCCEEDED, (job.error, job.result)
    assert job.result["families"] == 2 and job.result["insurees"] == 4
    assert job.kind_label == "Import of families" and "insuree.import" in JOB_KINDS
    joseph = Insuree.objects.get(insurance_number=given)
    family = joseph.family
    assert family.head == joseph and family.village == country.village_a1 and family.poverty is True
    assert sorted(family.members.values_list("other_names", flat=True)) == ["Baraka", "Grace", "Joseph"]
    assert Insuree.objects.get(other_names="Baraka").current_village == country.village_a2
    assert Insuree.objects.get(other_names="Grace").relationship == 8
    for person in Insuree.objects.all():
        assert NumberScheme.from_settings().problem(person.insurance_number) is None
    achieng = Insuree.objects.get(other_names="Achieng")
    assert achieng.family.head == achieng and achieng.family.poverty is False
    events = apps.get_model("insuree", "InsureeEvent").objects.filter(pgh_context__metadata__job=str(job.uuid))
    assert sorted(events.values_list("pgh_label", flat=True)) == ["insert"] * 4


def test_good_xlsx_imports(eo_a, country):
    data = xlsx_bytes(
        ["family_ref", "is_head", "village_code", "last_name", "other_names", "gender", "dob", "relationship"],
        [["A", 1, "VA1", "Juma", "Hamisi", "M", "1970-03-03", ""], ["A", 0, "", "Juma", "Asha", "F", "2005-05-05", 4]],
    )
    job = _run(eo_a, data, "families.xlsx")
    assert job.status == JobStatus.SUCCEEDED, (job.error, job.result)
    assert Family.objects.get().members.count() == 2


def test_bad_rows_are_reported_with_row_numbers_and_nothing_is_written(eo_a, country):
    used = make_family(country.village_a1, {"last_name": "Old", "other_names": "Timer"})[0].insurance_number
    good = _number("223456789")
    wrong_digit = good[:-1] + str((int(good[-1]) + 1) % 10)
    job = _run(
        eo_a,
        (
            HEADER + f"F1,1,VA1,{good},Good,Head,M,1980-01-01,,,\n"  # 2 fine
            "F2,1,NOPE,,Unknown,Village,M,1980-01-01,,,\n"  # 3
            f"F3,1,VA1,{wrong_digit},Wrong,Digit,M,1980-01-01,,,\n"  # 4
            f"F4,1,VA1,{used},Number,Used,M,1980-01-01,,,\n"  # 5
            "F5,1,VA1,,Two,Heads,M,1980-01-01,,,\n"  # 6
            "F5,1,VA1,,Second,Head,F,1980-01-01,,,\n"  # 7
            "F6,0,VA1,,No,Head,F,1980-01-01,4,,\n"  # 8
            "F7,1,VA1,,Bad,Dob,M,1980-13-45,,,\n"  # 9
            "F8,1,VB1,,Out,Ofscope,M,1980-01-01,,,\n"  # 10
            f"F9,1,VA1,{good},Twice,Infile,M,1980-01-01,,,\n"  # 11
        ).encode(),
    )
    assert job.status == JobStatus.FAILED
    assert "nothing was imported" in job.error
    report = {(e["row"], e["field"]) for e in job.result["errors"]}
    assert report == {
        (3, "village_code"),
        (4, "insurance_number"),
        (5, "insurance_number"),
        (7, "is_head"),
        (8, "is_head"),
        (9, "dob"),
        (10, "village_code"),
        (11, "insurance_number"),
    }
    messages = {e["row"]: e["message"] for e in job.result["errors"]}
    assert "check digit" in messages[4] and "already used" in messages[5]
    assert "outside your area" in messages[10] and "row 2" in messages[11]
    assert Insuree.objects.count() == 1 and Family.objects.count() == 1


def test_unreadable_file_fails_clearly(eo_a, country):
    job = _run(eo_a, b"family_ref;last_name\nX;Y\n")
    assert job.status == JobStatus.FAILED
    assert "is_head" in job.error and "dob" in job.error


def test_numbers_taken_while_the_job_ran_leave_nothing_half_written(eo_a, country, monkeypatch):
    given = _number("323456789")
    monkeypatch.setattr(import_services, "_existing_numbers", lambda numbers: set())  # the check missed it
    make_family(country.village_a1, {"last_name": "Fast", "other_names": "Registrar", "insurance_number": given})
    job = _run(
        eo_a, (HEADER + f"F1,1,VA1,,First,Head,M,1980-01-01,,,\nF1,0,,{given},Late,Member,F,1980-01-01,8,,\n").encode()
    )
    assert job.status == JobStatus.FAILED and "nothing was imported" in job.error
    assert Insuree.objects.count() == 1 and Family.objects.count() == 1


def test_import_needs_the_permission(country):
    from openimis.accounts import roles
    from tests.factories import UserFactory

    receptionist = UserFactory.create(role=roles.RECEPTIONIST, scope=[country.district_a])
    with pytest.raises(PermissionDeniedError):
        import_services.families_import_start(user=receptionist, upload=SimpleUploadedFile("x.csv", HEADER.encode()))


def test_read_rows_checks_each_field():
    from datetime import date

    from openimis.common.tabular import read_table

    table = read_table((HEADER + "F1,2,VA1,,,X,Q,2999-01-01,9,,maybe\n").encode(), required=importing.REQUIRED_COLUMNS)
    _rows, errors = importing.read_rows(table, today=date(2026, 1, 1))
    assert {e.field for e in errors} == {"is_head", "last_name", "gender", "dob", "relationship", "poverty"}


# --- pages -------------------------------------------------------------------------------------------------


def test_import_page_uploads_and_redirects_to_the_job(login, eo_a, country, django_capture_on_commit_callbacks):
    client = login(eo_a)
    assert client.get(reverse("insuree:family_import")).status_code == 200
    upload = SimpleUploadedFile("f.csv", (HEADER + "F1,1,VA1,,A,B,M,1980-01-01,,,\n").encode())
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("insuree:family_import"), {"file": upload})
    assert len(callbacks) == 1  # the job is queued once its row is committed
    job = Job.objects.get(kind="insuree.import")
    assert response.status_code == 302 and str(job.uuid) in response["Location"]


def test_template_download_is_an_xlsx_with_header_and_two_examples(login, eo_a):
    from openimis.common.tabular import read_table

    response = login(eo_a).get(reverse("insuree:family_import_template"))
    assert response.status_code == 200
    table = read_table(response.content, required=importing.REQUIRED_COLUMNS)
    assert table.columns == list(importing.COLUMNS) and len(table.rows) == 2


def test_import_page_is_forbidden_without_the_permission(login, country):
    from openimis.accounts import roles
    from tests.factories import UserFactory

    receptionist = UserFactory.create(role=roles.RECEPTIONIST, scope=[country.district_a])
    assert login(receptionist).get(reverse("insuree:family_import")).status_code == 403
    assert login(receptionist).get(reverse("insuree:family_import_template")).status_code == 403
