"""Staff pages for the medical registers, price lists and the price lists facilities use.

Items, services and diagnoses share one set of views, told apart by a `Register` (URL configuration passes it);
items and services price lists share another, told apart by the kind in the URL.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from location.permissions import access_facility_by_uuid
from openimis.accounts.models import User
from openimis.common.exceptions import ApplicationError
from openimis.common.history import history_of
from openimis.common.pages import AuthedRequest, apply_error, paginate
from openimis.common.tabular import export_response

from . import exporting, forms, importing, selectors, services
from .models import ITEMS, PRICE_LIST_KINDS, SERVICES, Diagnosis, Item, PriceListKind, Service
from .permissions import (
    access_diagnosis_by_uuid,
    access_item_by_uuid,
    access_price_list_by_uuid,
    access_price_list_entry,
    access_service_by_uuid,
)


@dataclass(frozen=True)
class Register:
    slug: str  # the model name: URL names are "medical:<slug>_list" ..., permissions "medical.<action>_<slug>"
    model: type[Item] | type[Service] | type[Diagnosis]
    form: type[ModelForm]
    filter_form: type[forms.RegisterFilterForm]
    select: Callable[..., QuerySet[Any]]
    access: Callable[[User, Any], Any]
    create: Callable[..., Any]
    update: Callable[..., Any]
    deactivate: Callable[..., int]
    fields: tuple[str, ...]
    layout: importing.Layout
    import_key: str
    title: Any
    new_label: Any
    export_stem: str
    kind: PriceListKind | None = None

    def perm(self, action: str) -> str:
        return f"medical.{action}_{self.slug}"

    def url(self, action: str, *args: Any) -> str:
        return reverse(f"medical:{self.slug}_{action}", args=args)

    @property
    def names(self) -> dict[str, str]:
        """URL names by action, for templates: {% url register.names.detail obj.uuid %}."""
        actions = ("list", "create", "import", "export", "detail", "edit", "deactivate")
        return {action: f"medical:{self.slug}_{action}" for action in actions}

    @property
    def add_perm(self) -> str:
        return self.perm("add")

    @property
    def change_perm(self) -> str:
        return self.perm("change")

    @property
    def delete_perm(self) -> str:
        return self.perm("delete")


ITEM_REGISTER = Register(
    "item", Item, forms.ItemForm, forms.ItemFilterForm, selectors.items_for, access_item_by_uuid,
    services.item_create, services.item_update, services.item_deactivate, services.ITEM_FIELDS,
    importing.ITEM_LAYOUT, "items", gettext_lazy("Medical items"), gettext_lazy("New item"), "medical-items", ITEMS,
)  # fmt: skip
SERVICE_REGISTER = Register(
    "service", Service, forms.ServiceForm, forms.ServiceFilterForm, selectors.services_for, access_service_by_uuid,
    services.service_create, services.service_update, services.service_deactivate, services.SERVICE_FIELDS,
    importing.SERVICE_LAYOUT, "services", gettext_lazy("Medical services"), gettext_lazy("New service"),
    "medical-services", SERVICES,
)  # fmt: skip
DIAGNOSIS_REGISTER = Register(
    "diagnosis", Diagnosis, forms.DiagnosisForm, forms.RegisterFilterForm, selectors.diagnoses_for,
    access_diagnosis_by_uuid, services.diagnosis_create, services.diagnosis_update, services.diagnosis_deactivate,
    services.DIAGNOSIS_FIELDS, importing.DIAGNOSIS_LAYOUT, "diagnoses", gettext_lazy("Diagnoses"),
    gettext_lazy("New diagnosis"), "diagnoses",
)  # fmt: skip


def _require(user: User, *perms: str) -> None:
    if not user.has_perms(perms):
        raise PermissionDenied


def _filters(form: Any) -> dict[str, Any]:
    return {k: v for k, v in form.cleaned_data.items() if v} if form.is_valid() else {}


# --- registers ---------------------------------------------------------------------------------------------


@login_required
def register_list(request: AuthedRequest, register: Register) -> HttpResponse:
    _require(request.user, register.perm("view"))
    filter_form = register.filter_form(request.GET or None)
    page_obj = paginate(request, register.select(request.user, **_filters(filter_form)))
    context = {"register": register, "page_obj": page_obj, "filter_form": filter_form}
    return render(request, "medical/register_list.html", context)


@login_required
def register_detail(request: AuthedRequest, register: Register, uuid: str) -> HttpResponse:
    _require(request.user, register.perm("view"))
    obj = register.access(request.user, uuid)
    tab = request.GET.get("tab", "details")
    context: dict[str, Any] = {"register": register, "obj": obj, "tab": tab}
    if tab == "history":
        context["history"] = history_of(obj)
    elif tab == "price_lists" and register.kind:
        context["page_obj"] = paginate(request, selectors.price_lists_including(request.user, register.kind, obj))
    else:
        context["tab"] = "details"
    return render(request, "medical/register_detail.html", context)


def _register_form(request: AuthedRequest, register: Register, obj: Any) -> HttpResponse:
    form = register.form(request.POST or None, instance=obj)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in register.fields}
        try:
            if obj is None:
                obj = register.create(user=request.user, **values)
            else:
                register.update(user=request.user, **{register.slug: obj}, **values)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("%s was saved.") % obj)
            return redirect(register.url("detail", obj.uuid))
    context = {"register": register, "form": form, "obj": obj}
    return render(request, "medical/register_form.html", context)


@login_required
def register_create(request: AuthedRequest, register: Register) -> HttpResponse:
    _require(request.user, register.perm("add"))
    return _register_form(request, register, None)


@login_required
def register_edit(request: AuthedRequest, register: Register, uuid: str) -> HttpResponse:
    _require(request.user, register.perm("change"))
    return _register_form(request, register, register.access(request.user, uuid))


@login_required
def register_deactivate(request: AuthedRequest, register: Register, uuid: str) -> HttpResponse:
    _require(request.user, register.perm("delete"))
    obj = register.access(request.user, uuid)
    if request.method != "POST":
        return render(request, "medical/register_deactivate.html", {"register": register, "obj": obj})
    try:
        removed = register.deactivate(user=request.user, **{register.slug: obj})
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        text = ngettext(
            "%(obj)s was deactivated and removed from %(n)d price list.",
            "%(obj)s was deactivated and removed from %(n)d price lists.",
            removed,
        )
        messages.success(request, text % {"obj": obj, "n": removed})
    return redirect(register.url("detail", obj.uuid))


@login_required
def register_export(request: AuthedRequest, register: Register, fmt: str) -> HttpResponseBase:
    _require(request.user, register.perm("view"))
    filters = _filters(register.filter_form(request.GET or None))
    header, rows = exporting.register_rows(register.select(request.user, **filters), register.layout)
    return export_response(fmt, register.export_stem, header, rows)


def _import_page(request: AuthedRequest, what: str, context: dict[str, Any]) -> HttpResponse:
    kind = services.IMPORT_KINDS[what]
    _require(request.user, *kind.perms)
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.medical_import_start(user=request.user, what=what, upload=form.cleaned_data["file"])
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            return redirect("common:job_detail", uuid=job.uuid)
    context.update(form=form, title=kind.label, layout=kind.layout, what=what)
    return render(request, "medical/import.html", context)


@login_required
def register_import(request: AuthedRequest, register: Register) -> HttpResponse:
    return _import_page(request, register.import_key, {"back": (register.title, register.url("list"))})


# --- price lists -------------------------------------------------------------------------------------------


def _kind(slug: str) -> PriceListKind:
    return PRICE_LIST_KINDS[slug]


def _may_change(user: User, price_list: Any) -> bool:
    kind = services.kind_of(price_list)
    if not user.has_perm(kind.perm("change")):
        return False
    try:
        services.check_editable(user, price_list)
    except ApplicationError:
        return False
    return True


@login_required
def pricelist_list(request: AuthedRequest) -> HttpResponse:
    kind = PRICE_LIST_KINDS.get(request.GET.get("kind", ""), ITEMS)
    _require(request.user, kind.perm("view"))
    filter_form = forms.PriceListFilterForm(request.GET or None)
    page_obj = paginate(request, selectors.price_lists_for(request.user, kind, **_filters(filter_form)))
    context = {"kind": kind, "page_obj": page_obj, "filter_form": filter_form}
    return render(request, "medical/pricelist_list.html", context)


def _pricelist_page(request: AuthedRequest, kind: PriceListKind, price_list: Any, add_form: Any = None) -> HttpResponse:
    tab = request.GET.get("tab", "entries")
    context: dict[str, Any] = {
        "kind": kind,
        "pl": price_list,
        "tab": tab,
        "may_change": _may_change(request.user, price_list),
    }
    if tab == "history":
        context["history"] = history_of(price_list)
    elif tab == "facilities":
        context["page_obj"] = paginate(request, selectors.price_list_facilities(request.user, price_list))
    else:
        context["tab"] = "entries"
        context["add_form"] = add_form or forms.EntryAddForm(kind=kind)
        entries = selectors.price_list_entries(request.user, price_list, q=request.GET.get("q", "").strip())
        context["page_obj"] = paginate(request, entries)
    return render(request, "medical/pricelist_detail.html", context)


@login_required
def pricelist_detail(request: AuthedRequest, kind: str, uuid: str) -> HttpResponse:
    pl_kind = _kind(kind)
    _require(request.user, pl_kind.perm("view"))
    return _pricelist_page(request, pl_kind, access_price_list_by_uuid(request.user, pl_kind, uuid))


def _pricelist_form(
    request: AuthedRequest, kind: PriceListKind, price_list: Any, *, copy: bool = False
) -> HttpResponse:
    initial = {}
    if price_list is not None:
        initial = {"name": "" if copy else price_list.name, "date_from": price_list.date_from}
        initial["location"] = price_list.location.uuid if price_list.location else None
    form = forms.PriceListForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            saved = _save_price_list(request.user, kind, price_list, form.cleaned_data, copy=copy)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("%s was saved.") % saved)
            return redirect("medical:pricelist_detail", kind=kind.slug, uuid=saved.uuid)
    context = {"kind": kind, "form": form, "pl": price_list, "copy": copy}
    return render(request, "medical/pricelist_form.html", context)


def _save_price_list(user: User, kind: PriceListKind, price_list: Any, data: dict[str, Any], *, copy: bool) -> Any:
    if price_list is None:
        return services.price_list_create(user=user, kind=kind, **data)
    if copy:
        return services.price_list_copy(user=user, source=price_list, **data)
    return services.price_list_update(user=user, price_list=price_list, **data)


@login_required
def pricelist_create(request: AuthedRequest, kind: str) -> HttpResponse:
    pl_kind = _kind(kind)
    _require(request.user, pl_kind.perm("add"))
    return _pricelist_form(request, pl_kind, None)


@login_required
def pricelist_edit(request: AuthedRequest, kind: str, uuid: str) -> HttpResponse:
    pl_kind = _kind(kind)
    _require(request.user, pl_kind.perm("change"))
    return _pricelist_form(request, pl_kind, access_price_list_by_uuid(request.user, pl_kind, uuid))


@login_required
def pricelist_copy(request: AuthedRequest, kind: str, uuid: str) -> HttpResponse:
    pl_kind = _kind(kind)
    _require(request.user, pl_kind.perm("add"))
    return _pricelist_form(request, pl_kind, access_price_list_by_uuid(request.user, pl_kind, uuid), copy=True)


@login_required
def pricelist_deactivate(request: AuthedRequest, kind: str, uuid: str) -> HttpResponse:
    pl_kind = _kind(kind)
    _require(request.user, pl_kind.perm("delete"))
    price_list = access_price_list_by_uuid(request.user, pl_kind, uuid)
    if request.method != "POST":
        return render(request, "medical/pricelist_deactivate.html", {"kind": pl_kind, "pl": price_list})
    try:
        services.price_list_deactivate(user=request.user, price_list=price_list)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%s was deactivated.") % price_list)
    return redirect("medical:pricelist_detail", kind=kind, uuid=uuid)


@login_required
@require_POST
def pricelist_entry_add(request: AuthedRequest, kind: str, uuid: str) -> HttpResponse:
    pl_kind = _kind(kind)
    _require(request.user, pl_kind.perm("change"))
    price_list = access_price_list_by_uuid(request.user, pl_kind, uuid)
    form = forms.EntryAddForm(request.POST, kind=pl_kind)
    if form.is_valid():
        try:
            target = _add_entry(request.user, price_list, form.cleaned_data)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("%s was added.") % target)
            return redirect(reverse("medical:pricelist_detail", args=[kind, uuid]) + f"?q={target.code}")
    return _pricelist_page(request, pl_kind, price_list, add_form=form)


def _add_entry(user: User, price_list: Any, data: dict[str, Any]) -> Any:
    """Adds the active item or service of the code the form names."""
    kind = services.kind_of(price_list)
    code = data[kind.target_field]
    target = selectors.active_by_code(user, kind.target_model, code)
    if target is None:
        missing = _("No active item has code %s.") if kind is ITEMS else _("No active service has code %s.")
        raise ApplicationError.for_field(kind.target_field, missing % code)
    services.price_list_entry_add(
        user=user, price_list=price_list, target=target, price_override=data["price_override"]
    )
    return target


@login_required
def pricelist_entry_edit(request: AuthedRequest, kind: str, uuid: str, target: str) -> HttpResponse:
    pl_kind = _kind(kind)
    _require(request.user, pl_kind.perm("change"))
    entry = access_price_list_entry(request.user, access_price_list_by_uuid(request.user, pl_kind, uuid), target)
    form = forms.EntryEditForm(request.POST or None, initial={"price_override": entry.price_override})
    if request.method == "POST" and form.is_valid():
        try:
            services.price_list_entry_update(
                user=request.user, entry=entry, price_override=form.cleaned_data["price_override"]
            )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("The price was saved."))
            return redirect("medical:pricelist_detail", kind=kind, uuid=uuid)
    target_obj = getattr(entry, pl_kind.target_field)
    context = {"kind": pl_kind, "pl": entry.price_list, "entry": entry, "target": target_obj, "form": form}
    return render(request, "medical/pricelist_entry_form.html", context)


@login_required
@require_POST
def pricelist_entry_remove(request: AuthedRequest, kind: str, uuid: str, target: str) -> HttpResponse:
    pl_kind = _kind(kind)
    _require(request.user, pl_kind.perm("change"))
    entry = access_price_list_entry(request.user, access_price_list_by_uuid(request.user, pl_kind, uuid), target)
    try:
        services.price_list_entry_remove(user=request.user, entry=entry)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%s was removed from the price list.") % getattr(entry, pl_kind.target_field))
    return redirect("medical:pricelist_detail", kind=kind, uuid=uuid)


@login_required
def pricelist_export(request: AuthedRequest, kind: str, fmt: str) -> HttpResponseBase:
    """Every entry of the active price lists of this kind the user sees (filtered like the list page)."""
    pl_kind = _kind(kind)
    _require(request.user, pl_kind.perm("view"))
    filters = _filters(forms.PriceListFilterForm(request.GET or None))
    header, rows = exporting.price_list_rows(pl_kind, selectors.price_lists_for(request.user, pl_kind, **filters))
    return export_response(fmt, f"{kind}-price-lists", header, rows)


@login_required
def pricelist_entries_export(request: AuthedRequest, kind: str, uuid: str, fmt: str) -> HttpResponseBase:
    pl_kind = _kind(kind)
    _require(request.user, pl_kind.perm("view"))
    price_list = access_price_list_by_uuid(request.user, pl_kind, uuid)
    header, rows = exporting.price_list_rows(pl_kind, pl_kind.list_model.objects.filter(pk=price_list.pk))
    return export_response(fmt, f"{kind}-price-list-{price_list.pk}", header, rows)


@login_required
def pricelist_import(request: AuthedRequest, kind: str) -> HttpResponse:
    what = "item_price_lists" if kind == "items" else "service_price_lists"
    back = (_("Price lists"), reverse("medical:pricelist_list") + f"?kind={kind}")
    return _import_page(request, what, {"back": back})


# --- the price lists each facility uses --------------------------------------------------------------------


@login_required
def facility_pricelists(request: AuthedRequest) -> HttpResponse:
    _require(request.user, "location.view_healthfacility", ITEMS.perm("view"), SERVICES.perm("view"))
    filter_form = forms.FacilitySearchForm(request.GET or None)
    page_obj = paginate(request, selectors.facilities_with_price_lists(request.user, **_filters(filter_form)))
    context = {"page_obj": page_obj, "filter_form": filter_form}
    return render(request, "medical/facility_pricelists.html", context)


@login_required
def facility_pricelists_edit(request: AuthedRequest, uuid: str) -> HttpResponse:
    _require(request.user, "location.change_healthfacility", ITEMS.perm("view"), SERVICES.perm("view"))
    facility = access_facility_by_uuid(request.user, uuid)
    current = selectors.facility_price_lists(facility)
    initial = {k: pl.uuid for k, pl in current.items() if pl is not None}
    form = forms.FacilityPriceListsForm(request.POST or None, initial=initial, user=request.user, facility=facility)
    if request.method == "POST" and form.is_valid():
        try:
            services.facility_price_lists_set(user=request.user, facility=facility, **form.cleaned_data)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("The price lists of %s were saved.") % facility)
            return redirect("medical:facility_pricelists")
    return render(request, "medical/facility_pricelists_form.html", {"form": form, "facility": facility})
