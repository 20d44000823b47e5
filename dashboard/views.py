"""The dashboard page: one URL for every role, showing the panels the user's permissions open (enrolment, money,
claims), with the figures of the districts in their scope."""

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from openimis.common.pages import AuthedRequest

from . import selectors


@login_required
@permission_required("dashboard.view_dashboard", raise_exception=True)
@require_GET
def dashboard(request: AuthedRequest) -> HttpResponse:
    board = selectors.dashboard_for(request.user)
    return render(request, "dashboard/dashboard.html", {"board": board, "breadcrumbs": []})
