"""The registers reports (status of registers, user activity, rejected photos): hand-computed counts in each format,
scope whatever the stored parameters say, and the parameter filters."""

from datetime import UTC, date, datetime
from typing import Any

import pghistory
import pytest
from django.apps import apps
from pghistory.models import Context

from insuree.models import Insuree, PhotoRejection, PhotoSource
from location.models import FacilityLevel, FacilityStatus, LocationType
from medical.models import FacilityPriceLists
from openimis.accounts import roles
from openimis.accounts.models import User
from openimis.common.models import JobStatus
from reports.services import report_request
from reports.standard import registers
from reports.tasks import report_run_task
from tests.factories import FacilityFactory, LocationFactory, UserFactory
from tests.insuree.factories import make_family
from tests.medical.factories import ItemPriceListFactory, ServicePriceListFactory
from tests.payer.factories import PayerFactory
from tests.policy.factories import ProductFactory
from tests.reports.files import PERIOD, csv_rows, pdf_text, run_report, xlsx_rows

NO_DATA = [["No data for these parameters."]]


def _numbers(row: list[Any]) -> list[Any]:
    """An XLSX row with its whole numbers as int (openpyxl gives them back as int or float)."""
    return [int(v) if isinstance(v, float) and v.is_integer() else ("" if v is None else v) for v in row]


# --- status of registers -----------------------------------------------------------------------------------------


@pytest.fixture
def registers_data(country, manager_a, accountant, eo_a, eo_b, claim_admin):
    """District A:
        villages VA1, VA2 (VA3 is inactive): 2
        families: one in VA1 (head + 2 members), one in VA2 (head alone): 2; insurees 3 + 1, plus a person with no
          family whose current village is VA2: 5
        facilities: HFA dispensary (country), H1 hospital with both price lists, C1 health centre with an items
          list only, X1 hospital delisted (not counted): 1 hospital, 1 health centre, 1 dispensary, 1 priced
        users: manager_a, eo_a, claim_admin (facility A), clerk_ma (municipality A; sells), gone (inactive, VA1):
          4 users, 2 officers (eo_a, clerk_ma)
        payers: one of DA (and an inactive one): 1; products: one of DA valid today (an ended one is not): 1
    Region A itself: a payer (1); the accountant's grant (1 user, for whom RA is in scope)
    District B: village VB1, one family (head + 1 member), HFB dispensary, eo_b (officer), a payer: 1 payer
    Region B itself: a product (1); the accountant's grant (1 user)
    National: a payer and a product valid today.
    """
    LocationFactory.create(
        code="VA3", name="Village A3", type=LocationType.VILLAGE, parent=country.municipality_a, is_active=False
    )
    make_family(country.village_a1, members=2)
    make_family(country.village_a2, members=0)
    make_family(country.village_b1, members=1)
    Insuree.objects.create(
        insurance_number="X-LONE", last_name="Lone", other_names="Lea", gender="F", dob=date(1990, 1, 1),
        current_village=country.village_a2,
    )  # fmt: skip
    da = country.district_a
    h1 = FacilityFactory.create(code="H1", level=FacilityLevel.HOSPITAL, district=da)
    c1 = FacilityFactory.create(code="C1", level=FacilityLevel.HEALTH_CENTRE, district=da)
    FacilityFactory.create(code="X1", level=FacilityLevel.HOSPITAL, district=da, status=FacilityStatus.DELISTED)
    items, services = ItemPriceListFactory.create(), ServicePriceListFactory.create()
    FacilityPriceLists.objects.create(facility=h1, items_price_list=items, services_price_list=services)
    FacilityPriceLists.objects.create(facility=c1, items_price_list=items)
    UserFactory.create(username="clerk_ma", role=roles.CLERK, scope=[country.municipality_a])
    gone = UserFactory.create(username="gone", role=roles.ENROLMENT_OFFICER, scope=[country.village_a1])
    User.objects.filter(pk=gone.pk).update(is_active=False)
    PayerFactory.create(location=None)
    PayerFactory.create(location=country.region_a)
    PayerFactory.create(location=da)
    PayerFactory.create(location=da, is_active=False)
    PayerFactory.create(location=country.district_b)
    ProductFactory.create(location=None)
    ProductFactory.create(location=da)
    ProductFactory.create(location=da, date_from=date(2025, 1, 1), date_to=date(2025, 12, 31))
    ProductFactory.create(location=country.region_b)


STATUS_HEAD = [
    "Region", "District", "Villages", "Families", "Insurees", "Hospitals", "Health centres", "Dispensaries",
    "Facilities with price lists", "Users", "Enrolment officers", "Payers", "Products",
]  # fmt: skip
NATIONAL = ["National", "", 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1]
DISTRICT_A = ["RA · Region A", "DA · District A", 2, 2, 5, 1, 1, 1, 1, 4, 2, 1, 1]
DISTRICT_B = ["RB · Region B", "DB · District B", 1, 1, 2, 0, 0, 1, 0, 1, 1, 1, 0]


