"""Submitting entered claims: facts gathered from the database for the set, the rules of claim.checks applied,
the outcome written on every line and on the claim."""

from datetime import date
from decimal import Decimal

import pytest

from claim import services, submission
from claim.exceptions import ClaimStateError
from claim.models import Claim, ClaimItem, ClaimService, ClaimStatus, LineStatus
from medical.models import (
    FacilityPriceLists,
    ItemPriceList,
    ItemPriceListEntry,
    ServicePriceList,
    ServicePriceListEntry,
)
from policy import contributions, enrolment
from policy.models import ProductItem, ProductService
from tests.insuree.factories import make_family
from tests.medical.factories import DiagnosisFactory
from tests.policy.conftest import ENROL
from tests.policy.factories import ItemFactory, ServiceFactory

pytestmark = pytest.mark.django_db
VISIT = date(2026, 5, 4)


@pytest.fixture
def insured(eo_a, sale, country):
    """A paid policy on a product covering AMX250 (co-insurance 80 %) and CONS, at facility A's price lists."""
    DiagnosisFactory.create(code="B54", name="Malaria")
    amx = ItemFactory.create(code="AMX250", price=Decimal("300"))
    cons = ServiceFactory.create(code="CONS", price=Decimal("5000"), category="C")
    ServiceFactory.create(code="XRAY", price=Decimal("9000"))  # in no price list, covered by no product
    ProductItem.objects.create(product=sale.product, item=amx, limitation_type="C", limit_adult=Decimal("80"))
    ProductService.objects.create(product=sale.product, service=cons)
    items = ItemPriceList.objects.create(name="Items A", date_from=date(2026, 1, 1))
    ItemPriceListEntry.objects.create(price_list=items, item=amx)
    servs = ServicePriceList.objects.create(name="Services A", date_from=date(2026, 1, 1))
    ServicePriceListEntry.objects.create(price_list=servs, service=cons, price_override=Decimal("4500"))
    FacilityPriceLists.objects.create(facility=country.facility_a, items_price_list=items, services_price_list=servs)
    policy = enrolment.policy_create(user=eo_a, family=sale.family, product=sale.product, enroll_date=ENROL).policy
    contributions.contribution_record(
        user=eo_a, policy=policy, amount=policy.value, receipt="C1", pay_date=ENROL, pay_type="C"
    )
    return policy


def _enter(user, country, family, code="HFA-1", **changes):
    values = {
        "user": user,
        "facility": country.facility_a,
        "insurance_number": family.head.insurance_number,
        "code": code,
        "date_from": VISIT,
        "diagnoses": ["B54"],
        "items": [{"code": "AMX250", "qty": "10", "price": "300"}],
        "services": [{"code": "CONS", "qty": 1}],  # no price asked: the price list's 4500
    } | changes
    return services.claim_create(**values)


def test_a_covered_claim_is_checked_with_its_product_and_approved_amount(claim_admin, country, sale, insured):
    claim = _enter(claim_admin, country, sale.family)
    result = submission.claims_submit(user=claim_admin, claims=[claim])[claim.pk]
    claim.refresh_from_db()
    assert (claim.status, claim.rejection_reason, claim.category) == (ClaimStatus.CHECKED, 0, "C")
    assert claim.approved == Decimal("7500.00")  # 10 x 300 + 1 x 4500 (price list override)
    assert claim.claimed == Decimal("7500.00")  # the service entered without a price: at the price list's
    item = ClaimItem.objects.get(claim=claim)
    assert (item.status, item.policy_id, item.limitation, item.limitation_value) == (
        LineStatus.PASSED,
        insured.pk,
        "C",
        Decimal("80.00"),
    )
    service = ClaimService.objects.get(claim=claim)
    assert service.price_adjusted == Decimal("4500.00")
    assert result.status == 4 and claim.submitted_at is not None
    with pytest.raises(ClaimStateError):
        submission.claims_submit(user=claim_admin, claims=[claim])


def test_a_line_outside_the_price_list_is_rejected_with_reason_2(claim_admin, country, sale, insured):
    claim = _enter(claim_admin, country, sale.family, services=[{"code": "CONS", "qty": 1}, {"code": "XRAY", "qty": 1}])
    submission.claims_submit(user=claim_admin, claims=[claim])
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.CHECKED
    xray = ClaimService.objects.get(claim=claim, service__code="XRAY")
    assert (xray.status, xray.rejection_reason, xray.qty_approved) == (LineStatus.REJECTED, 2, 0)
    assert claim.approved == Decimal("7500.00")  # the rejected line counts for nothing


def test_a_person_without_cover_is_rejected_with_reason_21(claim_admin, country, sale, insured):
    uninsured = make_family(country.village_a2, members=0)
    claim = _enter(claim_admin, country, uninsured, code="HFA-2")
    submission.claims_submit(user=claim_admin, claims=[claim])
    claim.refresh_from_db()
    assert (claim.status, claim.rejection_reason) == (ClaimStatus.REJECTED, 21)
    assert set(ClaimItem.objects.filter(claim=claim).values_list("rejection_reason", flat=True)) == {21}


def test_a_claim_dated_before_its_visit_is_rejected_with_reason_9(claim_admin, country, sale, insured):
    claim = _enter(claim_admin, country, sale.family, date_claimed=date(2026, 5, 1))
    submission.claims_submit(user=claim_admin, claims=[claim])
    claim.refresh_from_db()
    assert (claim.status, claim.rejection_reason) == (ClaimStatus.REJECTED, 9)
    assert set(ClaimService.objects.filter(claim=claim).values_list("rejection_reason", flat=True)) == {9}


def test_quantities_already_used_are_counted(claim_admin, country, sale, insured):
    ProductItem.objects.filter(product=sale.product).update(limit_no_adult=15)
    first = _enter(claim_admin, country, sale.family, code="HFA-3")
    submission.claims_submit(user=claim_admin, claims=[first])
    second = _enter(claim_admin, country, sale.family, code="HFA-4", date_from=date(2026, 5, 20))
    submission.claims_submit(user=claim_admin, claims=[second])
    line = ClaimItem.objects.get(claim=second)
    # 15 per cover period, 10 used by the first claim: 5 of the 10 asked are approved (reason 16 on the rest)
    assert (line.status, line.qty_approved, line.rejection_reason) == (LineStatus.PASSED, Decimal("5.00"), 16)


def test_submitting_needs_the_permission_and_the_scope(claim_admin, eo_a, medical_officer, country, sale, insured):
    from openimis.common.exceptions import PermissionDeniedError

    claim = _enter(claim_admin, country, sale.family)
    with pytest.raises(PermissionDeniedError):
        submission.claims_submit(user=eo_a, claims=[claim])
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.ENTERED
