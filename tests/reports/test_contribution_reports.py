"""The contribution reports (collection, distribution, payment categories, matching funds, commissions, daily
payments): hand-computed figures in each format, scope, and the parameters that narrow them.

The data (`contributions` below) serves every report; the period is PERIOD, January to March 2026."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal as D
from typing import Any

import pytest
from django.utils import timezone

from insuree.models import Family
from openimis.accounts import roles
from openimis.accounts.models import User
from payer.models import Payer, PayerType
from policy.models import Contribution, InsureePolicy, PayType, Policy, PolicyStage, PolicyStatus, Product
from reports.registry import REPORTS
from tests.factories import UserFactory
from tests.insuree.factories import make_family
from tests.policy.factories import ProductFactory
from tests.reports.files import csv_rows, pdf_text, run_report, xlsx_rows


@dataclass
class Data:
    fam: Product
    ind: Product
    government: Payer
    donor: Payer
    officer_a: User
    officer_b: User


def _policy(
    family: Family, product: Product, user: User, *, stage: str, status: int, start: date, expiry: date,
    officer: User | None, effective: date | None = None,
) -> Policy:  # fmt: skip
    policy = Policy.objects.create(
        family=family, product=product, officer=officer, stage=stage, status=status, value=D("1000.00"),
        enroll_date=start, start_date=start, effective_date=effective, expiry_date=expiry, created_by=user,
    )  # fmt: skip
    for person in family.members.all():
        InsureePolicy.objects.create(
            insuree=person, policy=policy, enroll_date=start, start_date=start, effective_date=effective,
            expiry_date=expiry,
        )  # fmt: skip
    return policy


def _pay(policy: Policy, user: User, receipt: str, day: date, amount: str, pay_type: str, **extra: Any) -> None:
    Contribution.objects.create(
        policy=policy, amount=D(amount), receipt=receipt, pay_date=day, pay_type=pay_type, created_by=user, **extra
    )


@pytest.fixture
def contributions(country, scheme_admin) -> Data:
    """Products: FAM (registration fee 5.00 a member, general assembly lump sum 20.00) and IND (no fees).
    Payers: a government and a donor. Officers: officer A (district A), officer B (district B).

    District A:
      A1  FAM, new, Active, officer A, 2 members covered, 2026-01-01..2026-12-31 (365 days), effective 01-01
          R-001  2026-01-01  cash     365.00                 (1.00 a day from 01-01)
          R-002  2026-01-01  cash       3.65  photo fee      (0.01 a day from 01-01)
          R-007  2026-04-02  cash      30.00                 out of the period
      A2  FAM, renewal, Active, officer A, 1 member, 2026-02-01..2027-01-31 (365 days), effective 02-01
          R-003  2026-02-01  funding  365.00  government     (1.00 a day from 02-01)
          R-004  2026-03-15  bank     323.00                 (1.00 a day from 03-15: 323 days to 2027-01-31)
      A3  IND, new, Idle, no officer, 2026-03-01..2027-02-28
          R-005  2026-03-20  cash      50.00  donor          (never allocated: Idle)
          R-006  2026-03-21  cash     999.00  cancelled      counted nowhere
      A4  FAM, new, Idle, officer A, 2 members covered, 2026-04-01..2027-03-31
          R-009  2026-01-20  cash      15.00                 (never allocated: Idle)
          R-010  2026-03-05  cash     100.00
    District B:
      B1  IND, new, Active, officer B, 2026-01-01..2026-12-31
          R-008  2026-01-15  cash      77.00
    In the period, district A: 7 live payments, 1,221.65 (FAM 1,171.65, IND 50.00).
    """
    fam = ProductFactory.create(
        code="FAM", name="Family", registration_fee=D("5.00"), general_assembly_lump_sum=D("20.00")
    )
    ind = ProductFactory.create(code="IND", name="Individual")
    government = Payer.objects.create(type=PayerType.GOVERNMENT, name="Ministry")
    donor = Payer.objects.create(type=PayerType.DONOR, name="Friends")
    officer_a = UserFactory.create(
        username="officer_a", first_name="Ann", last_name="Adams", role=roles.ENROLMENT_OFFICER,
        scope=[country.district_a],
    )  # fmt: skip
    officer_b = UserFactory.create(
        username="officer_b", first_name="Ben", last_name="Brown", role=roles.ENROLMENT_OFFICER,
        scope=[country.district_b],
    )  # fmt: skip
    user = scheme_admin
    year = {"start": date(2026, 1, 1), "expiry": date(2026, 12, 31)}
    a1 = _policy(
        make_family(country.village_a1, members=1), fam, user, stage=PolicyStage.NEW, status=PolicyStatus.ACTIVE,
        officer=officer_a, effective=date(2026, 1, 1), **year,
    )  # fmt: skip
    _pay(a1, user, "R-001", date(2026, 1, 1), "365.00", PayType.CASH)
    _pay(a1, user, "R-002", date(2026, 1, 1), "3.65", PayType.CASH, is_photo_fee=True)
    _pay(a1, user, "R-007", date(2026, 4, 2), "30.00", PayType.CASH)
    a2 = _policy(
        make_family(country.village_a2, members=0), fam, user, stage=PolicyStage.RENEWAL, status=PolicyStatus.ACTIVE,
        officer=officer_a, start=date(2026, 2, 1), expiry=date(2027, 1, 31), effective=date(2026, 2, 1),
    )  # fmt: skip
    _pay(a2, user, "R-003", date(2026, 2, 1), "365.00", PayType.FUNDING, payer=government)
    _pay(a2, user, "R-004", date(2026, 3, 15), "323.00", PayType.BANK)
    a3 = _policy(
        make_family(country.village_a1, members=0), ind, user, stage=PolicyStage.NEW, status=PolicyStatus.IDLE,
        officer=None, start=date(2026, 3, 1), expiry=date(2027, 2, 28),
    )  # fmt: skip
    _pay(a3, user, "R-005", date(2026, 3, 20), "50.00", PayType.CASH, payer=donor)
    _pay(
        a3, user, "R-006", date(2026, 3, 21), "999.00", PayType.CASH, cancelled_at=timezone.now(), cancelled_by=user,
        cancel_reason="Typing error",
    )  # fmt: skip
    a4 = _policy(
        make_family(country.village_a2, members=1), fam, user, stage=PolicyStage.NEW, status=PolicyStatus.IDLE,
        officer=officer_a, start=date(2026, 4, 1), expiry=date(2027, 3, 31),
    )  # fmt: skip
    _pay(a4, user, "R-009", date(2026, 1, 20), "15.00", PayType.CASH)
    _pay(a4, user, "R-010", date(2026, 3, 5), "100.00", PayType.CASH)
    b1 = _policy(
        make_family(country.village_b1, members=0), ind, user, stage=PolicyStage.NEW, status=PolicyStatus.ACTIVE,
        officer=officer_b, effective=date(2026, 1, 1), **year,
    )  # fmt: skip
    _pay(b1, user, "R-008", date(2026, 1, 15), "77.00", PayType.CASH)
    return Data(fam, ind, government, donor, officer_a, officer_b)


def _decimals(row: list[Any]) -> list[Any]:
    """An XLSX row with its numbers as Decimal to the cent (openpyxl gives floats), counts left as they are."""
    return [D(str(v)).quantize(D("0.01")) if isinstance(v, float) else v for v in row]


def test_every_contribution_report_is_registered():
    codes = {
        "contribution_collection",
        "contribution_distribution",
        "payment_category_overview",
        "matching_funds",
        "commissions",
        "contribution_payment",
    }
    assert codes <= set(REPORTS)
    assert REPORTS["commissions"].required == ("date_from", "date_to", "rate")


# --- contribution collection -------------------------------------------------------------------------------------

# District A, per product and payment type (R-006 cancelled, R-007 after the period):
#   FAM bank 1 x 323.00; FAM cash R-001 + R-002 + R-009 + R-010 = 4, 483.65; FAM funding 1 x 365.00; IND cash 1 x 50.00
COLLECTION_A = [
    ["RA · Region A", "DA · District A", "FAM · Family", "Bank transfer", "1", "323.00"],
    ["RA · Region A", "DA · District A", "FAM · Family", "Cash", "4", "483.65"],
    ["RA · Region A", "DA · District A", "FAM · Family", "Funding", "1", "365.00"],
    ["RA · Region A", "DA · District A", "IND · Individual", "Cash", "1", "50.00"],
]


@pytest.mark.django_db
def test_collection_csv(contributions, manager_a):
    rows = csv_rows(run_report(manager_a, "contribution_collection", "csv"))
    assert rows[0] == ["Region", "District", "Product", "Payment type", "Payments", "Amount"]
    assert rows[1:] == [*COLLECTION_A, ["Total", "", "", "", "7", "1221.65"]]


@pytest.mark.django_db
def test_collection_xlsx(contributions, manager_a):
    rows = xlsx_rows(run_report(manager_a, "contribution_collection", "xlsx"))
    assert _decimals(rows[2]) == ["RA · Region A", "DA · District A", "FAM · Family", "Cash", 4, D("483.65")]
    assert _decimals(rows[5]) == ["Total", None, None, None, 7, D("1221.65")]
    assert len(rows) == 6


@pytest.mark.django_db
def test_collection_pdf(contributions, manager_a):
    text = pdf_text(run_report(manager_a, "contribution_collection", "pdf"))
    assert "Contribution collection" in text and "DA · District A" in text
    assert "483.65" in text and "1,221.65" in text
    assert "District B" not in text and "77.00" not in text and "999.00" not in text


@pytest.mark.django_db
def test_collection_national_and_filters(contributions, accountant, country):
    rows = csv_rows(run_report(accountant, "contribution_collection", "csv"))
    assert rows[1:-1] == [*COLLECTION_A, ["RB · Region B", "DB · District B", "IND · Individual", "Cash", "1", "77.00"]]
    assert rows[-1] == ["Total", "", "", "", "8", "1298.65"]
    only_b = csv_rows(run_report(accountant, "contribution_collection", "csv", location=country.district_b.pk))
    assert only_b[1:] == [
        ["RB · Region B", "DB · District B", "IND · Individual", "Cash", "1", "77.00"],
        ["Total", "", "", "", "1", "77.00"],
    ]
    ind = csv_rows(run_report(accountant, "contribution_collection", "csv", product=contributions.ind.pk))
    assert [r[2] for r in ind[1:-1]] == ["IND · Individual", "IND · Individual"] and ind[-1][-1] == "127.00"
    paid_by = csv_rows(run_report(accountant, "contribution_collection", "csv", payer=contributions.government.pk))
    assert paid_by[1:] == [
        ["RA · Region A", "DA · District A", "FAM · Family", "Funding", "1", "365.00"],
        ["Total", "", "", "", "1", "365.00"],
    ]


# --- contribution distribution -----------------------------------------------------------------------------------

# FAM, allocated a day: R-001 1.00 and R-002 0.01 from 01-01, R-003 1.00 from 02-01, R-004 1.00 from 03-15; A4 and A3
# are Idle (never allocated).
#   January:  collected 365.00 + 3.65 + 15.00 = 383.65; allocated 31 x 1.01 = 31.31;
#             not allocated 383.65 - 31.31 = 352.34
#   February: collected 365.00; allocated 28 x 2.01 = 56.28; not allocated 748.65 - 87.59 = 661.06
#   March:    collected 323.00 + 100.00 = 423.00; allocated 31 x 2.01 + 17 x 1.00 = 79.31;
#             not allocated 1,171.65 - 166.90 = 1,004.75
# IND, March: collected 50.00, allocated 0.00, not allocated 50.00 (nothing before March).
DISTRIBUTION_A = [
    ["2026-01", "FAM · Family", "383.65", "31.31", "352.34"],
    ["2026-02", "FAM · Family", "365.00", "56.28", "661.06"],
    ["2026-03", "FAM · Family", "423.00", "79.31", "1004.75"],
    ["2026-03", "IND · Individual", "50.00", "0.00", "50.00"],
]


@pytest.mark.django_db
def test_distribution_csv(contributions, manager_a):
    rows = csv_rows(run_report(manager_a, "contribution_distribution", "csv"))
    assert rows[0] == ["Month", "Product", "Collected", "Allocated", "Not allocated"]
    assert rows[1:] == [*DISTRIBUTION_A, ["Total", "", "1221.65", "166.90", ""]]


@pytest.mark.django_db
def test_distribution_xlsx(contributions, manager_a):
    rows = xlsx_rows(run_report(manager_a, "contribution_distribution", "xlsx"))
    assert _decimals(rows[3]) == ["2026-03", "FAM · Family", D("423.00"), D("79.31"), D("1004.75")]
    assert _decimals(rows[5]) == ["Total", None, D("1221.65"), D("166.90"), None]


@pytest.mark.django_db
def test_distribution_pdf(contributions, manager_a):
    text = pdf_text(run_report(manager_a, "contribution_distribution", "pdf"))
    assert "Contribution distribution" in text and "2026-02" in text
    assert "1,004.75" in text and "166.90" in text and "77.00" not in text


@pytest.mark.django_db
def test_distribution_of_a_period_starting_mid_month(contributions, manager_a):
    """From 15 February: February's window is 15..28 February (14 days): nothing paid, 14 x 2.01 = 28.14 allocated,
    the balance at its end unchanged (661.06); R-001, paid before the period, is still allocated in it."""
    rows = csv_rows(run_report(manager_a, "contribution_distribution", "csv", date_from="2026-02-15"))
    assert rows[1:] == [
        ["2026-02", "FAM · Family", "0.00", "28.14", "661.06"],
        ["2026-03", "FAM · Family", "423.00", "79.31", "1004.75"],
        ["2026-03", "IND · Individual", "50.00", "0.00", "50.00"],
        ["Total", "", "473.00", "107.45", ""],
    ]


@pytest.mark.django_db
def test_distribution_of_one_product_and_district(contributions, accountant, country):
    rows = csv_rows(run_report(accountant, "contribution_distribution", "csv", product=contributions.ind.pk))
    # B1: 77.00 paid 15 January, 1/365 of it a day from that day: 17, 28 and 31 days of 77.00 / 351
    assert rows[1:] == [
        ["2026-01", "IND · Individual", "77.00", "3.73", "73.27"],
        ["2026-02", "IND · Individual", "0.00", "6.14", "67.13"],
        ["2026-03", "IND · Individual", "50.00", "6.80", "110.33"],
        ["Total", "", "127.00", "16.67", ""],
    ]
    only_a = csv_rows(run_report(accountant, "contribution_distribution", "csv", location=country.district_a.pk))
    assert only_a[1:] == [*DISTRIBUTION_A, ["Total", "", "1221.65", "166.90", ""]]


# --- payment category overview -----------------------------------------------------------------------------------

# FAM owes 20.00 for the general assembly, and a new policy 5.00 a covered member for registration.
#   A1 (new, 2 members: registration 10.00): R-001 365.00 -> 10.00 + 20.00 + 335.00; R-002 3.65 photo fee
#   A2 (renewal): R-003 + R-004 688.00 -> assembly 20.00, contribution 668.00
#   A4 (new, 2 members): R-009 + R-010 115.00 -> 10.00 + 20.00 + 85.00
#   FAM: registration 20.00, assembly 60.00, contribution 1,088.00, photo 3.65, total 1,171.65
#   IND: R-005 50.00, contribution.
CATEGORIES_A = [
    ["DA · District A", "FAM · Family", "20.00", "60.00", "1088.00", "3.65", "1171.65"],
    ["DA · District A", "IND · Individual", "0.00", "0.00", "50.00", "0.00", "50.00"],
]


@pytest.mark.django_db
def test_payment_categories_csv(contributions, manager_a):
    rows = csv_rows(run_report(manager_a, "payment_category_overview", "csv"))
    assert rows[0] == [
        "District", "Product", "Registration fees", "General assembly fees", "Contributions", "Photo fees", "Total"
    ]  # fmt: skip
    assert rows[1:] == [*CATEGORIES_A, ["Total", "", "20.00", "60.00", "1138.00", "3.65", "1221.65"]]


@pytest.mark.django_db
def test_payment_categories_xlsx(contributions, manager_a):
    rows = xlsx_rows(run_report(manager_a, "payment_category_overview", "xlsx"))
    assert _decimals(rows[1]) == [
        "DA · District A", "FAM · Family", D("20.00"), D("60.00"), D("1088.00"), D("3.65"), D("1171.65")
    ]  # fmt: skip
    assert len(rows) == 4


@pytest.mark.django_db
def test_payment_categories_pdf(contributions, manager_a):
    text = pdf_text(run_report(manager_a, "payment_category_overview", "pdf"))
    assert "Payment category overview" in text and "1,088.00" in text and "3.65" in text
    assert "District B" not in text and "77.00" not in text


@pytest.mark.django_db
def test_payment_categories_count_earlier_payments_first(contributions, manager_a):
    """March alone: A2's R-003 (February) paid its assembly fee, so R-004 is all contribution; A4's R-009 (January,
    15.00) paid the registration and 5.00 of the assembly, so R-010 pays 15.00 of assembly and 85.00 of contribution."""
    rows = csv_rows(
        run_report(manager_a, "payment_category_overview", "csv", date_from="2026-03-01", date_to="2026-03-31")
    )
    assert rows[1:] == [
        ["DA · District A", "FAM · Family", "0.00", "15.00", "408.00", "0.00", "423.00"],
        ["DA · District A", "IND · Individual", "0.00", "0.00", "50.00", "0.00", "50.00"],
        ["Total", "", "0.00", "15.00", "458.00", "0.00", "473.00"],
    ]


@pytest.mark.django_db
def test_payment_categories_filters(contributions, accountant, country):
    rows = csv_rows(run_report(accountant, "payment_category_overview", "csv", product=contributions.ind.pk))
    assert [r[0] for r in rows[1:]] == ["DA · District A", "DB · District B", "Total"]
    assert rows[-1][-1] == "127.00"
    only_b = csv_rows(run_report(accountant, "payment_category_overview", "csv", location=country.district_b.pk))
    assert only_b[1] == ["DB · District B", "IND · Individual", "0.00", "0.00", "77.00", "0.00", "77.00"]


# --- matching funds ----------------------------------------------------------------------------------------------

# FAM: families, R-010 = 806.65; government R-003 365.00; share 365.00 / 1,171.65 = 31.15 %
# IND: donor R-005 50.00; share 100 %. Total: families 806.65, payers 415.00 of 1,221.65 = 33.97 %.
# columns: district, product, families, co-operative, donor, government, local authority, other, private, payers,
# total, share
MATCHING_FAM = ["DA · District A", "FAM · Family", "806.65", "0.00", "0.00", "365.00", "0.00", "0.00", "0.00",
                "365.00", "1171.65", "31.15"]  # fmt: skip
MATCHING_IND = ["DA · District A", "IND · Individual", "0.00", "0.00", "50.00", "0.00", "0.00", "0.00", "0.00",
                "50.00", "50.00", "100.00"]  # fmt: skip


@pytest.mark.django_db
def test_matching_funds_csv(contributions, manager_a):
    rows = csv_rows(run_report(manager_a, "matching_funds", "csv"))
    assert rows[0] == [
        "District", "Product", "Paid by families", "Co-operative", "Donor", "Government", "Local authority", "Other",
        "Private organisation", "Paid by payers", "Total", "Paid by payers (%)",
    ]  # fmt: skip
    assert rows[1:] == [
        MATCHING_FAM,
        MATCHING_IND,
        ["Total", "", "806.65", "0.00", "50.00", "365.00", "0.00", "0.00", "0.00", "415.00", "1221.65", "33.97"],
    ]


@pytest.mark.django_db
def test_matching_funds_xlsx(contributions, manager_a):
    rows = xlsx_rows(run_report(manager_a, "matching_funds", "xlsx"))
    assert _decimals(rows[1])[9:] == [D("365.00"), D("1171.65"), D("31.15")]
    assert _decimals(rows[3])[-3:] == [D("415.00"), D("1221.65"), D("33.97")]


@pytest.mark.django_db
def test_matching_funds_pdf(contributions, manager_a):
    text = pdf_text(run_report(manager_a, "matching_funds", "pdf"))
    assert "Matching funds" in text and "806.65" in text and "33.97" in text and "77.00" not in text


@pytest.mark.django_db
def test_matching_funds_of_one_payer(contributions, manager_a):
    """With the government: its contributions and the families' own; the donor's 50.00 is left out."""
    rows = csv_rows(run_report(manager_a, "matching_funds", "csv", payer=contributions.government.pk))
    assert rows[1:] == [
        MATCHING_FAM,
        ["Total", "", "806.65", "0.00", "0.00", "365.00", "0.00", "0.00", "0.00", "365.00", "1171.65", "31.15"],
    ]


# --- commissions -------------------------------------------------------------------------------------------------

# Officer A: new policies A1 and A4, R-010 = 4 payments, 483.65; renewal A2: R-004 323.00 (R-003
# is a funding: no commission); total 806.65; at 10 %: 80.665, 80.67. A3 has no officer. Officer B: B1 77.00 -> 7.70.
COMMISSION_A = ["Ann Adams (officer_a)", "4", "483.65", "1", "323.00", "806.65", "80.67"]


@pytest.mark.django_db
def test_commissions_csv(contributions, manager_a):
    rows = csv_rows(run_report(manager_a, "commissions", "csv", rate="10"))
    assert rows[0] == [
        "Enrolment officer", "Payments on new policies", "Paid on new policies", "Payments on renewals",
        "Paid on renewals", "Total paid", "Commission",
    ]  # fmt: skip
    assert rows[1:] == [COMMISSION_A, ["Total", "4", "483.65", "1", "323.00", "806.65", "80.67"]]


@pytest.mark.django_db
def test_commissions_xlsx(contributions, manager_a):
    rows = xlsx_rows(run_report(manager_a, "commissions", "xlsx", rate="10"))
    assert _decimals(rows[1]) == ["Ann Adams (officer_a)", 4, D("483.65"), 1, D("323.00"), D("806.65"), D("80.67")]


@pytest.mark.django_db
def test_commissions_pdf(contributions, manager_a):
    text = pdf_text(run_report(manager_a, "commissions", "pdf", rate="10"))
    assert "Overview of commissions" in text and "Ann Adams (officer_a)" in text and "80.67" in text
    assert "Commission rate" in text and "Ben Brown" not in text


@pytest.mark.django_db
def test_commissions_national_per_officer_and_without_a_rate(contributions, accountant):
    rows = csv_rows(run_report(accountant, "commissions", "csv", rate="10"))
    assert rows[1:] == [
        COMMISSION_A,
        ["Ben Brown (officer_b)", "1", "77.00", "0", "0.00", "77.00", "7.70"],
        ["Total", "5", "560.65", "1", "323.00", "883.65", "88.37"],
    ]
    one = csv_rows(run_report(accountant, "commissions", "csv", rate="10", officer=contributions.officer_b.pk))
    assert [r[0] for r in one[1:]] == ["Ben Brown (officer_b)", "Total"]
    no_rate = csv_rows(run_report(accountant, "commissions", "csv"))
    assert [r[-1] for r in no_rate[1:]] == ["0.00", "0.00", "0.00"]


# --- contribution payment ----------------------------------------------------------------------------------------

PAYMENTS_A = [
    ["2026-01-01", "Cash", "2", "368.65", "R-001", "R-002"],
    ["2026-01-20", "Cash", "1", "15.00", "R-009", "R-009"],
    ["2026-02-01", "Funding", "1", "365.00", "R-003", "R-003"],
    ["2026-03-05", "Cash", "1", "100.00", "R-010", "R-010"],
    ["2026-03-15", "Bank transfer", "1", "323.00", "R-004", "R-004"],
    ["2026-03-20", "Cash", "1", "50.00", "R-005", "R-005"],
]


@pytest.mark.django_db
def test_contribution_payment_csv(contributions, manager_a):
    rows = csv_rows(run_report(manager_a, "contribution_payment", "csv"))
    assert rows[0] == ["Day", "Payment type", "Payments", "Amount", "First receipt", "Last receipt"]
    assert rows[1:] == [*PAYMENTS_A, ["Total", "", "7", "1221.65", "", ""]]


@pytest.mark.django_db
def test_contribution_payment_xlsx(contributions, manager_a):
    rows = xlsx_rows(run_report(manager_a, "contribution_payment", "xlsx"))
    assert _decimals(rows[1]) == ["2026-01-01", "Cash", 2, D("368.65"), "R-001", "R-002"]
    assert _decimals(rows[-1]) == ["Total", None, 7, D("1221.65"), None, None]


@pytest.mark.django_db
def test_contribution_payment_pdf(contributions, manager_a):
    text = pdf_text(run_report(manager_a, "contribution_payment", "pdf"))
    assert "Contribution payment" in text and "2026-03-15" in text and "R-004" in text
    assert "R-008" not in text and "R-006" not in text and "R-007" not in text


@pytest.mark.django_db
def test_contribution_payment_of_one_payer(contributions, accountant):
    rows = csv_rows(run_report(accountant, "contribution_payment", "csv", payer=contributions.donor.pk))
    assert rows[1:] == [["2026-03-20", "Cash", "1", "50.00", "R-005", "R-005"], ["Total", "", "1", "50.00", "", ""]]


# --- scope -------------------------------------------------------------------------------------------------------

CONTRIBUTION_REPORTS = [
    "contribution_collection",
    "contribution_distribution",
    "payment_category_overview",
    "matching_funds",
    "commissions",
    "contribution_payment",
]


@pytest.mark.django_db
@pytest.mark.parametrize("code", CONTRIBUTION_REPORTS)
def test_scope_is_applied_whatever_the_stored_location(contributions, manager_a, country, code):
    """A district-A manager's job naming district B (e.g. a forged request) reads nothing of district B."""
    rows = csv_rows(run_report(manager_a, code, "csv", location=country.district_b.pk, rate="10"))
    assert rows[1:] == [["No data for these parameters."]]


