"""Staff pages for claims: the list (with submitting a selection), entering a claim, a claim's page (reference
sec. 6.1, 6.2, 6.4).

Every claim is loaded through `claim.permissions` (404 outside the user's scope); entering goes through
`claim.services.claim_create`, whose errors are put on the input they name; submitting through
`claim.submission.claims_submit`. The new-claim page looks the insuree up (name, covered or not) and suggests
ICD-10, item and service codes with HTMX as the user types.
"""

from collections.abc import Mapping

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from openimis.common.exceptions import ApplicationError
from openimis.common.pages import AuthedRequest, paginate
from policy.eligibility import eligibility

from . import attachment_views, checks, feedback_views, review_views, selectors, services, submission
from .forms import LINE_KINDS, LINE_ROWS, MAX_LINE_ROWS, ClaimEntry, ClaimFilterForm, insurance_number_of, line_formset
from .labels import category_label, reason_label
from .models import Claim, ClaimStatus
from .permissions import access_claim_by_uuid, access_claims_by_uuids

VIEW = "claim.view_claim"
SUGGESTION_KINDS = ("diagnosis", "item", "service")


def _submitted_message(results: Mapping[int, checks.ClaimResult]) -> str:
    checked = sum(1 for r in results.values() if r.status == ClaimStatus.CHECKED)
    rejected = len(results) - checked
    return ngettext(
        "%(n)d claim submitted: %(checked)d checked, %(rejected)d rejected.",
        "%(n)d claims submitted: %(checked)d checked, %(rejected)d rejected.",
        len(results),
    ) % {"n": len(results), "checked": checked, "rejected": rejected}


def _submit(request: AuthedRequest, claims: list[Claim]) -> None:
    try:
        results = submission.claims_submit(user=request.user, claims=claims)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _submitted_message(results))


# --- the list -------------------------------------------------------------------------------------------------


@login_required
@permission_required(VIEW, raise_exception=True)
@require_GET
def claim_list(request: AuthedRequest) -> HttpResponse:
    form = ClaimFilterForm(request.GET or None, user=request.user)
    page_obj = paginate(request, selectors.claims_for(request.user, **form.filters()))
    can_submit = request.user.has_perm("claim.submit_claim")
    context = {"page_obj": page_obj, "filter_form": form, "can_submit": can_submit}
    return render(request, "claim/claim_list.html", context)


@login_required
@permission_required("claim.submit_claim", raise_exception=True)
@require_POST
def claims_submit_selected(request: AuthedRequest) -> HttpResponse:
    uuids = request.POST.getlist("claim")
    if not uuids:
        messages.warning(request, _("Tick the claims to submit first."))
    else:
        _submit(request, access_claims_by_uuids(request.user, uuids))
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(back)
    return redirect("claim:claim_list")


# --- a new claim -------------------------------------------------------------------------------------------------


def _new_context(entry: ClaimEntry) -> dict[str, object]:
    crumbs = [(_("Claims"), reverse("claim:claim_list")), (_("New claim"), "")]
    line_sets = [("items", entry.items, _("Items")), ("services", entry.services, _("Services"))]
    return {"form": entry.form, "line_sets": line_sets, "breadcrumbs": crumbs}


@login_required
@permission_required("claim.add_claim", raise_exception=True)
def claim_create(request: AuthedRequest) -> HttpResponse:
    entry = ClaimEntry(request.POST or None, user=request.user)
    if request.method == "POST" and entry.is_valid():
        try:
            claim = services.claim_create(user=request.user, **entry.values())
        except ApplicationError as exc:
            entry.apply_error(exc)
        else:
            messages.success(request, _("The claim %(code)s was saved.") % {"code": claim.code})
            if request.POST.get("action") == "submit":
                _submit(request, [claim])
            return redirect("claim:claim_detail", uuid=claim.uuid)
    return render(request, "claim/claim_create.html", _new_context(entry))


