"""The review queue: medical officers work through the claims the automatic adjudication selected (reference
sec. 6.7), built for volume.

The page lists the waiting claims (first submitted first, filters by facility, visit dates, amount and flag) next
to a panel with the current claim: its flags explained, its lines with the decision inputs. The panel is swapped
with HTMX: deciding a claim (approve, save, reject, bypass) answers with the next claim's panel and removes the
decided row, so a reviewer never waits for a page load; keyboard shortcuts (static/js/review.js) move through the
rows and act. Without JavaScript every link and form still works as a normal page.
A fixed number of queries per page: the page of claims with facility and insuree, its flags, the count, the share
passed automatically; the panel adds the claim, its lines and its flags.
"""

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.cache import cache
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from openimis.common.exceptions import ApplicationError
from openimis.common.pages import AuthedRequest, paginate

from . import flags, review, selectors
from .forms import VisitFilterForm
from .labels import category_label, reason_label
from .models import Claim, ClaimStatus, FlagCode, LineStatus
from .permissions import access_claim_by_uuid, access_claims_by_uuids

REVIEW = "claim.review_claim"
AUTO_PASS_DAYS = 30
AUTO_PASS_CACHE_SECONDS = 5 * 60


class ReviewFilterForm(VisitFilterForm):
    amount_min = forms.DecimalField(label=gettext_lazy("Claimed at least"), required=False, min_value=0)
    amount_max = forms.DecimalField(label=gettext_lazy("Claimed at most"), required=False, min_value=0)
    flag = forms.ChoiceField(
        label=gettext_lazy("Flag"), choices=[("", gettext_lazy("Any")), *FlagCode.choices], required=False
    )


def _query(request: AuthedRequest) -> str:
    """The queue's filters (and page), carried through the panel's forms."""
    keep = {k: v for k, v in request.GET.items() if k != "claim" and v}
    return urlencode(keep)


def _queue(request: AuthedRequest, query: str) -> Any:
    form = ReviewFilterForm(QueryDict(query) or None, user=request.user)
    return form, selectors.review_queue(request.user, **form.filters())


