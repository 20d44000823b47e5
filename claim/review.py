"""Review of checked claims by medical officers (reference sec. 6.7).

Rules enforced here:
- Reviewing (saving decisions, approving, rejecting, bypassing) needs `claim.review_claim`; selecting claims for
  review needs `claim.select_claim`. Claims are in the user's scope, Checked, and not reviewed yet (review status
  Idle, Not selected or Selected); others are refused, naming them, and nothing of the set is written.
- A line decision: passed or rejected (rejection reason -1, "rejected by the reviewer", with a justification);
  the approved quantity is between 0 and the quantity provided, the approved price between 0 and the price used at
  the check. A line the automatic checks rejected stays rejected. Errors name `lines.N.field`.
- The claim's approved amount is recomputed (passed lines: approved quantity x approved price, each defaulting to
  what the check passed). A claim whose lines are all rejected becomes Rejected (reason -1).
- Approving (one claim with its decisions, or a selection as they stand) marks the review Delivered with who and
  when; bypassing marks it Bypassed. Either way the claim is processed by a worker once committed
  (`claim.tasks.process_passed`), like a claim that needed no review.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openimis.accounts.models import User
from openimis.common.exceptions import PermissionDeniedError

from .exceptions import ClaimError, ClaimStateError
from .models import Claim, ClaimItem, ClaimService, ClaimStatus, LineStatus, ReviewStatus

REVIEWER_REJECTION = -1
NOT_REVIEWED = (ReviewStatus.IDLE, ReviewStatus.NOT_SELECTED, ReviewStatus.SELECTED)
CLAIM_FIELDS = ["status", "rejection_reason", "approved", "adjustment", "review_status", "reviewed_by", "reviewed_at"]
LINE_FIELDS = ["status", "rejection_reason", "qty_approved", "price_approved", "justification"]


@dataclass(frozen=True)
class LineDecision:
    kind: str  # "item" or "service"
    code: str  # the item's (service's) code: one line per code in a claim
    passed: bool = True
    qty_approved: Any = None  # None: as the check passed it
    price_approved: Any = None  # None: the price used at the check
    justification: str = ""


def _require(user: User, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDeniedError(_("You do not have the permission to do this."))


def _locked(user: User, claims: Sequence[Claim]) -> list[Claim]:
    """The claims, locked, in the user's scope and waiting for a review; refused otherwise (naming them)."""
    ids = {c.pk for c in claims}
    locked = list(Claim.objects.visible_to(user).select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk"))
    if len(locked) != len(ids):
        raise PermissionDeniedError(_("A claim is outside your scope."))
    refused = [c.code for c in locked if c.status != ClaimStatus.CHECKED or c.review_status not in NOT_REVIEWED]
    if refused:
        raise ClaimStateError(
            _("Only checked claims not reviewed yet can be reviewed: %(codes)s.") % {"codes": ", ".join(refused)},
            code="claim_not_reviewable",
        )
    return locked


def _after_commit(claims: Sequence[Claim]) -> None:
    from .tasks import process_passed

    ids = [c.pk for c in claims if c.status == ClaimStatus.CHECKED]
    if ids:
        transaction.on_commit(lambda: process_passed.delay(ids))


@transaction.atomic
def claims_select_for_review(*, user: User, claims: Sequence[Claim]) -> list[Claim]:
    """Puts claims in the review queue by hand (a reviewer's own pick)."""
    _require(user, "claim.select_claim")
    locked = _locked(user, claims)
    Claim.objects.filter(pk__in=[c.pk for c in locked]).update(review_status=ReviewStatus.SELECTED)
    return locked


def _decimal(value: Any, field: str, errors: dict[str, list[str]]) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        errors[field] = [_("Enter a number.")]
        return None
    if not number.is_finite() or number < 0:
        errors[field] = [_("Enter a number of 0 or more.")]
        return None
    return number


def _apply(
    claim: Claim, decisions: Sequence[LineDecision], errors: dict[str, list[str]]
) -> list[ClaimItem | ClaimService]:
    items = {ln.item.code.upper(): ln for ln in ClaimItem.objects.filter(claim=claim).select_related("item")}
    services = {
        ln.service.code.upper(): ln for ln in ClaimService.objects.filter(claim=claim).select_related("service")
    }
    changed: list[ClaimItem | ClaimService] = []
    for n, d in enumerate(decisions):
        place = f"lines.{n}"
        line = (items if d.kind == "item" else services).get((d.code or "").strip().upper())
        if line is None:
            errors[f"{place}.code"] = [_("This claim has no such item or service.")]
            continue
        qty = _decimal(d.qty_approved, f"{place}.qty_approved", errors)
        price = _decimal(d.price_approved, f"{place}.price_approved", errors)
        justification = (d.justification or "").strip()[:250]
        if line.status == LineStatus.REJECTED and line.rejection_reason != REVIEWER_REJECTION:
            if d.passed:
                errors[f"{place}.status"] = [_("The automatic checks rejected this line; it cannot be approved.")]
            continue
        if not d.passed:
            if not justification:
                errors[f"{place}.justification"] = [_("Say why the line is rejected.")]
            line.status, line.rejection_reason, line.qty_approved = LineStatus.REJECTED, REVIEWER_REJECTION, Decimal(0)
            line.justification = justification
            changed.append(line)
            continue
        if qty is not None and qty > line.qty_provided:
            errors[f"{place}.qty_approved"] = [
                _("At most the quantity provided (%(qty)s).") % {"qty": format(line.qty_provided.normalize(), "f")}
            ]
        used_price = line.price_adjusted or Decimal("0")
        if price is not None and price > used_price:
            errors[f"{place}.price_approved"] = [_("At most the price claimed (%(price)s).") % {"price": used_price}]
        if line.rejection_reason == REVIEWER_REJECTION:  # passed again after a rejection by a reviewer
            line.status, line.rejection_reason, line.qty_approved = LineStatus.PASSED, 0, None
        if qty is not None:
            line.qty_approved = qty
        line.price_approved = price
        if justification:
            line.justification = justification
        changed.append(line)
    return changed


def _approved(claim: Claim) -> Decimal:
    total = Decimal("0")
    for model in (ClaimItem, ClaimService):
        for qty, provided, price, used in model.objects.filter(claim=claim, status=LineStatus.PASSED).values_list(
            "qty_approved", "qty_provided", "price_approved", "price_adjusted"
        ):
            total += (qty if qty is not None else provided) * (price if price is not None else used or 0)
    return total


def _settle(claim: Claim, user: User, *, deliver: bool) -> None:
    """Recomputes the claim from its lines after decisions; when `deliver`, the review is done."""
    passed = any(
        model.objects.filter(claim=claim, status=LineStatus.PASSED).exists() for model in (ClaimItem, ClaimService)
    )
    claim.approved = _approved(claim) if passed else Decimal("0")
    if not passed:
        claim.status, claim.rejection_reason = ClaimStatus.REJECTED, REVIEWER_REJECTION
    if deliver or not passed:
        claim.review_status = ReviewStatus.DELIVERED
        claim.reviewed_by, claim.reviewed_at = user, timezone.now()
    claim.save(update_fields=[*CLAIM_FIELDS, "updated_at"])


@transaction.atomic
def claim_review(
    *,
    user: User,
    claim: Claim,
    lines: Sequence[LineDecision] = (),
    adjustment: str | None = None,
    approve: bool = False,
) -> Claim:
    """Saves a reviewer's decisions on a claim's lines; with `approve`, the review is delivered and the claim goes
    on to processing."""
    _require(user, "claim.review_claim")
    (locked,) = _locked(user, [claim])
    errors: dict[str, list[str]] = {}
    changed = _apply(locked, lines, errors)
    if errors:
        raise ClaimError(next(iter(errors.values()))[0], fields=errors)
    ClaimItem.objects.bulk_update([ln for ln in changed if isinstance(ln, ClaimItem)], LINE_FIELDS)
    ClaimService.objects.bulk_update([ln for ln in changed if isinstance(ln, ClaimService)], LINE_FIELDS)
    if adjustment is not None:
        locked.adjustment = adjustment.strip()
    _settle(locked, user, deliver=approve)
    if approve:
        _after_commit([locked])
    return locked


@transaction.atomic
def claim_reject(*, user: User, claim: Claim, justification: str) -> Claim:
    """Rejects every line of a claim (the claim becomes Rejected), with the reviewer's reason."""
    _require(user, "claim.review_claim")
    (locked,) = _locked(user, [claim])
    reason = (justification or "").strip()
    if not reason:
        raise ClaimError.for_field("justification", _("Say why the claim is rejected."))
    for model in (ClaimItem, ClaimService):
        model.objects.filter(claim=locked, status=LineStatus.PASSED).update(
            status=LineStatus.REJECTED, rejection_reason=REVIEWER_REJECTION, qty_approved=0, justification=reason[:250]
        )
    locked.adjustment = reason
    _settle(locked, user, deliver=True)
    return locked


@transaction.atomic
def claims_approve(*, user: User, claims: Sequence[Claim]) -> list[Claim]:
    """Approves a selection of claims as the checks left them (bulk approval from the review queue)."""
    _require(user, "claim.review_claim")
    locked = _locked(user, claims)
    now = timezone.now()
    Claim.objects.filter(pk__in=[c.pk for c in locked]).update(
        review_status=ReviewStatus.DELIVERED, reviewed_by=user, reviewed_at=now, updated_at=now
    )
    _after_commit(locked)
    return locked


@transaction.atomic
def claims_bypass_review(*, user: User, claims: Sequence[Claim]) -> list[Claim]:
    """Sends claims on to processing without a review."""
    _require(user, "claim.review_claim")
    locked = _locked(user, claims)
    Claim.objects.filter(pk__in=[c.pk for c in locked]).update(
        review_status=ReviewStatus.BYPASSED, updated_at=timezone.now()
    )
    _after_commit(locked)
    return locked
