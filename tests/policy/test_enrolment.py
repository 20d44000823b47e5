"""Selling, renewing, changing and ending policies; the cover of members; activation by contributions."""

from datetime import date, timedelta
from decimal import Decimal

import pghistory
import pytest
from django.test import override_settings
from pghistory.models import Events

from insuree.models import Insuree, Relationship
from insuree.services import insuree_add_to_family, insuree_move_to_family, insuree_remove_from_family
from openimis.common.exceptions import ApplicationError, PermissionDeniedError
from openimis.common.history import history_of
from policy import contributions, enrolment
from policy.exceptions import PolicyStateError
from policy.models import InsureePolicy, Policy, PolicyRenewal, PolicyStage, PolicyStatus, ReminderStatus
from policy.nightly import policy_nightly
from tests.insuree.factories import make_family, person
from tests.policy.conftest import ENROL
from tests.policy.factories import ProductFactory

pytestmark = pytest.mark.django_db
S = PolicyStatus


def _sell(user, sale, *, family=None, product=None, day=ENROL):
    return enrolment.policy_create(
        user=user, family=family or sale.family, product=product or sale.product, enroll_date=day
    ).policy


def _pay(user, policy, amount, *, receipt="R1", day=None, photo=False):
    return contributions.contribution_record(
        user=user,
        policy=policy,
        amount=Decimal(amount),
        receipt=receipt,
        pay_date=day or policy.enroll_date,
        pay_type="C",
        is_photo_fee=photo,
    )


# --- selling ---------------------------------------------------------------------------------------------------


def test_a_new_policy_is_idle_with_its_dates_value_and_cover(eo_a, sale):
    result = enrolment.policy_create(user=eo_a, family=sale.family, product=sale.product, enroll_date=ENROL)
    policy = result.policy
    # 1 adult + 2 children = 3 members, threshold 3: the lump sum alone
    assert (policy.stage, policy.status, policy.value) == (PolicyStage.NEW, S.IDLE, Decimal("30000.00"))
    # free cycle: starts on the enrolment date; 12 months - 1 day
    assert (policy.start_date, policy.expiry_date) == (date(2026, 3, 10), date(2027, 3, 9))
    assert policy.effective_date is None
    assert policy.officer == eo_a
    covers = InsureePolicy.objects.filter(policy=policy)
    assert covers.count() == 3
    assert {(c.start_date, c.expiry_date, c.effective_date) for c in covers} == {
        (date(2026, 3, 10), date(2027, 3, 9), None)
    }
    assert result.warnings == []


def test_members_over_the_maximum_are_not_covered_and_named(eo_a, sale):
    sale.product.max_members = 2
    sale.product.save()
    result = enrolment.policy_create(user=eo_a, family=sale.family, product=sale.product, enroll_date=ENROL)
    assert InsureePolicy.objects.filter(policy=result.policy).count() == 2
    last = Insuree.objects.filter(family=sale.family).order_by("created_at", "pk").last()
    assert last.full_name in result.warnings[0]


def test_a_product_of_another_region_is_refused(eo_a, sale, country):
    regional = ProductFactory.create(code="REGB", location=country.region_b, lump_sum=Decimal("100"))
    with pytest.raises(ApplicationError) as exc:
        _sell(eo_a, sale, product=regional)
    assert "product" in exc.value.fields
    assert not Policy.objects.exists()


def test_a_product_of_the_familys_district_is_sold(eo_a, sale, country):
    district = ProductFactory.create(code="DISTA", location=country.district_a, lump_sum=Decimal("100"))
    assert _sell(eo_a, sale, product=district).value == Decimal("100.00")


def test_a_product_not_valid_on_the_enrolment_date_is_refused(eo_a, sale):
    ended = ProductFactory.create(
        code="OLD", date_from=date(2025, 1, 1), date_to=date(2025, 12, 31), lump_sum=Decimal("1")
    )
    with pytest.raises(ApplicationError) as exc:
        _sell(eo_a, sale, product=ended)
    assert "not on the enrolment date" in exc.value.fields["product"][0]


def test_an_enrolment_date_in_the_future_is_refused(eo_a, sale):
    with pytest.raises(ApplicationError) as exc:
        _sell(eo_a, sale, day=date.today() + timedelta(days=1))
    assert "enroll_date" in exc.value.fields


