from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from location.selectors import scope_labels
from openimis.accounts.roles import role_label
from openimis.common.pages import AuthedRequest


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    user = request.user
    context = {
        "roles": [role_label(g.name) for g in user.groups.all()],
        "scope": scope_labels(user),
    }
    return render(request, "home.html", context)
