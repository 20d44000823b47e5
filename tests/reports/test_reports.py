"""The first standard reports (claim overview, capitation payment, batch remuneration): hand-computed totals in each
format, scope, bad input and the pages. The task is called synchronously with the job, as the worker would."""

from datetime import date, timedelta
from decimal import Decimal as D
from typing import Any

import pytest
from django.forms import ModelChoiceField
from django.urls import reverse
from django.utils import timezone

from batch.models import BatchRun, BatchRunStatus, CapitationPayment, RunFacility
from claim.models import Claim, ClaimStatus
from openimis.accounts import roles
from openimis.common.exceptions import PermissionDeniedError
from openimis.common.models import Job, JobStatus
from reports.base import reading_db
from reports.forms import ReportForm
from reports.registry import REPORTS
from reports.services import report_request
from reports.tasks import report_run_task
from tests.factories import UserFactory
from tests.insuree.factories import make_family
from tests.medical.factories import DiagnosisFactory
from tests.policy.factories import ProductFactory
from tests.reports.files import PERIOD, csv_rows, pdf_text, run_report, xlsx_rows

# --- claim overview ----------------------------------------------------------------------------------------------


def _claim(facility, insuree, user, code: str, day: date, status: int, claimed: str, **amounts: str) -> Claim:
    return Claim.objects.create(
        code=code, facility=facility, insuree=insuree, date_from=day, date_claimed=day, icd=DiagnosisFactory.create(),
        created_by=user, status=status, claimed=D(claimed), **{k: D(v) for k, v in amounts.items()},
    )  # fmt: skip


@pytest.fixture
def claims(country, scheme_admin):
    """Facility A (district A), in the period:
        C1 Entered    claimed 100.00
        C2 Processed  claimed  50.00, approved 40.00
        C3 Valuated   claimed  30.50, approved 30.50, valuated 30.50, remunerated 30.50
        C4 Rejected   claimed  20.00
      totals: 4 claims (1 entered, 1 processed, 1 valuated, 1 rejected), claimed 200.50, approved 70.50,
      valuated 30.50, remunerated 30.50.
    Facility A out of the period: C5 (April) 999.00 — not counted.
    Facility B (district B), in the period: B1 Entered 77.00 — only for national users.
    """
    head = make_family(country.village_a1, members=0).head
    fa, fb = country.facility_a, country.facility_b
    _claim(fa, head, scheme_admin, "C1", date(2026, 1, 5), ClaimStatus.ENTERED, "100.00")
    _claim(fa, head, scheme_admin, "C2", date(2026, 2, 5), ClaimStatus.PROCESSED, "50.00", approved="40.00")
    _claim(
        fa, head, scheme_admin, "C3", date(2026, 3, 31), ClaimStatus.VALUATED, "30.50",
        approved="30.50", valuated="30.50", remunerated="30.50",
    )  # fmt: skip
    _claim(fa, head, scheme_admin, "C4", date(2026, 1, 1), ClaimStatus.REJECTED, "20.00")
    _claim(fa, head, scheme_admin, "C5", date(2026, 4, 1), ClaimStatus.ENTERED, "999.00")
    _claim(fb, head, scheme_admin, "B1", date(2026, 2, 1), ClaimStatus.ENTERED, "77.00")


# columns: facility, Entered, Checked, Processed, Valuated, Rejected, Claims, Claimed, Approved, Valuated, Remunerated
FACILITY_A_CLAIMS = ["HFA · Facility A", 1, 0, 1, 1, 1, 4, D("200.50"), D("70.50"), D("30.50"), D("30.50")]


@pytest.mark.django_db
def test_claim_overview_xlsx(claims, manager_a):
    rows = xlsx_rows(run_report(manager_a, "claim_overview", "xlsx"))
    assert rows[0][:2] == ["Health facility", "Entered"] and rows[0][-1] == "Remunerated"
    assert [D(str(v)) if isinstance(v, float) else v for v in rows[1]] == FACILITY_A_CLAIMS
    assert rows[2][0] == "Total" and rows[2][6] == 4 and D(str(rows[2][7])) == D("200.50")
    assert len(rows) == 3  # nothing of district B


