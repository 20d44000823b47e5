"""Every write to policies and to the cover of their members (reference sec. 2.5, 4).

Rules enforced here (the hard ones again by the database, see models.py). A refusal is a PolicyError naming the
field and the rule, and nothing is written:
- Selling a policy (`policy_create`, stage New) needs `policy.add_policy`; renewing (`policy_renew`, stage
  Renewal) `policy.renew_policy`; changing an Idle policy `policy.change_policy`; deleting one
  `policy.delete_policy`; suspending and resuming `policy.suspend_policy`; activating a Ready policy
  `policy.activate_policy`. The family must be in the user's scope.
- The product is one the family may buy: national, or of the region or district of the family's village, and
  valid on the enrolment date (valid from <= enrolment <= valid to). The enrolment date is not in the future.
- Dates come from `policy.periods` and the value from `policy.values` (pure functions), on the family's members in
  the order they joined (the head first; age on the enrolment date). Members over the product's maximum are
  neither covered nor charged, and the officer is warned with their names.
- A family has at most one current policy per product: two policies of one family on one product never cover
  overlapping periods (database exclusion constraint `policy_no_overlap`).
- A renewal renews an Active or Expired policy that has not been renewed yet, on the same product or, when that
  product is no longer sold on the renewal date, on its conversion product (followed along the chain). It starts
  the day after the policy it renews ends (or later, by the product's cycles) and closes its renewal reminder.
- Every covered member gets a coverage row (InsureePolicy) with the policy's dates.
- Only Idle policies may be changed (enrolment date, officer: dates and value are recomputed) or deleted (and
  only without contributions, even cancelled ones, which are kept as records).
- Status changes follow one table, `TRANSITIONS`; anything else is refused (PolicyStateError, HTTP 409).
- A member who joins a family (`member_joined`, the legacy rule of reference sec. 2.5): for each current policy
  of the family that is not Suspended, skipped when the product's maximum is already reached; otherwise the value
  is recomputed and the member is covered from the policy's effective date, or from no date (not covered yet)
  when the value went up and the live contributions no longer pay it.
- A member who leaves a family (`member_left`): their cover by the family's policies ends that day (a cover not
  started yet is removed); an Idle policy's value is recomputed without them (no refunds on paid ones).
Every function runs in one transaction.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import DateField, F, Sum, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from insuree.models import Family, Insuree, InsureeStatus
from openimis.accounts.models import User
from openimis.common.db import ConstraintMessages, constraint_errors
from openimis.common.exceptions import PermissionDeniedError

from . import selectors
from .exceptions import PolicyError, PolicyStateError
from .models import (
    Contribution,
    InsureePolicy,
    Policy,
    PolicyRenewal,
    PolicyStage,
    PolicyStatus,
    Product,
    ReminderStatus,
)
from .periods import last_payment_date, policy_period
from .values import Member, PolicyValue, policy_value

S = PolicyStatus

# event -> {from status: to status}. The one place status changes are decided.
TRANSITIONS: dict[str, dict[int, int]] = {
    "paid": {S.IDLE: S.ACTIVE},  # contributions reach the value (activation option "contribution")
    "paid_ready": {S.IDLE: S.READY},  # contributions reach the value (activation option "ready")
    "activate": {S.READY: S.ACTIVE},
    "unpaid": {S.ACTIVE: S.IDLE, S.READY: S.IDLE},  # a cancelled contribution leaves the value unpaid
    "suspend": {S.IDLE: S.SUSPENDED, S.ACTIVE: S.SUSPENDED, S.READY: S.SUSPENDED},
    "resume_paid": {S.SUSPENDED: S.ACTIVE},
    "resume_unpaid": {S.SUSPENDED: S.IDLE},
    # the nightly job, set-based (reference sec. 12 item 9: every current policy past its expiry date)
    "expire": {S.IDLE: S.EXPIRED, S.ACTIVE: S.EXPIRED, S.READY: S.EXPIRED, S.SUSPENDED: S.EXPIRED},
}
CURRENT_STATUSES = (S.IDLE, S.ACTIVE, S.READY)


def next_status(policy: Policy, event: str) -> int:
    try:
        return TRANSITIONS[event][policy.status]
    except KeyError:
        raise PolicyStateError(
            _("A policy that is %(status)s cannot be changed this way.")
            % {"status": policy.get_status_display().lower()},
        ) from None


def _move(policy: Policy, event: str, *, reason: str = "", extra: Iterable[str] = ()) -> None:
    policy.status = next_status(policy, event)
    policy.status_reason = reason
    policy.save(update_fields=["status", "status_reason", "updated_at", *extra])


def _messages() -> ConstraintMessages:
    return {
        "policy_no_overlap": (
            "product",
            _("This family already has a current policy on this product for these dates."),
        ),
        "policy_dates": ("enroll_date", _("The policy would end before it starts.")),
        "policy_effective_after_start": ("effective_date", _("The effective date cannot be before the start.")),
    }


def _require(user: User, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDeniedError(_("You do not have the permission to do this."))


def _check_family(user: User, family: Family) -> None:
    if not Family.objects.visible_to(user).filter(pk=family.pk).exists():
        raise PermissionDeniedError(_("This family is outside your scope."))


def activation_option() -> str:
    """ "contribution": paid policies become Active; "ready": they wait as Ready until activated."""
    return str(getattr(settings, "POLICY_ACTIVATION", "contribution"))


# --- the computed terms of a policy --------------------------------------------------------------------------


@dataclass
class Quote:
    """What a policy would be: shown before confirming, and what `policy_create` / `policy_renew` store."""

    product: Product
    stage: str
    enroll_date: date
    start_date: date
    expiry_date: date
    value: PolicyValue
    last_payment_date: date | None
    covered: list[Insuree]
    excluded: list[Insuree]
    warnings: list[str] = field(default_factory=list)


def family_members(family: Family) -> list[Insuree]:
    """Members in the order they joined: the head first, then by registration. The deceased are left out."""
    members = list(
        Insuree.objects.filter(family=family)
        .exclude(status=InsureeStatus.DEAD)
        .order_by("created_at", "pk")
        .only("pk", "uuid", "dob", "relationship", "last_name", "other_names", "insurance_number", "created_at")
    )
    members.sort(key=lambda m: m.pk != family.head_id)  # stable: head first, others keep their order
    return members


def quote(*, family: Family, product: Product, stage: str, enroll_date: date, previous: Policy | None = None) -> Quote:
    members = family_members(family)
    previous_expiry = previous.expiry_date if previous is not None else None
    period = policy_period(product, stage=stage, enroll_date=enroll_date, previous_expiry=previous_expiry)
    value = policy_value(
        product,
        [Member(key=m.pk, dob=m.dob, relationship=m.relationship) for m in members],
        stage=stage,
        enroll_date=enroll_date,
        start_date=period.start,
        previous_expiry=previous_expiry,
    )
    covered_ids = set(value.covered)
    covered = [m for m in members if m.pk in covered_ids]
    excluded = [m for m in members if m.pk not in covered_ids]
    warnings = []
    if excluded:
        warnings.append(
            _("The product covers at most %(max)d members: %(names)s will not be covered.")
            % {"max": product.max_members or 0, "names": ", ".join(m.full_name for m in excluded)}
        )
    last = last_payment_date(
        product, stage=stage, enroll_date=enroll_date, start_date=period.start, previous_expiry=previous_expiry
    )
    return Quote(product, stage, enroll_date, period.start, period.expiry, value, last, covered, excluded, warnings)


def check_terms(
    user: User, *, family: Family, product: Product, enroll_date: date, valid_on: date | None = None
) -> None:
    """The product is sold in the family's area and on `valid_on` (the enrolment date, or a renewal's first day);
    the enrolment date is not in the future."""
    fields: dict[str, list[str]] = {}
    if enroll_date > timezone.localdate():
        fields["enroll_date"] = [_("The enrolment date cannot be in the future.")]
    sold_here = selectors.products_for_family(user, family).filter(pk=product.pk).exists()
    if not sold_here:
        fields["product"] = [_("This product is not sold in the family's area.")]
    elif not product.is_valid_on(valid_on or enroll_date):
        fields["product"] = [
            _("This product is sold from %(start)s to %(end)s, not on the enrolment date.")
            if valid_on is None
            else _("This product is sold from %(start)s to %(end)s, not on the first day of the renewal.")
            % {
                "start": date_format(product.date_from, "SHORT_DATE_FORMAT"),
                "end": date_format(product.date_to, "SHORT_DATE_FORMAT"),
            }
        ]
    if fields:
        first = next(iter(fields.values()))[0]
        raise PolicyError(first, fields=fields)


def _cover(policy: Policy, terms: Quote) -> None:
    InsureePolicy.objects.bulk_create(
        InsureePolicy(
            insuree=member,
            policy=policy,
            enroll_date=terms.enroll_date,
            start_date=terms.start_date,
            expiry_date=terms.expiry_date,
        )
        for member in terms.covered
    )


def _insert(user: User, *, family: Family, terms: Quote, officer: User | None, previous: Policy | None) -> Policy:
    if not terms.covered:
        raise PolicyError.for_field("family", _("The family has no member who can be covered."))
    policy = Policy(
        family=family,
        product=terms.product,
        officer=officer or user,
        previous=previous,
        stage=terms.stage,
        status=S.IDLE,
        value=terms.value.value,
        enroll_date=terms.enroll_date,
        start_date=terms.start_date,
        expiry_date=terms.expiry_date,
        created_by=user,
    )
    with constraint_errors(_messages()):
        policy.save(force_insert=True)
    _cover(policy, terms)
    return policy


@dataclass
class PolicyResult:
    policy: Policy
    quote: Quote

    @property
    def warnings(self) -> list[str]:
        return self.quote.warnings


@transaction.atomic
def policy_create(
    *, user: User, family: Family, product: Product, enroll_date: date, officer: User | None = None
) -> PolicyResult:
    """Sells a new policy (stage New, status Idle) to the family; it becomes active when it is paid."""
    _require(user, "policy.add_policy")
    _check_family(user, family)
    check_terms(user, family=family, product=product, enroll_date=enroll_date)
    terms = quote(family=family, product=product, stage=PolicyStage.NEW, enroll_date=enroll_date)
    policy = _insert(user, family=family, terms=terms, officer=officer, previous=None)
    return PolicyResult(policy, terms)


def renewal_product(previous: Policy, on: date) -> Product | None:
    """The product a policy renews into on a date: its own while sold, else the conversion products in turn."""
    product: Product | None = previous.product
    seen: set[int] = set()
    while product is not None and product.pk not in seen:
        if product.is_valid_on(on):
            return product
        seen.add(product.pk)
        product = product.conversion_product
    return None


@transaction.atomic
def policy_renew(
    *,
    user: User,
    previous: Policy,
    enroll_date: date,
    product: Product | None = None,
    officer: User | None = None,
) -> PolicyResult:
    """Renews a policy (stage Renewal, status Idle) on its product, or the product it converts into."""
    _require(user, "policy.renew_policy")
    family = previous.family
    _check_family(user, family)
    previous = Policy.objects.select_for_update(of=("self",)).select_related("product").get(pk=previous.pk)
    if previous.status not in (S.ACTIVE, S.EXPIRED):
        raise PolicyStateError(
            _("Only an active or expired policy can be renewed; this one is %(status)s.")
            % {"status": previous.get_status_display().lower()}
        )
    if Policy.objects.filter(previous=previous).exists():
        raise PolicyStateError(_("This policy has already been renewed."), code="policy_already_renewed")
    renewal_day = max(enroll_date, previous.expiry_date + timedelta(days=1))
    if product is None:
        product = renewal_product(previous, renewal_day)
        if product is None:
            raise PolicyError.for_field(
                "product", _("Neither this product nor a conversion product is sold on the renewal date.")
            )
    check_terms(user, family=family, product=product, enroll_date=enroll_date, valid_on=renewal_day)
    terms = quote(family=family, product=product, stage=PolicyStage.RENEWAL, enroll_date=enroll_date, previous=previous)
    policy = _insert(user, family=family, terms=terms, officer=officer, previous=previous)
    PolicyRenewal.objects.filter(policy=previous).update(status=ReminderStatus.RENEWED)
    return PolicyResult(policy, terms)


@transaction.atomic
def policy_update(
    *, user: User, policy: Policy, enroll_date: date | None = None, officer: User | None = None
) -> PolicyResult:
    """Changes an Idle policy's enrolment date or officer; its dates, value and cover are recomputed."""
    _require(user, "policy.change_policy")
    _check_family(user, policy.family)
    policy = (
        Policy.objects.select_for_update(of=("self",)).select_related("product", "previous", "family").get(pk=policy.pk)
    )
    if not policy.is_editable:
        raise PolicyStateError(_("Only an idle policy can be changed."), code="policy_not_editable")
    day = enroll_date or policy.enroll_date
    check_terms(user, family=policy.family, product=policy.product, enroll_date=day)
    terms = quote(
        family=policy.family, product=policy.product, stage=policy.stage, enroll_date=day, previous=policy.previous
    )
    policy.enroll_date, policy.start_date, policy.expiry_date = day, terms.start_date, terms.expiry_date
    policy.value = terms.value.value
    if officer is not None:
        policy.officer = officer
    with constraint_errors(_messages()):
        policy.save(update_fields=["enroll_date", "start_date", "expiry_date", "value", "officer", "updated_at"])
    InsureePolicy.objects.filter(policy=policy).delete()
    _cover(policy, terms)
    activate_if_paid(policy, pay_date=None)
    return PolicyResult(policy, terms)


