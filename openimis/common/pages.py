"""Helpers shared by staff pages: pagination with a per-page choice, mapping domain errors onto forms."""

from typing import Any

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

from openimis.accounts.models import User

from .exceptions import ApplicationError


class AuthedRequest(HttpRequest):
    """A request behind `login_required`: its user is a real User."""

    user: User


PER_PAGE_CHOICES = (25, 50, 100, 500)


def paginate(request: HttpRequest, queryset: QuerySet[Any], *, default: int = 50) -> Page[Any]:
    try:
        per_page = int(request.GET.get("per_page", default))
    except ValueError:
        per_page = default
    if per_page not in PER_PAGE_CHOICES:
        per_page = default
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def apply_error(form: forms.BaseForm, error: ApplicationError) -> None:
    """Puts a domain error next to the fields it names, or at the top of the form."""
    placed = False
    for field, messages in error.fields.items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)
            placed = True
    if not placed:
        form.add_error(None, error.message)


class BootstrapFormMixin:
    """Gives every widget the Bootstrap class it needs, so templates render `{{ field }}` as is."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()

    def style_widgets(self) -> None:
        """Adds the classes; a form that makes its fields in its own `__init__` calls it again after making them."""
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()

    def _field(self, name: str) -> Any:
        """A form field by name, typed loosely so that querysets and choices can be set per request."""
        return self.fields[name]  # type: ignore[attr-defined]
