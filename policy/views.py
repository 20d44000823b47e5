from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_POST

from openimis.common.exceptions import ApplicationError
from openimis.common.pages import AuthedRequest, apply_error, paginate

from . import layout, selectors, services
from .forms import LineAddForm, LineForm, ProductCopyForm, ProductFilterForm, ProductForm
from .models import LINE_KINDS, LineKind, Product
from .permissions import access_product_by_uuid, access_product_line

VIEW = "policy.view_product"
CHANGE = "policy.change_product"
TABS = ("general", "items", "services", "pricing", "capitation", "history")
GENERAL_SECTIONS = ("general", "cover", "contributions", "ceilings", "categories")


def _crumbs(product: Product | None, *tail: tuple[str, str]) -> list[tuple[str, str]]:
    crumbs = [(_("Products"), reverse("policy:product_list"))]
    if product is not None:
        crumbs.append((str(product), reverse("policy:product_detail", args=[product.uuid])))
    return crumbs + list(tail)


def _kind(key: str) -> LineKind:
    if key not in LINE_KINDS:
        raise Http404("No such list")
    return LINE_KINDS[key]


def _is_uuid(value: str) -> bool:
    try:
        UUID(value)
    except ValueError:
        return False
    return True


def _added_message(kind: LineKind, n: int) -> str:
    if kind.key == "items":
        return ngettext("%(n)d item added.", "%(n)d items added.", n) % {"n": n}
    return ngettext("%(n)d service added.", "%(n)d services added.", n) % {"n": n}


def _tab_url(product: Product, tab: str) -> str:
    return reverse("policy:product_detail", args=[product.uuid]) + f"?tab={tab}"


@login_required
@permission_required(VIEW, raise_exception=True)
def product_list(request: AuthedRequest) -> HttpResponse:
    form = ProductFilterForm(request.GET or None, user=request.user)
    filters = form.filters() if form.is_valid() else {}
    qs = selectors.products_with_counts(selectors.products_for(request.user, **filters))
    return render(request, "policy/product_list.html", {"page_obj": paginate(request, qs), "filter_form": form})


def _tab_context(request: AuthedRequest, product: Product, tab: str) -> dict[str, Any]:
    if tab in LINE_KINDS:
        lines = selectors.product_lines(product, LINE_KINDS[tab], q=request.GET.get("q", "").strip())
        line_base = reverse("policy:product_detail", args=[product.uuid]) + f"{tab}/"  # + target uuid: edit page
        can_change = request.user.has_perm(CHANGE)  # asked once, not twice per row
        return {
            "kind": LINE_KINDS[tab],
            "page_obj": paginate(request, lines),
            "line_base": line_base,
            "can_change": can_change,
        }
    if tab == "pricing":
        rows = layout.distribution_rows(product, selectors.product_distribution(product))
        return {"sections": layout.summary(product, ("pricing",)), "distribution": rows}
    if tab == "capitation":
        return {"sections": layout.summary(product, ("capitation",))}
    if tab == "history":
        history, line_history = selectors.product_history(product)
        return {"history": history, "line_history": line_history}
    return {"sections": layout.summary(product, GENERAL_SECTIONS)}


@login_required
@permission_required(VIEW, raise_exception=True)
def product_detail(request: AuthedRequest, uuid: str) -> HttpResponse:
    product = access_product_by_uuid(request.user, uuid)
    tab = request.GET.get("tab", "general")
    tab = tab if tab in TABS else "general"
    context = {
        "product": product,
        "tab": tab,
        "item_count": product.items.count(),
        "service_count": product.services.count(),
        "breadcrumbs": _crumbs(product),
        **_tab_context(request, product, tab),
    }
    return render(request, "policy/product_detail.html", context)