@transaction.atomic
def policy_delete(*, user: User, policy: Policy) -> None:
    """Deletes an Idle policy entered by mistake; refused once it has any contribution, even cancelled."""
    _require(user, "policy.delete_policy")
    _check_family(user, policy.family)
    policy = Policy.objects.select_for_update(of=("self",)).get(pk=policy.pk)
    if not policy.is_editable:
        raise PolicyStateError(_("Only an idle policy can be deleted."), code="policy_not_editable")
    if Contribution.objects.filter(policy=policy).exists():
        raise PolicyStateError(
            _(
                "This policy has contributions (cancelled ones are kept as records): it cannot be deleted; "
                "suspend it or let it expire."
            ),
            code="policy_has_contributions",
        )
    InsureePolicy.objects.filter(policy=policy).delete()
    policy.delete()


@transaction.atomic
def policy_suspend(*, user: User, policy: Policy, reason: str) -> Policy:
    _require(user, "policy.suspend_policy")
    _check_family(user, policy.family)
    if not reason.strip():
        raise PolicyError.for_field("reason", _("Say why the policy is suspended."))
    policy = Policy.objects.select_for_update(of=("self",)).get(pk=policy.pk)
    _move(policy, "suspend", reason=reason.strip()[:200])
    return policy


@transaction.atomic
def policy_resume(*, user: User, policy: Policy) -> Policy:
    """A suspended policy is Active again when it is paid (Idle otherwise); one past its expiry date expires."""
    _require(user, "policy.suspend_policy")
    _check_family(user, policy.family)
    policy = Policy.objects.select_for_update(of=("self",)).get(pk=policy.pk)
    if policy.status == S.SUSPENDED and policy.expiry_date < timezone.localdate():
        _move(policy, "expire")
        return policy
    _move(policy, "resume_paid" if policy.effective_date is not None else "resume_unpaid")
    return policy


