"""Every write to contributions (openIMIS "premiums") and what they do to their policy (reference sec. 5).

Rules enforced here (the hard ones again by the database). A refusal is a ContributionError (or PolicyStateError,
HTTP 409) naming the field and the rule, and nothing is written:
- Recording needs `policy.add_contribution`, cancelling `policy.cancel_contribution`; the policy's family is in
  the user's scope; the payer, when given, is one the user sees (a funding needs a payer).
- Payments go to current policies only: Idle, Active or Ready; an Expired or Suspended policy takes none.
- The amount is > 0; the pay date is not in the future nor before the enrolment date; the receipt number is
  required and unique among the live contributions of the product, whatever its case (database constraint
  `contribution_receipt_unique`: of 50 concurrent payments with one receipt, exactly one is recorded).
- While the policy is not paid yet (Idle), the product's limits apply: at most `max_installments` payments
  (photo fees aside), and none after the last date for payment (`policy.periods.last_payment_date`). Top-ups on
  an Active policy (a member who joined later) are not limited.
- Activation (legacy rule, reference sec. 12 item 7): when the live contributions other than photo fees reach the
  value, an Idle policy becomes Active (or Ready, per settings.POLICY_ACTIVATION), effective from the later of
  the pay date and the start date, and so does the cover of its members.
- Cancelling keeps the row (with who, when and why); when the policy is no longer paid, an Active or Ready policy
  goes back to Idle and nobody is covered by it until it is paid again.
The policy row is locked for the whole operation, so concurrent payments on one policy are counted one by one.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from openimis.accounts.models import User
from openimis.common.db import ConstraintMessages, constraint_errors
from openimis.common.exceptions import PermissionDeniedError
from payer.models import Payer

from .enrolment import CURRENT_STATUSES, activate_if_paid, deactivate_if_unpaid, paid_amount
from .exceptions import ContributionError, PolicyStateError
from .models import Contribution, PayType, Policy, PolicyStatus
from .periods import last_payment_date


def _messages() -> ConstraintMessages:
    return {
        "contribution_receipt_unique": (
            "receipt",
            _("This receipt number is already used for a contribution to this product."),
        ),
        "contribution_amount_positive": ("amount", _("The amount must be more than 0.")),
        "contribution_receipt_not_blank": ("receipt", _("This field is required.")),
        "contribution_pay_type_valid": ("pay_type", _("Choose a payment type.")),
    }


def _require(user: User, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDeniedError(_("You do not have the permission to do this."))


def _locked_policy(user: User, policy: Policy) -> Policy:
    try:
        return (
            Policy.objects.visible_to(user)
            .select_for_update(of=("self",))
            .select_related("product", "previous")
            .get(pk=policy.pk)
        )
    except Policy.DoesNotExist:
        raise PermissionDeniedError(_("This policy is outside your scope.")) from None


def policy_last_payment_date(policy: Policy) -> date | None:
    previous = policy.previous
    return last_payment_date(
        policy.product,
        stage=policy.stage,
        enroll_date=policy.enroll_date,
        start_date=policy.start_date,
        previous_expiry=previous.expiry_date if previous is not None else None,
    )


@dataclass
class ContributionResult:
    contribution: Contribution
    policy: Policy
    paid: Decimal
    activated: bool

    @property
    def balance(self) -> Decimal:
        """What is still due (0 when paid)."""
        return max(self.policy.value - self.paid, Decimal("0"))


def _fmt(day: date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


@transaction.atomic
def contribution_record(
    *,
    user: User,
    policy: Policy,
    amount: Decimal,
    receipt: str,
    pay_date: date,
    pay_type: str,
    payer: Payer | None = None,
    is_photo_fee: bool = False,
) -> ContributionResult:
    _require(user, "policy.add_contribution")
    policy = _locked_policy(user, policy)
    if policy.status not in CURRENT_STATUSES:
        raise PolicyStateError(
            _("A payment cannot be recorded on a policy that is %(status)s.")
            % {"status": policy.get_status_display().lower()},
            code="policy_not_current",
        )
    receipt = (receipt or "").strip()
    fields: dict[str, list[str]] = {}
    if amount is None or amount <= 0:
        fields["amount"] = [_("The amount must be more than 0.")]
    elif amount != amount.quantize(Decimal("0.01")):
        fields["amount"] = [_("An amount has at most two decimals.")]
    if not receipt:
        fields["receipt"] = [_("This field is required.")]
    elif len(receipt) > 50:
        fields["receipt"] = [_("A receipt number has at most 50 characters.")]
    if pay_type not in PayType.values:
        fields["pay_type"] = [_("Choose a payment type.")]
    elif pay_type == PayType.FUNDING and payer is None:
        fields["payer"] = [_("A funding is paid by a payer: choose one.")]
    if payer is not None and not Payer.objects.visible_to(user).filter(pk=payer.pk).exists():
        fields["payer"] = [_("No such payer in your scope.")]
    if pay_date > timezone.localdate():
        fields["pay_date"] = [_("The payment date cannot be in the future.")]
    elif pay_date < policy.enroll_date:
        fields["pay_date"] = [
            _("The payment date cannot be before the enrolment date (%(date)s).") % {"date": _fmt(policy.enroll_date)}
        ]
    if policy.status == PolicyStatus.IDLE and not is_photo_fee and not fields:
        last = policy_last_payment_date(policy)
        if last is not None and pay_date > last:
            fields["pay_date"] = [_("The last date for payment of this policy was %(date)s.") % {"date": _fmt(last)}]
        limit = policy.product.max_installments
        if limit:
            made = Contribution.objects.live().filter(policy=policy, is_photo_fee=False).count()
            if made >= limit:
                fields["amount"] = [
                    _("This product allows at most %(max)d instalments; %(made)d are recorded.")
                    % {"max": limit, "made": made}
                ]
    if fields:
        raise ContributionError(next(iter(fields.values()))[0], fields=fields)
    contribution = Contribution(
        policy=policy,
        payer=payer,
        amount=amount,
        receipt=receipt,
        pay_date=pay_date,
        pay_type=pay_type,
        is_photo_fee=is_photo_fee,
        created_by=user,
    )
    with constraint_errors(_messages()):
        contribution.save(force_insert=True)
    activated = False if is_photo_fee else activate_if_paid(policy, pay_date=pay_date)
    return ContributionResult(contribution, policy, paid_amount(policy), activated)


@transaction.atomic
def contribution_cancel(*, user: User, contribution: Contribution, reason: str) -> ContributionResult:
    _require(user, "policy.cancel_contribution")
    policy = _locked_policy(user, contribution.policy)
    contribution = Contribution.objects.select_for_update().get(pk=contribution.pk)
    if contribution.is_cancelled:
        raise ContributionError(_("This contribution is already cancelled."), code="contribution_cancelled")
    reason = (reason or "").strip()
    if not reason:
        raise ContributionError.for_field("reason", _("Say why the contribution is cancelled."))
    contribution.cancelled_at = timezone.now()
    contribution.cancelled_by = user
    contribution.cancel_reason = reason[:200]
    contribution.save(update_fields=["cancelled_at", "cancelled_by", "cancel_reason"])
    deactivate_if_unpaid(policy)
    return ContributionResult(contribution, policy, paid_amount(policy), False)
