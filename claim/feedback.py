"""Asking insurees about their claims (reference sec. 6.7): selecting claims for feedback, recording the answers,
and the list of claims waiting for them.

Rules enforced here. A refusal is a domain error with a stable code, and nothing is written:
- Selecting needs `claim.select_claim`. Every claim is in the user's scope (`Claim.objects.visible_to`), submitted
  and accepted (Checked, Processed or Valuated) and its feedback Idle or Not selected; it becomes Selected. When
  any claim of the set is refused, none is selected: the error (`claim_not_selectable`, 409) names every refused
  claim by its place in the request (`claims.3`) with the reason.
- Recording needs `claim.feedback_claim`. The claim is in scope and Selected for feedback (`feedback_not_expected`
  otherwise, 409); a claim's feedback is recorded once (`feedback_already_recorded`, 409; the database holds one
  row per claim). The interview date is given, not in the future and not before the visit's first day; the
  assessment is empty or 1 (very poor) to 5 (very good); each question is answered yes, no or unknown (None).
  The answers are stored with who recorded them and the claim's feedback becomes Delivered.
- Feedback does not hold payment: a claim Selected for feedback may be processed before the answers come, and
  they are still taken (`claim.processing` leaves the feedback status as it is). A Bypassed feedback takes none.
Every write runs in one transaction, with the claims locked (select_for_update) so that two people selecting or
recording at the same moment are decided one after the other.
"""

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from location.models import HealthFacility
from openimis.accounts.models import User
from openimis.common.db import ConstraintMessages, constraint_errors
from openimis.common.exceptions import ApplicationError, PermissionDeniedError

from .exceptions import ClaimError, ClaimStateError
from .models import Assessment, Claim, ClaimStatus, Feedback, ReviewStatus

ACCEPTED_STATUSES = (ClaimStatus.CHECKED, ClaimStatus.PROCESSED, ClaimStatus.VALUATED)
SELECTABLE_FEEDBACK = (ReviewStatus.IDLE, ReviewStatus.NOT_SELECTED)
QUESTIONS = ("care_rendered", "payment_asked", "drug_prescribed", "drug_received")
MAX_CODES_IN_MESSAGE = 20
ONE_PER_CLAIM = "claim_feedback_claim_id_key"  # the unique index of Feedback.claim (one-to-one)