def test_a_second_current_policy_on_the_same_product_is_refused(eo_a, sale):
    _sell(eo_a, sale)
    with pytest.raises(ApplicationError) as exc:
        _sell(eo_a, sale, day=ENROL + timedelta(days=30))
    assert exc.value.code == "policy_no_overlap"
    assert "already has a current policy" in exc.value.fields["product"][0]
    assert Policy.objects.count() == 1


def test_a_family_outside_the_scope_is_refused(eo_b, sale):
    with pytest.raises(PermissionDeniedError):
        _sell(eo_b, sale)


def test_scope_of_policies_and_contributions(eo_a, eo_b, sale):
    policy = _sell(eo_a, sale)
    _pay(eo_a, policy, "30000")
    assert list(Policy.objects.visible_to(eo_a)) == [policy]
    assert not Policy.objects.visible_to(eo_b).exists()
    from policy.models import Contribution

    assert Contribution.objects.visible_to(eo_a).count() == 1
    assert not Contribution.objects.visible_to(eo_b).exists()
    with pytest.raises(PermissionDeniedError):
        _pay(eo_b, policy, "10", receipt="X")


# --- activation and contributions -------------------------------------------------------------------------------


def test_one_contribution_of_the_whole_value_activates(eo_a, sale):
    policy = _sell(eo_a, sale)
    result = _pay(eo_a, policy, "30000", day=ENROL + timedelta(days=5))
    policy.refresh_from_db()
    assert result.activated and result.balance == 0
    # effective = later of the pay date and the start date
    assert (policy.status, policy.effective_date) == (S.ACTIVE, ENROL + timedelta(days=5))
    assert set(InsureePolicy.objects.filter(policy=policy).values_list("effective_date", flat=True)) == {
        ENROL + timedelta(days=5)
    }


def test_several_contributions_activate_when_they_reach_the_value(eo_a, sale):
    policy = _sell(eo_a, sale)
    first = _pay(eo_a, policy, "10000", receipt="R1")
    assert not first.activated and first.balance == Decimal("20000.00")
    photo = _pay(eo_a, policy, "19999", receipt="P1", photo=True)  # photo fees do not count
    assert not photo.activated
    policy.refresh_from_db()
    assert policy.status == S.IDLE
    second = _pay(eo_a, policy, "20000", receipt="R2", day=ENROL + timedelta(days=20))
    policy.refresh_from_db()
    assert second.activated
    assert (policy.status, policy.effective_date) == (S.ACTIVE, ENROL + timedelta(days=20))


def test_payment_before_the_start_takes_effect_at_the_start(eo_a, sale):
    sale.product.start_cycle_1 = "01-07"
    sale.product.save()
    policy = _sell(eo_a, sale)
    assert policy.start_date == date(2026, 7, 1)
    _pay(eo_a, policy, "30000")
    policy.refresh_from_db()
    assert policy.effective_date == date(2026, 7, 1)


@override_settings(POLICY_ACTIVATION="ready")
def test_with_the_ready_option_a_paid_policy_waits_for_activation(eo_a, scheme_admin, sale):
    policy = _sell(eo_a, sale)
    _pay(eo_a, policy, "30000")
    policy.refresh_from_db()
    assert policy.status == S.READY
    with pytest.raises(PermissionDeniedError):
        enrolment.policy_activate(user=eo_a, policy=policy)
    enrolment.policy_activate(user=scheme_admin, policy=policy)
    policy.refresh_from_db()
    assert policy.status == S.ACTIVE


def test_cancelling_a_contribution_recalculates_the_state(eo_a, scheme_admin, sale):
    policy = _sell(eo_a, sale)
    _pay(eo_a, policy, "10000", receipt="R1")
    second = _pay(eo_a, policy, "20000", receipt="R2").contribution
    policy.refresh_from_db()
    assert policy.status == S.ACTIVE
    with pytest.raises(ApplicationError) as exc:
        contributions.contribution_cancel(user=scheme_admin, contribution=second, reason=" ")
    assert "reason" in exc.value.fields
    result = contributions.contribution_cancel(user=scheme_admin, contribution=second, reason="Counterfeit notes")
    policy.refresh_from_db()
    assert (policy.status, policy.effective_date, result.paid) == (S.IDLE, None, Decimal("10000.00"))
    assert not InsureePolicy.objects.filter(policy=policy, effective_date__isnull=False).exists()
    second.refresh_from_db()
    assert second.is_cancelled and second.cancelled_by == scheme_admin
    # the receipt of a cancelled contribution may be used again, and paying again re-activates
    _pay(eo_a, policy, "20000", receipt="R2")
    policy.refresh_from_db()
    assert policy.status == S.ACTIVE


