"""The synthetic policy generator at small scale: every status, dates and values by the rules of `policy.periods`
and `policy.values`, contributions summing to the value of paid policies, cover rows for the members, the database
invariants, history recorded, and a second run that writes nothing."""

import io
from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Sum
from django.db.models.functions import Upper
from django.utils import timezone

from insuree.models import Family, Insuree, InsureeStatus
from policy.management.commands.generate_policies import CYCLES, NATIONAL, next_cycle_after
from policy.models import Contribution, InsureePolicy, Policy, PolicyStage, PolicyStatus, Product
from policy.periods import last_payment_date, policy_period
from policy.values import Member, policy_value

pytestmark = pytest.mark.django_db

FAMILIES = 300
S = PolicyStatus


def _generate_insurees() -> None:
    call_command("generate_insurees", families=FAMILIES, seed=5, stdout=io.StringIO())
    with connection.cursor() as cursor:  # run the deferred checks of the insurees (head is a member) now
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _generate_policies(**options) -> str:
    out = io.StringIO()
    call_command("generate_policies", seed=2, chunk=70, stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def generated(country) -> str:
    _generate_insurees()
    return _generate_policies()


def _paid(policy: Policy) -> Decimal:
    return sum((c.amount for c in policy.contributions.all() if c.cancelled_at is None), Decimal(0))


def test_policies_in_every_status_with_consistent_dates_and_payments(generated):
    today = timezone.localdate()
    policies = list(Policy.objects.select_related("product", "previous").prefetch_related("contributions"))
    assert f"Created {len(policies):,} policies" in generated
    statuses = {(p.status, p.stage) for p in policies}
    assert {s for s, _stage in statuses} == {S.IDLE, S.ACTIVE, S.SUSPENDED, S.EXPIRED, S.READY}
    assert (S.ACTIVE, PolicyStage.NEW) in statuses and (S.ACTIVE, PolicyStage.RENEWAL) in statuses
    families_with = {p.family_id for p in policies}
    assert 0.8 * FAMILIES <= len(families_with) < FAMILIES  # most families, not all
    assert 1.5 <= len(policies) / len(families_with) <= 1.9
    assert {p.product.code for p in policies} >= {NATIONAL, CYCLES, "GEN-RG1", "GEN-RG2"}

    partly_paid = unpaid_idle = 0
    for p in policies:
        assert p.enroll_date <= today and p.start_date <= p.expiry_date
        if p.stage == PolicyStage.NEW:
            assert p.previous is None
        else:  # a renewal starts after the policy it renews, which has expired, on the same product
            assert p.previous is not None and p.previous.status == S.EXPIRED
            assert p.previous.expiry_date < p.start_date and p.previous.product_id == p.product_id
        if p.status == S.EXPIRED:
            assert p.expiry_date < today
        else:
            assert p.expiry_date >= today
        if p.status in (S.ACTIVE, S.SUSPENDED):
            assert p.start_date <= today
        if p.status == S.ACTIVE:
            assert p.effective_date is not None and p.start_date <= p.effective_date <= today
        paid = _paid(p)
        contributions = list(p.contributions.all())
        if p.effective_date is not None:  # paid: Active, Ready, Suspended, most Expired
            assert paid == p.value
            assert p.effective_date == max(max(c.pay_date for c in contributions), p.start_date)
        else:
            assert p.status in (S.IDLE, S.EXPIRED) and paid < p.value
            partly_paid += p.status == S.IDLE and paid > 0
            unpaid_idle += p.status == S.IDLE and paid == 0
        assert len(contributions) <= (p.product.max_installments or 2)
        last = last_payment_date(
            p.product,
            stage=p.stage,
            enroll_date=p.enroll_date,
            start_date=p.start_date,
            previous_expiry=p.previous.expiry_date if p.previous else None,
        )
        for c in contributions:
            assert c.amount > 0 and c.product_id == p.product_id and not c.is_photo_fee
            assert p.enroll_date <= c.pay_date <= today and (last is None or c.pay_date <= last)
    assert partly_paid and unpaid_idle
    assert Contribution.objects.filter(policy__status__in=[S.ACTIVE, S.READY, S.SUSPENDED]).count() >= (
        Policy.objects.filter(status__in=[S.ACTIVE, S.READY, S.SUSPENDED]).count()
    )
    assert Contribution.objects.values("policy").annotate(n=Count("id")).filter(n=2).exists()  # two instalments

    # the database's invariants, checked again: no overlap per family and product, receipts unique per product
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT count(*) FROM policy_policy a JOIN policy_policy b
                ON a.family_id = b.family_id AND a.product_id = b.product_id AND a.id < b.id
               AND daterange(a.start_date, a.expiry_date, '[]') && daterange(b.start_date, b.expiry_date, '[]')"""
        )
        assert cursor.fetchone()[0] == 0
    receipts = Contribution.objects.values("product", r=Upper("receipt")).annotate(n=Count("id"))
    assert not receipts.filter(n__gt=1).exists()


def test_dates_values_and_cover_follow_the_rules(generated):
    """Each policy's dates and value are what `policy.periods` and `policy.values` give for its family's members
    born by its enrolment date (head first, in joining order), and exactly those members are covered."""
    members: dict[int | None, list[Insuree]] = defaultdict(list)
    heads = dict(Family.objects.values_list("pk", "head_id"))
    for m in Insuree.objects.exclude(status=InsureeStatus.DEAD).order_by("created_at", "pk"):
        members[m.family_id].append(m)
    cover: dict[int, list[InsureePolicy]] = defaultdict(list)
    for row in InsureePolicy.objects.all():
        cover[row.policy_id].append(row)
    excluded = 0
    for p in Policy.objects.select_related("product", "previous"):
        previous_expiry = p.previous.expiry_date if p.previous else None
        period = policy_period(p.product, stage=p.stage, enroll_date=p.enroll_date, previous_expiry=previous_expiry)
        assert (p.start_date, p.expiry_date) == (period.start, period.expiry), p.pk
        family = sorted(members[p.family_id], key=lambda m: m.pk != heads[p.family_id])
        born = [Member(key=m.pk, dob=m.dob, relationship=m.relationship) for m in family if m.dob <= p.enroll_date]
        value = policy_value(
            p.product,
            born,
            stage=p.stage,
            enroll_date=p.enroll_date,
            start_date=p.start_date,
            previous_expiry=previous_expiry,
        )
        assert p.value == value.value, p.pk
        excluded += len(value.excluded)
        rows = cover[p.pk]
        assert sorted(r.insuree_id for r in rows) == sorted(value.covered)  # type: ignore[type-var]
        for r in rows:
            assert (r.enroll_date, r.start_date, r.expiry_date) == (p.enroll_date, p.start_date, p.expiry_date)
            assert r.effective_date == p.effective_date
    assert excluded  # GEN-CYC covers at most 6 members
    assert InsureePolicy.objects.count() >= 3 * Policy.objects.count()


def test_products_cycles_and_discounts(generated):
    today = timezone.localdate()
    cycles = Product.objects.get(code=CYCLES)
    first = next_cycle_after(today)
    assert cycles.start_cycle_1 == f"{first.day:02d}-{first.month:02d}" and cycles.max_members == 6
    starts = set(Policy.objects.filter(product=cycles).values_list("start_date", flat=True))
    assert {(d.day, d.month) for d in starts} <= {(first.day, first.month), (first.day, (first.month + 5) % 12 + 1)}
    regional = Product.objects.filter(code__startswith="GEN-RG")
    assert regional.count() == 2 and not regional.filter(location__isnull=True).exists()
    # some renewals were early enough for the 5 % renewal discount of GEN-NAT, some were not
    renewals = Policy.objects.filter(product__code=NATIONAL, stage=PolicyStage.RENEWAL).select_related("previous")
    early = [p.enroll_date <= date.fromordinal(p.previous.expiry_date.toordinal() - 29) for p in renewals]
    assert any(early) and not all(early)


def test_history_recorded_and_a_second_run_writes_nothing(generated):
    counts = (Policy.objects.count(), InsureePolicy.objects.count(), Contribution.objects.count())
    events = apps.get_model("policy", "PolicyEvent").objects.filter(
        pgh_label="insert", pgh_context__metadata__command="generate_policies"
    )
    assert events.count() == counts[0]
    cover_events = apps.get_model("policy", "InsureePolicyEvent").objects.filter(pgh_label="insert")
    assert cover_events.count() == counts[1]
    again = _generate_policies()
    assert f"Created 0 policies for 0 families ({FAMILIES} already had policies)" in again or (
        "Created 0 policies" in again
    )
    assert (Policy.objects.count(), InsureePolicy.objects.count(), Contribution.objects.count()) == counts


def test_same_seed_same_policies(country):
    _generate_insurees()
    _generate_policies(families=60)
    fields = ("family_id", "product__code", "stage", "status", "value", "enroll_date", "start_date", "expiry_date")
    first = sorted(Policy.objects.values_list(*fields))
    paid = Contribution.objects.aggregate(s=Sum("amount"))["s"]
    Contribution.objects.all().delete()
    InsureePolicy.objects.all().delete()
    Policy.objects.update(previous=None)
    Policy.objects.all().delete()
    _generate_policies(families=60)
    assert sorted(Policy.objects.values_list(*fields)) == first
    assert Contribution.objects.aggregate(s=Sum("amount"))["s"] == paid
    assert Policy.objects.values("family").distinct().count() <= 60
