import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openimis.common.exceptions import ApplicationError
from openimis.common.history import history_of
from openimis.common.pages import AuthedRequest, apply_error, paginate

from . import selectors, services
from .forms import ChangeHeadForm, FamilyDeleteForm, FamilyFilterForm, FamilyForm, MoveForm, PersonForm, PhotoForm
from .models import Family
from .permissions import access_family_by_uuid, access_insuree_by_uuid

MEMBER_PREFIX = re.compile(r"^m(\d{1,3})-last_name$")
MAX_MEMBERS = 30


@login_required
@permission_required("insuree.view_family", raise_exception=True)
def family_list(request: AuthedRequest) -> HttpResponse:
    filter_form = FamilyFilterForm(request.GET or None, user=request.user)
    page_obj = paginate(request, selectors.families_for(request.user, **filter_form.filters()), default=25)
    return render(request, "insuree/family_list.html", {"page_obj": page_obj, "filter_form": filter_form})


def _member_form(request: AuthedRequest, index: int, data: Any = None) -> PersonForm:
    return PersonForm(data, user=request.user, prefix=f"m{index}")


def _place_errors(
    error: ApplicationError, family_form: FamilyForm, head: PersonForm, members: list[PersonForm]
) -> None:
    """Puts `head.x` / `members.2.x` errors next to that person's field, the others on the family form."""
    for key, msgs in error.fields.items():
        parts = key.split(".")
        form: Any = family_form
        name: str | None = key
        if parts[0] == "head" and len(parts) == 2:
            form, name = head, parts[1]
        elif parts[0] == "members" and len(parts) == 3 and int(parts[1]) < len(members):
            form, name = members[int(parts[1])], parts[2]
        for msg in msgs:
            form.add_error(name if name in form.fields else None, msg)
    if not error.fields:
        family_form.add_error(None, error.message)


@login_required
@permission_required("insuree.add_family", raise_exception=True)
def family_register(request: AuthedRequest) -> HttpResponse:
    """Family, head and members on one page; member rows are added with HTMX (`family_member_row`)."""
    data = request.POST if request.method == "POST" else None
    family_form = FamilyForm(data, user=request.user)
    head_form = PersonForm(data, user=request.user, prefix="head", is_head=True)
    indexes = sorted(int(m.group(1)) for k in (data or {}) if (m := MEMBER_PREFIX.match(k)))[:MAX_MEMBERS]
    members = [_member_form(request, i, data) for i in indexes]
    if data is not None and all(f.is_valid() for f in [family_form, head_form, *members]):
        try:
            result = services.family_register(
                user=request.user,
                head=head_form.values(),
                members=[m.values() for m in members],
                **family_form.cleaned_data,
            )
        except ApplicationError as exc:
            _place_errors(exc, family_form, head_form, members)
        else:
            messages.success(request, _("The family of %s was registered.") % result.family.head.full_name)
            for warning in result.warnings:
                messages.warning(request, warning)
            return redirect("insuree:family_detail", uuid=result.family.uuid)
    next_index = max(indexes, default=-1) + 1
    has_errors = any(f.errors for f in [family_form, head_form, *members])
    context = {
        "family_form": family_form,
        "head_form": head_form,
        "members": members,
        "next_index": next_index,
        "has_errors": has_errors,
    }
    return render(request, "insuree/family_register.html", context)


@login_required
@permission_required("insuree.add_family", raise_exception=True)
def family_member_row(request: AuthedRequest) -> HttpResponse:
    """One more member row for the registration page (HTMX), and the "Add member" button for the row after it."""
    try:
        index = min(max(int(request.GET.get("index", "0")), 0), 999)
    except ValueError:
        index = 0
    context = {"form": _member_form(request, index), "next_index": index + 1, "oob": True}
    return render(request, "insuree/_member_row.html", context)


@login_required
@permission_required("insuree.view_family", raise_exception=True)
def family_detail(request: AuthedRequest, uuid: str) -> HttpResponse:
    family = access_family_by_uuid(request.user, uuid)
    tab = "history" if request.GET.get("tab") == "history" else "members"
    context: dict[str, Any] = {"family": family, "tab": tab}
    if tab == "history":
        context["history"] = history_of(family)
    else:
        context["members"] = selectors.family_members(family)
        context["warnings"] = selectors.family_warnings(family)
        context["head_form"] = ChangeHeadForm(family=family)
    return render(request, "insuree/family_detail.html", context)


@login_required
@permission_required("insuree.change_family", raise_exception=True)
def family_edit(request: AuthedRequest, uuid: str) -> HttpResponse:
    family = access_family_by_uuid(request.user, uuid)
    form = FamilyForm(request.POST or None, instance=family, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.family_update(user=request.user, family=family, **form.cleaned_data)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("The family was saved."))
            return redirect("insuree:family_detail", uuid=family.uuid)
    return render(request, "insuree/family_form.html", {"form": form, "family": family})


