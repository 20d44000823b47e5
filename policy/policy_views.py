"""Staff pages for policies, contributions, renewal reminders and eligibility (reference sec. 4, 5).

Every object is loaded through `policy_permissions` (404 outside the user's scope), every write goes through
`policy.enrolment` / `policy.contributions`, whose errors are put next to the form fields.
The terms of a policy (dates, value and its breakdown, members covered) are previewed with HTMX before confirming.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from insuree.models import Family
from insuree.permissions import access_family_by_uuid
from openimis.accounts.models import User
from openimis.common.exceptions import ApplicationError
from openimis.common.pages import AuthedRequest, apply_error, paginate

from . import contributions, eligibility, enrolment, policy_selectors, receipts
from .models import Contribution, Policy, PolicyStatus
from .policy_forms import (
    ContributionForm,
    EligibilityForm,
    PolicyChangeForm,
    PolicyFilterForm,
    PolicyForm,
    ReasonForm,
    RenewForm,
    enroll_date_of,
)
from .policy_permissions import access_contribution_by_uuid, access_policy_by_uuid, access_renewal_by_uuid

VIEW = "policy.view_policy"
S = PolicyStatus


def _money(amount: Any) -> str:
    return number_format(amount, 2, force_grouping=True)


def policy_title(policy: Policy) -> str:
    return f"{policy.product.code} · {policy.family.head.full_name}"


def _crumbs(policy: Policy | None = None, *tail: tuple[str, str]) -> list[tuple[str, str]]:
    crumbs = [(_("Policies"), reverse("policy:policy_list"))]
    if policy is not None:
        crumbs.append((policy_title(policy), reverse("policy:policy_detail", args=[policy.uuid])))
    return crumbs + list(tail)


def _family_crumbs(family: Family, *tail: tuple[str, str]) -> list[tuple[str, str]]:
    family_url = reverse("insuree:family_detail", args=[family.uuid])
    return [(_("Families"), reverse("insuree:family_list")), (family.head.full_name, family_url), *tail]


def _to_detail(policy: Policy, tab: str = "") -> HttpResponse:
    url = reverse("policy:policy_detail", args=[policy.uuid])
    return redirect(url + (f"?tab={tab}" if tab else ""))


# --- the family's policies and selling a new one --------------------------------------------------------------


@login_required
@permission_required(VIEW, raise_exception=True)
@require_GET
def family_policies(request: AuthedRequest, uuid: str) -> HttpResponse:
    """The "Policies" card of the family page (loaded there with HTMX: the insuree app does not import this one)."""
    family = access_family_by_uuid(request.user, uuid)
    context = {"family": family, "policies": policy_selectors.family_policies(family)}
    return render(request, "policy/policies/_family_policies.html", context)


@login_required
@permission_required("policy.add_policy", raise_exception=True)
def policy_create(request: AuthedRequest, uuid: str) -> HttpResponse:
    family = access_family_by_uuid(request.user, uuid)
    form = PolicyForm(request.POST or None, user=request.user, family=family)
    if request.method == "POST" and form.is_valid():
        try:
            result = enrolment.policy_create(user=request.user, family=family, **form.values())
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("The policy was created. It becomes active once it is paid."))
            for warning in result.warnings:
                messages.warning(request, warning)
            return redirect("policy:policy_detail", uuid=result.policy.uuid)
    preview = _new_preview(request.user, form, family) if form.is_bound else None
    context = {
        "form": form,
        "family": family,
        "preview": preview,
        "breadcrumbs": _family_crumbs(family, (_("New policy"), "")),
    }
    return render(request, "policy/policies/policy_create.html", context)


def _new_preview(user: User, form: PolicyForm, family: Family) -> policy_selectors.Preview | None:
    if not form.is_valid():
        return None
    data = form.cleaned_data
    return policy_selectors.new_policy_preview(user, family, data["product"], data["enroll_date"])


@login_required
@permission_required("policy.add_policy", raise_exception=True)
@require_GET
def policy_create_preview(request: AuthedRequest, uuid: str) -> HttpResponse:
    """What the policy would be (HTMX, on each change of the form); with `refresh`, the products sold on the
    enrolment date too (swapped out of band)."""
    family = access_family_by_uuid(request.user, uuid)
    form = PolicyForm(request.GET, user=request.user, family=family)
    context: dict[str, Any] = {"preview": _new_preview(request.user, form, family), "family": family}
    if request.GET.get("refresh"):
        initial = {"product": request.GET.get("product", ""), "enroll_date": enroll_date_of(request.GET)}
        context["product_form"] = PolicyForm(initial=initial, user=request.user, family=family)
    return render(request, "policy/policies/_preview.html", context)


# --- one policy ---------------------------------------------------------------------------------------------------


def _actions(user: User, policy: Policy, contributions_: list[Contribution], renewed: bool) -> dict[str, bool]:
    """Which buttons the policy page shows: by permission and by the policy's state."""
    live = [c for c in contributions_ if not c.is_cancelled]
    return {
        "edit": policy.status == S.IDLE and user.has_perm("policy.change_policy"),
        "delete": policy.status == S.IDLE and not contributions_ and user.has_perm("policy.delete_policy"),
        "renew": policy.status in (S.ACTIVE, S.EXPIRED) and not renewed and user.has_perm("policy.renew_policy"),
        "suspend": policy.status in (S.IDLE, S.ACTIVE, S.READY) and user.has_perm("policy.suspend_policy"),
        "resume": policy.status == S.SUSPENDED and user.has_perm("policy.suspend_policy"),
        "activate": policy.status == S.READY and user.has_perm("policy.activate_policy"),
        "pay": policy.status in enrolment.CURRENT_STATUSES and user.has_perm("policy.add_contribution"),
        "cancel": bool(live) and user.has_perm("policy.cancel_contribution"),
    }


