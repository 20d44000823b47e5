from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from openimis.accounts.models import User
from openimis.accounts.roles import role_label
from openimis.common.exceptions import ApplicationError
from openimis.common.history import history_of
from openimis.common.pages import AuthedRequest, apply_error, paginate
from openimis.common.tabular import export_response

from . import selectors, services
from .forms import FacilityFilterForm, FacilityForm, ImportForm, LocationFilterForm, LocationForm, MoveForm, UserForm
from .models import CHILD_TYPE, HealthFacility, Location, LocationType
from .permissions import access_facility_by_uuid, access_location_by_uuid, access_user_by_uuid

VIEW_LOCATION = "location.view_location"
NEW_LABELS: dict[str, Any] = {
    LocationType.REGION: _lazy("New region"),
    LocationType.DISTRICT: _lazy("New district"),
    LocationType.MUNICIPALITY: _lazy("New municipality"),
    LocationType.VILLAGE: _lazy("New village"),
}
VIEW_FACILITY = "location.view_healthfacility"


def _breadcrumbs(user: User, location: Location | None, *tail: tuple[str, str]) -> list[tuple[str, str]]:
    """Locations > ancestors in the user's scope > the location > tail (ancestors out of scope are left out)."""
    crumbs = [(_("Locations"), reverse("location:location_list"))]
    if location is not None:
        ancestors = location.ancestors()
        visible = set(
            Location.objects.visible_to(user).filter(pk__in=[a.pk for a in ancestors]).values_list("pk", flat=True)
        )
        for loc in [*[a for a in ancestors if a.pk in visible], location]:
            crumbs.append((str(loc), reverse("location:location_detail", args=[loc.uuid])))
    return crumbs + list(tail)


@login_required
@permission_required(VIEW_LOCATION, raise_exception=True)
def location_list(request: AuthedRequest) -> HttpResponse:
    filter_form = LocationFilterForm(request.GET or None)
    q = request.GET.get("q", "").strip()
    include_inactive = bool(request.GET.get("include_inactive"))
    if q:
        qs = selectors.location_search(request.user, q=q, include_inactive=include_inactive)
    else:
        qs = selectors.location_roots_for(request.user)
    context = {"page_obj": paginate(request, qs), "filter_form": filter_form, "searching": bool(q)}
    return render(request, "location/location_list.html", context)


@login_required
@permission_required(VIEW_LOCATION, raise_exception=True)
def location_detail(request: AuthedRequest, uuid: str) -> HttpResponse:
    location = access_location_by_uuid(request.user, uuid)
    tab = request.GET.get("tab", "children")
    q = request.GET.get("q", "").strip()
    include_inactive = bool(request.GET.get("include_inactive"))
    context: dict[str, Any] = {
        "location": location,
        "tab": tab,
        "breadcrumbs": _breadcrumbs(request.user, location),
        "filter_form": LocationFilterForm(request.GET or None),
        "new_child_label": NEW_LABELS[child_type] if (child_type := CHILD_TYPE[location.type]) else "",
        "totals": selectors.population_totals(request.user, location),
    }
    if tab == "villages" and location.type in (LocationType.REGION, LocationType.DISTRICT):
        qs = selectors.location_villages(request.user, location, q=q, include_inactive=include_inactive)
        context["page_obj"] = paginate(request, qs)
    elif tab == "facilities" and location.type == LocationType.DISTRICT:
        context["page_obj"] = paginate(request, selectors.facilities_for(request.user, district=location, q=q))
    elif tab == "history":
        context["history"] = history_of(location)
    else:
        context["tab"] = "children"
        qs = selectors.location_children(request.user, location, q=q, include_inactive=include_inactive)
        context["page_obj"] = paginate(request, qs)
    return render(request, "location/location_detail.html", context)


def _location_values(form: LocationForm) -> dict[str, Any]:
    return {k: form.cleaned_data[k] for k in services.LOCATION_EDITABLE}


@login_required
@permission_required("location.add_location", raise_exception=True)
def location_create(request: AuthedRequest) -> HttpResponse:
    parent = access_location_by_uuid(request.user, request.GET["parent"]) if request.GET.get("parent") else None
    type_ = CHILD_TYPE[parent.type] if parent else LocationType.REGION
    if type_ is None:
        messages.error(request, _("Villages have no locations below them."))
        return redirect("location:location_detail", uuid=parent.uuid if parent else "")
    form = LocationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            location = services.location_create(user=request.user, type=type_, parent=parent, **_location_values(form))
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("%s was created.") % location)
            return redirect("location:location_detail", uuid=location.uuid)
    context = {
        "form": form,
        "parent": parent,
        "new_label": NEW_LABELS[type_],
        "breadcrumbs": _breadcrumbs(request.user, parent, (_("New"), "")),
    }
    return render(request, "location/location_form.html", context)


