from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from location.selectors import scope_labels
from openimis.accounts.roles import role_label


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "roles": [role_label(g.name) for g in user.groups.all()],
        "scope": scope_labels(user),
    }
    return render(request, "home.html", context)
