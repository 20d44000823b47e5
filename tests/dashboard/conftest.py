"""A small scheme for the dashboard, dated relative to today so the page's months hold it:

District A (village A1, facility A)
- family A1 (2 people): a new policy enrolled last month, value 100.00, Active; paid 60.00 (plus a photo fee of 5.00
  and a cancelled 40.00, neither counted); both members covered today;
- family A2 (1 person): a renewal enrolled today, value 50.00, Idle (nobody covered);
- family A3 (1 person): a policy enrolled 12 months ago (outside the window), Active, covering today and ending this
  month, already renewed by a policy enrolled today (value 80.00, Idle, starting next month).
- claims: C1 Valuated (claimed 30.00, valuated 25.50, passed automatically, today), C2 Rejected reason 3 (12.00,
  today), C3 Checked and waiting for review (100.00, last month), C4 Entered (8.00, today), C5 Rejected reason 3
  (5.00, two months ago), C6 Rejected reason 5 (7.00, today).
District B (village B1, facility B)
- family B1 (1 person): a new policy enrolled today, value 70.00, Active, paid 70.00, covered today;
- claim C7 Processed (claimed 40.00, valuated 40.00, passed automatically, today).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from claim.models import Claim, ClaimStatus, ReviewStatus
from dashboard.figures import month_start
from openimis.accounts import roles
from policy.models import Contribution, InsureePolicy, Policy, PolicyStage, PolicyStatus
from tests.factories import UserFactory
from tests.insuree.factories import make_family
from tests.medical.factories import DiagnosisFactory
from tests.policy.factories import ProductFactory


@dataclass
class Dates:
    today: date
    last_month: date  # a day of last month
    two_months_ago: date

    def key(self, day: date) -> str:
        return day.strftime("%Y-%m")


@pytest.fixture
def dates() -> Dates:
    today = timezone.localdate()
    return Dates(today, month_start(today, -1) + timedelta(days=9), month_start(today, -2) + timedelta(days=3))


def _policy(family, product, user, *, enroll: date, start: date, expiry: date, value: str, **fields) -> Policy:
    policy = Policy.objects.create(
        family=family, product=product, value=D(value), enroll_date=enroll, start_date=start, expiry_date=expiry,
        created_by=user, **fields,
    )  # fmt: skip
    effective = policy.effective_date
    for person in family.members.all():
        InsureePolicy.objects.create(
            insuree=person, policy=policy, enroll_date=enroll, start_date=start, effective_date=effective,
            expiry_date=expiry,
        )  # fmt: skip
    return policy


def _paid(policy: Policy, user, receipt: str, amount: str, **fields) -> None:
    Contribution.objects.create(
        policy=policy, amount=D(amount), receipt=receipt, pay_date=policy.enroll_date, pay_type="C", created_by=user,
        **fields,
    )  # fmt: skip


def _claim(facility, insuree, user, code: str, day: date, status: int, claimed: str, **fields) -> Claim:
    submitted = None if status == ClaimStatus.ENTERED else timezone.make_aware(datetime.combine(day, time(10)))
    return Claim.objects.create(
        code=code, facility=facility, insuree=insuree, date_from=day, date_claimed=day, icd=DiagnosisFactory.create(),
        created_by=user, status=status, claimed=D(claimed), submitted_at=submitted, **fields,
    )  # fmt: skip


@pytest.fixture
def scheme(country, scheme_admin, dates):
    user, today = scheme_admin, dates.today
    product = ProductFactory.create(code="DASH", date_from=date(2020, 1, 1))
    year = timedelta(days=364)
    end_of_month = month_start(today, 1) - timedelta(days=1)

    a1 = make_family(country.village_a1, members=1)
    p1 = _policy(
        a1, product, user, enroll=dates.last_month, start=dates.last_month, expiry=dates.last_month + year,
        value="100.00", status=PolicyStatus.ACTIVE, effective_date=dates.last_month,
    )  # fmt: skip
    _paid(p1, user, "A1-1", "60.00")
    _paid(p1, user, "A1-PHOTO", "5.00", is_photo_fee=True)
    _paid(p1, user, "A1-X", "40.00", cancelled_at=timezone.now(), cancel_reason="wrong family")

    a2 = make_family(country.village_a1, members=0)
    _policy(a2, product, user, enroll=today, start=today, expiry=today + year, value="50.00", stage=PolicyStage.RENEWAL)

    a3 = make_family(country.village_a1, members=0)
    old_start = month_start(today, -11)
    p3 = _policy(
        a3, product, user, enroll=month_start(today, -12) + timedelta(days=5), start=old_start, expiry=end_of_month,
        value="90.00", status=PolicyStatus.ACTIVE, effective_date=old_start,
    )  # fmt: skip
    _policy(
        a3, product, user, enroll=today, start=end_of_month + timedelta(days=1),
        expiry=end_of_month + timedelta(days=1) + year, value="80.00", stage=PolicyStage.RENEWAL, previous=p3,
    )  # fmt: skip

    b1 = make_family(country.village_b1, members=0)
    pb = _policy(
        b1, product, user, enroll=today, start=today, expiry=today + year, value="70.00", status=PolicyStatus.ACTIVE,
        effective_date=today,
    )  # fmt: skip
    _paid(pb, user, "B1-1", "70.00")

    fa, fb, person = country.facility_a, country.facility_b, a1.head
    passed = {"review_status": ReviewStatus.NOT_SELECTED}
    _claim(fa, person, user, "C1", today, ClaimStatus.VALUATED, "30.00", valuated=D("25.50"), **passed)
    _claim(fa, person, user, "C2", today, ClaimStatus.REJECTED, "12.00", rejection_reason=3)
    _claim(fa, person, user, "C3", dates.last_month, ClaimStatus.CHECKED, "100.00", review_status=ReviewStatus.SELECTED)
    _claim(fa, person, user, "C4", today, ClaimStatus.ENTERED, "8.00")
    _claim(fa, person, user, "C5", dates.two_months_ago, ClaimStatus.REJECTED, "5.00", rejection_reason=3)
    _claim(fa, person, user, "C6", today, ClaimStatus.REJECTED, "7.00", rejection_reason=5)
    _claim(fb, b1.head, user, "C7", today, ClaimStatus.PROCESSED, "40.00", valuated=D("40.00"), **passed)
    return product


@pytest.fixture
def manager(country):
    """A manager of the whole (test) country."""
    return UserFactory.create(username="manager", role=roles.MANAGER, scope=[country.region_a, country.region_b])


@pytest.fixture
def manager_a(country):
    """A manager of district A only."""
    return UserFactory.create(username="manager_a", role=roles.MANAGER, scope=[country.district_a])


@pytest.fixture
def accountant(country):
    return UserFactory.create(username="accountant", role=roles.ACCOUNTANT, scope=[country.region_a, country.region_b])
