"""The insuree reports (families and insurees overview, pending insurees, insurees without photo): hand-computed
figures in each format, scope, the location filter and the list limit. The report task is called synchronously."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal as D
from typing import Any

import pytest
from django.utils import timezone

from insuree.models import Family, Insuree, InsureeStatus
from policy.models import InsureePolicy, Policy, PolicyStatus
from tests.insuree.factories import make_family, valid_number
from tests.policy.factories import ProductFactory
from tests.reports.files import csv_rows, pdf_text, run_report, xlsx_rows


def _registered(day: date, *people: Insuree, family: Family | None = None) -> None:
    """Dates the records' creation at noon of `day` (local time)."""
    moment = timezone.make_aware(datetime.combine(day, time(12)))
    Insuree.objects.filter(pk__in=[p.pk for p in people]).update(created_at=moment)
    if family is not None:
        Family.objects.filter(pk=family.pk).update(created_at=moment)


def _cover(policy: Policy, person: Insuree, *, effective: date | None) -> None:
    InsureePolicy.objects.create(
        insuree=person, policy=policy, enroll_date=policy.enroll_date, start_date=policy.start_date,
        effective_date=effective, expiry_date=policy.expiry_date,
    )  # fmt: skip


def _policy(family: Family, user, status: int, start: date, expiry: date) -> Policy:
    return Policy.objects.create(
        family=family, product=ProductFactory.create(), status=status, value=D("1000.00"), enroll_date=start,
        start_date=start, effective_date=start if status != PolicyStatus.IDLE else None, expiry_date=expiry,
        created_by=user,
    )  # fmt: skip


@pytest.fixture
def people(country, scheme_admin) -> dict[str, Any]:
    """District A:
      F1 (village A1, registered 2026-02-10): Juma Mwangi (M, head), Child0 Mwangi (F), Child1 Mwangi (F).
         Juma is covered today (active policy in force); Child0 is on that policy but not covered (top-up unpaid:
         no effective date); Child1 has no cover row at all. Juma has a photo, Child0 a card.
      F2 (village A2, registered 2025-12-15): Petro Kamau (M, head; an expired policy, so a cover row), and
         Child0 Kamau (F), deceased, registered 2026-01-15, no cover row.
      Rehema Said (F), no family, current village A2, registered 2026-03-05, no cover row, no photo.
    District B:
      F3 (village B1, registered 2026-02-20): Baraka Otieno (M, head, covered today), Child0 Otieno (F, no cover).
    The period is 2026-01-01 .. 2026-03-31; "today" is the real date."""
    today = timezone.localdate()
    f1 = make_family(country.village_a1, members=2)
    juma = f1.head
    f1_child0, f1_child1 = f1.members.exclude(pk=juma.pk).order_by("other_names")
    Insuree.objects.filter(pk=juma.pk).update(photo="photos/2026/02/juma.jpg")
    Insuree.objects.filter(pk=f1_child0.pk).update(card_issued=True)
    _registered(date(2026, 2, 10), juma, f1_child0, f1_child1, family=f1)
    cover = _policy(f1, scheme_admin, PolicyStatus.ACTIVE, today - timedelta(days=30), today + timedelta(days=300))
    _cover(cover, juma, effective=cover.effective_date)
    _cover(cover, f1_child0, effective=None)

    f2 = make_family(country.village_a2, members=1, head_name="Petro", last_name="Kamau")
    petro, f2_child = f2.head, f2.members.exclude(pk=f2.head_id).get()
    Insuree.objects.filter(pk=f2_child.pk).update(status=InsureeStatus.DEAD, status_date=date(2026, 3, 1))
    _registered(date(2025, 12, 15), petro, family=f2)
    _registered(date(2026, 1, 15), f2_child)
    expired = _policy(f2, scheme_admin, PolicyStatus.EXPIRED, date(2025, 1, 1), date(2025, 12, 31))
    _cover(expired, petro, effective=expired.effective_date)

    rehema = Insuree.objects.create(
        insurance_number=valid_number(), last_name="Said", other_names="Rehema", gender="F", dob=date(1995, 4, 2),
        current_village=country.village_a2,
    )  # fmt: skip
    _registered(date(2026, 3, 5), rehema)

    f3 = make_family(country.village_b1, members=1, head_name="Baraka", last_name="Otieno")
    baraka, f3_child = f3.head, f3.members.exclude(pk=f3.head_id).get()
    _registered(date(2026, 2, 20), baraka, f3_child, family=f3)
    covered_b = _policy(f3, scheme_admin, PolicyStatus.ACTIVE, today - timedelta(days=10), today + timedelta(days=50))
    _cover(covered_b, baraka, effective=covered_b.effective_date)
    return {
        "juma": juma, "f1_child0": f1_child0, "f1_child1": f1_child1, "rehema": rehema, "f3_child": f3_child,
        "baraka": baraka,
    }  # fmt: skip