@pytest.mark.django_db
def test_claim_overview_csv(claims, manager_a):
    rows = csv_rows(run_report(manager_a, "claim_overview", "csv"))
    assert rows[1] == ["HFA · Facility A", "1", "0", "1", "1", "1", "4", "200.50", "70.50", "30.50", "30.50"]
    assert rows[2] == ["Total", "1", "0", "1", "1", "1", "4", "200.50", "70.50", "30.50", "30.50"]
    assert len(rows) == 3


@pytest.mark.django_db
def test_claim_overview_pdf(claims, manager_a):
    text = pdf_text(run_report(manager_a, "claim_overview", "pdf"))
    assert "Claim overview" in text and "HFA · Facility A" in text
    assert "200.50" in text and "70.50" in text
    assert "HFB" not in text and "77.00" not in text


@pytest.mark.django_db
def test_claim_overview_national_has_both_districts_and_filters(claims, accountant, country):
    rows = csv_rows(run_report(accountant, "claim_overview", "csv"))
    assert [r[0] for r in rows[1:]] == ["HFA · Facility A", "HFB · Facility B", "Total"]
    assert rows[-1][7] == "277.50"  # 200.50 + 77.00
    only_b = csv_rows(run_report(accountant, "claim_overview", "csv", location=country.district_b.pk))
    assert [r[0] for r in only_b[1:]] == ["HFB · Facility B", "Total"]
    only_a = csv_rows(run_report(accountant, "claim_overview", "csv", facility=country.facility_a.pk))
    assert [r[0] for r in only_a[1:]] == ["HFA · Facility A", "Total"]


@pytest.mark.django_db
def test_scope_is_applied_whatever_the_stored_parameters(claims, manager_a, country):
    """A district-A manager's job naming district B (e.g. a forged request) still reads nothing of district B."""
    rows = csv_rows(run_report(manager_a, "claim_overview", "csv", location=country.district_b.pk))
    assert rows[1:] == [["No data for these parameters."]]


# --- capitation payment ------------------------------------------------------------------------------------------


def _capitation(product, facility, year: int, month: int, payment: str, visits: int = 0) -> CapitationPayment:
    p = D(payment)
    return CapitationPayment.objects.create(
        product=product, year=year, month=month, facility=facility, window_start=date(year, month, 1),
        window_end=date(year, month, 28), pool=D("1000"), population=D("100"), families=D("20"),
        insured_people=D("10"), insured_families=D("5"), visits=visits, adjusted_amount=D("12.00"),
        paid_population=p, paid_families=D(0), paid_insured_people=D(0), paid_insured_families=D(0), paid_visits=D(0),
        paid_adjusted_amount=D(0), payment=p,
    )  # fmt: skip


@pytest.fixture
def capitation(country):
    """Product CAP, facility A: January 150.25 (3 visits), March 49.75 (2 visits); April 500.00 is out of the period.
    Per month population 100, families 20, insured 10, insured families 5, adjusted 12.00.
      facility A / CAP over Jan..Mar: population 200, families 40, insured 20, insured families 10, visits 5,
      adjusted 24.00, payment 200.00.
    Product OTH, facility A, February: 10.00 (1 visit) — left out when the report is for CAP.
    Facility B, product CAP, February: 300.00 — district B."""
    cap = ProductFactory.create(code="CAP", name="Capitated")
    other = ProductFactory.create(code="OTH", name="Other")
    _capitation(cap, country.facility_a, 2026, 1, "150.25", visits=3)
    _capitation(cap, country.facility_a, 2026, 3, "49.75", visits=2)
    _capitation(cap, country.facility_a, 2026, 4, "500.00")
    _capitation(other, country.facility_a, 2026, 2, "10.00", visits=1)
    _capitation(cap, country.facility_b, 2026, 2, "300.00")
    return cap