def _detail_context(request: AuthedRequest, policy: Policy, form: ContributionForm | None = None) -> dict[str, Any]:
    contributions_ = policy_selectors.policy_contributions(policy)
    paid = enrolment.paid_amount(policy)
    balance = max(policy.value - paid, 0)
    renewal = policy_selectors.renewal_of(policy)
    return {
        "policy": policy,
        "members": policy_selectors.policy_members(policy),
        "contributions": contributions_,
        "paid": paid,
        "balance": balance,
        "last_payment_date": contributions.policy_last_payment_date(policy),
        "renewal": renewal,
        "actions": _actions(request.user, policy, contributions_, renewal is not None),
        "pay_form": form or ContributionForm(user=request.user, initial={"amount": balance or None}),
        "breadcrumbs": _crumbs(policy),
    }


@login_required
@permission_required(VIEW, raise_exception=True)
def policy_detail(request: AuthedRequest, uuid: str) -> HttpResponse:
    policy = access_policy_by_uuid(request.user, uuid)
    if request.GET.get("tab") == "history":
        context = {"policy": policy, "tab": "history", "history": policy_selectors.policy_history(policy)}
        return render(request, "policy/policies/policy_detail.html", {**context, "breadcrumbs": _crumbs(policy)})
    context = _detail_context(request, policy)
    return render(request, "policy/policies/policy_detail.html", {**context, "tab": "overview"})


def _paid_message(result: contributions.ContributionResult) -> str:
    base = _("The contribution of %(amount)s (receipt %(receipt)s) was recorded.") % {
        "amount": _money(result.contribution.amount),
        "receipt": result.contribution.receipt,
    }
    if result.activated and result.policy.status == S.ACTIVE:
        return base + " " + _("The policy is paid: it is now active.")
    if result.activated:
        return base + " " + _("The policy is paid: it is ready, waiting for activation.")
    if result.balance > 0:
        return base + " " + _("Still due: %(balance)s.") % {"balance": _money(result.balance)}
    return base


@login_required
@permission_required("policy.add_contribution", raise_exception=True)
@require_POST
def contribution_add(request: AuthedRequest, uuid: str) -> HttpResponse:
    policy = access_policy_by_uuid(request.user, uuid)
    form = ContributionForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            result = contributions.contribution_record(user=request.user, policy=policy, **form.cleaned_data)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _paid_message(result))
            return _to_detail(policy)
    context = _detail_context(request, policy, form)
    return render(request, "policy/policies/policy_detail.html", {**context, "tab": "overview"})


