"""50 payments with the same receipt number at the same moment: exactly one is recorded, 49 get the domain error
on the receipt field. Once on 50 policies of one product (the unique index decides), once on one policy (the
policy's row lock serialises them)."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from policy import contributions, enrolment
from policy.exceptions import ApplicationError
from policy.models import Contribution, PolicyStatus
from tests.insuree.factories import make_family

from .conftest import ENROL

THREADS = 50


def _pay_at_once(user, policies) -> list[object]:
    barrier = threading.Barrier(THREADS)
    outcomes: list[object] = []
    lock = threading.Lock()

    def pay(i: int) -> None:
        try:
            barrier.wait()
            try:
                contributions.contribution_record(
                    user=user,
                    policy=policies[i],
                    amount=Decimal("30000"),
                    receipt="RC-777",
                    pay_date=ENROL,
                    pay_type="C",
                )
                outcome: object = "ok"
            except Exception as exc:  # recorded and asserted below
                outcome = exc
            with lock:
                outcomes.append(outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=pay, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def _check(outcomes: list[object]) -> None:
    assert len(outcomes) == THREADS
    assert outcomes.count("ok") == 1
    errors: list = [o for o in outcomes if o != "ok"]
    assert all(isinstance(e, ApplicationError) for e in errors), errors
    assert all(
        e.fields == {"receipt": ["This receipt number is already used for a contribution to this product."]}
        for e in errors
    )  # type: ignore[attr-defined]
    assert Contribution.objects.filter(receipt="RC-777").count() == 1


@pytest.mark.django_db(transaction=True)
def test_same_receipt_on_50_policies_of_one_product(eo_a, sale, country):
    policies = [
        enrolment.policy_create(
            user=eo_a, family=make_family(country.village_a1, members=0), product=sale.product, enroll_date=ENROL
        ).policy
        for _ in range(THREADS)
    ]
    _check(_pay_at_once(eo_a, policies))
    assert sum(p.status == PolicyStatus.ACTIVE for p in type(policies[0]).objects.all()) == 1


@pytest.mark.django_db(transaction=True)
def test_same_receipt_on_one_policy(eo_a, sale):
    policy = enrolment.policy_create(user=eo_a, family=sale.family, product=sale.product, enroll_date=ENROL).policy
    _check(_pay_at_once(eo_a, [policy] * THREADS))
    policy.refresh_from_db()
    assert (policy.status, policy.effective_date) == (PolicyStatus.ACTIVE, date(2026, 3, 10))
