"""Staff pages for the insurees' feedback on claims (reference sec. 6.7): selecting claims for feedback (from the
claim list or a claim's page), the list of claims waiting for answers, and recording them.

Claims are loaded through `claim.permissions` (404 outside the user's scope) and changed with `claim.feedback`,
whose refusals become a message or the errors of the form. The claim page's "Feedback" card comes from
`card_context`; recording also has a page of its own, reached from the feedback list, which shows what the
officer needs for the interview (the person, the visit, what was given) to those without the claim pages.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from openimis.accounts.models import User
from openimis.common.exceptions import ApplicationError
from openimis.common.pages import AuthedRequest, apply_error, paginate

from . import feedback, selectors
from .exceptions import ClaimStateError
from .feedback_forms import FeedbackFilterForm, FeedbackForm
from .models import Claim, Feedback, ReviewStatus
from .permissions import access_claim_by_uuid, access_claims_by_uuids

SELECT = "claim.select_claim"
RECORD = "claim.feedback_claim"
MAX_REASONS_SHOWN = 3


def _answer_label(value: bool | None) -> str:
    if value is None:
        return _("Unknown")
    return _("Yes") if value else _("No")


def feedback_answers(answers: Feedback) -> list[tuple[str, str]]:
    """The questions with their answers, as the card shows them."""
    return [
        (str(FeedbackForm.base_fields[name].label), _answer_label(getattr(answers, name)))
        for name in feedback.QUESTIONS
    ]


def card_context(user: User, claim: Claim, form: FeedbackForm | None = None, back: str = "") -> dict[str, Any]:
    """What the "Feedback" card of a claim shows: its status, the answers once recorded, the form to record them
    (claim Selected, user with `claim.feedback_claim`) or the button selecting it (user with `claim.select_claim`)."""
    answers = None
    if claim.feedback_status == ReviewStatus.DELIVERED:
        answers = Feedback.objects.select_related("recorded_by").filter(claim=claim).first()
    can_record = claim.feedback_status == ReviewStatus.SELECTED and user.has_perm(RECORD)
    can_select = feedback.can_be_selected(claim) and user.has_perm(SELECT)
    return {
        "show_feedback": claim.feedback_status != ReviewStatus.IDLE or can_select,
        "feedback": answers,
        "feedback_answers": feedback_answers(answers) if answers else [],
        "feedback_form": (form or FeedbackForm()) if can_record else None,
        "can_select_feedback": can_select,
        "feedback_next": back or reverse("claim:claim_detail", args=[claim.uuid]),
    }


def _back(request: AuthedRequest, default: str) -> HttpResponse:
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(back)
    return redirect(default)


# --- selecting -------------------------------------------------------------------------------------------------


@login_required
@permission_required(SELECT, raise_exception=True)
@require_POST
def claims_select_feedback(request: AuthedRequest) -> HttpResponse:
    """Selects the ticked claims (the list) or one claim (its page) for feedback; back to where it was asked."""
    uuids = request.POST.getlist("claim")
    if not uuids:
        messages.warning(request, _("Tick the claims to select for feedback first."))
        return _back(request, "claim:claim_list")
    try:
        selected = feedback.claims_select_for_feedback(
            user=request.user, claims=access_claims_by_uuids(request.user, uuids)
        )
    except ApplicationError as exc:
        reasons = list(dict.fromkeys(m for msgs in exc.fields.values() for m in msgs))
        messages.error(request, " ".join(reasons) if 0 < len(reasons) <= MAX_REASONS_SHOWN else exc.message)
    else:
        n = len(selected)
        messages.success(
            request,
            ngettext("%(n)d claim selected for feedback.", "%(n)d claims selected for feedback.", n) % {"n": n},
        )
    return _back(request, "claim:claim_list")


# --- the list --------------------------------------------------------------------------------------------------


@login_required
@permission_required(RECORD, raise_exception=True)
@require_GET
def feedback_list(request: AuthedRequest) -> HttpResponse:
    form = FeedbackFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    page_obj = paginate(request, feedback.claims_for_feedback(request.user, **filters))
    context = {
        "page_obj": page_obj,
        "filter_form": form,
        "delivered": filters.get("delivered", False),
        "breadcrumbs": [(_("Claims"), reverse("claim:claim_list")), (_("Feedback"), "")],
    }
    return render(request, "claim/feedback_list.html", context)


# --- recording -------------------------------------------------------------------------------------------------


@login_required
@permission_required(RECORD, raise_exception=True)
def claim_feedback(request: AuthedRequest, uuid: str) -> HttpResponse:
    """The feedback page of a claim: the answers, or the form recording them (posted from here or the claim page)."""
    claim = access_claim_by_uuid(request.user, uuid)
    form = FeedbackForm(request.POST or None)
    if request.method == "POST":
        if claim.feedback_status != ReviewStatus.SELECTED:
            messages.error(request, _("This claim is not waiting for feedback."))
            return redirect("claim:claim_feedback", uuid=claim.uuid)
        if form.is_valid():
            try:
                feedback.feedback_record(user=request.user, claim=claim, **form.values())
            except ClaimStateError as exc:  # recorded by someone else since the page was opened
                messages.error(request, exc.message)
                return redirect("claim:claim_feedback", uuid=claim.uuid)
            except ApplicationError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("The feedback on claim %(code)s was recorded.") % {"code": claim.code})
                return _back(request, "claim:feedback_list")
    back = request.POST.get("next") or reverse("claim:feedback_list")
    context = {
        "claim": claim,
        "lines": selectors.claim_lines(claim),
        "breadcrumbs": [(_("Feedback"), reverse("claim:feedback_list")), (claim.code, "")],
        **card_context(request.user, claim, form, back),
    }
    return render(request, "claim/feedback_record.html", context)