@pytest.mark.django_db
@pytest.mark.parametrize("code", CONTRIBUTION_REPORTS)
def test_a_manager_without_an_area_sees_nothing(contributions, code):
    manager = UserFactory.create(username="manager_nowhere", role=roles.MANAGER)
    rows = csv_rows(run_report(manager, code, "csv", rate="10"))
    assert rows[1:] == [["No data for these parameters."]]


@pytest.mark.django_db
def test_a_payer_outside_the_area_narrows_to_nothing(contributions, manager_a, country):
    """A district-B payer stored in a district-A manager's job: none of its payments, only the families' own."""
    payer_b = Payer.objects.create(type=PayerType.GOVERNMENT, name="District B council", location=country.district_b)
    Contribution.objects.filter(receipt="R-003").update(payer=payer_b)
    for code in ("contribution_collection", "contribution_payment"):
        rows = csv_rows(run_report(manager_a, code, "csv", payer=payer_b.pk))
        assert rows[1:] == [["No data for these parameters."]]
    matching = csv_rows(run_report(manager_a, "matching_funds", "csv", payer=payer_b.pk))
    assert matching[1:] == [
        ["DA · District A", "FAM · Family", "806.65", "0.00", "0.00", "0.00", "0.00", "0.00", "0.00", "0.00",
         "806.65", "0.00"],
        ["Total", "", "806.65", "0.00", "0.00", "0.00", "0.00", "0.00", "0.00", "0.00", "806.65", "0.00"],
    ]  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("code", CONTRIBUTION_REPORTS)
def test_a_district_b_officer_sees_nothing_of_district_a(contributions, country, code):
    manager_b = UserFactory.create(username="manager_b", role=roles.MANAGER, scope=[country.district_b])
    text = "\n".join(",".join(r) for r in csv_rows(run_report(manager_b, code, "csv", rate="10")))
    assert "77.00" in text
    assert "District A" not in text and "Ann Adams" not in text and "FAM" not in text and "R-001" not in text