@login_required
@permission_required("claim.add_claim", raise_exception=True)
@require_GET
def claim_insuree_lookup(request: AuthedRequest) -> HttpResponse:
    """Who the insurance number (or scanned card) is, and whether they are covered today (HTMX, as they type)."""
    text = request.GET.get("insurance_number", "")[:2000]
    try:
        number = insurance_number_of(text)
    except ValidationError:
        return render(request, "claim/_insuree_lookup.html", {"forged": True})
    result = eligibility(request.user, number) if number else None
    context = {"result": result, "scanned": number != text.strip()}
    return render(request, "claim/_insuree_lookup.html", context)


@login_required
@permission_required("claim.add_claim", raise_exception=True)
@require_GET
def claim_code_options(request: AuthedRequest, kind: str) -> HttpResponse:
    """`<option>`s for the datalist of ICD-10, item or service codes: the value typed is the request's one
    parameter (each input sends its own name)."""
    if kind not in SUGGESTION_KINDS:
        raise Http404("No such register")
    q = next((value for key in request.GET if (value := request.GET.get(key, "").strip())), "")[:50]
    options = selectors.code_suggestions(request.user, kind, q)
    return render(request, "claim/_code_options.html", {"options": options})


@login_required
@permission_required("claim.add_claim", raise_exception=True)
@require_GET
def claim_line_rows(request: AuthedRequest, kind: str) -> HttpResponse:
    """More blank rows of items or services (HTMX), and the formset's row count swapped out of band."""
    if kind not in LINE_KINDS:
        raise Http404("No such kind of line")
    try:
        start = min(max(int(request.GET.get(f"{kind}-TOTAL_FORMS", "0")), 0), MAX_LINE_ROWS)
    except ValueError:
        start = 0
    total = min(start + LINE_ROWS, MAX_LINE_ROWS)
    formset = line_formset(kind)
    rows = [formset._construct_form(i) for i in range(start, total)]
    return render(request, "claim/_line_rows.html", {"rows": rows, "kind": kind, "total": total, "oob": True})


# --- one claim ----------------------------------------------------------------------------------------------------


@login_required
@permission_required(VIEW, raise_exception=True)
@require_GET
def claim_detail(request: AuthedRequest, uuid: str) -> HttpResponse:
    claim = access_claim_by_uuid(request.user, uuid)
    lines = [
        (line, reason_label(line.line.rejection_reason) if line.line.rejection_reason else "")
        for line in selectors.claim_lines(claim)
    ]
    context = {
        "claim": claim,
        "lines": lines,
        "diagnoses": [d for d in (claim.icd, claim.icd_1, claim.icd_2, claim.icd_3, claim.icd_4) if d is not None],
        "reason": reason_label(claim.rejection_reason) if claim.rejection_reason else "",
        "category": category_label(claim.category),
        "can_submit": claim.is_editable and request.user.has_perm("claim.submit_claim"),
        "can_delete": claim.is_editable and request.user.has_perm("claim.delete_claim"),
        "breadcrumbs": [(_("Claims"), reverse("claim:claim_list")), (claim.code, "")],
        **feedback_views.card_context(request.user, claim),
        **review_views.card_context(request.user, claim),
        **attachment_views.card_context(request.user, claim),
    }
    return render(request, "claim/claim_detail.html", context)


@login_required
@permission_required("claim.submit_claim", raise_exception=True)
@require_POST
def claim_submit(request: AuthedRequest, uuid: str) -> HttpResponse:
    claim = access_claim_by_uuid(request.user, uuid)
    _submit(request, [claim])
    return redirect("claim:claim_detail", uuid=claim.uuid)


@login_required
@permission_required("claim.delete_claim", raise_exception=True)
def claim_delete(request: AuthedRequest, uuid: str) -> HttpResponse:
    claim = access_claim_by_uuid(request.user, uuid)
    if request.method == "POST":
        try:
            services.claim_delete(user=request.user, claim=claim)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("claim:claim_detail", uuid=claim.uuid)
        messages.success(request, _("The claim %(code)s was deleted.") % {"code": claim.code})
        return redirect("claim:claim_list")
    crumbs = [(_("Claims"), reverse("claim:claim_list")), (claim.code, reverse("claim:claim_detail", args=[uuid]))]
    return render(request, "claim/claim_delete.html", {"claim": claim, "breadcrumbs": [*crumbs, (_("Delete"), "")]})