# --- families and insurees overview --------------------------------------------------------------------------------

# District A: families F1, F2 -> 2; registered in the period: F1 -> 1; active insurees: F1's 3, Petro, Rehema -> 5
# (Child0 Kamau is deceased); men: Juma, Petro -> 2; women: Child0 and Child1 Mwangi, Rehema -> 3; covered today:
# Juma -> 1. District B: F3 -> 1 family, 1 registered in the period, 2 insurees, 1 man, 1 woman, 1 covered.
# columns: region, district, Families, Families enrolled in the period, Insurees, Men, Women, Insurees covered today
DISTRICT_A = ["RA · Region A", "DA · District A", "2", "1", "5", "2", "3", "1"]
DISTRICT_B = ["RB · Region B", "DB · District B", "1", "1", "2", "1", "1", "1"]


@pytest.mark.django_db
def test_overview_csv(people, manager_a):
    rows = csv_rows(run_report(manager_a, "families_insurees_overview", "csv"))
    assert rows == [
        ["Region", "District", "Families", "Families enrolled in the period", "Insurees", "Men", "Women",
         "Insurees covered today"],
        DISTRICT_A,
        ["Total", "", "2", "1", "5", "2", "3", "1"],
    ]  # fmt: skip


@pytest.mark.django_db
def test_overview_xlsx_national(people, accountant):
    rows = xlsx_rows(run_report(accountant, "families_insurees_overview", "xlsx"))
    assert rows[1:] == [
        ["RA · Region A", "DA · District A", 2, 1, 5, 2, 3, 1],
        ["RB · Region B", "DB · District B", 1, 1, 2, 1, 1, 1],
        ["Total", None, 3, 2, 7, 3, 4, 2],
    ]


@pytest.mark.django_db
def test_overview_pdf(people, manager_a):
    text = pdf_text(run_report(manager_a, "families_insurees_overview", "pdf"))
    assert "Families and insurees overview" in text and "DA · District A" in text
    assert "District B" not in text and "Region B" not in text


@pytest.mark.django_db
def test_overview_per_village_of_a_district(people, accountant, country):
    """Village A1: F1 (1 family, registered in the period, 3 insurees, 1 man, 2 women, 1 covered); village A2: F2 and
    Rehema without a family (1 family, none registered in the period, 2 insurees, 1 man, 1 woman, none covered)."""
    rows = csv_rows(run_report(accountant, "families_insurees_overview", "csv", location=country.district_a.pk))
    assert rows[0][:4] == ["Region", "District", "Village", "Families"]
    assert rows[1:] == [
        ["RA · Region A", "DA · District A", "VA1 · Village A1", "1", "1", "3", "1", "2", "1"],
        ["RA · Region A", "DA · District A", "VA2 · Village A2", "1", "0", "2", "1", "1", "0"],
        ["Total", "", "", "2", "1", "5", "2", "3", "1"],
    ]
    region_b = csv_rows(run_report(accountant, "families_insurees_overview", "csv", location=country.region_b.pk))
    assert region_b[1:] == [DISTRICT_B, ["Total", "", "1", "1", "2", "1", "1", "1"]]


@pytest.mark.django_db
def test_overview_scope_whatever_the_stored_location(people, manager_a, country):
    rows = csv_rows(run_report(manager_a, "families_insurees_overview", "csv", location=country.district_b.pk))
    assert rows[1:] == [["No data for these parameters."]]


# --- pending insurees ----------------------------------------------------------------------------------------------

# Active, registered in the period, no cover row: Child1 Mwangi (village A1) and Rehema Said (village A2, no family);
# not Juma (covered), Child0 Mwangi (a cover row without effective date), Child0 Kamau (deceased), Petro (registered
# in 2025, and an expired cover). District B: Child0 Otieno.


def _pending(people: dict[str, Any], juma: Insuree) -> list[list[str]]:
    child1, rehema = people["f1_child1"], people["rehema"]
    return [
        [child1.insurance_number, "Child1 Mwangi", "Female", "2012-01-02", "VA1 · Village A1", juma.insurance_number,
         "2026-02-10"],
        [rehema.insurance_number, "Rehema Said", "Female", "1995-04-02", "VA2 · Village A2", "", "2026-03-05"],
    ]  # fmt: skip


@pytest.mark.django_db
def test_pending_insurees_csv(people, manager_a):
    rows = csv_rows(run_report(manager_a, "pending_insurees", "csv"))
    assert rows[0] == [
        "Insurance number", "Name", "Gender", "Date of birth", "Village", "Family head", "Registered on"
    ]  # fmt: skip
    assert rows[1:] == _pending(people, people["juma"])


@pytest.mark.django_db
def test_pending_insurees_xlsx(people, manager_a):
    rows = xlsx_rows(run_report(manager_a, "pending_insurees", "xlsx"))
    assert [r[0] for r in rows[1:]] == [people["f1_child1"].insurance_number, people["rehema"].insurance_number]
    assert rows[2][3].date() == date(1995, 4, 2) and rows[2][5] is None and rows[2][6].date() == date(2026, 3, 5)


