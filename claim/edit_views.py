"""Changing an Entered claim: the new-claim page (same form, rows and template), prefilled from the claim and its
lines (reference sec. 6.7 "update").

The claim is loaded through `claim.permissions` (404 outside the user's scope) and changed with
`claim.services.claim_update`, whose errors are put on the input they name, as on the new-claim page; nothing is
saved unless all of it is. The facility is the claim's and is not changed; the claim keeps its claim date.
A submitted claim can no longer be changed: its edit page sends back to the claim's page with a message, also
when it was submitted while the page was open.
"""

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from openimis.accounts.models import User
from openimis.common.exceptions import ApplicationError
from openimis.common.pages import AuthedRequest

from . import selectors, services, views
from .exceptions import ClaimStateError
from .forms import ClaimEntry, ClaimForm, LineFormSet
from .models import Claim
from .permissions import access_claim_by_uuid


def _number(value: Decimal | None) -> str:
    """10.00 -> "10", 12.50 -> "12.5": as a person would type it."""
    return "" if value is None else format(value.normalize(), "f")


def claim_initial(claim: Claim) -> tuple[dict[str, Any], dict[str, list[dict[str, str]]]]:
    """The claim's fields and its lines as the page's inputs hold them."""
    fields: dict[str, Any] = {
        "facility": claim.facility.uuid,
        "insurance_number": claim.insuree.insurance_number,
        "code": claim.code,
        "date_from": claim.date_from,
        "date_to": claim.date_to,
        "visit_type": claim.visit_type,
        "explanation": claim.explanation,
        "guarantee_number": claim.guarantee_number,
    }
    for name in services.DIAGNOSIS_FIELDS:
        diagnosis = getattr(claim, name)
        fields[name] = diagnosis.code if diagnosis is not None else ""
    lines: dict[str, list[dict[str, str]]] = {"items": [], "services": []}
    for entry in selectors.claim_lines(claim):
        line = entry.line
        row = {
            "code": entry.code,
            "qty": _number(line.qty_provided),
            "price": _number(line.price_asked),
            "explanation": line.explanation,
        }
        lines["items" if entry.kind == "item" else "services"].append(row)
    return fields, lines


class ClaimEdit(ClaimEntry):
    """The new-claim page's input, prefilled from an Entered claim; its facility is shown and kept."""

    def __init__(self, data: Any, *, user: User, claim: Claim) -> None:
        fields, lines = claim_initial(claim)
        self.claim = claim
        self.form = ClaimForm(data, user=user, initial=fields)
        self.form.fields["facility"].disabled = True
        self.items = LineFormSet(data, prefix="items", form_kwargs={"kind": "items"}, initial=lines["items"])
        self.services = LineFormSet(
            data, prefix="services", form_kwargs={"kind": "services"}, initial=lines["services"]
        )

    def values(self) -> dict[str, Any]:
        values = super().values()
        del values["facility"]
        return values | {"date_claimed": self.claim.date_claimed}


def _not_editable(request: AuthedRequest, claim: Claim) -> HttpResponse:
    messages.error(
        request,
        _("Claim %(code)s is %(status)s: a submitted claim can no longer be changed.")
        % {"code": claim.code, "status": str(claim.get_status_display()).lower()},
    )
    return redirect("claim:claim_detail", uuid=claim.uuid)


def _edit_context(entry: ClaimEdit, claim: Claim) -> dict[str, object]:
    detail = reverse("claim:claim_detail", args=[claim.uuid])
    crumbs = [(_("Claims"), reverse("claim:claim_list")), (claim.code, detail), (_("Edit"), "")]
    line_sets = [("items", entry.items, _("Items")), ("services", entry.services, _("Services"))]
    return {
        "form": entry.form,
        "line_sets": line_sets,
        "breadcrumbs": crumbs,
        "title": _("Edit claim %(code)s") % {"code": claim.code},
        "form_action": reverse("claim:claim_edit", args=[claim.uuid]),
        "cancel_url": detail,
    }


@login_required
@permission_required("claim.change_claim", raise_exception=True)
def claim_edit(request: AuthedRequest, uuid: str) -> HttpResponse:
    claim = access_claim_by_uuid(request.user, uuid)
    if not claim.is_editable:
        return _not_editable(request, claim)
    entry = ClaimEdit(request.POST or None, user=request.user, claim=claim)
    if request.method == "POST" and entry.is_valid():
        try:
            claim = services.claim_update(user=request.user, claim=claim, **entry.values())
        except ClaimStateError:  # submitted since the page was opened
            claim.refresh_from_db(fields=["status"])
            return _not_editable(request, claim)
        except ApplicationError as exc:
            entry.apply_error(exc)
        else:
            messages.success(request, _("The claim %(code)s was saved.") % {"code": claim.code})
            if request.POST.get("action") == "submit":
                views._submit(request, [claim])
            return redirect("claim:claim_detail", uuid=claim.uuid)
    return render(request, "claim/claim_create.html", _edit_context(entry, claim))