@transaction.atomic
def policy_activate(*, user: User, policy: Policy) -> Policy:
    """A Ready policy (paid, waiting for activation) becomes Active."""
    _require(user, "policy.activate_policy")
    _check_family(user, policy.family)
    policy = Policy.objects.select_for_update(of=("self",)).get(pk=policy.pk)
    _move(policy, "activate")
    return policy


@transaction.atomic
def renewal_dismiss(*, user: User, reminder: PolicyRenewal) -> bool:
    """Takes a reminder off the officer's list (the family will not renew); False if it was already closed."""
    _require(user, "policy.change_policyrenewal")
    _check_family(user, reminder.policy.family)
    locked = PolicyRenewal.objects.select_for_update().get(pk=reminder.pk)
    if locked.status not in (ReminderStatus.PENDING, ReminderStatus.NOTIFIED):
        return False
    locked.status = ReminderStatus.DISMISSED
    locked.save(update_fields=["status"])
    return True


# --- payment state (used by the contributions services) -----------------------------------------------------


def paid_amount(policy: Policy) -> Decimal:
    """What the live contributions pay towards the value (photo fees do not count)."""
    total = Contribution.objects.live().filter(policy=policy, is_photo_fee=False).aggregate(s=Sum("amount"))["s"]
    return total or Decimal("0")