@login_required
@permission_required("policy.change_policy", raise_exception=True)
def policy_edit(request: AuthedRequest, uuid: str) -> HttpResponse:
    policy = access_policy_by_uuid(request.user, uuid)
    initial = {"enroll_date": policy.enroll_date, "officer": policy.officer.uuid if policy.officer else None}
    form = PolicyChangeForm(request.POST or None, initial=initial, user=request.user, family=policy.family)
    if request.method == "POST" and form.is_valid():
        try:
            enrolment.policy_update(user=request.user, policy=policy, **form.values())
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("The policy was saved; its dates and value were computed again."))
            return _to_detail(policy)
    preview = policy_selectors.changed_policy_preview(
        request.user, policy, enroll_date_of(form.data, policy.enroll_date)
    )
    context = {"form": form, "policy": policy, "preview": preview, "mode": "edit"}
    return render(
        request, "policy/policies/policy_terms.html", {**context, "breadcrumbs": _crumbs(policy, (_("Edit"), ""))}
    )


@login_required
@permission_required("policy.renew_policy", raise_exception=True)
def policy_renew(request: AuthedRequest, uuid: str) -> HttpResponse:
    policy = access_policy_by_uuid(request.user, uuid)
    form = RenewForm(request.POST or None, user=request.user, family=policy.family)
    if request.method == "POST" and form.is_valid():
        try:
            result = enrolment.policy_renew(user=request.user, previous=policy, **form.values())
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("The policy was renewed. The renewal becomes active once it is paid."))
            for warning in result.warnings:
                messages.warning(request, warning)
            return redirect("policy:policy_detail", uuid=result.policy.uuid)
    preview = policy_selectors.renewal_preview(request.user, policy, enroll_date_of(form.data))
    context = {"form": form, "policy": policy, "preview": preview, "mode": "renew"}
    return render(
        request, "policy/policies/policy_terms.html", {**context, "breadcrumbs": _crumbs(policy, (_("Renew"), ""))}
    )


@login_required
@permission_required(VIEW, raise_exception=True)
@require_GET
def policy_terms_preview(request: AuthedRequest, uuid: str) -> HttpResponse:
    """The terms of a renewal (`mode=renew`) or of a changed enrolment date (`mode=edit`), for HTMX."""
    policy = access_policy_by_uuid(request.user, uuid)
    if request.GET.get("mode") == "renew":
        preview = policy_selectors.renewal_preview(request.user, policy, enroll_date_of(request.GET))
    else:
        preview = policy_selectors.changed_policy_preview(
            request.user, policy, enroll_date_of(request.GET, policy.enroll_date)
        )
    return render(request, "policy/policies/_preview.html", {"preview": preview, "family": policy.family})


@login_required
@permission_required("policy.delete_policy", raise_exception=True)
def policy_delete(request: AuthedRequest, uuid: str) -> HttpResponse:
    policy = access_policy_by_uuid(request.user, uuid)
    if request.method == "POST":
        try:
            enrolment.policy_delete(user=request.user, policy=policy)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return _to_detail(policy)
        messages.success(request, _("The policy was deleted."))
        return redirect("insuree:family_detail", uuid=policy.family.uuid)
    context = {"policy": policy, "breadcrumbs": _crumbs(policy, (_("Delete"), ""))}
    return render(request, "policy/policies/policy_delete.html", context)


@login_required
@permission_required("policy.suspend_policy", raise_exception=True)
def policy_suspend(request: AuthedRequest, uuid: str) -> HttpResponse:
    policy = access_policy_by_uuid(request.user, uuid)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            enrolment.policy_suspend(user=request.user, policy=policy, reason=form.cleaned_data["reason"])
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("The policy is suspended: it covers nobody until it is resumed."))
            return _to_detail(policy)
    context = {"form": form, "policy": policy, "what": "suspend", "breadcrumbs": _crumbs(policy, (_("Suspend"), ""))}
    return render(request, "policy/policies/reason_form.html", context)


@login_required
@permission_required("policy.suspend_policy", raise_exception=True)
@require_POST
def policy_resume(request: AuthedRequest, uuid: str) -> HttpResponse:
    policy = access_policy_by_uuid(request.user, uuid)
    try:
        policy = enrolment.policy_resume(user=request.user, policy=policy)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("The policy was resumed: it is %(status)s.") % {"status": policy.get_status_display().lower()}
        )
    return _to_detail(policy)