@login_required
@permission_required("location.change_location", raise_exception=True)
def location_edit(request: AuthedRequest, uuid: str) -> HttpResponse:
    location = access_location_by_uuid(request.user, uuid)
    initial = {k: getattr(location, k) for k in services.LOCATION_EDITABLE}
    form = LocationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.location_update(user=request.user, location=location, **_location_values(form))
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("%s was saved.") % location)
            return redirect("location:location_detail", uuid=location.uuid)
    context = {
        "form": form,
        "location": location,
        "breadcrumbs": _breadcrumbs(request.user, location, (_("Edit"), "")),
    }
    return render(request, "location/location_form.html", context)


@login_required
@permission_required("location.change_location", raise_exception=True)
def location_move(request: AuthedRequest, uuid: str) -> HttpResponse:
    location = access_location_by_uuid(request.user, uuid)
    form = MoveForm(request.POST or None, user=request.user, location=location)
    if request.method == "POST" and form.is_valid():
        try:
            services.location_move(user=request.user, location=location, new_parent=form.cleaned_data["parent"])
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("%s was moved.") % location)
            return redirect("location:location_detail", uuid=location.uuid)
    return render(
        request,
        "location/location_move.html",
        {"form": form, "location": location, "breadcrumbs": _breadcrumbs(request.user, location, (_("Move"), ""))},
    )


@login_required
@permission_required("location.change_location", raise_exception=True)
def location_deactivate(request: AuthedRequest, uuid: str) -> HttpResponse:
    location = access_location_by_uuid(request.user, uuid)
    if request.method == "POST":
        try:
            count = services.location_deactivate(user=request.user, location=location)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                ngettext("%(n)d location was deactivated.", "%(n)d locations were deactivated.", count) % {"n": count},
            )
        return redirect("location:location_detail", uuid=location.uuid)
    return render(
        request,
        "location/location_deactivate.html",
        {"location": location, "breadcrumbs": _breadcrumbs(request.user, location, (_("Deactivate"), ""))},
    )


@login_required
@permission_required("location.import_locations", raise_exception=True)
def location_import(request: AuthedRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.locations_import_start(user=request.user, upload=form.cleaned_data["file"])
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            return redirect("common:job_detail", uuid=job.uuid)
    return render(
        request,
        "location/location_import.html",
        {"form": form, "breadcrumbs": _breadcrumbs(request.user, None, (_("Import"), ""))},
    )


@login_required
@permission_required(VIEW_LOCATION, raise_exception=True)
def location_export(request: AuthedRequest) -> HttpResponseBase:
    qs = selectors.location_search(request.user, q=request.GET.get("q", ""), include_inactive=True)
    rows = (
        [
            loc.type,
            loc.code,
            loc.name,
            loc.parent.code if loc.parent else "",
            loc.male_population or "",
            loc.female_population or "",
            loc.other_population or "",
            loc.families or "",
            "1" if loc.is_active else "0",
        ]
        for loc in qs.iterator(chunk_size=2000)
    )
    header = [
        "type",
        "code",
        "name",
        "parent_code",
        "male_population",
        "female_population",
        "other_population",
        "families",
        "active",
    ]
    return export_response("csv", "locations", header, rows)


# --- health facilities -------------------------------------------------------------------------------------


@login_required
@permission_required(VIEW_FACILITY, raise_exception=True)
def facility_list(request: AuthedRequest) -> HttpResponse:
    filter_form = FacilityFilterForm(request.GET or None, user=request.user)
    filters: dict[str, Any] = {}
    if filter_form.is_valid():
        filters = {k: v for k, v in filter_form.cleaned_data.items() if v}
    context = {
        "page_obj": paginate(request, selectors.facilities_for(request.user, **filters)),
        "filter_form": filter_form,
    }
    return render(request, "location/facility_list.html", context)


@login_required
@permission_required(VIEW_FACILITY, raise_exception=True)
def facility_detail(request: AuthedRequest, uuid: str) -> HttpResponse:
    facility = access_facility_by_uuid(request.user, uuid)
    tab = request.GET.get("tab", "details")
    context: dict[str, Any] = {"facility": facility, "tab": tab}
    if tab == "history":
        context["history"] = history_of(facility)
    else:
        context["catchments"] = facility.catchments.select_related("village", "village__parent")
    return render(request, "location/facility_detail.html", context)


def _parse_catchments(request: AuthedRequest, text: str) -> list[services.CatchmentRow]:
    rows: list[services.CatchmentRow] = []
    codes: list[tuple[str, str]] = []
    for line in text.splitlines():
        parts = line.replace(";", " ").replace(",", " ").split()
        if not parts:
            continue
        if len(parts) != 2:
            raise ApplicationError.for_field(
                "catchments", _("Each line needs a village code and a percentage: %s") % line
            )
        codes.append((parts[0], parts[1]))
    villages = {
        v.code: v for v in Location.objects.visible_to(request.user).active().filter(code__in=[c for c, _p in codes])
    }
    for code, pct in codes:
        if code not in villages:
            raise ApplicationError.for_field("catchments", _("No village with code %s in your districts.") % code)
        try:
            percentage = Decimal(pct.rstrip("%"))
        except InvalidOperation as exc:
            raise ApplicationError.for_field("catchments", _("%s is not a percentage.") % pct) from exc
        rows.append(services.CatchmentRow(villages[code], percentage))
    return rows


def _facility_form_view(request: AuthedRequest, facility: HealthFacility | None) -> HttpResponse:
    form = FacilityForm(request.POST or None, instance=facility, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "catchments"}
        try:
            catchments = _parse_catchments(request, form.cleaned_data.get("catchments", ""))
            if facility is None:
                facility = services.facility_create(user=request.user, catchments=catchments, **data)
            else:
                services.facility_update(user=request.user, facility=facility, catchments=catchments, **data)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("%s was saved.") % facility)
            return redirect("location:facility_detail", uuid=facility.uuid)
    return render(request, "location/facility_form.html", {"form": form, "facility": facility})


