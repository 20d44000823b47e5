from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from .navigation import NAV_ENTRIES


def _item(request: HttpRequest, label: Any, url_name: str, icon: str) -> dict[str, Any] | None:
    try:
        url = reverse(url_name)
    except NoReverseMatch:  # an app whose pages are not installed
        return None
    active = request.path == url if url == "/" else request.path.startswith(url)
    return {"label": label, "url": url, "active": active, "icon": icon}


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for label, url_name, perm, icon, *rest in NAV_ENTRIES:
        if rest:
            children = [
                child
                for c_label, c_url, c_perm, c_icon in rest[0]
                if (not c_perm or user.has_perm(c_perm)) and (child := _item(request, c_label, c_url, c_icon))
            ]
            if children:
                active = any(c["active"] for c in children)
                items.append({"label": label, "icon": icon, "children": children, "active": active})
            continue
        if perm and not user.has_perm(perm):
            continue
        entry = _item(request, label, url_name, icon)
        if entry:
            items.append(entry)
    return {"nav_items": items}
