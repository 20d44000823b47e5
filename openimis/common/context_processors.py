from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from .navigation import NAV_ENTRIES


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for label, url_name, perm, icon in NAV_ENTRIES:
        if perm and not user.has_perm(perm):
            continue
        url = reverse(url_name)
        active = request.path == url if url == "/" else request.path.startswith(url)
        items.append({"label": label, "url": url, "active": active, "icon": icon})
    return {"nav_items": items}