@login_required
@permission_required("location.add_healthfacility", raise_exception=True)
def facility_create(request: AuthedRequest) -> HttpResponse:
    return _facility_form_view(request, None)


@login_required
@permission_required("location.change_healthfacility", raise_exception=True)
def facility_edit(request: AuthedRequest, uuid: str) -> HttpResponse:
    facility = access_facility_by_uuid(request.user, uuid)
    return _facility_form_view(request, facility)


@login_required
@permission_required(VIEW_FACILITY, raise_exception=True)
def facility_export(request: AuthedRequest) -> HttpResponseBase:
    qs = selectors.facilities_for(request.user, q=request.GET.get("q", ""))
    header = [
        "code",
        "name",
        "district_code",
        "level",
        "sub_level",
        "legal_form",
        "care_type",
        "status",
        "contract_start_date",
        "contract_end_date",
        "phone",
        "email",
    ]
    rows = (
        [
            f.code,
            f.name,
            f.district.code,
            f.level,
            f.sub_level,
            f.legal_form,
            f.care_type,
            f.status,
            f.contract_start_date or "",
            f.contract_end_date or "",
            f.phone,
            f.email,
        ]
        for f in qs.iterator(chunk_size=2000)
    )
    return export_response("csv", "health-facilities", header, rows)


# --- users -------------------------------------------------------------------------------------------------


@login_required
@permission_required("accounts.view_user", raise_exception=True)
def user_list(request: AuthedRequest) -> HttpResponse:
    qs = selectors.users_visible_to(request.user).prefetch_related("groups").order_by("username")
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(username__icontains=q) | qs.filter(last_name__icontains=q)
    page_obj = paginate(request, qs)
    for account in page_obj:
        account.role_labels = [role_label(g.name) for g in account.groups.all()]
    return render(
        request,
        "location/user_list.html",
        {"page_obj": page_obj, "filter_form": LocationFilterForm(request.GET or None)},
    )


def _user_form_view(request: AuthedRequest, target: Any) -> HttpResponse:
    initial: dict[str, Any] = {"language": "en", "is_active": True}
    if target is not None:
        initial = {
            f: getattr(target, f)
            for f in ("username", "first_name", "last_name", "email", "phone", "language", "is_active")
        }
        initial["roles"] = [g.name for g in target.groups.all()]
        initial["locations"] = Location.objects.filter(locationuserobjectpermission__user=target)
        initial["facility"] = HealthFacility.objects.filter(healthfacilityuserobjectpermission__user=target).first()
    form = UserForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["locations"] = list(data["locations"])
        try:
            account = services.user_save(user=request.user, target=target, **data)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("User %s was saved.") % account.username)
            return redirect("location:user_list")
    return render(request, "location/user_form.html", {"form": form, "target": target})


@login_required
@permission_required("accounts.add_user", raise_exception=True)
def user_create(request: AuthedRequest) -> HttpResponse:
    return _user_form_view(request, None)


@login_required
@permission_required("accounts.change_user", raise_exception=True)
def user_edit(request: AuthedRequest, uuid: str) -> HttpResponse:
    return _user_form_view(request, access_user_by_uuid(request.user, uuid))