def activate_if_paid(policy: Policy, *, pay_date: date | None) -> bool:
    """Legacy rule (reference sec. 5.2, 12 item 7): an Idle policy whose live contributions reach its value becomes
    Active (or Ready), effective from the later of the completing payment's date and the start date. On a policy
    already paid, members waiting for a top-up are covered from then. Returns whether the policy was activated."""
    if paid_amount(policy) < policy.value:
        return False
    day = pay_date or timezone.localdate()
    if policy.status == S.IDLE:
        effective = max(day, policy.start_date)
        policy.effective_date = effective
        _move(policy, "paid" if activation_option() == "contribution" else "paid_ready", extra=["effective_date"])
        InsureePolicy.objects.filter(policy=policy).update(effective_date=effective)
        return True
    if policy.status in (S.ACTIVE, S.READY):
        InsureePolicy.objects.filter(policy=policy, effective_date__isnull=True).update(
            effective_date=Greatest(Value(day, output_field=DateField()), F("start_date"))
        )
    return False


def deactivate_if_unpaid(policy: Policy) -> bool:
    """After a cancelled contribution: an Active or Ready policy no longer paid is Idle again, nobody covered.
    A Suspended one stays suspended but loses its effective date, so that resuming it makes it Idle."""
    if policy.status == S.SUSPENDED and policy.effective_date is not None and paid_amount(policy) < policy.value:
        policy.effective_date = None
        policy.save(update_fields=["effective_date", "updated_at"])
        InsureePolicy.objects.filter(policy=policy).update(effective_date=None)
        return False
    if policy.status not in (S.ACTIVE, S.READY) or paid_amount(policy) >= policy.value:
        return False
    policy.effective_date = None
    _move(policy, "unpaid", extra=["effective_date"])
    InsureePolicy.objects.filter(policy=policy).update(effective_date=None)
    return True