def _panel_context(
    request: AuthedRequest, claim: Claim | None, query: str, errors: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    if claim is None:
        return {"claim": None, "query": query}
    lines = []
    for n, line in enumerate(selectors.claim_lines(claim)):
        ln = line.line
        checked_out = ln.status == LineStatus.REJECTED and ln.rejection_reason != review.REVIEWER_REJECTION
        lines.append(
            {
                "n": n,
                "line": line,
                "prefix": f"{line.kind}-{ln.pk}",
                "reason": reason_label(ln.rejection_reason) if ln.rejection_reason else "",
                "decidable": not checked_out,
                "passed": ln.status == LineStatus.PASSED,
                "qty": ln.qty_approved
                if ln.qty_approved is not None and ln.status == LineStatus.PASSED
                else ln.qty_provided,
                "price": ln.price_approved if ln.price_approved is not None else ln.price_adjusted,
                "amount": ln.qty_provided * (ln.price_adjusted or 0),
            }
        )
    errors = errors or {}
    by_prefix: dict[str, dict[str, list[str]]] = {}
    decided = [x for x in lines if x["decidable"]]
    for key, messages_ in errors.items():
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == "lines" and parts[1].isdigit() and int(parts[1]) < len(decided):
            by_prefix.setdefault(decided[int(parts[1])]["prefix"], {})[parts[2]] = messages_
    for x in lines:
        x["errors"] = by_prefix.get(x["prefix"], {})
    diagnoses = [d for d in (claim.icd, claim.icd_1, claim.icd_2, claim.icd_3, claim.icd_4) if d is not None]
    return {
        "claim": claim,
        "lines": lines,
        "diagnoses": diagnoses,
        "category": category_label(claim.category),
        "flags": [(f.get_code_display(), flags.explain(f.code, f.params)) for f in claim.flags.all()],
        "query": query,
        "errors": {k: v for k, v in errors.items() if not k.startswith("lines.")},
        "reviewable": claim.status == ClaimStatus.CHECKED and claim.review_status in review.NOT_REVIEWED,
    }


def _auto_pass_share(user: Any) -> selectors.AutoPassShare:
    """The share of claims passed automatically in the user's scope over the last days: an aggregate over a
    month of claims, kept for a few minutes per user (it moves slowly; the queue itself is always fresh)."""
    since = timezone.localdate() - timedelta(days=AUTO_PASS_DAYS)
    key = f"claim:auto-pass:{user.pk}:{since.isoformat()}"
    share = cache.get(key)
    if share is None:
        share = selectors.auto_pass_share(user, since=since)
        cache.set(key, share, AUTO_PASS_CACHE_SECONDS)
    return share


def card_context(user: Any, claim: Claim) -> dict[str, Any]:
    """What the claim page's review card shows."""
    return {
        "review_flags": [(f.get_code_display(), flags.explain(f.code, f.params)) for f in claim.flags.all()],
        "can_review": user.has_perm(REVIEW)
        and claim.status == ClaimStatus.CHECKED
        and claim.review_status in review.NOT_REVIEWED,
    }


@login_required
@permission_required(REVIEW, raise_exception=True)
@require_GET
def review_queue(request: AuthedRequest, uuid: str | None = None) -> HttpResponse:
    """The queue page; with a claim's uuid, that claim in the panel (an HTMX request gets the panel alone)."""
    query = _query(request)
    current = access_claim_by_uuid(request.user, uuid) if uuid else None
    if current is not None and request.headers.get("HX-Request"):
        return render(request, "claim/_review_panel.html", _panel_context(request, current, query))
    form, queue = _queue(request, query)
    page_obj = paginate(request, queue)
    if current is None and page_obj.object_list:
        current = access_claim_by_uuid(request.user, page_obj.object_list[0].uuid)
    context = {
        "page_obj": page_obj,
        "filter_form": form,
        "share": _auto_pass_share(request.user),
        "share_days": AUTO_PASS_DAYS,
        "breadcrumbs": [(_("Claims"), reverse("claim:claim_list")), (_("Review queue"), "")],
        **_panel_context(request, current, query),
    }
    return render(request, "claim/review_queue.html", context)


def _decisions(request: AuthedRequest, claim: Claim) -> list[review.LineDecision]:
    post = request.POST
    decisions = []
    for line in selectors.claim_lines(claim):
        ln = line.line
        if ln.status == LineStatus.REJECTED and ln.rejection_reason != review.REVIEWER_REJECTION:
            continue
        prefix = f"{line.kind}-{ln.pk}"
        decisions.append(
            review.LineDecision(
                kind=line.kind,
                code=line.code,
                passed=post.get(f"{prefix}-passed") == "1",
                qty_approved=post.get(f"{prefix}-qty") or None,
                price_approved=post.get(f"{prefix}-price") or None,
                justification=post.get(f"{prefix}-justification", ""),
            )
        )
    return decisions


def _next_after(request: AuthedRequest, claim: Claim, query: str) -> Claim | None:
    """The claim to show once `claim` is decided: the next one waiting, in queue order, else the first."""
    _form, queue = _queue(request, query)
    later = queue.filter(submitted_at__gte=claim.submitted_at).exclude(pk=claim.pk)
    nxt = later.first() or queue.exclude(pk=claim.pk).first()
    return access_claim_by_uuid(request.user, nxt.uuid) if nxt is not None else None


@login_required
@permission_required(REVIEW, raise_exception=True)
@require_POST
def review_decide(request: AuthedRequest, uuid: str) -> HttpResponse:
    """Approve, save, reject or bypass one claim; answers with the next claim's panel (HTMX) or the queue page."""
    claim = access_claim_by_uuid(request.user, uuid)
    query = request.POST.get("query", "")
    action = request.POST.get("action", "approve")
    try:
        if action == "reject":
            review.claim_reject(user=request.user, claim=claim, justification=request.POST.get("justification", ""))
            done = _("Claim %(code)s rejected.")
        elif action == "bypass":
            review.claims_bypass_review(user=request.user, claims=[claim])
            done = _("Claim %(code)s sent to processing without review.")
        else:
            review.claim_review(
                user=request.user,
                claim=claim,
                lines=_decisions(request, claim),
                adjustment=request.POST.get("adjustment"),
                approve=action != "save",
            )
            done = _("Claim %(code)s saved.") if action == "save" else _("Claim %(code)s approved.")
    except ApplicationError as exc:
        claim = access_claim_by_uuid(request.user, uuid)
        context = _panel_context(request, claim, query, errors=exc.fields or {"": [exc.message]})
        context["failure"] = exc.message
        return render(request, "claim/_review_panel.html", context)
    note = done % {"code": claim.code}
    if not request.headers.get("HX-Request"):
        messages.success(request, note)
        return redirect(reverse("claim:review_queue") + (f"?{query}" if query else ""))
    if action == "save":
        context = _panel_context(request, access_claim_by_uuid(request.user, uuid), query)
        context["done"] = note
        return render(request, "claim/_review_panel.html", context)
    context = _panel_context(request, _next_after(request, claim, query), query)
    context["done"] = note
    context["decided"] = claim
    response = render(request, "claim/_review_panel.html", context)
    if context["claim"] is not None:
        response["HX-Push-Url"] = reverse("claim:review_claim", args=[context["claim"].uuid]) + (
            f"?{query}" if query else ""
        )
    return response


@login_required
@permission_required(REVIEW, raise_exception=True)
@require_POST
def review_approve_selected(request: AuthedRequest) -> HttpResponse:
    """Bulk approval of the ticked claims, as the checks left them."""
    query = request.POST.get("query", "")
    uuids = request.POST.getlist("claim")
    if not uuids:
        messages.warning(request, _("Tick the claims to approve first."))
    else:
        try:
            done = review.claims_approve(user=request.user, claims=access_claims_by_uuids(request.user, uuids))
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                ngettext("%(n)d claim approved.", "%(n)d claims approved.", len(done)) % {"n": len(done)},
            )
    return redirect(reverse("claim:review_queue") + (f"?{query}" if query else ""))