def test_enrolment_officers_cannot_cancel_contributions(eo_a, sale):
    policy = _sell(eo_a, sale)
    paid = _pay(eo_a, policy, "30000").contribution
    with pytest.raises(PermissionDeniedError):
        contributions.contribution_cancel(user=eo_a, contribution=paid, reason="oops")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"amount": "0"}, "amount", "more than 0"),
        ({"amount": "-5"}, "amount", "more than 0"),
        ({"amount": "1.005"}, "amount", "two decimals"),
        ({"receipt": "  "}, "receipt", "required"),
        ({"pay_type": "X"}, "pay_type", "payment type"),
        ({"pay_date": date(2026, 3, 9)}, "pay_date", "before the enrolment date"),
        ({"pay_date": date.today() + timedelta(days=1)}, "pay_date", "future"),
    ],
)
def test_bad_payments_are_refused_with_the_field(eo_a, sale, changes, field, message):
    policy = _sell(eo_a, sale)
    values = {"amount": Decimal("100"), "receipt": "R1", "pay_date": ENROL, "pay_type": "C"} | changes
    if isinstance(values["amount"], str):
        values["amount"] = Decimal(values["amount"])
    with pytest.raises(ApplicationError) as exc:
        contributions.contribution_record(user=eo_a, policy=policy, **values)
    assert message in exc.value.fields[field][0]
    assert not policy.contributions.exists()


def test_a_duplicate_receipt_within_the_product_is_refused(eo_a, sale, country):
    policy = _sell(eo_a, sale)
    other = _sell(eo_a, sale, family=make_family(country.village_a2, members=0))
    _pay(eo_a, policy, "100", receipt="AB-1")
    with pytest.raises(ApplicationError) as exc:
        _pay(eo_a, other, "100", receipt="ab-1")  # whatever its case
    assert "already used" in exc.value.fields["receipt"][0]
    assert other.contributions.count() == 0


def test_the_same_receipt_on_another_product_is_accepted(eo_a, sale, country):
    policy = _sell(eo_a, sale)
    product2 = ProductFactory.create(code="OTHER", lump_sum=Decimal("50"))
    other = _sell(eo_a, sale, product=product2)
    _pay(eo_a, policy, "100", receipt="AB-1")
    assert _pay(eo_a, other, "50", receipt="AB-1").activated


def test_payments_on_expired_or_suspended_policies_are_refused(eo_a, scheme_admin, sale, country):
    sale.product.date_from = date(2025, 1, 1)
    sale.product.save()
    policy = _sell(eo_a, sale)
    enrolment.policy_suspend(user=scheme_admin, policy=policy, reason="Fraud investigation")
    with pytest.raises(PolicyStateError):
        _pay(eo_a, policy, "100")
    old = _sell(eo_a, sale, family=make_family(country.village_a2, members=0), day=date(2025, 1, 5))
    policy_nightly(today=date(2026, 6, 1))
    old.refresh_from_db()
    assert old.status == S.EXPIRED
    with pytest.raises(PolicyStateError) as exc:
        _pay(eo_a, old, "100", receipt="R9")
    assert "expired" in exc.value.message


def test_payment_after_the_last_date_for_payment_is_refused(eo_a, sale):
    sale.product.grace_period_payment = 1
    sale.product.save()
    policy = _sell(eo_a, sale)  # enrolled 10 March: pay until 9 April
    with pytest.raises(ApplicationError) as exc:
        _pay(eo_a, policy, "100", day=date(2026, 4, 10))
    assert "last date for payment" in exc.value.fields["pay_date"][0]
    assert _pay(eo_a, policy, "30000", day=date(2026, 4, 9)).activated


