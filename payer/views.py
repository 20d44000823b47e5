from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from openimis.common.exceptions import ApplicationError
from openimis.common.history import history_of
from openimis.common.pages import AuthedRequest, apply_error, paginate
from openimis.common.tabular import export_response

from . import selectors, services
from .forms import PayerFilterForm, PayerForm
from .models import Payer
from .permissions import access_payer_by_uuid

VIEW_PAYER = "payer.view_payer"
EXPORT_HEADER = ["type", "name", "location_code", "location_name", "address", "phone", "fax", "email", "active"]


def _payer_to_manage(request: AuthedRequest, uuid: str) -> Payer:
    """A payer the user sees (404 otherwise) and may write (403 for one managed above their scope)."""
    payer = access_payer_by_uuid(request.user, uuid)
    if not selectors.payer_is_manageable(request.user, payer):
        raise PermissionDenied
    return payer


@login_required
@permission_required(VIEW_PAYER, raise_exception=True)
def payer_list(request: AuthedRequest) -> HttpResponse:
    filter_form = PayerFilterForm(request.GET or None, user=request.user)
    page_obj = paginate(request, selectors.payers_for(request.user, **filter_form.filters()))
    return render(request, "payer/payer_list.html", {"page_obj": page_obj, "filter_form": filter_form})


@login_required
@permission_required(VIEW_PAYER, raise_exception=True)
def payer_detail(request: AuthedRequest, uuid: str) -> HttpResponse:
    payer = access_payer_by_uuid(request.user, uuid)
    tab = "history" if request.GET.get("tab") == "history" else "details"
    context: dict[str, Any] = {
        "payer": payer,
        "tab": tab,
        "manageable": payer.is_active and selectors.payer_is_manageable(request.user, payer),
    }
    if tab == "history":
        context["history"] = history_of(payer)
    return render(request, "payer/payer_detail.html", context)


def _payer_form_view(request: AuthedRequest, payer: Payer | None) -> HttpResponse:
    form = PayerForm(request.POST or None, instance=payer, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            if payer is None:
                payer = services.payer_create(user=request.user, **form.cleaned_data)
            else:
                services.payer_update(user=request.user, payer=payer, **form.cleaned_data)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("%s was saved.") % payer)
            return redirect("payer:payer_detail", uuid=payer.uuid)
    return render(request, "payer/payer_form.html", {"form": form, "payer": payer})


@login_required
@permission_required("payer.add_payer", raise_exception=True)
def payer_create(request: AuthedRequest) -> HttpResponse:
    return _payer_form_view(request, None)


@login_required
@permission_required("payer.change_payer", raise_exception=True)
def payer_edit(request: AuthedRequest, uuid: str) -> HttpResponse:
    return _payer_form_view(request, _payer_to_manage(request, uuid))


@login_required
@permission_required("payer.delete_payer", raise_exception=True)
def payer_deactivate(request: AuthedRequest, uuid: str) -> HttpResponse:
    payer = _payer_to_manage(request, uuid)
    if request.method == "POST":
        try:
            services.payer_deactivate(user=request.user, payer=payer)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("%s was deactivated.") % payer)
        return redirect("payer:payer_detail", uuid=payer.uuid)
    return render(request, "payer/payer_deactivate.html", {"payer": payer})


@login_required
@permission_required(VIEW_PAYER, raise_exception=True)
def payer_export(request: AuthedRequest) -> HttpResponseBase:
    """The list as filtered on the page (all pages), in CSV."""
    filter_form = PayerFilterForm(request.GET or None, user=request.user)
    rows = (
        [
            p.type,
            p.name,
            p.location.code if p.location else "",
            p.location.name if p.location else "",
            p.address,
            p.phone,
            p.fax,
            p.email,
            "1" if p.is_active else "0",
        ]
        for p in selectors.payers_for(request.user, **filter_form.filters()).iterator(chunk_size=2000)
    )
    return export_response("csv", "payers", EXPORT_HEADER, rows)
