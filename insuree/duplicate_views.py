"""Pages for duplicate detection (inline warnings of the registration form, suspected pairs to review) and for
the import of families from a file."""

from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from location.models import Location
from openimis.common.exceptions import ApplicationError
from openimis.common.pages import PER_PAGE_CHOICES, AuthedRequest, BootstrapFormMixin, apply_error
from openimis.common.tabular import XLSX_CONTENT_TYPE, xlsx_bytes

from . import duplicates, import_services, importing
from .models import Insuree


def person_url(insuree: Insuree) -> str:
    """The person's page (engineer A's `insuree:insuree_detail`), or "" while that page does not exist."""
    try:
        return reverse("insuree:insuree_detail", kwargs={"uuid": insuree.uuid})
    except NoReverseMatch:
        return ""


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def _village_pk(request: AuthedRequest, value: str) -> int | None:
    """The family village as the form sends it (its uuid), or a plain id, within the user's scope."""
    if not value:
        return None
    lookup = {"pk": int(value)} if value.isdigit() else {"uuid": value}
    try:
        return Location.objects.visible_to(request.user).filter(**lookup).values_list("pk", flat=True).first()
    except ValidationError:
        return None


@login_required
@permission_required("insuree.view_insuree", raise_exception=True)
@require_GET
def duplicate_check(request: AuthedRequest) -> HttpResponse:
    """HTMX fragment: warnings about people who may already be registered, for one person row of a form."""
    get = request.GET
    prefix = get.get("prefix", "")
    key = f"{prefix}-" if prefix else ""
    exclude_pk = None
    if get.get("exclude"):  # the person being edited
        try:
            exclude_pk = (
                Insuree.objects.visible_to(request.user)
                .filter(uuid=get["exclude"])
                .values_list("pk", flat=True)
                .first()
            )
        except ValidationError:
            exclude_pk = None
    candidates = duplicates.likely_duplicates(
        user=request.user,
        last_name=get.get(f"{key}last_name", ""),
        other_names=get.get(f"{key}other_names", ""),
        dob=_date(get.get(f"{key}dob", "")),
        village=_village_pk(request, get.get("village", "")),
        phone=get.get(f"{key}phone", ""),
        identity_number=get.get(f"{key}identity_number", ""),
        exclude_pk=exclude_pk,
        limit=5,
    )
    rows = [(c, person_url(c.insuree)) for c in candidates]
    return render(request, "insuree/duplicate_warnings.html", {"rows": rows, "prefix": prefix})


@login_required
@permission_required("insuree.view_insuree", raise_exception=True)
def duplicate_list(request: AuthedRequest) -> HttpResponse:
    try:
        per_page = int(request.GET.get("per_page", 50))
        page = max(1, int(request.GET.get("page", 1)))
    except ValueError:
        per_page, page = 50, 1
    if per_page not in PER_PAGE_CHOICES:
        per_page = 50
    pairs = duplicates.suspected_pairs(user=request.user, offset=(page - 1) * per_page, limit=per_page + 1)
    has_next = len(pairs) > per_page
    rows = [(p, person_url(p.first), person_url(p.second)) for p in pairs[:per_page]]
    return render(
        request,
        "insuree/duplicate_list.html",
        {
            "rows": rows,
            "page": page,
            "per_page": per_page,
            "has_next": has_next,
            "has_previous": page > 1,
            "can_dismiss": request.user.has_perm("insuree.change_insuree"),
        },
    )


@login_required
@permission_required("insuree.change_insuree", raise_exception=True)
@require_POST
def duplicate_dismiss(request: AuthedRequest) -> HttpResponse:
    first = duplicates.access_insuree_for_duplicates(request.user, request.POST.get("first", ""))
    second = duplicates.access_insuree_for_duplicates(request.user, request.POST.get("second", ""))
    try:
        duplicates.duplicate_dismiss(user=request.user, first=first, second=second, note=request.POST.get("note", ""))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Recorded: %(a)s and %(b)s are not the same person.") % {"a": first.full_name, "b": second.full_name},
        )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("insuree:duplicate_list")
    return redirect(target)


# --- import of families ------------------------------------------------------------------------------------


class FamilyImportForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File (CSV or XLSX)"),
        help_text=gettext_lazy("One row per person; download the template for the columns."),
    )


@login_required
@permission_required("insuree.import_families", raise_exception=True)
def family_import(request: AuthedRequest) -> HttpResponse:
    form = FamilyImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = import_services.families_import_start(user=request.user, upload=form.cleaned_data["file"])
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            return redirect("common:job_detail", uuid=job.uuid)
    return render(request, "insuree/import_families.html", {"form": form, "columns": importing.COLUMNS})


@login_required
@permission_required("insuree.import_families", raise_exception=True)
def family_import_template(request: AuthedRequest) -> HttpResponseBase:
    data = xlsx_bytes(importing.COLUMNS, importing.EXAMPLE_ROWS, title="families")
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="families-template.xlsx"'
    return response
