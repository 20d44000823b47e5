"""Staff pages: the reports one may run (with one's past runs), and a report's parameter form."""

from datetime import date

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats

from openimis.common.exceptions import ApplicationError, NotFoundError
from openimis.common.models import Job
from openimis.common.pages import AuthedRequest, paginate

from .forms import ReportForm
from .registry import FAMILIES, REPORTS
from .services import JOB_KIND, report_for, report_request


@login_required
@permission_required("reports.run_report", raise_exception=True)
def report_list(request: AuthedRequest) -> HttpResponse:
    jobs = Job.objects.filter(kind=JOB_KIND, created_by=request.user).order_by("-created_at", "-pk")
    page = paginate(request, jobs, default=25)
    past = [(job, REPORTS.get(job.params.get("report")), _period(job)) for job in page]
    families = [(title, reports) for title, reports in FAMILIES if reports]
    return render(request, "reports/report_list.html", {"families": families, "past": past, "page_obj": page})


def _period(job: Job) -> str:
    """The period a past run covered, as the user reads dates."""
    params = job.params.get("params") or {}
    try:
        start, end = (date.fromisoformat(params[k]) for k in ("date_from", "date_to"))
    except (KeyError, TypeError, ValueError):
        return ""
    return f"{formats.date_format(start, 'SHORT_DATE_FORMAT')} – {formats.date_format(end, 'SHORT_DATE_FORMAT')}"


@login_required
@permission_required("reports.run_report", raise_exception=True)
def report_form(request: AuthedRequest, code: str) -> HttpResponse:
    try:
        report = report_for(user=request.user, code=code)
    except NotFoundError as exc:
        raise Http404 from exc
    form = ReportForm(request.POST or None, report=report, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            job = report_request(user=request.user, code=code, params=form.params(), fmt=form.cleaned_data["fmt"])
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("common:job_detail", uuid=job.uuid)
    return render(request, "reports/report_form.html", {"report": report, "form": form})