def _pdf(job: Any) -> str:
    """The PDF's text on one line: table cells wrap."""
    return " ".join(pdf_text(job).split())


def _text(row: list[Any]) -> list[str]:
    return [str(v) for v in row]


@pytest.mark.django_db
def test_registers_status_csv_for_a_district_manager(registers_data, manager_a):
    """The region's own line holds its payer only: the accountant's region grant is above manager_a's area."""
    rows = csv_rows(run_report(manager_a, "registers_status", "csv"))
    assert rows[0] == STATUS_HEAD
    assert rows[1:] == [
        _text(NATIONAL),
        _text(["RA · Region A", "", 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0]),
        _text(DISTRICT_A),
        _text(["Total", "", 2, 2, 5, 1, 1, 1, 1, "", "", 3, 2]),
    ]


@pytest.mark.django_db
def test_registers_status_xlsx_national(registers_data, accountant):
    rows = [_numbers(r) for r in xlsx_rows(run_report(accountant, "registers_status", "xlsx"))]
    assert rows[1:] == [
        NATIONAL,
        ["RA · Region A", "", 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0],
        DISTRICT_A,
        ["RB · Region B", "", 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1],
        DISTRICT_B,
        ["Total", "", 3, 3, 7, 1, 1, 2, 1, "", "", 4, 3],
    ]


@pytest.mark.django_db
def test_registers_status_pdf(registers_data, manager_a):
    text = _pdf(run_report(manager_a, "registers_status", "pdf"))
    assert "Status of registers" in text and "DA · District A" in text and "National" in text
    assert "District B" not in text and "Region B" not in text


@pytest.mark.django_db
def test_registers_status_for_one_district(registers_data, accountant, country):
    """District B chosen: the national line, Region B's product (it serves district B), district B; Region A's payer
    and the accountant's region grants are outside district B."""
    rows = csv_rows(run_report(accountant, "registers_status", "csv", location=country.district_b.pk))
    assert rows[1:-1] == [
        _text(NATIONAL),
        _text(["RB · Region B", "", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]),
        _text(DISTRICT_B),
    ]


@pytest.mark.django_db
def test_registers_status_scope_whatever_the_stored_location(registers_data, manager_a, country):
    """manager_a's job naming district B: nothing of district B or region B, only what serves the whole country."""
    rows = csv_rows(run_report(manager_a, "registers_status", "csv", location=country.district_b.pk))
    assert rows[1:] == [_text(NATIONAL), _text(["Total", "", 0, 0, 0, 0, 0, 0, 0, "", "", 1, 1])]


@pytest.mark.django_db
def test_registers_status_lists_every_district_even_empty(country, manager_a):
    """No people, payers nor products: district A is listed with its villages and its one facility."""
    rows = csv_rows(run_report(manager_a, "registers_status", "csv"))
    assert rows[1] == _text(["RA · Region A", "DA · District A", 2, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0])


def test_registers_status_takes_no_period():
    report = next(r for r in registers.REPORTS if r.code == "registers_status")
    assert report.parameters == ("location",) and report.required == ()


# --- user activity -----------------------------------------------------------------------------------------------


def _move_events(moment: datetime, *model_names: str) -> None:
    """Dates the history of these models at `moment` (the test runs later than its period)."""
    for name in model_names:
        app_label, model = name.split(".")
        apps.get_model(app_label, model).objects.update(pgh_created_at=moment)


IN_PERIOD = datetime(2026, 2, 10, 12, 0, tzinfo=UTC)
AFTER = datetime(2026, 4, 1, 0, 0, tzinfo=UTC)


@pytest.fixture
def activity(country, eo_a, eo_b):
    """In the period (10 February):
        eo_a: a family in VA1 with one member (Family 1 insert; Insuree 2 inserts, 1 update: the head joins the
              family), then the member deleted (Insuree 1 delete): Family 1/0/0 = 1, Insuree 2/1/1 = 4
        eo_b: a family in VB1, no member: Family 1/0/0 = 1, Insuree 1/1/0 = 2
        a command (no user): a family in VA2 — not counted
    After the period (1 April): eo_a creates a payer — not counted."""
    User.objects.filter(pk=eo_a.pk).update(first_name="Asha", last_name="Ali")
    User.objects.filter(pk=eo_b.pk).update(first_name="Baraka", last_name="Bitok")
    with pghistory.context(user=eo_a.pk):
        family = make_family(country.village_a1, members=1)
        family.members.exclude(pk=family.head_id).delete()
    with pghistory.context(user=eo_b.pk):
        make_family(country.village_b1, members=0)
    with pghistory.context(command="load"):
        make_family(country.village_a2, members=0)
    _move_events(IN_PERIOD, "insuree.InsureeEvent", "insuree.FamilyEvent")
    Context.objects.update(created_at=IN_PERIOD, updated_at=IN_PERIOD)
    with pghistory.context(user=eo_a.pk):
        PayerFactory.create()
    _move_events(AFTER, "payer.PayerEvent")
    Context.objects.filter(created_at__gt=IN_PERIOD).update(created_at=AFTER, updated_at=AFTER)


