"""Batch run pages: the list and its start form (refusals next to the fields, success to the run's page), the run's
summary (progress, indices, figures by facility), and scope: a regional accountant sees their region's runs only."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from batch.models import BatchRun, BatchRunStatus
from batch.services import batch_run_execute, batch_run_start
from claim.models import Claim
from openimis.accounts import roles
from openimis.common.models import Job, JobStatus
from tests.factories import UserFactory

from .test_run import FEB_1, _claim, _distribute, _scheme

pytestmark = pytest.mark.django_db


@pytest.fixture
def accountant(country):
    """An accountant of the whole (test) country: every region is in their scope."""
    return UserFactory.create(username="accountant", role=roles.ACCOUNTANT, scope=[country.region_a, country.region_b])


@pytest.fixture
def accountant_a(country):
    """An accountant of region A only."""
    return UserFactory.create(username="accountant_a", role=roles.ACCOUNTANT, scope=[country.region_a])


@pytest.fixture
def monthly(country, scheme_admin):
    s = _scheme(country, scheme_admin, period_rel_prices="M")
    _distribute(s.product, "B", 12, {1: "50", 2: "50"})
    return s


@pytest.fixture
def january(monthly, accountant):
    """The hand-computed run of test_run: index 0.5166666667, C1 16.38 (6.38 + a fixed 10.00), C2 9.12."""
    _claim(monthly, "C1", date(2026, 1, 10), ["12.34"], fixed=["10.00"])
    _claim(monthly, "C2", date(2026, 1, 31), ["17.66"])
    Claim.objects.filter(code="C1").update(claimed=D("22.34"))
    Claim.objects.filter(code="C2").update(claimed=D("17.66"))
    run = batch_run_start(user=accountant, year=2026, month=1, today=FEB_1)
    return batch_run_execute(run)


def _region_run(country, user, region, year=2026, month=1) -> BatchRun:
    return BatchRun.objects.create(
        year=year, month=month, location=region, created_by=user, status=BatchRunStatus.DONE,
        finished_at=timezone.now(),
    )  # fmt: skip


# --- permissions --------------------------------------------------------------------------------------------------


def test_an_enrolment_officer_is_forbidden(login, eo_a, january):
    client = login(eo_a)
    assert client.get(reverse("batch:run_list")).status_code == 403
    assert client.get(reverse("batch:run_detail", args=[january.uuid])).status_code == 403
    assert client.post(reverse("batch:run_list"), {"year": 2026, "month": 2}).status_code == 403
    assert BatchRun.objects.count() == 1


def test_the_accountant_sees_the_list_and_the_menu_entry(login, accountant, january):
    response = login(accountant).get(reverse("batch:run_list"))

    assert response.status_code == 200
    content = response.content.decode()
    assert reverse("batch:run_detail", args=[january.uuid]) in content
    assert "2026-01" in content and "National" in content and "25.50" in content
    assert 'id="start-run"' in content
    assert f'href="{reverse("batch:run_list")}"' in content  # the menu entry


def test_the_list_is_newest_first_and_paginated(login, accountant, country):
    for month in range(1, 13):
        _region_run(country, accountant, country.region_a, year=2025, month=month)
    response = login(accountant).get(reverse("batch:run_list"), {"per_page": 25})
    runs = list(response.context["page_obj"])
    assert [r.month for r in runs] == list(range(12, 0, -1))
    assert response.context["page_obj"].paginator.per_page == 25


# --- starting a run -----------------------------------------------------------------------------------------------


def test_a_month_not_ended_is_refused_next_to_the_month(login, accountant, monthly):
    today = timezone.localdate()
    response = login(accountant).post(reverse("batch:run_list"), {"year": today.year, "month": today.month})

    assert response.status_code == 200
    assert response.context["form"].errors["month"] == ["A batch run can start only after its month has ended."]
    assert "A batch run can start only after its month has ended." in response.content.decode()
    assert not BatchRun.objects.exists()


def test_a_second_run_is_refused_next_to_the_month(login, accountant, january):
    response = login(accountant).post(reverse("batch:run_list"), {"year": 2026, "month": 1, "region": ""})

    assert response.context["form"].errors["month"] == ["This month has already been run for this location."]
    assert BatchRun.objects.count() == 1


def test_a_product_without_distribution_is_named_on_top(login, accountant, country, scheme_admin):
    s = _scheme(country, scheme_admin, period_rel_prices="M")
    _distribute(s.product, "B", 12, {2: "100"})  # nothing for January

    response = login(accountant).post(reverse("batch:run_list"), {"year": 2026, "month": 1})

    errors = response.context["form"].non_field_errors()
    assert errors[0] == "Some products have no relative distribution configured."
    assert "REL has no distribution for Both, period 1" in errors[1]
    assert not BatchRun.objects.exists()


def test_starting_redirects_to_the_run(login, accountant, monthly, django_capture_on_commit_callbacks, monkeypatch):
    from batch import tasks

    queued: list[int] = []
    monkeypatch.setattr(tasks.batch_run_task, "delay", lambda job_id: queued.append(job_id))
    with django_capture_on_commit_callbacks(execute=True):
        response = login(accountant).post(reverse("batch:run_list"), {"year": 2026, "month": 1, "region": ""})

    run = BatchRun.objects.get()
    assert response.status_code == 302 and response.url == reverse("batch:run_detail", args=[run.uuid])
    assert (run.year, run.month, run.location, run.created_by) == (2026, 1, None, accountant)
    assert run.job is not None and run.job.kind == "batch.run" and queued == [run.job.pk]


def test_a_region_is_started_by_its_uuid(login, accountant_a, country):
    response = login(accountant_a).post(
        reverse("batch:run_list"), {"year": 2026, "month": 1, "region": str(country.region_a.uuid)}
    )
    run = BatchRun.objects.get()
    assert response.status_code == 302 and run.location == country.region_a


def test_a_regional_accountant_cannot_start_a_national_run_or_another_region(login, accountant_a, country):
    client = login(accountant_a)
    page = client.get(reverse("batch:run_list"))
    assert list(page.context["form"].fields["region"].queryset) == [country.region_a]

    national = client.post(reverse("batch:run_list"), {"year": 2026, "month": 1, "region": ""})
    assert "region" in national.context["form"].errors
    other = client.post(reverse("batch:run_list"), {"year": 2026, "month": 1, "region": str(country.region_b.uuid)})
    assert "region" in other.context["form"].errors
    assert not BatchRun.objects.exists()


def test_a_manager_sees_nothing(login, country, january):
    manager = UserFactory.create(username="manager", role=roles.MANAGER, scope=[country.region_a, country.region_b])
    assert login(manager).get(reverse("batch:run_list")).status_code == 403


# --- scope --------------------------------------------------------------------------------------------------------


def test_a_regional_accountant_sees_only_their_regions_runs(login, accountant_a, country, january):
    run_a = _region_run(country, january.created_by, country.region_a)
    run_b = _region_run(country, january.created_by, country.region_b)
    client = login(accountant_a)

    listed = list(client.get(reverse("batch:run_list")).context["page_obj"])
    assert listed == [run_a]
    assert client.get(reverse("batch:run_detail", args=[run_a.uuid])).status_code == 200
    for hidden in (january, run_b):
        assert client.get(reverse("batch:run_detail", args=[hidden.uuid])).status_code == 404
        assert client.get(reverse("batch:run_progress", args=[hidden.uuid])).status_code == 404
        assert client.get(reverse("batch:run_statement", args=[hidden.uuid, "csv"])).status_code == 404
        assert client.get(reverse("batch:run_capitation", args=[hidden.uuid, "pdf"])).status_code == 404
    facility = country.facility_a.uuid
    url = reverse("batch:facility_statement", args=[january.uuid, facility, "pdf"])
    assert client.get(url).status_code == 404


def test_a_district_user_with_the_permission_sees_no_regional_run(login, country, january):
    district = UserFactory.create(username="acc_district", role=roles.ACCOUNTANT, scope=[country.district_a])
    _region_run(country, january.created_by, country.region_a)
    assert list(login(district).get(reverse("batch:run_list")).context["page_obj"]) == []


# --- the summary --------------------------------------------------------------------------------------------------


def test_the_summary_shows_the_index_and_the_figures(login, accountant, january, country):
    response = login(accountant).get(reverse("batch:run_detail", args=[january.uuid]))

    assert response.status_code == 200
    content = response.content.decode()
    assert "0.5166666667" in content  # the index
    assert "31.00" in content and "50 %" in content  # pool and share
    totals = response.context["totals"]
    assert (totals.claims, totals.asked, totals.valued, totals.remunerated) == (
        2, D("40.00"), D("30.00"), D("25.50"),
    )  # fmt: skip
    [facility] = response.context["facilities"]
    assert (facility.facility.code, facility.totals.remunerated) == ("HFA", D("25.50"))
    pdf = reverse("batch:facility_statement", args=[january.uuid, country.facility_a.uuid, "pdf"])
    assert pdf in content
    assert reverse("batch:run_statement", args=[january.uuid, "xlsx"]) in content
    assert 'id="run-progress"' not in content


def test_a_running_run_shows_a_polling_progress_bar(login, accountant, monthly):
    run = batch_run_start(user=accountant, year=2026, month=1, today=FEB_1)
    job = Job.objects.create(kind="batch.run", created_by=accountant, status=JobStatus.RUNNING, progress=40)
    run.job = job
    run.save(update_fields=["job"])
    client = login(accountant)

    page = client.get(reverse("batch:run_detail", args=[run.uuid])).content.decode()
    assert 'id="run-progress"' in page and reverse("batch:run_progress", args=[run.uuid]) in page
    progress = client.get(reverse("batch:run_progress", args=[run.uuid]))
    assert progress.status_code == 200 and "40 %" in progress.content.decode()

    batch_run_execute(run)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.SUCCEEDED, progress=100)
    done = client.get(reverse("batch:run_progress", args=[run.uuid]))
    assert done["HX-Refresh"] == "true"


def test_a_failed_run_shows_its_error(login, accountant, monthly):
    run = batch_run_start(user=accountant, year=2026, month=1, today=FEB_1)
    run.job = Job.objects.create(
        kind="batch.run", created_by=accountant, status=JobStatus.FAILED, error="The disk is full."
    )
    run.status = BatchRunStatus.FAILED
    run.save(update_fields=["job", "status"])

    content = login(accountant).get(reverse("batch:run_detail", args=[run.uuid])).content.decode()
    assert "The run failed." in content and "The disk is full." in content


def test_unknown_formats_and_facilities_are_not_found(login, accountant, january, country):
    client = login(accountant)
    assert client.get(reverse("batch:run_statement", args=[january.uuid, "pdf"])).status_code == 404
    url = reverse("batch:facility_statement", args=[january.uuid, country.facility_b.uuid, "csv"])
    assert client.get(url).status_code == 404  # facility B had no claim in the run


def test_the_months_whose_claims_wait_are_shown_until_they_are_run(login, accountant, monthly):
    _claim(monthly, "C1", date(2026, 1, 10), ["12.34"])
    _claim(monthly, "C2", date(2026, 1, 31), ["17.66"])
    _claim(monthly, "C3", date(2026, 3, 5), ["5.00"])  # a month after one that was never run
    client = login(accountant)

    content = client.get(reverse("batch:run_list")).content.decode()
    assert 'id="months-waiting"' in content
    assert "January 2026</strong> (2 claims)" in content and "March 2026</strong> (1 claim)" in content

    batch_run_execute(batch_run_start(user=accountant, year=2026, month=1, today=FEB_1))
    content = client.get(reverse("batch:run_list")).content.decode()
    assert "January 2026</strong>" not in content and "March 2026</strong> (1 claim)" in content


def test_the_list_shows_the_capitation_of_the_runs_month(login, accountant, country, scheme_admin):
    # the run of test_run's capitation example: 31.00 allocated in January x 10 % = 3.10, all on visits
    from location.models import HealthFacility

    s = _scheme(
        country, scheme_admin, code="CAP", share_contribution=D("10"), capitation_level_1="D",
        weight_nb_visits=D("100"),
    )  # fmt: skip
    HealthFacility.objects.filter(pk__in=[country.facility_a.pk, country.facility_b.pk]).update(level="D")
    _claim(s, "V1", date(2026, 1, 10), [], fixed=["10.00"], facility=country.facility_a)
    run = batch_run_execute(batch_run_start(user=accountant, year=2026, month=1, today=FEB_1))
    _region_run(country, accountant, country.region_a, year=2026, month=1)

    runs = {r.pk: r for r in login(accountant).get(reverse("batch:run_list")).context["page_obj"]}
    assert runs[run.pk].capitation_total == D("3.10")
    assert [r.capitation_total for pk, r in runs.items() if pk != run.pk] == [None]  # region A computed none