@pytest.mark.django_db
def test_capitation_csv(capitation, manager_a):
    rows = csv_rows(run_report(manager_a, "capitation_payment", "csv", product=capitation.pk))
    assert rows[0][-1] == "Payment"
    assert rows[1] == ["HFA · Facility A", "CAP · Capitated", "200.00", "40.00", "20.00", "10.00", "5", "24.00",
                       "200.00"]  # fmt: skip
    assert rows[2][0] == "Total" and rows[2][-1] == "200.00" and len(rows) == 3


@pytest.mark.django_db
def test_capitation_all_products_xlsx(capitation, manager_a):
    rows = xlsx_rows(run_report(manager_a, "capitation_payment", "xlsx"))
    assert [r[1] for r in rows[1:3]] == ["CAP · Capitated", "OTH · Other"]
    assert rows[3][0] == "Total" and D(str(rows[3][-1])) == D("210.00") and rows[3][6] == 6
    assert len(rows) == 4


@pytest.mark.django_db
def test_capitation_pdf(capitation, manager_a):
    text = pdf_text(run_report(manager_a, "capitation_payment", "pdf", product=capitation.pk))
    assert "Capitation payment" in text and "HFA · Facility A" in text and "200.00" in text
    assert "HFB" not in text and "300.00" not in text and "500.00" not in text


# --- batch remuneration ------------------------------------------------------------------------------------------


@pytest.fixture
def runs(country, scheme_admin):
    """Region A run of January: facility A 3 claims, asked 90.00, valued 80.00, remunerated 75.50.
    Region A run of February: facility A 1 claim, asked 10.00, valued 10.00, remunerated 9.50.
    Region B run of February: facility B 2 claims, 40.00 / 40.00 / 40.00 (district B).
    Region A run of May: facility A 7 claims, 700.00 — out of the period.
      facility A over Jan..Mar: 4 claims, asked 100.00, valued 90.00, remunerated 85.00."""

    def run(location, month: int) -> BatchRun:
        return BatchRun.objects.create(
            location=location, year=2026, month=month, status=BatchRunStatus.DONE, created_by=scheme_admin,
            finished_at=timezone.now(),
        )  # fmt: skip

    def paid(r: BatchRun, facility, claims: int, asked: str, valued: str, remunerated: str) -> None:
        RunFacility.objects.create(
            run=r, facility=facility, claims=claims, asked=D(asked), valued=D(valued), remunerated=D(remunerated)
        )

    paid(run(country.region_a, 1), country.facility_a, 3, "90.00", "80.00", "75.50")
    paid(run(country.region_a, 2), country.facility_a, 1, "10.00", "10.00", "9.50")
    paid(run(country.region_b, 2), country.facility_b, 2, "40.00", "40.00", "40.00")
    paid(run(country.region_a, 5), country.facility_a, 7, "700.00", "700.00", "700.00")


@pytest.mark.django_db
def test_batch_remuneration_csv(runs, manager_a):
    rows = csv_rows(run_report(manager_a, "batch_remuneration", "csv"))
    assert rows[0] == ["Month", "Region", "Health facility", "Claims", "Asked", "Valued", "Remunerated"]
    assert rows[1:] == [
        ["2026-01", "RA · Region A", "HFA · Facility A", "3", "90.00", "80.00", "75.50"],
        ["2026-02", "RA · Region A", "HFA · Facility A", "1", "10.00", "10.00", "9.50"],
        ["Total", "", "", "4", "100.00", "90.00", "85.00"],
    ]


@pytest.mark.django_db
def test_batch_remuneration_xlsx(runs, manager_a):
    rows = xlsx_rows(run_report(manager_a, "batch_remuneration", "xlsx"))
    assert rows[-1][0] == "Total" and rows[-1][3] == 4 and D(str(rows[-1][6])) == D("85.00")
    assert len(rows) == 4


@pytest.mark.django_db
def test_batch_remuneration_pdf(runs, manager_a):
    text = pdf_text(run_report(manager_a, "batch_remuneration", "pdf"))
    assert "Batch remuneration" in text and "2026-01" in text and "85.00" in text
    assert "Region B" not in text and "HFB" not in text and "700.00" not in text


# --- empty reports, bad input, permission ------------------------------------------------------------------------


