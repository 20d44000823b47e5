"""CSV import of a location tree, run as a job: all rows or none, with a report of the rows that are wrong."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from location import services
from location.models import Location
from location.tasks import import_locations_task
from openimis.common.models import Job, JobStatus

pytestmark = pytest.mark.django_db


def _run(user, text: str) -> Job:
    upload = SimpleUploadedFile("tree.csv", text.encode(), content_type="text/csv")
    job = services.locations_import_start(user=user, upload=upload)
    import_locations_task(job.pk)  # the task body, in this process (the worker test runs it for real)
    job.refresh_from_db()
    return job


def test_import_writes_the_whole_tree(scheme_admin, country):
    job = _run(
        scheme_admin,
        "type,code,name,parent_code,male_population,female_population\n"
        "V,VN2,Village Two,MN,10,12\n"  # child before its parent: resolved within the file
        "W,MN,New Municipality,DA,,\n"
        "village,VN1,Village One,MN,5,6\n",
    )
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.progress == 100
    assert job.result["counts"] == {"R": 0, "D": 0, "W": 1, "V": 2}
    village = Location.objects.get(code="VN2")
    assert village.parent.code == "MN"
    assert village.path.startswith(country.district_a.path)
    assert village.female_population == 12


def test_import_with_bad_rows_fails_with_row_report_and_imports_nothing(scheme_admin, country):
    job = _run(
        scheme_admin,
        "type,code,name,parent_code\n"
        "W,MN,Good Municipality,DA\n"
        "V,VN1,Good Village,MN\n"
        "V,VA1,Duplicate of existing,MN\n"
        "V,VN3,Under a district,DA\n"
        "X,VN4,Bad type,MN\n"
        "V,VN5,,MN\n"
        "V,VN1,Repeated,MN\n"
        "V,VN6,Missing parent,NOPE\n",
    )
    assert job.status == JobStatus.FAILED
    assert "nothing was imported" in job.error
    report = {(e["row"], e["field"]) for e in job.result["errors"]}
    assert report == {
        (4, "code"),
        (5, "parent_code"),
        (6, "type"),
        (7, "name"),
        (8, "code"),
        (9, "parent_code"),
    }
    assert not Location.objects.filter(code__in=["MN", "VN1"]).exists()


def test_import_parent_outside_scope_is_reported(country):
    from openimis.accounts import roles
    from tests.factories import UserFactory

    admin_a = UserFactory.create(role=roles.SCHEME_ADMINISTRATOR, scope=[country.region_a])
    job = _run(admin_a, "type,code,name,parent_code\nW,MX,Over there,DB\n")
    assert job.status == JobStatus.FAILED
    assert job.result["errors"] == [{"row": 2, "field": "parent_code", "message": "Parent DB is outside your scope."}]


def test_import_unreadable_file_fails_clearly(scheme_admin, country):
    job = _run(scheme_admin, "code;name\nX;Y\n")
    assert job.status == JobStatus.FAILED
    assert "type" in job.error and "parent_code" in job.error


def test_import_semicolon_file(scheme_admin, country):
    job = _run(scheme_admin, "type;code;name;parent_code\nW;MS;Semi;DA\n")
    assert job.status == JobStatus.SUCCEEDED, job.result


def test_job_runs_once_even_if_delivered_twice(scheme_admin, country):
    job = _run(scheme_admin, "type,code,name,parent_code\nW,MN,Once,DA\n")
    import_locations_task(job.pk)
    assert Location.objects.filter(code="MN").count() == 1
    job.refresh_from_db()
    assert job.attempts == 1


def test_enrolment_officer_cannot_import(eo_a):
    from openimis.common.exceptions import PermissionDeniedError

    with pytest.raises(PermissionDeniedError):
        services.locations_import_start(user=eo_a, upload=SimpleUploadedFile("x.csv", b"type,code,name,parent_code\n"))


def test_job_messages_are_in_the_language_of_the_user_who_started_it(scheme_admin, country):
    scheme_admin.language = "fr"
    scheme_admin.save(update_fields=["language"])
    job = _run(scheme_admin, "type,code,name,parent_code\nV,VN1,Sans parent,NOPE\n")
    assert job.status == JobStatus.FAILED
    assert job.error == "Le fichier contient 1 erreur ; rien n'a été importé."
    assert job.result["errors"][0]["message"] == "Aucun lieu ne porte le code NOPE."