def test_instalments_over_the_limit_are_refused(eo_a, sale):
    sale.product.max_installments = 2
    sale.product.save()
    policy = _sell(eo_a, sale)
    _pay(eo_a, policy, "100", receipt="R1")
    _pay(eo_a, policy, "100", receipt="R2")
    with pytest.raises(ApplicationError) as exc:
        _pay(eo_a, policy, "100", receipt="R3")
    assert "at most 2 instalments" in exc.value.fields["amount"][0]
    _pay(eo_a, policy, "5", receipt="P1", photo=True)  # a photo fee is not an instalment


# --- changing, deleting, suspending ----------------------------------------------------------------------------


def test_only_idle_policies_change_and_dates_and_value_follow(eo_a, sale):
    policy = _sell(eo_a, sale)
    enrolment.policy_update(user=eo_a, policy=policy, enroll_date=date(2026, 4, 1))
    policy.refresh_from_db()
    assert (policy.start_date, policy.expiry_date) == (date(2026, 4, 1), date(2027, 3, 31))
    assert set(InsureePolicy.objects.filter(policy=policy).values_list("start_date", flat=True)) == {date(2026, 4, 1)}
    _pay(eo_a, policy, "30000", day=date(2026, 4, 1))
    with pytest.raises(PolicyStateError):
        enrolment.policy_update(user=eo_a, policy=policy, enroll_date=date(2026, 4, 2))


def test_delete_an_idle_policy_without_contributions_only(eo_a, sale):
    policy = _sell(eo_a, sale)
    _pay(eo_a, policy, "10", receipt="R1")
    with pytest.raises(PolicyStateError):
        enrolment.policy_delete(user=eo_a, policy=policy)
    fresh = _sell(eo_a, sale, product=ProductFactory.create(code="P2", lump_sum=Decimal("5")))
    enrolment.policy_delete(user=eo_a, policy=fresh)
    assert not Policy.objects.filter(pk=fresh.pk).exists()
    assert not InsureePolicy.objects.filter(policy_id=fresh.pk).exists()


def test_suspend_and_resume(eo_a, scheme_admin, sale):
    policy = _sell(eo_a, sale)
    _pay(eo_a, policy, "30000")
    with pytest.raises(ApplicationError):
        enrolment.policy_suspend(user=scheme_admin, policy=policy, reason="")
    enrolment.policy_suspend(user=scheme_admin, policy=policy, reason="Under investigation")
    policy.refresh_from_db()
    assert (policy.status, policy.status_reason) == (S.SUSPENDED, "Under investigation")
    with pytest.raises(PolicyStateError):
        enrolment.policy_suspend(user=scheme_admin, policy=policy, reason="again")
    enrolment.policy_resume(user=scheme_admin, policy=policy)
    policy.refresh_from_db()
    assert policy.status == S.ACTIVE


def test_the_transition_table_refuses_illegal_moves():
    policy = Policy(status=S.EXPIRED)
    for event in ("paid", "activate", "suspend", "resume_paid", "unpaid"):
        with pytest.raises(PolicyStateError):
            enrolment.next_status(policy, event)
    assert enrolment.next_status(Policy(status=S.IDLE), "paid") == S.ACTIVE
    assert enrolment.next_status(Policy(status=S.READY), "activate") == S.ACTIVE


# --- renewal and expiry ------------------------------------------------------------------------------------------


@pytest.fixture
def paid_2025(eo_a, sale):
    sale.product.date_from = date(2025, 1, 1)
    sale.product.renewal_discount_perc = Decimal("10")
    sale.product.renewal_discount_period = 1
    sale.product.save()
    policy = _sell(eo_a, sale, day=date(2025, 6, 1))  # 1 Jun 2025 - 31 May 2026
    _pay(eo_a, policy, "30000", receipt="OLD-1")
    return policy


def test_renewal(eo_a, sale, paid_2025):
    result = enrolment.policy_renew(user=eo_a, previous=paid_2025, enroll_date=date(2026, 4, 20))
    renewal = result.policy
    assert (renewal.stage, renewal.status, renewal.previous) == (PolicyStage.RENEWAL, S.IDLE, paid_2025)
    assert (renewal.start_date, renewal.expiry_date) == (date(2026, 6, 1), date(2027, 5, 31))
    # renewed more than 1 month before the renewal date (1 Jun): 10 % off 30000
    assert renewal.value == Decimal("27000.00")
    with pytest.raises(PolicyStateError) as exc:
        enrolment.policy_renew(user=eo_a, previous=paid_2025, enroll_date=date(2026, 4, 21))
    assert exc.value.code == "policy_already_renewed"