# Every report but those that describe the set-up itself (the test country's facilities are there from the start).
ALWAYS_DATA = {"registers_status"}


@pytest.mark.django_db
@pytest.mark.parametrize("code", sorted(set(REPORTS) - ALWAYS_DATA))
@pytest.mark.parametrize("fmt", ["pdf", "xlsx", "csv"])
def test_no_data_gives_an_empty_report(manager_a, code, fmt):
    job = run_report(manager_a, code, fmt)
    if fmt == "pdf":
        assert "No data for these parameters." in pdf_text(job)
    elif fmt == "xlsx":
        assert xlsx_rows(job)[1][0] == "No data for these parameters."
    else:
        assert csv_rows(job)[1] == ["No data for these parameters."]


@pytest.mark.django_db
@pytest.mark.parametrize("code", sorted(REPORTS))
def test_a_user_with_no_area_gets_an_empty_report(claims, code):
    nobody = UserFactory.create(username="manager_nowhere", role=roles.MANAGER, scope=[])
    assert csv_rows(run_report(nobody, code, "csv", insurance_number="X", rate="5"))[1:] == [
        ["No data for these parameters."]
    ]


@pytest.mark.django_db
def test_the_job_records_who_ran_what(manager_a, country):
    job = report_request(
        user=manager_a, code="claim_overview", params={**PERIOD, "location": country.district_a.pk}, fmt="xlsx"
    )
    assert (job.kind, job.created_by, job.status) == ("reports.run", manager_a, JobStatus.QUEUED)
    assert job.params == {
        "report": "claim_overview",
        "params": {**PERIOD, "location": country.district_a.pk, "facility": None},
        "format": "xlsx",
    }


@pytest.mark.django_db
def test_the_service_refuses_without_the_permission(eo_a):
    with pytest.raises(PermissionDeniedError):
        report_request(user=eo_a, code="claim_overview", params=PERIOD, fmt="pdf")
    assert not Job.objects.exists()


def _form(user, code: str = "claim_overview", **data: Any) -> ReportForm:
    return ReportForm({**PERIOD, "fmt": "pdf", **data}, report=REPORTS[code], user=user)


@pytest.mark.django_db
def test_form_offers_last_month_as_the_period(manager_a):
    form = ReportForm(report=REPORTS["claim_overview"], user=manager_a)
    today = timezone.localdate()
    end = today.replace(day=1) - timedelta(days=1)
    assert (form["date_from"].initial, form["date_to"].initial) == (end.replace(day=1), end)
    assert form["date_to"].initial.month != today.month and (form["date_to"].initial + timedelta(days=1)).day == 1


@pytest.mark.django_db
def test_form_refuses_an_end_before_the_start(manager_a):
    form = _form(manager_a, date_from="2026-03-01", date_to="2026-02-28")
    assert not form.is_valid()
    assert form.errors["date_to"] == ["The end must not be before the start."]


@pytest.mark.django_db
def test_form_refuses_a_location_outside_the_scope(manager_a, country):
    form = _form(manager_a, location=str(country.district_b.pk))
    assert not form.is_valid() and list(form.errors) == ["location"]
    field = form.fields["location"]
    assert isinstance(field, ModelChoiceField)
    offered = list(field.queryset or [])
    assert offered == [country.district_a]  # the district itself; its region is above the user's scope
    assert _form(manager_a, location=str(country.district_a.pk)).is_valid()


@pytest.mark.django_db
def test_form_refuses_a_facility_outside_the_scope(manager_a, country):
    form = _form(manager_a, facility=str(country.facility_b.pk))
    assert not form.is_valid() and list(form.errors) == ["facility"]


@pytest.mark.django_db
def test_reading_db_is_the_replica_when_configured(monkeypatch):
    from django.conf import settings

    assert reading_db() == "default"
    monkeypatch.setitem(settings.DATABASES, "reports", settings.DATABASES["default"])
    assert reading_db() == "reports"


