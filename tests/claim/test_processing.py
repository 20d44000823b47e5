"""Processing checked claims: amounts worked out by hand, running totals across claims, relative prices."""

from datetime import date
from decimal import Decimal

import pytest

from claim import processing, submission
from claim.exceptions import ClaimStateError
from claim.models import ClaimBooking, ClaimItem, ClaimService, ClaimStatus
from openimis.common.exceptions import PermissionDeniedError
from policy.models import ProductItem, ProductService

from .test_submission import _enter, insured  # noqa: F401 - the covered person of the submission tests

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def per_policy(sale, insured):  # noqa: F811
    """Deductible 5,000 and ceiling 10,000 per policy; AMX250 at 80 % co-insurance, CONS at 100 %."""
    sale.product.ceiling_type = "P"
    sale.product.ded_policy = D(5000)
    sale.product.max_policy = D(10000)
    sale.product.save()
    return insured


def _submit_and_process(user, reviewer, claim):
    submission.claims_submit(user=user, claims=[claim])
    claim.refresh_from_db()
    processing.claims_process(user=reviewer, claims=[claim])
    claim.refresh_from_db()
    return claim


def _amounts(claim):
    item = ClaimItem.objects.get(claim=claim)
    service = ClaimService.objects.get(claim=claim)
    return (item.deductible_amount, item.price_valuated, item.exceed_ceiling_amount), (
        service.deductible_amount,
        service.price_valuated,
        service.exceed_ceiling_amount,
    )


def test_deductible_co_insurance_and_ceiling_across_three_claims(
    claim_admin, medical_officer, country, sale, per_policy
):
    # claim 1: AMX 10 x 300 = 3,000, all taken by the deductible (5,000 left -> 2,000): valued 0;
    #          CONS 1 x 4,500: 2,000 deducted, 2,500 left at 100 %: valued 2,500
    first = _submit_and_process(claim_admin, medical_officer, _enter(claim_admin, country, sale.family, code="P-1"))
    assert first.status == ClaimStatus.VALUATED
    assert _amounts(first) == ((D(3000), D(0), D(0)), (D(2000), D(2500), D(0)))
    assert (first.valuated, first.remunerated) == (D(2500), D(2500))
    booking = ClaimBooking.objects.get(claim=first)
    assert (booking.deducted, booking.remunerated) == (D(5000), D(2500))

    # claim 2: the deductible is used up; AMX 3,000 x 80 % = 2,400; CONS 4,500; ceiling 10,000 - 2,500 = 7,500 left
    second = _enter(claim_admin, country, sale.family, code="P-2", date_from=date(2026, 5, 10))
    second = _submit_and_process(claim_admin, medical_officer, second)
    assert _amounts(second) == ((D(0), D(2400), D(0)), (D(0), D(4500), D(0)))
    assert second.valuated == D(6900)

    # claim 3: 10,000 - 2,500 - 6,900 = 600 left: AMX pays 600 (1,800 above), CONS nothing (4,500 above)
    third = _enter(claim_admin, country, sale.family, code="P-3", date_from=date(2026, 5, 20))
    third = _submit_and_process(claim_admin, medical_officer, third)
    assert _amounts(third) == ((D(0), D(600), D(1800)), (D(0), D(0), D(4500)))
    assert third.valuated == D(600)


def test_a_ceiling_exclusion_pays_the_line_in_full(claim_admin, medical_officer, country, sale, per_policy):
    sale.product.max_policy = D(1000)
    sale.product.save()
    ProductService.objects.filter(product=sale.product).update(ceiling_exclusion_adult="B")
    claim = _submit_and_process(claim_admin, medical_officer, _enter(claim_admin, country, sale.family, code="X-1"))
    # AMX 3,000 deducted whole; CONS 4,500 - 2,000 deductible = 2,500, excluded from the 1,000 ceiling: paid in full
    assert _amounts(claim) == ((D(3000), D(0), D(0)), (D(2000), D(2500), D(0)))


def test_relative_price_lines_leave_the_claim_processed(claim_admin, medical_officer, country, sale, insured):  # noqa: F811
    ProductItem.objects.filter(product=sale.product).update(price_origin="R")
    claim = _submit_and_process(claim_admin, medical_officer, _enter(claim_admin, country, sale.family, code="R-1"))
    item = ClaimItem.objects.get(claim=claim)
    assert claim.status == ClaimStatus.PROCESSED
    # no deductible or ceiling: AMX 3,000 x 80 % = 2,400 valued, paid by the batch run (not remunerated yet)
    assert (item.price_valuated, item.remunerated_amount) == (D(2400), None)
    assert (claim.valuated, claim.remunerated) == (D(6900), D(4500))


def test_only_checked_claims_by_a_reviewer(claim_admin, medical_officer, country, sale, insured):  # noqa: F811
    claim = _enter(claim_admin, country, sale.family, code="S-1")
    with pytest.raises(ClaimStateError):
        processing.claims_process(user=medical_officer, claims=[claim])
    submission.claims_submit(user=claim_admin, claims=[claim])
    with pytest.raises(PermissionDeniedError):
        processing.claims_process(user=claim_admin, claims=[claim])
