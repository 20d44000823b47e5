"""Eligibility: who is covered on a day, by number or card, and what is left on their policies."""

from datetime import date
from decimal import Decimal

import pytest

from insuree import signing
from insuree.models import Insuree
from policy import contributions, eligibility, enrolment
from policy.models import ProductItem, ProductService
from tests.insuree.factories import make_family
from tests.policy.factories import ItemFactory, ServiceFactory

from .conftest import ENROL

pytestmark = pytest.mark.django_db
ON = date(2026, 6, 1)


@pytest.fixture
def policy(eo_a, sale):
    sale.product.max_no_consultation = 12
    sale.product.max_no_hospitalization = 2
    sale.product.max_amount_surgery = Decimal("150000")
    sale.product.ceiling_type = "P"
    sale.product.ded_policy = Decimal("5000")
    sale.product.max_policy = Decimal("900000")
    sale.product.save()
    return enrolment.policy_create(user=eo_a, family=sale.family, product=sale.product, enroll_date=ENROL).policy


def _pay(user, policy, day=ENROL):
    contributions.contribution_record(
        user=user, policy=policy, amount=policy.value, receipt="E1", pay_date=day, pay_type="C"
    )


def test_not_covered_before_payment_covered_after(eo_a, claim_admin, sale, policy):
    number = sale.family.head.insurance_number
    before = eligibility.eligibility(claim_admin, number, on=ON)
    assert before.insuree == sale.family.head
    assert not before.covered
    assert [p.policy.status for p in before.policies] == [1]
    _pay(eo_a, policy)
    after = eligibility.eligibility(claim_admin, number, on=ON)
    assert after.covered
    cover = after.policies[0]
    assert (cover.cover.effective_date, cover.cover.expiry_date) == (ENROL, date(2027, 3, 9))
    assert {(lim.name, lim.maximum, lim.used, lim.left) for lim in cover.limits} == {
        ("consultation", 12, 0, 12),
        ("hospitalization", 2, 0, 2),
    }
    assert [(m.name, m.amount) for m in cover.amount_caps] == [("max_amount_surgery", Decimal("150000.00"))]
    assert [(m.name, m.remaining) for m in cover.deductibles] == [("ded_policy", Decimal("5000.00"))]
    assert [(m.name, m.remaining) for m in cover.ceilings] == [("max_policy", Decimal("900000.00"))]


def test_not_covered_outside_the_cover_dates_or_when_suspended(eo_a, scheme_admin, claim_admin, sale, policy):
    _pay(eo_a, policy)
    number = sale.family.head.insurance_number
    assert not eligibility.eligibility(claim_admin, number, on=date(2027, 3, 10)).covered  # after expiry
    assert not eligibility.eligibility(claim_admin, number, on=date(2026, 3, 9)).covered  # before the start
    enrolment.policy_suspend(user=scheme_admin, policy=policy, reason="Investigation")
    result = eligibility.eligibility(claim_admin, number, on=ON)
    assert not result.covered and result.policies[0].policy.status == 4


def test_by_card_authentic_and_forged(eo_a, claim_admin, sale, policy):
    _pay(eo_a, policy)
    number = sale.family.head.insurance_number
    card = eligibility.eligibility(claim_admin, signing.sign(number), on=ON)
    assert card.authentic is True and card.covered
    forged_payload = signing.sign(number)[:-2] + ("AA" if not signing.sign(number).endswith("AA") else "BB")
    forged = eligibility.eligibility(claim_admin, forged_payload, on=ON)
    assert forged.forged and forged.insuree is None and not forged.policies


def test_nobody_outside_the_scope_and_unknown_numbers(eo_b, claim_admin, sale, policy, country):
    assert eligibility.eligibility(eo_b, sale.family.head.insurance_number, on=ON).insuree is None
    assert eligibility.eligibility(claim_admin, "0000000000", on=ON).insuree is None
    other = make_family(country.village_b1, members=0)
    assert eligibility.eligibility(claim_admin, other.head.insurance_number, on=ON).insuree is None


def test_item_and_service_checks_with_waiting_period_and_limits(eo_a, claim_admin, sale, policy):
    _pay(eo_a, policy)
    item = ItemFactory.create(code="AMX250")
    service = ServiceFactory.create(code="CONS1")
    ProductItem.objects.create(product=sale.product, item=item, waiting_period_adult=6, limit_no_adult=10)
    ProductService.objects.create(product=sale.product, service=service, limit_no_child=3)
    head = sale.family.head.insurance_number
    result = eligibility.eligibility(claim_admin, head, on=ON, item="amx250", service="CONS1")
    item_check, service_check = result.policies[0].lines
    # adult: 6 months of waiting from the effective date 10 Mar 2026 -> 10 Sep 2026
    assert (item_check.covered, item_check.from_date, item_check.maximum, item_check.left) == (
        True,
        date(2026, 9, 10),
        10,
        10,
    )
    assert not item_check.ok and "Waiting period" in item_check.reason
    assert eligibility.eligibility(claim_admin, head, on=date(2026, 9, 10), item="AMX250").policies[0].lines[0].ok
    assert service_check.ok and service_check.maximum is None  # the adult limit is not set
    unknown = eligibility.eligibility(claim_admin, head, on=ON, item="NOPE").policies[0].lines[0]
    assert not unknown.covered and not unknown.ok


def test_usage_sources_reduce_what_is_left(eo_a, claim_admin, sale, policy):
    _pay(eo_a, policy)

    def claims_so_far(insuree_id, windows):
        return {
            next(iter(windows)): eligibility.Usage(
                categories={"consultation": 5}, deducted=Decimal("5000"), remunerated=Decimal("100000")
            )
        }

    eligibility.USAGE_SOURCES.append(claims_so_far)
    try:
        cover = eligibility.eligibility(claim_admin, sale.family.head.insurance_number, on=ON).policies[0]
    finally:
        eligibility.USAGE_SOURCES.remove(claims_so_far)
    assert {lim.name: lim.left for lim in cover.limits} == {"consultation": 7, "hospitalization": 2}
    assert cover.deductibles[0].remaining == Decimal("0")
    assert cover.ceilings[0].remaining == Decimal("800000.00")


def test_a_member_waiting_for_a_top_up_is_not_covered(eo_a, claim_admin, sale, policy):
    from insuree.services import insuree_add_to_family
    from tests.insuree.factories import person

    _pay(eo_a, policy)
    newcomer = insuree_add_to_family(user=eo_a, family=sale.family, **person(other_names="New", dob=date(1990, 1, 1)))
    assert isinstance(newcomer, Insuree)
    assert not eligibility.eligibility(claim_admin, newcomer.insurance_number, on=ON).covered
    assert eligibility.eligibility(claim_admin, sale.family.head.insurance_number, on=ON).covered
