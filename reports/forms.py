"""The parameter form of a report, built from the parameters the report takes; only choices in the user's scope."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from location.models import HealthFacility, Location, LocationType
from location.scope import scope_of
from openimis.accounts.models import User
from openimis.common.pages import BootstrapFormMixin
from policy.models import Product

from .registry import Report

FORMAT_CHOICES = [("pdf", "PDF"), ("xlsx", "XLSX"), ("csv", "CSV")]


class ReportForm(BootstrapFormMixin, forms.Form):
    def __init__(self, *args: Any, report: Report, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.report = report
        scope = scope_of(user)
        date_widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        if "date_from" in report.parameters:
            self.fields["date_from"] = forms.DateField(label=_("From"), widget=date_widget)
        if "date_to" in report.parameters:
            self.fields["date_to"] = forms.DateField(label=_("To"), widget=date_widget)
        if "location" in report.parameters:
            self.fields["location"] = forms.ModelChoiceField(
                label=_("Region or district"),
                required=False,
                empty_label=_("All my area"),
                queryset=Location.objects.active()
                .filter(scope.location_q(), type__in=[LocationType.REGION, LocationType.DISTRICT])
                .order_by("path"),
                error_messages={"invalid_choice": _("This location is outside your area.")},
            )
        if "facility" in report.parameters:
            self.fields["facility"] = forms.ModelChoiceField(
                label=_("Health facility"),
                required=False,
                empty_label=_("All facilities"),
                queryset=HealthFacility.objects.visible_to(user).order_by("code"),
                error_messages={"invalid_choice": _("This health facility is outside your area.")},
            )
        if "product" in report.parameters:
            self.fields["product"] = forms.ModelChoiceField(
                label=_("Product"),
                required=False,
                empty_label=_("All products"),
                queryset=Product.objects.visible_to(user).order_by("code"),
            )
        self.fields["fmt"] = forms.ChoiceField(
            label=_("Format"), choices=FORMAT_CHOICES, initial="pdf", widget=forms.RadioSelect
        )
        self.style_widgets()  # the fields are made here, after the mixin's turn
        self.fields["fmt"].widget.attrs["class"] = "form-check-input"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end must not be before the start."))
        return data

    def params(self) -> dict[str, Any]:
        """The parameters as stored in the job: dates in ISO form, rows by id."""
        out: dict[str, Any] = {}
        for name in self.report.parameters:
            value = self.cleaned_data.get(name)
            if value is None:
                out[name] = None
            elif name in ("date_from", "date_to"):
                out[name] = value.isoformat()
            else:
                out[name] = value.pk
        return out