@login_required
@permission_required("insuree.change_family", raise_exception=True)
@require_POST
def family_change_head(request: AuthedRequest, uuid: str) -> HttpResponse:
    family = access_family_by_uuid(request.user, uuid)
    form = ChangeHeadForm(request.POST, family=family)
    if not form.is_valid():
        messages.error(request, _("Choose a member of the family as the new head."))
        return redirect("insuree:family_detail", uuid=family.uuid)
    try:
        result = services.family_change_head(user=request.user, family=family, **form.cleaned_data)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%s is now the head of the family.") % result.family.head.full_name)
        for warning in result.warnings:
            messages.warning(request, warning)
    return redirect("insuree:family_detail", uuid=family.uuid)


@login_required
@permission_required("insuree.delete_family", raise_exception=True)
def family_delete(request: AuthedRequest, uuid: str) -> HttpResponse:
    family = access_family_by_uuid(request.user, uuid)
    form = FamilyDeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.family_delete(user=request.user, family=family, **form.cleaned_data)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("The family was deleted."))
            return redirect("insuree:family_list")
    return render(request, "insuree/family_delete.html", {"form": form, "family": family})


@login_required
@permission_required("insuree.add_insuree", raise_exception=True)
def family_add_member(request: AuthedRequest, uuid: str) -> HttpResponse:
    family = access_family_by_uuid(request.user, uuid)
    form = PersonForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            insuree = services.insuree_add_to_family(user=request.user, family=family, **form.values())
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("%s was added to the family.") % insuree.full_name)
            return redirect("insuree:family_detail", uuid=family.uuid)
    return render(request, "insuree/insuree_form.html", {"form": form, "family": family, "insuree": None})


@login_required
@permission_required("insuree.view_insuree", raise_exception=True)
def insuree_detail(request: AuthedRequest, uuid: str) -> HttpResponse:
    insuree = access_insuree_by_uuid(request.user, uuid)
    tab = "history" if request.GET.get("tab") == "history" else "details"
    is_head = insuree.family is not None and insuree.family.head_id == insuree.pk
    context: dict[str, Any] = {"insuree": insuree, "tab": tab, "is_head": is_head}
    if tab == "history":
        context["history"] = history_of(insuree)
    return render(request, "insuree/insuree_detail.html", context)


@login_required
@permission_required("insuree.change_insuree", raise_exception=True)
def insuree_edit(request: AuthedRequest, uuid: str) -> HttpResponse:
    insuree = access_insuree_by_uuid(request.user, uuid)
    is_head = insuree.family is not None and insuree.family.head_id == insuree.pk
    form = PersonForm(request.POST or None, instance=insuree, user=request.user, is_head=is_head)
    if request.method == "POST" and form.is_valid():
        try:
            services.insuree_update(user=request.user, insuree=insuree, **form.values())
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("%s was saved.") % insuree.full_name)
            return redirect("insuree:insuree_detail", uuid=insuree.uuid)
    return render(request, "insuree/insuree_form.html", {"form": form, "insuree": insuree, "family": insuree.family})


@login_required
@permission_required("insuree.change_insuree", raise_exception=True)
def insuree_photo(request: AuthedRequest, uuid: str) -> HttpResponse:
    insuree = access_insuree_by_uuid(request.user, uuid)
    form = PhotoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.insuree_set_photo(user=request.user, insuree=insuree, file=form.cleaned_data["photo"])
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("The photo was saved."))
            return redirect("insuree:insuree_detail", uuid=insuree.uuid)
    return render(request, "insuree/insuree_photo.html", {"form": form, "insuree": insuree})


@login_required
@permission_required("insuree.change_insuree", raise_exception=True)
@require_POST
def insuree_remove(request: AuthedRequest, uuid: str) -> HttpResponse:
    insuree = access_insuree_by_uuid(request.user, uuid)
    family: Family | None = insuree.family
    try:
        services.insuree_remove_from_family(user=request.user, insuree=insuree)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%s was removed from the family.") % insuree.full_name)
    if family is not None:
        return redirect("insuree:family_detail", uuid=family.uuid)
    return redirect("insuree:insuree_detail", uuid=insuree.uuid)


@login_required
@permission_required("insuree.change_insuree", raise_exception=True)
def insuree_move(request: AuthedRequest, uuid: str) -> HttpResponse:
    """A member joins another family (found by its head's insurance number) within the officer's scope."""
    insuree = access_insuree_by_uuid(request.user, uuid)
    form = MoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        family = selectors.family_headed_by(request.user, form.cleaned_data["head_number"])
        try:
            if family is None:
                raise ApplicationError.for_field("head_number", _("No family in your area has this head."))
            services.insuree_move_to_family(
                user=request.user, insuree=insuree, family=family, relationship=form.cleaned_data["relationship"]
            )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("%s now belongs to the new family.") % insuree.full_name)
            return redirect("insuree:family_detail", uuid=family.uuid)
    return render(request, "insuree/insuree_move.html", {"form": form, "insuree": insuree})


@login_required
@permission_required("insuree.view_insuree", raise_exception=True)
def insuree_photo_file(request: AuthedRequest, uuid: str) -> FileResponse:
    """The photo, served only to users who see the person (photos are personal data: no public media URL)."""
    insuree = access_insuree_by_uuid(request.user, uuid)
    if not insuree.photo:
        raise Http404("No photo")
    response = FileResponse(insuree.photo.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response