def _product_form_view(request: AuthedRequest, product: Product | None) -> HttpResponse:
    form = ProductForm(request.POST or None, instance=product, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            if product is None:
                product = services.product_create(user=request.user, **form.values())
            else:
                services.product_update(user=request.user, product=product, **form.values())
        except ApplicationError as exc:
            apply_error(form, exc)
            if product is not None:
                product.refresh_from_db()  # the page's title and links show the saved product
        else:
            messages.success(request, _("%s was saved.") % product)
            return redirect("policy:product_detail", uuid=product.uuid)
    crumbs = _crumbs(product if product and product.pk else None, (_("Edit") if product else _("New"), ""))
    return render(request, "policy/product_form.html", {"form": form, "product": product, "breadcrumbs": crumbs})


@login_required
@permission_required("policy.add_product", raise_exception=True)
def product_create(request: AuthedRequest) -> HttpResponse:
    return _product_form_view(request, None)


@login_required
@permission_required(CHANGE, raise_exception=True)
def product_edit(request: AuthedRequest, uuid: str) -> HttpResponse:
    return _product_form_view(request, access_product_by_uuid(request.user, uuid))


@login_required
@permission_required("policy.add_product", raise_exception=True)
def product_copy(request: AuthedRequest, uuid: str) -> HttpResponse:
    product = access_product_by_uuid(request.user, uuid)
    initial = {"name": _("Copy of %s") % product.name, "date_from": product.date_from, "date_to": product.date_to}
    form = ProductCopyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            copy = services.product_copy(user=request.user, product=product, **form.cleaned_data)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(
                request, _("%(copy)s was created as a copy of %(product)s.") % {"copy": copy, "product": product}
            )
            return redirect("policy:product_detail", uuid=copy.uuid)
    context = {"form": form, "product": product, "breadcrumbs": _crumbs(product, (_("Copy"), ""))}
    return render(request, "policy/product_copy.html", context)


@login_required
@permission_required(CHANGE, raise_exception=True)
def product_close(request: AuthedRequest, uuid: str) -> HttpResponse:
    product = access_product_by_uuid(request.user, uuid)
    if request.method == "POST":
        try:
            services.product_close(user=request.user, product=product)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("%s is closed: it is no longer sold after today.") % product)
        return redirect("policy:product_detail", uuid=product.uuid)
    context = {"product": product, "breadcrumbs": _crumbs(product, (pgettext("end a product's sale", "Close"), ""))}
    return render(request, "policy/product_close.html", context)


@login_required
@permission_required("policy.delete_product", raise_exception=True)
def product_delete(request: AuthedRequest, uuid: str) -> HttpResponse:
    product = access_product_by_uuid(request.user, uuid)
    if request.method == "POST":
        try:
            services.product_delete(user=request.user, product=product)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("policy:product_detail", uuid=product.uuid)
        messages.success(request, _("%s was deleted.") % product)
        return redirect("policy:product_list")
    converting = selectors.products_converting_into(product)
    context = {"product": product, "converting": converting, "breadcrumbs": _crumbs(product, (_("Delete"), ""))}
    return render(request, "policy/product_delete.html", context)


# --- items and services a product covers ---------------------------------------------------------------------


@login_required
@permission_required(CHANGE, raise_exception=True)
def product_lines_add(request: AuthedRequest, uuid: str, kind: str) -> HttpResponse:
    product, spec = access_product_by_uuid(request.user, uuid), _kind(kind)
    form = LineAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lines = services.product_lines_add(
                user=request.user, product=product, kind=kind, codes=form.code_list(), **form.values()
            )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _added_message(spec, len(lines)))
            return redirect(_tab_url(product, kind))
    context = {"form": form, "product": product, "kind": spec, "breadcrumbs": _crumbs(product, (_("Add"), ""))}
    return render(request, "policy/line_form.html", context)


@login_required
@permission_required(CHANGE, raise_exception=True)
def product_line_edit(request: AuthedRequest, uuid: str, kind: str, target: str) -> HttpResponse:
    product, spec = access_product_by_uuid(request.user, uuid), _kind(kind)
    line = access_product_line(product, spec, target)
    form = LineForm(request.POST or None, initial=LineForm.initial_of(line))
    if request.method == "POST" and form.is_valid():
        try:
            services.product_line_update(user=request.user, line=line, **form.values())
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("The limitation of %s was saved.") % getattr(line, spec.target_field))
            return redirect(_tab_url(product, kind))
    target_obj = getattr(line, spec.target_field)
    context = {"form": form, "product": product, "kind": spec, "line": line, "target": target_obj}
    return render(request, "policy/line_form.html", {**context, "breadcrumbs": _crumbs(product, (str(target_obj), ""))})


@require_POST
@login_required
@permission_required(CHANGE, raise_exception=True)
def product_lines_remove(request: AuthedRequest, uuid: str, kind: str) -> HttpResponse:
    product, spec = access_product_by_uuid(request.user, uuid), _kind(kind)
    selected = [value for value in request.POST.getlist("selected") if _is_uuid(value)]
    try:
        count = services.product_lines_remove(user=request.user, product=product, kind=kind, target_uuids=selected)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            ngettext("%(n)d line removed.", "%(n)d lines removed.", count) % {"n": count}
            if count
            else _("Nothing was selected."),
        )
    return redirect(_tab_url(product, spec.key))