def test_the_router_sends_the_reads_of_a_report_run_to_the_replica(monkeypatch):
    from django.conf import settings

    from claim.models import Claim
    from reports.routers import ReportsRouter, reading_replica

    router = ReportsRouter()
    with reading_replica():
        assert router.db_for_read(Claim) is None  # no replica configured: the default database
    monkeypatch.setitem(settings.DATABASES, "reports", settings.DATABASES["default"])
    assert router.db_for_read(Claim) is None  # outside a report run
    with reading_replica():
        assert router.db_for_read(Claim) == "reports"
        assert router.db_for_write(Claim) is None  # writes (the job's progress) stay on the primary
    assert router.db_for_read(Claim) is None
    assert router.allow_migrate("reports", "claim") is False and router.allow_migrate("default", "claim") is None


# --- pages -------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_pages_forbidden_to_an_enrolment_officer(login, eo_a):
    client = login(eo_a)
    assert client.get(reverse("reports:report_list")).status_code == 403
    assert client.get(reverse("reports:report_form", args=["claim_overview"])).status_code == 403
    assert (
        client.post(reverse("reports:report_form", args=["claim_overview"]), {**PERIOD, "fmt": "csv"}).status_code
        == 403
    )
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_unknown_report_is_404(login, manager_a):
    assert login(manager_a).get(reverse("reports:report_form", args=["nope"])).status_code == 404


@pytest.mark.django_db
def test_form_posts_and_redirects_to_the_job_page(login, manager_a, claims, django_capture_on_commit_callbacks):
    client = login(manager_a)
    page = client.get(reverse("reports:report_form", args=["claim_overview"]))
    assert page.status_code == 200 and b"report-form" in page.content
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("reports:report_form", args=["claim_overview"]), {**PERIOD, "fmt": "csv"})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("common:job_detail", args=[job.uuid])
    report_run_task(job.pk)
    detail = client.get(response["Location"])
    assert detail.status_code == 200 and reverse("common:job_download", args=[job.uuid]).encode() in detail.content
    assert reverse("reports:report_list").encode() in detail.content  # the menu entry
    listing = client.get(reverse("reports:report_list"))
    assert listing.status_code == 200
    assert b"Claim overview" in listing.content and reverse("common:job_download", args=[job.uuid]).encode() in (
        listing.content
    )


@pytest.mark.django_db
def test_past_reports_are_paged_newest_first_with_their_period(login, manager_a, accountant):
    for day in range(1, 31):  # 30 runs, each of a period ending on another day of January
        report_request(
            user=manager_a,
            code="claim_overview",
            params={"date_from": "2026-01-01", "date_to": f"2026-01-{day:02d}"},
            fmt="csv",
        )
    report_request(user=accountant, code="claim_overview", params=PERIOD, fmt="csv")  # someone else's
    client = login(manager_a)
    first = client.get(reverse("reports:report_list")).content.decode()
    assert "Showing 1–25 of 30" in first
    assert "01/01/2026 – 01/30/2026" in first and "01/01/2026 – 01/05/2026" not in first
    second = client.get(reverse("reports:report_list"), {"page": 2}).content.decode()
    assert "01/01/2026 – 01/05/2026" in second and "01/01/2026 – 01/01/2026" in second
    assert "03/31/2026" not in first + second  # the accountant's run is not listed


@pytest.mark.django_db
def test_form_page_shows_the_errors(login, manager_a):
    response = login(manager_a).post(
        reverse("reports:report_form", args=["claim_overview"]),
        {"date_from": "2026-03-01", "date_to": "2026-01-01", "fmt": "pdf"},
    )
    assert response.status_code == 200 and "The end must not be before the start." in response.content.decode()
    assert not Job.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["manager_a", "accountant", "scheme_admin"])
def test_roles_that_run_reports(persona, request):
    assert request.getfixturevalue(persona).has_perm("reports.run_report")


@pytest.mark.django_db
def test_pdf_in_the_language_of_the_user(claims, manager_a):
    manager_a.language = "fr"
    manager_a.save(update_fields=["language"])
    text = pdf_text(run_report(manager_a, "claim_overview", "pdf"))
    assert "Période" in text and "Établi le" in text and "Rémunéré" in text
    assert "200,50" in text  # French number format