def _activity_of(requester: User, chosen: User, **params: Any) -> list[list[str]]:
    """The user activity of `chosen` (the parameter `user`, which `run_report` cannot pass) as CSV rows."""
    job = report_request(
        user=requester, code="user_activity", params={**PERIOD, "user": chosen.pk, **params}, fmt="csv"
    )
    report_run_task(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    return csv_rows(job)


ASHA = "Asha Ali (eo_a)"
BARAKA = "Baraka Bitok (eo_b)"


@pytest.mark.django_db
def test_user_activity_csv(activity, manager_a):
    rows = csv_rows(run_report(manager_a, "user_activity", "csv"))
    assert rows == [
        ["User", "Entity", "Inserts", "Updates", "Deletes", "Total"],
        [ASHA, "Family", "1", "0", "0", "1"],
        [ASHA, "Insuree", "2", "1", "1", "4"],
        ["Total", "", "3", "1", "1", "5"],
    ]


@pytest.mark.django_db
def test_user_activity_xlsx_national(activity, accountant):
    rows = [_numbers(r) for r in xlsx_rows(run_report(accountant, "user_activity", "xlsx"))]
    assert rows[1:] == [
        [ASHA, "Family", 1, 0, 0, 1],
        [ASHA, "Insuree", 2, 1, 1, 4],
        [BARAKA, "Family", 1, 0, 0, 1],
        [BARAKA, "Insuree", 1, 1, 0, 2],
        ["Total", "", 5, 2, 1, 8],
    ]


@pytest.mark.django_db
def test_user_activity_pdf(activity, manager_a):
    text = _pdf(run_report(manager_a, "user_activity", "pdf"))
    assert "User activity" in text and ASHA in text and "Insuree" in text
    assert "eo_b" not in text and "Payer" not in text


@pytest.mark.django_db
def test_user_activity_of_one_user_and_the_period(activity, accountant, eo_b, eo_a):
    rows = _activity_of(accountant, eo_b)
    assert [r[:2] for r in rows[1:]] == [[BARAKA, "Family"], [BARAKA, "Insuree"], ["Total", ""]]
    april = _activity_of(accountant, eo_a, date_from="2026-04-01", date_to="2026-04-30")
    assert april[1:] == [[ASHA, "Payer", "1", "0", "0", "1"], ["Total", "", "1", "0", "0", "1"]]


@pytest.mark.django_db
def test_user_activity_scope_whatever_the_stored_user(activity, manager_a, eo_b):
    assert _activity_of(manager_a, eo_b)[1:] == NO_DATA


@pytest.mark.django_db
def test_user_activity_reads_every_history_table():
    tables = {m._meta.db_table for m in registers.event_models()}
    assert {"insuree_insureeevent", "claim_claimevent", "policy_policyevent", "accounts_userevent"} <= tables


# --- rejected photos ---------------------------------------------------------------------------------------------


def _rejection(insuree: Insuree, by: User, at: datetime, reason: str, source: str = PhotoSource.PAGE) -> None:
    family = insuree.family
    rejection = PhotoRejection.objects.create(
        insuree=insuree, insurance_number=insuree.insurance_number, village=family.village if family else None,
        code="photo_unreadable", reason=reason, source=source, uploaded_by=by,
    )  # fmt: skip
    PhotoRejection.objects.filter(pk=rejection.pk).update(rejected_at=at)


UNREADABLE = "This file is not a readable photo."
TOO_LARGE = "The photo is too large (at most 5 MB)."
FORMAT = "Send a JPEG, PNG or WebP photo."


@pytest.fixture
def rejections(country, eo_a, eo_b):
    """In the period, district A: Juma Mwangi (VA1) by eo_a on 15 January 09:30 from the page (unreadable), his
    member Child0 Mwangi by eo_a on 31 March 23:59 from the API (too large), Amina Kamau (VA2) by clerk_a on
    1 February 08:00 (format). District B: Bakari Barasa (VB1) by eo_b on 2 February. After the period: Juma again,
    1 April 00:00."""
    clerk = UserFactory.create(
        username="clerk_a", first_name="Chausiku", last_name="Chande", role=roles.CLERK, scope=[country.district_a]
    )
    User.objects.filter(pk=eo_a.pk).update(first_name="Asha", last_name="Ali")
    eo_a.refresh_from_db()
    a = make_family(country.village_a1, members=1)
    member = a.members.exclude(pk=a.head_id).get()
    a2 = make_family(country.village_a2, members=0, head_name="Amina", last_name="Kamau")
    b = make_family(country.village_b1, members=0, head_name="Bakari", last_name="Barasa")
    _rejection(a.head, eo_a, datetime(2026, 1, 15, 9, 30, tzinfo=UTC), UNREADABLE)
    _rejection(member, eo_a, datetime(2026, 3, 31, 23, 59, tzinfo=UTC), TOO_LARGE, PhotoSource.API)
    _rejection(a2.head, clerk, datetime(2026, 2, 1, 8, 0, tzinfo=UTC), FORMAT)
    _rejection(b.head, eo_b, datetime(2026, 2, 2, 10, 0, tzinfo=UTC), FORMAT)
    _rejection(a.head, eo_a, AFTER, UNREADABLE)
    return a.head, member, a2.head, b.head


REJECTED_HEAD = ["Refused at", "Insurance number", "Name", "Village", "Sent by", "Sent from", "Reason"]


@pytest.mark.django_db
def test_rejected_photos_csv(rejections, manager_a):
    juma, child, amina, _bakari = rejections
    rows = csv_rows(run_report(manager_a, "rejected_photos", "csv"))
    assert rows == [
        REJECTED_HEAD,
        ["2026-01-15 09:30", juma.insurance_number, "Juma Mwangi", "VA1 · Village A1", "Asha Ali (eo_a)", "Page",
         UNREADABLE],
        ["2026-02-01 08:00", amina.insurance_number, "Amina Kamau", "VA2 · Village A2", "Chausiku Chande (clerk_a)",
         "Page", FORMAT],
        ["2026-03-31 23:59", child.insurance_number, "Child0 Mwangi", "VA1 · Village A1", "Asha Ali (eo_a)", "API",
         TOO_LARGE],
    ]  # fmt: skip


@pytest.mark.django_db
def test_rejected_photos_xlsx_national(rejections, accountant):
    rows = xlsx_rows(run_report(accountant, "rejected_photos", "xlsx"))
    assert [r[0] for r in rows[1:]] == ["2026-01-15 09:30", "2026-02-01 08:00", "2026-02-02 10:00", "2026-03-31 23:59"]
    assert rows[3][2:5] == ["Bakari Barasa", "VB1 · Village B1", str(User.objects.get(username="eo_b"))]


@pytest.mark.django_db
def test_rejected_photos_pdf(rejections, manager_a):
    text = _pdf(run_report(manager_a, "rejected_photos", "pdf"))
    assert "Rejected photos" in text and "Juma Mwangi" in text and TOO_LARGE in text
    assert "Bakari" not in text and "Village B1" not in text


@pytest.mark.django_db
def test_rejected_photos_filters(rejections, manager_a, accountant, eo_a, country):
    by_eo_a = csv_rows(run_report(manager_a, "rejected_photos", "csv", officer=eo_a.pk))
    assert [r[0] for r in by_eo_a[1:]] == ["2026-01-15 09:30", "2026-03-31 23:59"]
    in_b = csv_rows(run_report(accountant, "rejected_photos", "csv", location=country.district_b.pk))
    assert [r[2] for r in in_b[1:]] == ["Bakari Barasa"]


@pytest.mark.django_db
def test_rejected_photos_scope_whatever_the_stored_location(rejections, manager_a, country, eo_b):
    assert csv_rows(run_report(manager_a, "rejected_photos", "csv", location=country.district_b.pk))[1:] == NO_DATA
    assert csv_rows(run_report(manager_a, "rejected_photos", "csv", officer=eo_b.pk))[1:] == NO_DATA


@pytest.mark.django_db
def test_rejected_photos_keep_a_deleted_person(rejections, manager_a):
    _juma, child, _amina, _bakari = rejections
    number = child.insurance_number
    child.delete()
    rows = csv_rows(run_report(manager_a, "rejected_photos", "csv"))
    assert rows[3][1:4] == [number, "—", "VA1 · Village A1"]


@pytest.mark.django_db
def test_rejected_photos_are_limited(rejections, manager_a, monkeypatch):
    monkeypatch.setattr(registers, "LIST_LIMIT", 2)
    rows = csv_rows(run_report(manager_a, "rejected_photos", "csv"))
    assert len(rows) == 4  # head, two rows, the note
    assert rows[-1] == ["The first 2 of 3 rows are listed; choose a smaller area or period to see the rest."]