def _require(user: User, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDeniedError(_("You do not have the permission to do this."))


def can_be_selected(claim: Claim) -> bool:
    return claim.status in ACCEPTED_STATUSES and claim.feedback_status in SELECTABLE_FEEDBACK


def _why_not_selectable(claim: Claim) -> str:
    if claim.status not in ACCEPTED_STATUSES:
        return _("%(code)s is %(status)s: only checked, processed or valuated claims are selected for feedback.") % {
            "code": claim.code,
            "status": str(claim.get_status_display()).lower(),
        }
    return _("Feedback on %(code)s is already %(status)s.") % {
        "code": claim.code,
        "status": str(claim.get_feedback_status_display()).lower(),
    }


# --- writes ----------------------------------------------------------------------------------------------------


@transaction.atomic
def claims_select_for_feedback(*, user: User, claims: Sequence[Claim]) -> list[Claim]:
    """Marks the claims Selected for feedback, all of them or none; returns them (each once, in the given order)."""
    _require(user, "claim.select_claim")
    if not claims:
        message = _("Choose the claims to select for feedback.")
        raise ClaimError(message, fields={"claims": [message]})
    wanted = list(dict.fromkeys(c.pk for c in claims))
    locked = {
        c.pk: c
        for c in Claim.objects.visible_to(user).select_for_update(of=("self",)).filter(pk__in=wanted).order_by("pk")
    }
    if len(locked) != len(wanted):
        raise PermissionDeniedError(_("A claim of the selection is outside your scope."))
    refused = {
        f"claims.{i}": [_why_not_selectable(locked[c.pk])]
        for i, c in enumerate(claims)
        if not can_be_selected(locked[c.pk])
    }
    if refused:
        codes = list(dict.fromkeys(locked[c.pk].code for c in claims if not can_be_selected(locked[c.pk])))
        shown = ", ".join(codes[:MAX_CODES_IN_MESSAGE]) + ("…" if len(codes) > MAX_CODES_IN_MESSAGE else "")
        message = ngettext(
            "%(n)d claim cannot be selected for feedback: %(codes)s.",
            "%(n)d claims cannot be selected for feedback: %(codes)s.",
            len(codes),
        ) % {"n": len(codes), "codes": shown}
        raise ClaimStateError(message, fields=refused, code="claim_not_selectable")
    Claim.objects.filter(pk__in=wanted).update(feedback_status=ReviewStatus.SELECTED, updated_at=timezone.now())
    for claim in locked.values():
        claim.feedback_status = ReviewStatus.SELECTED
    return [locked[pk] for pk in wanted]


def _checked_date(claim: Claim, feedback_date: date | None, answers: dict[str, Any]) -> date:
    """The interview date, once it and the answers are checked."""
    fields: dict[str, list[str]] = {}
    if feedback_date is None:
        fields["feedback_date"] = [_("Give the date of the interview.")]
    elif feedback_date > timezone.localdate():
        fields["feedback_date"] = [_("The interview cannot be in the future.")]
    elif feedback_date < claim.date_from:
        fields["feedback_date"] = [_("The interview cannot be before the visit.")]
    for name in QUESTIONS:
        if answers[name] is not None and not isinstance(answers[name], bool):
            fields[name] = [_("Answer yes, no or unknown.")]
    assessment = answers["assessment"]
    if assessment is not None and (isinstance(assessment, bool) or assessment not in Assessment.values):
        fields["assessment"] = [_("The assessment is from 1 (very poor) to 5 (very good).")]
    if fields or feedback_date is None:
        raise ClaimError(next(iter(fields.values()))[0], fields=fields)
    return feedback_date


def _already_recorded() -> ClaimStateError:
    return ClaimStateError(_("The feedback on this claim has already been recorded."), code="feedback_already_recorded")


@transaction.atomic
def feedback_record(
    *,
    user: User,
    claim: Claim,
    feedback_date: date | None,
    care_rendered: bool | None = None,
    payment_asked: bool | None = None,
    drug_prescribed: bool | None = None,
    drug_received: bool | None = None,
    assessment: int | None = None,
    comment: str = "",
) -> Feedback:
    """Stores the insuree's answers on a claim Selected for feedback, which becomes Delivered."""
    _require(user, "claim.feedback_claim")
    locked = Claim.objects.visible_to(user).select_for_update(of=("self",)).filter(pk=claim.pk).first()
    if locked is None:
        raise PermissionDeniedError(_("This claim is outside your scope."))
    if locked.feedback_status == ReviewStatus.DELIVERED:
        raise _already_recorded()
    if locked.feedback_status != ReviewStatus.SELECTED:
        raise ClaimStateError(
            _("This claim is not waiting for feedback (its feedback is %(status)s).")
            % {"status": str(locked.get_feedback_status_display()).lower()},
            code="feedback_not_expected",
        )
    answers = {
        "care_rendered": care_rendered,
        "payment_asked": payment_asked,
        "drug_prescribed": drug_prescribed,
        "drug_received": drug_received,
        "assessment": assessment,
    }
    interview = _checked_date(locked, feedback_date, answers)
    range_error = _("The assessment is from 1 (very poor) to 5 (very good).")
    messages: ConstraintMessages = {
        ONE_PER_CLAIM: (None, ""),
        "feedback_assessment_range": ("assessment", range_error),
    }
    try:
        with constraint_errors(messages):
            feedback = Feedback.objects.create(
                claim=locked,
                feedback_date=interview,
                comment=(comment or "").strip(),
                recorded_by=user,
                **answers,
            )
    except ApplicationError as exc:
        if exc.code != ONE_PER_CLAIM:
            raise
        raise _already_recorded() from exc
    locked.feedback_status = ReviewStatus.DELIVERED
    locked.save(update_fields=["feedback_status", "updated_at"])
    claim.feedback_status = locked.feedback_status
    return feedback


# --- reads -----------------------------------------------------------------------------------------------------


def claims_for_feedback(
    user: User,
    *,
    delivered: bool = False,
    facility: HealthFacility | None = None,
    visit_from: date | None = None,
    visit_to: date | None = None,
) -> QuerySet[Claim]:
    """Claims in the user's scope waiting for the insuree's answers (Selected), or with their answers recorded
    (`delivered`), oldest visit first (the insuree remembers it least); the person's village and phone joined."""
    qs = Claim.objects.visible_to(user).filter(
        feedback_status=ReviewStatus.DELIVERED if delivered else ReviewStatus.SELECTED
    )
    if facility is not None:
        qs = qs.filter(facility=facility)
    if visit_from is not None:
        qs = qs.filter(date_from__gte=visit_from)
    if visit_to is not None:
        qs = qs.filter(date_from__lte=visit_to)
    return qs.select_related("facility", "insuree__family__village", "insuree__current_village").order_by(
        "date_from", "pk"
    )