def test_an_idle_policy_cannot_be_renewed(eo_a, sale):
    policy = _sell(eo_a, sale)
    with pytest.raises(PolicyStateError):
        enrolment.policy_renew(user=eo_a, previous=policy, enroll_date=ENROL)


def test_renewal_into_the_conversion_product(eo_a, sale, paid_2025):
    successor = ProductFactory.create(
        code="NEXT", lump_sum=Decimal("40000"), date_from=date(2026, 5, 1), date_to=date(2030, 12, 31)
    )
    sale.product.date_to = date(2026, 5, 31)
    sale.product.conversion_product = successor
    sale.product.save()
    assert enrolment.renewal_product(paid_2025, date(2026, 6, 1)) == successor
    renewal = enrolment.policy_renew(user=eo_a, previous=paid_2025, enroll_date=date(2026, 5, 20)).policy
    assert renewal.product == successor


def test_nightly_expiry_and_reminders(eo_a, sale, paid_2025, country):
    idle = _sell(eo_a, sale, family=make_family(country.village_a2, members=0), day=date(2025, 5, 1))
    PolicyRenewal.objects.all().delete()
    # 20 May 2026: nothing expired yet; the paid policy ends on 31 May, within the 14 days of a reminder
    result = policy_nightly(today=date(2026, 5, 20))
    assert result.expired == 1  # the idle one ended on 30 Apr 2026
    idle.refresh_from_db()
    assert idle.status == S.EXPIRED
    reminder = PolicyRenewal.objects.get()
    assert (reminder.policy, reminder.renewal_date, reminder.new_product) == (paid_2025, date(2026, 6, 1), sale.product)
    assert reminder.warnings == 0
    assert reminder.status == ReminderStatus.PENDING  # the head has no phone number: on the officer's list only
    again = policy_nightly(today=date(2026, 5, 20))
    assert (again.expired, again.reminders) == (0, 0)
    # after renewal, no new reminder and the old one is closed
    enrolment.policy_renew(user=eo_a, previous=paid_2025, enroll_date=date(2026, 5, 21))
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.RENEWED
    policy_nightly(today=date(2026, 6, 2))
    paid_2025.refresh_from_db()
    assert paid_2025.status == S.EXPIRED


def test_reminders_are_sent_to_the_heads_phone_and_flag_missing_products(eo_a, sale, paid_2025, caplog):
    head = paid_2025.family.head
    head.phone = "+255700000001"
    head.save()
    sale.product.date_to = date(2026, 5, 31)  # no longer sold on the renewal date, no conversion product
    sale.product.save()
    with caplog.at_level("INFO", logger="openimis.sms"):
        result = policy_nightly(today=date(2026, 5, 25))
    assert (result.reminders, result.notified) == (1, 1)
    reminder = PolicyRenewal.objects.get()
    assert reminder.status == ReminderStatus.NOTIFIED and reminder.notified_at is not None
    assert reminder.warnings & 1  # no valid product on the renewal date
    assert "+255700000001" in caplog.text and "Basic cover" in caplog.text


# --- members joining and leaving ----------------------------------------------------------------------------------


def test_a_member_joining_an_active_policy_waits_for_the_top_up(eo_a, sale):
    policy = _sell(eo_a, sale)
    _pay(eo_a, policy, "30000")
    newcomer = insuree_add_to_family(
        user=eo_a,
        family=sale.family,
        **person(other_names="Late", dob=date(1985, 1, 1), relationship=Relationship.SPOUSE),
    )
    policy.refresh_from_db()
    # 2 adults + 2 children, threshold 3: the adults fit, then 1 of the children (3 - 2 = 1 place left),
    # so one extra child at 5000: 30000 + 5000
    assert policy.value == Decimal("35000.00")
    assert policy.status == S.ACTIVE
    cover = InsureePolicy.objects.get(policy=policy, insuree=newcomer)
    assert cover.effective_date is None
    assert "once its value" in newcomer.membership_warnings[0]
    _pay(eo_a, policy, "5000", receipt="TOPUP", day=ENROL + timedelta(days=40))
    cover.refresh_from_db()
    assert cover.effective_date == ENROL + timedelta(days=40)


