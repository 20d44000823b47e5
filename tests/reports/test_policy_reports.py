"""The policy reports (primary operational indicators, product sales, derived operational indicators, enrolment
performance, policy renewals): hand-computed figures in each format, scope and the parameters. The period is
January to March 2026 (tests.reports.files.PERIOD)."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D
from typing import Any

import pytest
from django.utils import timezone

from claim.models import Claim, ClaimBooking, ClaimStatus
from insuree.models import Family
from openimis.accounts import roles
from openimis.accounts.models import User
from policy.models import Contribution, InsureePolicy, PayType, Policy, PolicyRenewal, PolicyStage, PolicyStatus
from tests.factories import UserFactory
from tests.insuree.factories import make_family
from tests.medical.factories import DiagnosisFactory
from tests.policy.factories import ProductFactory
from tests.reports.files import csv_rows, pdf_text, run_report, xlsx_rows

N, R = PolicyStage.NEW, PolicyStage.RENEWAL
IDLE, ACTIVE, SUSPENDED, EXPIRED = PolicyStatus.IDLE, PolicyStatus.ACTIVE, PolicyStatus.SUSPENDED, PolicyStatus.EXPIRED


def _policy(
    family: Family,
    product,
    officer,
    *,
    stage: str = N,
    status: int = ACTIVE,
    enroll: date | None = None,
    start: date,
    effective: date | None,
    expiry: date,
    value: str = "0.00",
    previous: Policy | None = None,
    created_by: User | None = None,
) -> Policy:
    """A policy written straight to the table, covering every member of the family from the same dates."""
    policy = Policy.objects.create(
        family=family,
        product=product,
        officer=officer,
        stage=stage,
        status=status,
        value=D(value),
        enroll_date=enroll or start,
        start_date=start,
        effective_date=effective,
        expiry_date=expiry,
        previous=previous,
        created_by=created_by or officer,
    )
    InsureePolicy.objects.bulk_create(
        InsureePolicy(
            insuree=member,
            policy=policy,
            enroll_date=enroll or start,
            start_date=start,
            effective_date=effective,
            expiry_date=expiry,
        )
        for member in family.members.all()
    )
    return policy


def _paid(policy: Policy, amount: str, day: date, *, photo: bool = False, cancelled: bool = False) -> Contribution:
    return Contribution.objects.create(
        policy=policy,
        amount=D(amount),
        receipt=f"R{Contribution.objects.count() + 1}",
        pay_date=day,
        pay_type=PayType.CASH,
        is_photo_fee=photo,
        created_by=policy.created_by,
        cancelled_at=timezone.now() if cancelled else None,
        cancel_reason="wrong" if cancelled else "",
    )


@pytest.fixture
def officers(country):
    return (
        UserFactory.create(
            username="officer_a",
            first_name="Asha",
            last_name="Ali",
            role=roles.ENROLMENT_OFFICER,
            scope=[country.district_a],
        ),
        UserFactory.create(
            username="officer_b",
            first_name="Baraka",
            last_name="Bakari",
            role=roles.ENROLMENT_OFFICER,
            scope=[country.district_a],
        ),
    )


OFFICER_A, OFFICER_B, NO_OFFICER = "Asha Ali (officer_a)", "Baraka Bakari (officer_b)", "No enrolment officer"


@pytest.fixture
def book(country, officers, scheme_admin) -> dict[str, Any]:
    """Products PA and PB (national). Families of district A (heads are men, other members women):
      F1 (head + 2): P1  PA New      Active    enrolled 2026-01-05, start 2026-01-10, effective 2026-01-15,
                         expiry 2027-01-09, value 120.00, officer A; contributions 120.00 paid 2026-01-15 (cover
                         2026-01-15..2027-01-09: 360 days, 1/3 a day), a photo fee 5.00 paid 2026-02-03 and 50.00
                         paid 2026-01-20 then cancelled
      F2 (head):     P2  PA New      Expired   start 2025-03-01, effective 2025-03-01, expiry 2026-02-14, value
                         351.00, officer A; 351.00 paid 2025-03-01 (351 days: 1.00 a day)
                     P3  PA Renewal of P2, Active, enrolled 2026-02-10, start 2026-02-15, effective 2026-03-05,
                         expiry 2027-02-14, value 347.00, officer B; 347.00 paid 2026-03-05 (347 days: 1.00 a day)
                     P10 PB New      Idle      enrolled and start 2026-03-20, expiry 2027-03-19, value 30.00,
                         officer A (not the family's first policy)
      F3 (head + 1): P4  PA New      Suspended (changed 2026-02-20) enrolled 2025-12-20, start 2026-01-01,
                         effective 2026-01-01, expiry 2026-12-31, value 200.00, officer A
      F4 (head):     P5  PA New      Idle      enrolled 2026-02-25, start 2026-03-01, expiry 2027-02-28, value
                         50.00, officer B; 10.00 paid 2026-03-10
      F5 (head):     P6  PA New      Expired, never paid: start 2025-02-01, expiry 2026-01-31, value 80.00,
                         officer A
      F6 (head):     P8  PB New      Active    enrolled 2026-01-28, start 2026-02-01, effective 2026-02-01,
                         expiry 2027-01-31, value 365.00, no officer; 365.00 paid 2026-02-01 (1.00 a day)
      F7 (head):     P9  PA New      Expired   start 2025-03-10, effective 2025-03-10, expiry 2026-03-09, value
                         100.00, officer A, not renewed
    District B: FB (head): P7 PA New Active, start 2026-01-05, effective 2026-01-05, expiry 2027-01-04, value
    999.00, officer B; 999.00 paid 2026-01-05 — only for national users."""
    officer_a, officer_b = officers
    pa = ProductFactory.create(code="PA", name="Plan A", date_from=date(2025, 1, 1))
    pb = ProductFactory.create(code="PB", name="Plan B", date_from=date(2025, 1, 1))
    va1, va2, vb1 = country.village_a1, country.village_a2, country.village_b1
    families = {
        name: make_family(village, members=members)
        for name, village, members in [("F1", va1, 2), ("F2", va1, 0), ("F3", va2, 1), ("F4", va1, 0),
                                       ("F5", va1, 0), ("F6", va1, 0), ("F7", va2, 0), ("FB", vb1, 0)]
    }  # fmt: skip
    book: dict[str, Any] = {"PA": pa, "PB": pb, "families": families}
    day = date.fromisoformat
    for name, family, product, officer, stage, status, enrolled, start, effective, expiry, value in [
        ("P1", "F1", pa, officer_a, N, ACTIVE, "2026-01-05", "2026-01-10", "2026-01-15", "2027-01-09", "120.00"),
        ("P2", "F2", pa, officer_a, N, EXPIRED, "2025-03-01", "2025-03-01", "2025-03-01", "2026-02-14", "351.00"),
        ("P3", "F2", pa, officer_b, R, ACTIVE, "2026-02-10", "2026-02-15", "2026-03-05", "2027-02-14", "347.00"),
        ("P10", "F2", pb, officer_a, N, IDLE, "2026-03-20", "2026-03-20", None, "2027-03-19", "30.00"),
        ("P4", "F3", pa, officer_a, N, SUSPENDED, "2025-12-20", "2026-01-01", "2026-01-01", "2026-12-31", "200.00"),
        ("P5", "F4", pa, officer_b, N, IDLE, "2026-02-25", "2026-03-01", None, "2027-02-28", "50.00"),
        ("P6", "F5", pa, officer_a, N, EXPIRED, "2025-02-01", "2025-02-01", None, "2026-01-31", "80.00"),
        ("P8", "F6", pb, None, N, ACTIVE, "2026-01-28", "2026-02-01", "2026-02-01", "2027-01-31", "365.00"),
        ("P9", "F7", pa, officer_a, N, EXPIRED, "2025-03-10", "2025-03-10", "2025-03-10", "2026-03-09", "100.00"),
        ("P7", "FB", pa, officer_b, N, ACTIVE, "2026-01-05", "2026-01-05", "2026-01-05", "2027-01-04", "999.00"),
    ]:  # fmt: skip
        book[name] = _policy(
            families[family], product, officer, stage=stage, status=status, enroll=day(enrolled), start=day(start),
            effective=day(effective) if effective else None, expiry=day(expiry), value=value,
            previous=book["P2"] if name == "P3" else None, created_by=scheme_admin,
        )  # fmt: skip
    Policy.objects.filter(pk=book["P4"].pk).update(updated_at=datetime(2026, 2, 20, 9, tzinfo=UTC))
    for name, amount, paid_on in [("P1", "120.00", "2026-01-15"), ("P2", "351.00", "2025-03-01"),
                                  ("P3", "347.00", "2026-03-05"), ("P5", "10.00", "2026-03-10"),
                                  ("P8", "365.00", "2026-02-01"), ("P7", "999.00", "2026-01-05")]:  # fmt: skip
        _paid(book[name], amount, day(paid_on))
    _paid(book["P1"], "5.00", date(2026, 2, 3), photo=True)
    _paid(book["P1"], "50.00", date(2026, 1, 20), cancelled=True)
    return book


def _cells(rows: list[list[Any]]) -> list[list[Any]]:
    """Rows as a spreadsheet gives them back, or as the report should have written them, made comparable: numbers
    as Decimals of two places (XLSX reads amounts back as floats, whole ones as integers), empty cells as ""."""
    return [
        ["" if v is None else D(str(v)).quantize(D("0.01")) if isinstance(v, int | float | D) else v for v in row]
        for row in rows
    ]


# --- primary operational indicators --------------------------------------------------------------------------------

# Month, product, men, women, insurees covered at the month's end, new, renewed, suspended, expired, paid, allocated.
#  January PA: covered P1 (1 man, 2 women), P2 and P9 (a man each); new P1, P4; paid 120.00 (the cancelled 50.00
#    left out); allocated P1 17 days x 1/3 = 5.67 + P2 31.00 = 36.67.
#  February PA: covered P1 and P9 (P2 ended on the 14th, P3 is effective in March); renewed P3; suspended P4;
#    expired P2; paid the photo fee 5.00 (not allocated); allocated P1 28/3 + P2 14.00 = 23.33.
#  February PB: covered P8; new P8; paid 365.00; allocated 28.00.
#  March PA: covered P1 and P3; new P5 (Idle: counted, its 10.00 paid but not allocated); expired P9 (P6, never
#    paid, is not counted); paid 347.00 + 10.00; allocated P1 31/3 + P3 27.00 = 37.33.
#  March PB: covered P8 (P10 is Idle); new P10; allocated 31.00.
PRIMARY = [
    ["2026-01", "PA · Plan A", 3, 2, 5, 2, 0, 0, 0, D("120.00"), D("36.67")],
    ["2026-02", "PA · Plan A", 2, 2, 4, 0, 1, 1, 1, D("5.00"), D("23.33")],
    ["2026-02", "PB · Plan B", 1, 0, 1, 1, 0, 0, 0, D("365.00"), D("28.00")],
    ["2026-03", "PA · Plan A", 2, 2, 4, 1, 0, 0, 1, D("357.00"), D("37.33")],
    ["2026-03", "PB · Plan B", 1, 0, 1, 1, 0, 0, 0, D("0.00"), D("31.00")],
]
PRIMARY_TOTAL = ["Total", "", "", "", "", 5, 1, 1, 2, D("847.00"), D("156.33")]


@pytest.mark.django_db
def test_primary_indicators_csv(book, manager_a):
    rows = csv_rows(run_report(manager_a, "policy_primary_indicators", "csv"))
    assert rows[0] == [
        "Month",
        "Product",
        "Men covered",
        "Women covered",
        "Insurees covered",
        "New policies",
        "Renewed policies",
        "Suspended policies",
        "Expired policies",
        "Contributions paid",
        "Contributions allocated",
    ]
    assert rows[1:] == [[str(v) for v in r] for r in [*PRIMARY, PRIMARY_TOTAL]]


@pytest.mark.django_db
def test_primary_indicators_xlsx(book, manager_a):
    rows = xlsx_rows(run_report(manager_a, "policy_primary_indicators", "xlsx"))
    assert _cells(rows[1:]) == _cells([*PRIMARY, PRIMARY_TOTAL])


@pytest.mark.django_db
def test_primary_indicators_pdf(book, manager_a):
    text = pdf_text(run_report(manager_a, "policy_primary_indicators", "pdf"))
    assert "Primary operational indicators: policies" in text and "PA · Plan A" in text
    assert "156.33" in text and "847.00" in text and "999.00" not in text


@pytest.mark.django_db
def test_primary_indicators_national_and_filters(book, accountant, country):
    rows = csv_rows(run_report(accountant, "policy_primary_indicators", "csv"))
    # P7 of district B: January, covered (a man), new, 999.00 paid; 27 days allocated (999 / 365 a day).
    assert rows[1] == ["2026-01", "PA · Plan A", "4", "2", "6", "3", "0", "0", "0", "1119.00", "110.57"]
    only_b = csv_rows(run_report(accountant, "policy_primary_indicators", "csv", location=country.district_b.pk))
    assert [r[:2] for r in only_b[1:]] == [
        ["2026-01", "PA · Plan A"],
        ["2026-02", "PA · Plan A"],
        ["2026-03", "PA · Plan A"],
        ["Total", ""],
    ]
    only_pb = csv_rows(run_report(accountant, "policy_primary_indicators", "csv", product=book["PB"].pk))
    assert [r[1] for r in only_pb[1:-1]] == ["PB · Plan B", "PB · Plan B"]
    assert only_pb[-1][-2:] == ["365.00", "59.00"]


@pytest.mark.django_db
def test_primary_indicators_months_are_cut_to_the_period(book, manager_a):
    """From 15 February to 10 March: P3 renewed on the 15th, P2 expired the 14th (before), covered on 10 March
    (the period's end): P1, P3 (effective the 5th) and P9 (expires the 9th, so not); allocated 14 days in February
    (P1 14/3 = 4.67) and 10 in March (P1 10/3 + P3 6 days = 9.33)."""
    rows = csv_rows(
        run_report(manager_a, "policy_primary_indicators", "csv", date_from="2026-02-15", date_to="2026-03-10")
    )
    assert rows[1] == ["2026-02", "PA · Plan A", "2", "2", "4", "0", "1", "1", "0", "0.00", "4.67"]
    assert rows[3] == ["2026-03", "PA · Plan A", "2", "2", "4", "1", "0", "0", "1", "357.00", "9.33"]


# --- product sales -------------------------------------------------------------------------------------------------

# Policies starting in the period: PA P1 (New, 3 people, 120.00), P3 (Renewal, 1, 347.00), P4 (New, 2, 200.00),
# P5 (New, 1, 50.00); PB P8 (New, 1, 365.00), P10 (New, 1, 30.00). P2, P6 and P9 started in 2025.
SALES = [
    ["RA · Region A", "DA · District A", "PA · Plan A", 3, 1, 4, 7, D("717.00")],
    ["RA · Region A", "DA · District A", "PB · Plan B", 2, 0, 2, 2, D("395.00")],
]
SALES_TOTAL = ["Total", "", "", 5, 1, 6, 9, D("1112.00")]


@pytest.mark.django_db
def test_product_sales_csv(book, manager_a):
    rows = csv_rows(run_report(manager_a, "product_sales", "csv"))
    assert rows[0] == [
        "Region",
        "District",
        "Product",
        "New policies",
        "Renewals",
        "Policies",
        "Insurees covered",
        "Policy value",
    ]
    assert rows[1:] == [[str(v) for v in r] for r in [*SALES, SALES_TOTAL]]


@pytest.mark.django_db
def test_product_sales_xlsx(book, manager_a):
    rows = xlsx_rows(run_report(manager_a, "product_sales", "xlsx"))
    assert _cells(rows[1:]) == _cells([*SALES, SALES_TOTAL])


@pytest.mark.django_db
def test_product_sales_pdf(book, manager_a):
    text = pdf_text(run_report(manager_a, "product_sales", "pdf"))
    assert "Product sales" in text and "DA · District A" in text and "1,112.00" in text
    assert "Region B" not in text and "999.00" not in text


@pytest.mark.django_db
def test_product_sales_national_and_filters(book, accountant, country):
    rows = csv_rows(run_report(accountant, "product_sales", "csv"))
    assert rows[3] == ["RB · Region B", "DB · District B", "PA · Plan A", "1", "0", "1", "1", "999.00"]
    assert rows[4] == ["Total", "", "", "6", "1", "7", "10", "2111.00"]
    only_a = csv_rows(
        run_report(accountant, "product_sales", "csv", location=country.region_a.pk, product=book["PB"].pk)
    )
    assert only_a[1:] == [[str(v) for v in SALES[1]], ["Total", "", "", "2", "0", "2", "2", "395.00"]]


@pytest.mark.django_db
def test_scope_is_applied_whatever_the_stored_parameters(book, manager_a, country):
    """A district-A manager's jobs naming district B read nothing of district B."""
    for code in ("policy_primary_indicators", "product_sales", "derived_indicators", "enrolment_performance"):
        rows = csv_rows(run_report(manager_a, code, "csv", location=country.district_b.pk))
        assert rows[1:] == [["No data for these parameters."]], code


# --- derived operational indicators --------------------------------------------------------------------------------


def _claim(facility, insuree, policy: Policy, user, code: str, visit: date, valued: str, waited_hours: int) -> Claim:
    """A processed claim paid from `policy`, submitted the day after the visit and processed `waited_hours` later."""
    submitted = datetime(visit.year, visit.month, visit.day, 8, tzinfo=UTC) + timedelta(days=1)
    claim = Claim.objects.create(
        code=code,
        facility=facility,
        insuree=insuree,
        date_from=visit,
        date_claimed=visit,
        icd=DiagnosisFactory.create(),
        created_by=user,
        status=ClaimStatus.VALUATED,
        claimed=D(valued),
        approved=D(valued),
        valuated=D(valued),
        remunerated=D(valued),
        submitted_at=submitted,
        processed_at=submitted + timedelta(hours=waited_hours),
    )
    ClaimBooking.objects.create(claim=claim, policy=policy, insuree=insuree, remunerated=D(valued))
    return claim


@pytest.fixture
def claims(book, country, scheme_admin):
    """Valuated on P1 (F1's head): 48.20, visit 2026-02-10, processed 60 hours after submission; on P3 (F2's head):
    72.30, visit 2026-03-10, 24 hours; out of the period on P1: 500.00 (visit 2026-04-02)."""
    f = book["families"]
    hf = country.facility_a
    _claim(hf, f["F1"].head, book["P1"], scheme_admin, "C1", date(2026, 2, 10), "48.20", 60)
    _claim(hf, f["F2"].head, book["P3"], scheme_admin, "C2", date(2026, 3, 10), "72.30", 24)
    _claim(hf, f["F1"].head, book["P1"], scheme_admin, "C3", date(2026, 4, 2), "500.00", 1)


# Product, contributions collected, claims valuated, incurred claims ratio, expired, renewed, renewal ratio, in force
# at the start, new, growth ratio, claims, insured persons, claims per insured person, days to process.
#  PA: collected 120.00 + 5.00 + 347.00 + 10.00 = 482.00; claims 48.20 + 72.30 = 120.50 (25.00 %); expired in force
#    P2 (renewed by P3) and P9: 50.00 %; in force on 1 January P2 and P9, new P1, P4, P5: 150.00 %; insured: F1's
#    three, F2's head (P2 then P3), F7's head: 2 claims / 5 = 0.40; (2.5 + 1) / 2 = 1.75 days.
#  PB: collected 365.00, no claim; nothing expired nor in force on 1 January; new P8 and P10; insured F6's head.
DERIVED = [
    [
        "PA · Plan A",
        D("482.00"),
        D("120.50"),
        D("25.00"),
        2,
        1,
        D("50.00"),
        2,
        3,
        D("150.00"),
        2,
        5,
        D("0.40"),
        D("1.75"),
    ],
    ["PB · Plan B", D("365.00"), D("0.00"), D("0.00"), 0, 0, "", 0, 2, "", 0, 1, D("0.00"), ""],
]
DERIVED_TOTAL = [
    "Total",
    D("847.00"),
    D("120.50"),
    D("14.23"),
    2,
    1,
    D("50.00"),
    2,
    5,
    D("250.00"),
    2,
    6,
    D("0.33"),
    D("1.75"),
]


@pytest.mark.django_db
def test_derived_indicators_csv(claims, manager_a):
    rows = csv_rows(run_report(manager_a, "derived_indicators", "csv"))
    assert rows[0][:4] == ["Product", "Contributions collected", "Claims valuated", "Incurred claims ratio (%)"]
    assert rows[0][-3:] == ["Insured persons", "Claims per insured person", "Days to process (average)"]
    assert rows[1:] == [[str(v) for v in r] for r in [*DERIVED, DERIVED_TOTAL]]


@pytest.mark.django_db
def test_derived_indicators_xlsx(claims, manager_a):
    rows = xlsx_rows(run_report(manager_a, "derived_indicators", "xlsx"))
    assert _cells(rows[1:]) == _cells([*DERIVED, DERIVED_TOTAL])


@pytest.mark.django_db
def test_derived_indicators_pdf(claims, manager_a):
    text = pdf_text(run_report(manager_a, "derived_indicators", "pdf"))
    assert "Derived operational indicators" in text and "PA · Plan" in text and "PB · Plan" in text
    assert "Total 847.00 120.50 14.23 2 1 50.00 2 5 250.00 2 6 0.33 1.75" in text and "500.00" not in text


@pytest.mark.django_db
def test_derived_indicators_for_a_product(claims, manager_a, book):
    rows = csv_rows(run_report(manager_a, "derived_indicators", "csv", product=book["PB"].pk))
    assert rows[1:] == [[str(v) for v in DERIVED[1]], ["Total", *(str(v) for v in DERIVED[1][1:])]]


# --- enrolment performance -----------------------------------------------------------------------------------------

# Officer, families enrolled, new policies, renewals, insurees covered, contributions collected, expired without
# renewal (enrolment dates in the period):
#  officer A: P1 (F1's first policy, 3 people) and P10 (F2 had P2 before: not a family enrolled, 1 person); P1's
#    live contributions 120.00 + 5.00; P9 expired unrenewed (P2 was renewed, P6 was never in force; P4 was enrolled
#    in December).
#  officer B: P3 (renewal, 1 person) and P5 (F4's first, 1 person); 347.00 + 10.00.
#  no officer: P8 (F6's first, 1 person); 365.00.
ENROLMENT = [
    [OFFICER_A, 1, 2, 0, 4, D("125.00"), 1],
    [OFFICER_B, 1, 1, 1, 2, D("357.00"), 0],
    [NO_OFFICER, 1, 1, 0, 1, D("365.00"), 0],
]
ENROLMENT_TOTAL = ["Total", 3, 4, 1, 7, D("847.00"), 1]


@pytest.mark.django_db
def test_enrolment_performance_csv(book, manager_a):
    rows = csv_rows(run_report(manager_a, "enrolment_performance", "csv"))
    assert rows[0] == [
        "Enrolment officer",
        "Families enrolled",
        "New policies",
        "Renewals",
        "Insurees covered",
        "Contributions collected",
        "Expired without renewal",
    ]
    assert rows[1:] == [[str(v) for v in r] for r in [*ENROLMENT, ENROLMENT_TOTAL]]


@pytest.mark.django_db
def test_enrolment_performance_xlsx(book, manager_a):
    rows = xlsx_rows(run_report(manager_a, "enrolment_performance", "xlsx"))
    assert _cells(rows[1:]) == _cells([*ENROLMENT, ENROLMENT_TOTAL])


@pytest.mark.django_db
def test_enrolment_performance_pdf(book, manager_a):
    text = pdf_text(run_report(manager_a, "enrolment_performance", "pdf"))
    assert "Enrolment performance" in text and OFFICER_A in text and NO_OFFICER in text and "847.00" in text
    assert "999.00" not in text


@pytest.mark.django_db
def test_enrolment_performance_of_one_officer(book, manager_a, officers):
    rows = csv_rows(run_report(manager_a, "enrolment_performance", "csv", officer=officers[1].pk))
    assert rows[1:] == [[str(v) for v in ENROLMENT[1]], ["Total", *(str(v) for v in ENROLMENT[1][1:])]]


# --- policy renewals -----------------------------------------------------------------------------------------------


@pytest.fixture
def reminders(book, officers, country):
    """Reminders with a renewal date in the period:
      R1 P2, 2026-02-15, officer A: renewed (P3 renews P2);
      R2 P9, 2026-03-10, officer A: not renewed;
      R3 P6, 2026-02-01, officer B: not renewed;
      R4 P12 (family F8, PA, expired 2025-12-31), 2026-01-01, officer B: renewed (F8 bought P13 on PA, starting
         2026-01-10, without naming P12);
      R5 P4, 2026-03-15, no officer: not renewed;
    left out: P1's reminder (2026-04-05, after the period) and P7's (district B).
    By officer, district and product: A / DA / PA 2 due, 1 renewed; B / DA / PA 2 due, 1 renewed; none / DA / PA 1
    due, 0 renewed."""
    officer_a, officer_b = officers
    f8 = make_family(country.village_a1, members=0)
    p12 = _policy(
        f8,
        book["PA"],
        officer_b,
        status=EXPIRED,
        start=date(2025, 1, 1),
        effective=date(2025, 1, 1),
        expiry=date(2025, 12, 31),
    )
    _policy(f8, book["PA"], officer_b, start=date(2026, 1, 10), effective=date(2026, 1, 10), expiry=date(2027, 1, 9))
    for policy, day, officer in [
        (book["P2"], date(2026, 2, 15), officer_a),
        (book["P9"], date(2026, 3, 10), officer_a),
        (book["P6"], date(2026, 2, 1), officer_b),
        (p12, date(2026, 1, 1), officer_b),
        (book["P4"], date(2026, 3, 15), None),
        (book["P1"], date(2026, 4, 5), officer_a),
        (book["P7"], date(2026, 2, 1), officer_b),
    ]:
        PolicyRenewal.objects.create(
            policy=policy, new_product=book["PA"], officer=officer, renewal_date=day, prompt_date=date(2026, 1, 1)
        )


RENEWALS = [
    [OFFICER_A, "DA · District A", "PA · Plan A", 2, 1, 1],
    [OFFICER_B, "DA · District A", "PA · Plan A", 2, 1, 1],
    [NO_OFFICER, "DA · District A", "PA · Plan A", 1, 0, 1],
]
RENEWALS_TOTAL = ["Total", "", "", 5, 2, 3]


@pytest.mark.django_db
def test_policy_renewals_csv(reminders, manager_a):
    rows = csv_rows(run_report(manager_a, "policy_renewals", "csv"))
    assert rows[0] == ["Enrolment officer", "District", "Product", "Renewals due", "Renewed", "Not renewed yet"]
    assert rows[1:] == [[str(v) for v in r] for r in [*RENEWALS, RENEWALS_TOTAL]]


@pytest.mark.django_db
def test_policy_renewals_xlsx(reminders, manager_a):
    rows = xlsx_rows(run_report(manager_a, "policy_renewals", "xlsx"))
    assert _cells(rows[1:]) == _cells([*RENEWALS, RENEWALS_TOTAL])


@pytest.mark.django_db
def test_policy_renewals_pdf(reminders, manager_a):
    text = pdf_text(run_report(manager_a, "policy_renewals", "pdf"))
    assert "Policy renewals" in text and OFFICER_B in text and "District B" not in text


@pytest.mark.django_db
def test_policy_renewals_filters_and_scope(reminders, manager_a, accountant, officers, book, country):
    mine = csv_rows(run_report(manager_a, "policy_renewals", "csv", officer=officers[0].pk))
    assert mine[1:] == [[str(v) for v in RENEWALS[0]], ["Total", "", "", "2", "1", "1"]]
    assert csv_rows(run_report(manager_a, "policy_renewals", "csv", product=book["PB"].pk))[1:] == [
        ["No data for these parameters."]
    ]
    assert csv_rows(run_report(manager_a, "policy_renewals", "csv", location=country.district_b.pk))[1:] == [
        ["No data for these parameters."]
    ]
    national = csv_rows(run_report(accountant, "policy_renewals", "csv"))
    assert [OFFICER_B, "DB · District B", "PA · Plan A", "1", "0", "1"] in national
    assert national[-1] == ["Total", "", "", "6", "2", "4"]


@pytest.mark.django_db
def test_products_of_another_area_are_left_out(book, manager_a, accountant, country):
    """A product of district B is not sold in district A: a district-A manager's report leaves its policies out
    (here one of a district-A family, starting 2026-01-20, value 40.00), a national one lists it."""
    other = ProductFactory.create(code="PX", name="Plan X", date_from=date(2025, 1, 1), location=country.district_b)
    _policy(book["families"]["F3"], other, None, start=date(2026, 1, 20), effective=None, status=IDLE,
            expiry=date(2027, 1, 19), value="40.00", created_by=accountant)  # fmt: skip
    assert "PX · Plan X" not in [r[2] for r in csv_rows(run_report(manager_a, "product_sales", "csv"))]
    national = csv_rows(run_report(accountant, "product_sales", "csv"))
    assert ["RA · Region A", "DA · District A", "PX · Plan X", "1", "0", "1", "2", "40.00"] in national