# --- members joining and leaving a family --------------------------------------------------------------------


def _current_policies(family_id: int) -> list[Policy]:
    today = timezone.localdate()
    return list(
        Policy.objects.select_for_update(of=("self",))
        .filter(family_id=family_id, status__in=CURRENT_STATUSES, expiry_date__gte=today)
        .select_related("product", "previous", "family")
    )


def member_joined(*, user: User, insuree: Insuree, family_id: int) -> list[str]:
    """Covers a new member by the family's current policies (legacy rule, reference sec. 2.5); returns warnings."""
    warnings: list[str] = []
    today = timezone.localdate()
    for policy in _current_policies(family_id):
        if InsureePolicy.objects.filter(policy=policy, insuree=insuree).exists():
            continue
        product = policy.product
        covered = InsureePolicy.objects.filter(policy=policy).count()
        if product.max_members and covered >= product.max_members:
            warnings.append(
                _("Policy %(product)s already covers its maximum of %(max)d members; %(name)s is not covered by it.")
                % {"product": product.code, "max": product.max_members, "name": insuree.full_name}
            )
            continue
        terms = quote(
            family=policy.family,
            product=product,
            stage=policy.stage,
            enroll_date=policy.enroll_date,
            previous=policy.previous,
        )
        new_value = terms.value.value
        effective = policy.effective_date
        if new_value != policy.value:
            policy.value = new_value
            policy.save(update_fields=["value", "updated_at"])
            if paid_amount(policy) < new_value:
                effective = None
                if policy.status != S.IDLE:
                    warnings.append(
                        _("%(name)s is covered by policy %(product)s once its value of %(value)s is paid.")
                        % {"name": insuree.full_name, "product": product.code, "value": new_value}
                    )
        InsureePolicy.objects.create(
            insuree=insuree,
            policy=policy,
            enroll_date=max(today, policy.enroll_date),
            start_date=policy.start_date,
            effective_date=effective,
            expiry_date=policy.expiry_date,
        )
    return warnings


def member_left(*, user: User, insuree: Insuree, family_id: int) -> None:
    """Ends a leaving member's cover by the family's current policies on the day they leave."""
    today = timezone.localdate()
    for policy in _current_policies(family_id):
        rows = InsureePolicy.objects.filter(policy=policy, insuree=insuree)
        rows.filter(start_date__gt=today).delete()
        rows.filter(expiry_date__gt=today).update(expiry_date=today)
        if policy.status == S.IDLE:
            rows.delete()
            terms = quote(
                family=policy.family,
                product=policy.product,
                stage=policy.stage,
                enroll_date=policy.enroll_date,
                previous=policy.previous,
            )
            if terms.value.value != policy.value:
                policy.value = terms.value.value
                policy.save(update_fields=["value", "updated_at"])
                activate_if_paid(policy, pay_date=None)


def membership_changed(
    *, user: User, insuree: Insuree, old_family_id: int | None, new_family_id: int | None
) -> list[str]:
    """The hook the insuree services call when a person joins, leaves or changes family."""
    warnings: list[str] = []
    if old_family_id is not None:
        member_left(user=user, insuree=insuree, family_id=old_family_id)
    if new_family_id is not None:
        warnings += member_joined(user=user, insuree=insuree, family_id=new_family_id)
    return warnings