def test_a_member_joining_when_the_value_does_not_change_is_covered_at_once(eo_a, sale):
    sale.product.threshold = None  # lump sum for any size
    sale.product.save()
    policy = _sell(eo_a, sale)
    _pay(eo_a, policy, "30000")
    newcomer = insuree_add_to_family(user=eo_a, family=sale.family, **person(other_names="Baby", dob=date(2026, 1, 1)))
    assert InsureePolicy.objects.get(policy=policy, insuree=newcomer).effective_date == ENROL


def test_a_member_over_the_maximum_is_not_covered(eo_a, sale):
    sale.product.max_members = 3
    sale.product.save()
    policy = _sell(eo_a, sale)
    newcomer = insuree_add_to_family(user=eo_a, family=sale.family, **person(other_names="Fourth"))
    assert not InsureePolicy.objects.filter(policy=policy, insuree=newcomer).exists()
    assert "maximum of 3 members" in newcomer.membership_warnings[0]


def test_a_member_leaving_ends_their_cover(eo_a, sale, country):
    policy = _sell(eo_a, sale, day=date(2026, 1, 10))
    _pay(eo_a, policy, "30000")
    child = Insuree.objects.filter(family=sale.family).exclude(pk=sale.family.head_id).order_by("pk")[0]
    insuree_remove_from_family(user=eo_a, insuree=child)
    cover = InsureePolicy.objects.get(policy=policy, insuree=child)
    assert cover.expiry_date == date.today()
    other = make_family(country.village_a2, members=0)
    idle = _sell(eo_a, sale, family=other, product=ProductFactory.create(code="PP", premium_adult=Decimal("7")))
    assert idle.value == Decimal("7.00")
    insuree_move_to_family(user=eo_a, insuree=child, family=other, relationship=Relationship.CHILD)
    idle.refresh_from_db()
    assert InsureePolicy.objects.filter(policy=idle, insuree=child).exists()
    assert idle.value == Decimal("7.00")  # a child and premium_child empty: 0 more


# --- history -----------------------------------------------------------------------------------------------------


def test_policies_and_contributions_are_in_the_history_with_the_user(eo_a, scheme_admin, sale):
    with pghistory.context(user=eo_a.pk):
        policy = _sell(eo_a, sale)
        paid = _pay(eo_a, policy, "30000").contribution
    with pghistory.context(user=scheme_admin.pk):
        contributions.contribution_cancel(user=scheme_admin, contribution=paid, reason="Wrong family")
    entries = history_of(Policy.objects.get(pk=policy.pk))
    assert [e.action for e in entries][:3] == ["update", "update", "insert"]
    assert entries[0].user == scheme_admin  # back to Idle by the cancellation
    assert any(c.field == "status" for c in entries[0].changes)
    events = Events.objects.tracks(paid).order_by("pgh_created_at")
    assert [e.pgh_label for e in events] == ["insert", "update"]
    assert events[1].pgh_context["user"] == scheme_admin.pk
    cover = InsureePolicy.objects.filter(policy=policy).order_by("pk")[0]
    assert [e.action for e in history_of(cover)] == ["update", "update", "insert"]  # effective date set, cleared


def test_the_nightly_task_is_scheduled_and_runs_through_celery(eo_a, sale, paid_2025, settings):
    from policy.tasks import policy_nightly_task

    schedule = settings.CELERY_BEAT_SCHEDULE["policy-nightly"]
    assert schedule["task"] == policy_nightly_task.name == "policy.nightly"
    Policy.objects.filter(pk=paid_2025.pk).update(expiry_date=date(2026, 1, 1))
    result = policy_nightly_task.apply().get()
    assert result["expired"] == 1
    paid_2025.refresh_from_db()
    assert paid_2025.status == S.EXPIRED
    expired = [e for e in Events.objects.tracks(paid_2025) if e.pgh_data["status"] == S.EXPIRED]
    assert [e.pgh_context["job"] for e in expired] == ["policy.nightly"]