@pytest.mark.django_db
def test_pending_insurees_pdf(people, manager_a):
    text = pdf_text(run_report(manager_a, "pending_insurees", "pdf"))
    assert "Pending insurees" in text and "Child1 Mwangi" in text and "Rehema Said" in text
    for name in ("Juma", "Child0 Mwangi", "Kamau", "Otieno"):
        assert name not in text


@pytest.mark.django_db
def test_pending_insurees_location_and_period(people, accountant, country):
    rows = csv_rows(run_report(accountant, "pending_insurees", "csv"))
    assert [r[1] for r in rows[1:]] == ["Child1 Mwangi", "Rehema Said", "Child0 Otieno"]
    only_b = csv_rows(run_report(accountant, "pending_insurees", "csv", location=country.district_b.pk))
    assert [r[1] for r in only_b[1:]] == ["Child0 Otieno"]
    march = csv_rows(run_report(accountant, "pending_insurees", "csv", date_from="2026-03-01", date_to="2026-03-31"))
    assert [r[1] for r in march[1:]] == ["Rehema Said"]


@pytest.mark.django_db
def test_pending_insurees_scope_whatever_the_stored_location(people, manager_a, country):
    rows = csv_rows(run_report(manager_a, "pending_insurees", "csv", location=country.district_b.pk))
    assert rows[1:] == [["No data for these parameters."]]


@pytest.mark.django_db
def test_pending_insurees_list_limit(people, accountant, monkeypatch):
    monkeypatch.setattr("reports.standard.insurees.LIST_LIMIT", 2)
    rows = csv_rows(run_report(accountant, "pending_insurees", "csv"))
    assert [r[1] for r in rows[1:3]] == ["Child1 Mwangi", "Rehema Said"]
    assert rows[3:] == [
        ["The first 2 of 3 rows are listed; choose a smaller area or period to see the rest."]
    ]  # fmt: skip


# --- insurees without photo ----------------------------------------------------------------------------------------

# Active, registered in the period, no photo: Child0 and Child1 Mwangi (village A1; Child0 has a card), Rehema Said
# (village A2); not Juma (photo), Child0 Kamau (deceased), Petro (registered in 2025). District B: Baraka and Child0
# Otieno.


@pytest.mark.django_db
def test_without_photo_csv(people, manager_a):
    juma = people["juma"].insurance_number
    rows = csv_rows(run_report(manager_a, "insurees_without_photo", "csv"))
    assert rows == [
        ["Village", "Insurance number", "Name", "Gender", "Family head", "Card issued"],
        ["VA1 · Village A1", people["f1_child0"].insurance_number, "Child0 Mwangi", "Female", juma, "Yes"],
        ["VA1 · Village A1", people["f1_child1"].insurance_number, "Child1 Mwangi", "Female", juma, "No"],
        ["VA2 · Village A2", people["rehema"].insurance_number, "Rehema Said", "Female", "", "No"],
    ]


@pytest.mark.django_db
def test_without_photo_xlsx_national(people, accountant):
    rows = xlsx_rows(run_report(accountant, "insurees_without_photo", "xlsx"))
    assert [(r[0], r[2]) for r in rows[1:]] == [
        ("VA1 · Village A1", "Child0 Mwangi"),
        ("VA1 · Village A1", "Child1 Mwangi"),
        ("VA2 · Village A2", "Rehema Said"),
        ("VB1 · Village B1", "Baraka Otieno"),
        ("VB1 · Village B1", "Child0 Otieno"),
    ]
    assert rows[4][3:] == ["Male", people["baraka"].insurance_number, "No"]


@pytest.mark.django_db
def test_without_photo_pdf(people, manager_a):
    text = pdf_text(run_report(manager_a, "insurees_without_photo", "pdf"))
    assert "Insurees without photo" in text and "Child0 Mwangi" in text and "Rehema Said" in text
    for name in ("Juma", "Kamau", "Otieno", "Village B1"):
        assert name not in text


@pytest.mark.django_db
def test_without_photo_location_scope_and_limit(people, accountant, manager_a, country, monkeypatch):
    only_b = csv_rows(run_report(accountant, "insurees_without_photo", "csv", location=country.district_b.pk))
    assert [r[2] for r in only_b[1:]] == ["Baraka Otieno", "Child0 Otieno"]
    forged = csv_rows(run_report(manager_a, "insurees_without_photo", "csv", location=country.district_b.pk))
    assert forged[1:] == [["No data for these parameters."]]
    monkeypatch.setattr("reports.standard.insurees.LIST_LIMIT", 1)
    text = pdf_text(run_report(manager_a, "insurees_without_photo", "pdf"))
    assert "The first 1 of 3 rows are listed" in text and "Child0 Mwangi" in text and "Rehema" not in text