@login_required
@permission_required("policy.activate_policy", raise_exception=True)
@require_POST
def policy_activate(request: AuthedRequest, uuid: str) -> HttpResponse:
    policy = access_policy_by_uuid(request.user, uuid)
    try:
        enrolment.policy_activate(user=request.user, policy=policy)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The policy is active."))
    return _to_detail(policy)


# --- contributions ------------------------------------------------------------------------------------------------


@login_required
@permission_required("policy.cancel_contribution", raise_exception=True)
def contribution_cancel(request: AuthedRequest, uuid: str) -> HttpResponse:
    contribution = access_contribution_by_uuid(request.user, uuid)
    policy = contribution.policy
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = contributions.contribution_cancel(
                user=request.user, contribution=contribution, **form.cleaned_data
            )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(
                request, _("The contribution %(receipt)s was cancelled.") % {"receipt": contribution.receipt}
            )
            if result.policy.status == S.IDLE and policy.status != S.IDLE:
                messages.warning(request, _("The policy is no longer paid: it is idle again and covers nobody."))
            return _to_detail(policy)
    context = {"form": form, "policy": policy, "contribution": contribution, "what": "cancel"}
    return render(
        request,
        "policy/policies/reason_form.html",
        {**context, "breadcrumbs": _crumbs(policy, (_("Cancel a contribution"), ""))},
    )


@login_required
@permission_required(VIEW, raise_exception=True)
@require_GET
def contribution_receipt(request: AuthedRequest, uuid: str) -> HttpResponse:
    contribution = access_contribution_by_uuid(request.user, uuid)
    policy = contribution.policy
    data = receipts.receipt_of(contribution, policy=policy, paid=enrolment.paid_amount(policy))
    response = HttpResponse(receipts.render_receipt(data), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="receipt-{slugify(contribution.receipt)}.pdf"'
    return response


# --- lists ----------------------------------------------------------------------------------------------------------


@login_required
@permission_required(VIEW, raise_exception=True)
def policy_list(request: AuthedRequest) -> HttpResponse:
    form = PolicyFilterForm(request.GET or None, user=request.user)
    page_obj = paginate(request, policy_selectors.policies_for(request.user, **form.filters()))
    policy_selectors.with_paid(page_obj)
    return render(request, "policy/policies/policy_list.html", {"page_obj": page_obj, "filter_form": form})


@login_required
@permission_required("policy.view_policyrenewal", raise_exception=True)
def renewal_list(request: AuthedRequest) -> HttpResponse:
    page_obj = paginate(request, policy_selectors.reminders_for(request.user))
    return render(request, "policy/policies/renewal_list.html", {"page_obj": page_obj})


@login_required
@permission_required("policy.change_policyrenewal", raise_exception=True)
@require_POST
def renewal_dismiss(request: AuthedRequest, uuid: str) -> HttpResponse:
    reminder = access_renewal_by_uuid(request.user, uuid)
    if enrolment.renewal_dismiss(user=request.user, reminder=reminder):
        messages.success(request, _("The reminder was dismissed."))
    else:
        messages.info(request, _("This reminder was already dealt with."))
    return redirect("policy:renewal_list")


# --- eligibility ------------------------------------------------------------------------------------------------


@login_required
@permission_required("insuree.enquire_insuree", raise_exception=True)
@require_GET
def eligibility_page(request: AuthedRequest) -> HttpResponse:
    form = EligibilityForm(request.GET or None)
    result = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        result = eligibility.eligibility(request.user, data["q"], item=data["item"], service=data["service"])
    return render(request, "policy/policies/eligibility.html", {"form": form, "result": result})


@login_required
@permission_required("insuree.enquire_insuree", raise_exception=True)
@require_GET
def eligibility_summary(request: AuthedRequest) -> HttpResponse:
    """Covered or not, and the person's policies: the fragment each person of the enquiry page loads."""
    number = request.GET.get("q", "").strip()[:50]
    if not number:
        raise Http404("No number")
    result = eligibility.eligibility(request.user, number)
    return render(request, "policy/policies/_eligibility_summary.html", {"result": result, "number": number})
