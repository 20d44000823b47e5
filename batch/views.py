"""Staff pages of the monthly batch runs (accountants and scheme administrators): the list with the form that starts a
run, a run's summary (progress while it runs, then its indices, what each facility is paid and the capitation of its
month) and the facilities' statements (PDF, CSV, XLSX).

Every run is loaded through `batch.selectors.runs_for` (404 outside the user's scope); starting goes through
`batch.services.batch_run_launch`, whose refusals are put next to the form's fields.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from openimis.common.exceptions import ApplicationError, PermissionDeniedError
from openimis.common.pages import AuthedRequest, paginate
from openimis.common.tabular import export_response

from . import selectors, statements
from .forms import RunStartForm
from .models import BatchRun, BatchRunStatus
from .services import batch_run_launch

VIEW = "batch.view_batchrun"
ADD = "batch.add_batchrun"
TABLE_FORMATS = ("csv", "xlsx")
ALL_FORMATS = ("pdf", "csv", "xlsx")
FACILITIES_PER_PAGE = 50


def _crumbs(run: BatchRun | None = None) -> list[tuple[str, str]]:
    crumbs = [(_("Batch runs"), reverse("batch:run_list"))]
    if run is not None:
        crumbs.append((f"{run.year}-{run.month:02d} · {statements.region_label(run)}", ""))
    return crumbs


@login_required
@permission_required(VIEW, raise_exception=True)
def run_list(request: AuthedRequest) -> HttpResponse:
    can_start = request.user.has_perm(ADD)
    if request.method == "POST" and not can_start:
        raise PermissionDenied
    form = RunStartForm(request.POST or None, user=request.user) if can_start else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            job = batch_run_launch(user=request.user, **form.values())
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        except ApplicationError as exc:
            form.apply_error(exc)
        else:
            run = BatchRun.objects.get(job=job)
            messages.success(
                request,
                _("The batch run of %(period)s has started.")
                % {"period": statements.period_label(run.year, run.month)},
            )
            return redirect("batch:run_detail", uuid=run.uuid)
    page_obj = paginate(request, selectors.runs_for(request.user), default=25)
    waiting = [(statements.period_label(y, m), n) for y, m, n in selectors.months_waiting(request.user)]
    context = {"page_obj": page_obj, "form": form, "waiting": waiting, "breadcrumbs": []}
    return render(request, "batch/run_list.html", context)


@login_required
@permission_required(VIEW, raise_exception=True)
@require_GET
def run_detail(request: AuthedRequest, uuid: str) -> HttpResponse:
    run = selectors.access_run_by_uuid(request.user, uuid)
    facilities = statements.facility_totals(run)
    capitation = statements.capitation_statement(run)
    # a national run pays thousands of facilities: both tables are searched by facility and paged together
    query = request.GET.get("q", "").strip().lower()

    def shown(facility: statements.Facility) -> bool:
        return not query or query in facility.code.lower() or query in facility.name.lower()

    page = request.GET.get("page")
    context = {
        "run": run,
        "job": run.job,
        "running": run.status == BatchRunStatus.RUNNING,
        "indices": statements.index_rows(run),
        "facilities": facilities,
        "page_obj": Paginator([f for f in facilities if shown(f.facility)], FACILITIES_PER_PAGE).get_page(page),
        "totals": statements.sum_totals([f.totals for f in facilities]),
        "capitation": capitation,
        "capitation_page": Paginator(
            [c for c in (capitation.rows if capitation else []) if shown(c.facility)], FACILITIES_PER_PAGE
        ).get_page(page),
        "query": query,
        "breadcrumbs": _crumbs(run),
    }
    return render(request, "batch/run_detail.html", context)


@login_required
@permission_required(VIEW, raise_exception=True)
@require_GET
@never_cache
def run_progress(request: AuthedRequest, uuid: str) -> HttpResponse:
    """The progress bar of a running run, polled by HTMX; once the run's job has finished the page reloads to show
    the result."""
    run = selectors.access_run_by_uuid(request.user, uuid)
    job = run.job
    if run.status != BatchRunStatus.RUNNING and (job is None or job.is_finished):
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "batch/_run_progress.html", {"run": run, "job": job})


def _check(fmt: str, formats: tuple[str, ...]) -> None:
    if fmt not in formats:
        raise Http404


def _pdf(content: bytes, stem: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{stem}.pdf"'
    return response


def _stem(kind: str, run: BatchRun, code: str = "") -> str:
    where = run.location.code if run.location else "national"
    return "-".join(p for p in (kind, f"{run.year}-{run.month:02d}", where, code) if p)


@login_required
@permission_required(VIEW, raise_exception=True)
@require_GET
def facility_statement(request: AuthedRequest, uuid: str, facility: str, fmt: str) -> HttpResponseBase:
    _check(fmt, ALL_FORMATS)
    run = selectors.access_run_by_uuid(request.user, uuid)
    found = statements.run_facility(run, str(facility))
    if found is None:
        raise Http404
    statement = statements.remuneration_statement(run, found)
    stem = _stem("remuneration", run, found.code)
    if fmt == "pdf":
        return _pdf(statements.render_pdf(statements.remuneration_html(statement)), stem)
    table = statements.claims_table(statement.header, statement.rows, statement.totals)
    return export_response(fmt, stem, *table)


@login_required
@permission_required(VIEW, raise_exception=True)
@require_GET
def run_statement(request: AuthedRequest, uuid: str, fmt: str) -> HttpResponseBase:
    """Every facility's claims of the run in one table."""
    _check(fmt, TABLE_FORMATS)
    run = selectors.access_run_by_uuid(request.user, uuid)
    totals = statements.sum_totals([f.totals for f in statements.facility_totals(run)])
    table = statements.claims_table(statements.header_of(run), statements.claim_rows(run), totals)
    return export_response(fmt, _stem("remuneration", run), *table)


@login_required
@permission_required(VIEW, raise_exception=True)
@require_GET
def capitation_statement(request: AuthedRequest, uuid: str, fmt: str, facility: str | None = None) -> HttpResponseBase:
    """The capitation statement of a facility, or of every facility when none is named."""
    _check(fmt, ALL_FORMATS)
    run = selectors.access_run_by_uuid(request.user, uuid)
    statement = statements.capitation_statement(run, str(facility) if facility else None)
    if statement is None:
        raise Http404
    stem = _stem("capitation", run, statement.facility.code if statement.facility else "")
    if fmt == "pdf":
        return _pdf(statements.render_pdf(statements.capitation_html(statement)), stem)
    return export_response(fmt, stem, *statements.capitation_table(statement))
