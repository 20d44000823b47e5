"""Staff pages: the reports one may run (with one's past runs), and a report's parameter form."""

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from openimis.common.exceptions import ApplicationError, NotFoundError
from openimis.common.models import Job
from openimis.common.pages import AuthedRequest

from .forms import ReportForm
from .registry import REPORTS
from .services import JOB_KIND, report_for, report_request


@login_required
@permission_required("reports.run_report", raise_exception=True)
def report_list(request: AuthedRequest) -> HttpResponse:
    jobs = Job.objects.filter(kind=JOB_KIND, created_by=request.user).order_by("-created_at")[:50]
    titles = {code: r.title for code, r in REPORTS.items()}
    past = [(job, titles.get(job.params.get("report"), job.params.get("report"))) for job in jobs]
    return render(request, "reports/report_list.html", {"reports": REPORTS.values(), "past": past})


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
