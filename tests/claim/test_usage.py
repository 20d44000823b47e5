"""The eligibility enquiry counts what a person used from their submitted claims."""

from datetime import date

import pytest

from claim import submission
from claim.usage import claims_usage
from policy import eligibility
from policy.models import InsureePolicy, ProductItem

from .test_submission import _enter, insured  # noqa: F401 - the covered person of the submission tests

pytestmark = pytest.mark.django_db


def test_used_consultations_and_quantities_reduce_what_is_left(claim_admin, country, sale, insured):  # noqa: F811
    sale.product.max_no_consultation = 12
    sale.product.save()
    ProductItem.objects.filter(product=sale.product).update(limit_no_adult=30)
    first = _enter(claim_admin, country, sale.family, code="U-1")
    second = _enter(claim_admin, country, sale.family, code="U-2", date_from=date(2026, 5, 10))
    entered_only = _enter(claim_admin, country, sale.family, code="U-3", date_from=date(2026, 5, 12))
    submission.claims_submit(user=claim_admin, claims=[first, second])
    assert entered_only.status == 2  # not submitted: not counted

    own = InsureePolicy.objects.get(policy=insured, insuree_id=sale.family.head_id)
    assert own.effective_date is not None
    usage = claims_usage(sale.family.head_id, {insured.pk: (own.effective_date, own.expiry_date)})[insured.pk]
    assert usage.categories == {"consultation": 2}
    amx = ProductItem.objects.get(product=sale.product).item_id
    assert usage.items == {amx: 20}  # 10 + 10

    result = eligibility.eligibility(claim_admin, sale.family.head.insurance_number, on=date(2026, 6, 1), item="AMX250")
    cover = result.policies[0]
    assert {lim.name: (lim.used, lim.left) for lim in cover.limits} == {"consultation": (2, 10)}
    line = cover.lines[0]
    assert (line.maximum, line.used, line.left) == (30, 20, 10)
