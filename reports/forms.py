"""The parameter form of a report, built from the parameters the report takes; only choices in the user's scope."""

from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from insuree.models import Insuree
from location.models import HealthFacility, Location, LocationType
from location.scope import scope_of
from openimis.accounts.models import User
from openimis.common.pages import BootstrapFormMixin
from payer.models import Payer
from policy.models import Product

from .base import Report, users_in_scope

FORMAT_CHOICES = [("pdf", "PDF"), ("xlsx", "XLSX"), ("csv", "CSV")]


class ReportForm(BootstrapFormMixin, forms.Form):
    def __init__(self, *args: Any, report: Report, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.report = report
        self.user = user
        scope = scope_of(user)
        date_widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        last_month_end = timezone.localdate().replace(day=1) - timedelta(days=1)  # the period offered: last month
        if "date_from" in report.parameters:
            self.fields["date_from"] = forms.DateField(
                label=_("From"), widget=date_widget, initial=last_month_end.replace(day=1)
            )
        if "date_to" in report.parameters:
            self.fields["date_to"] = forms.DateField(label=_("To"), widget=date_widget, initial=last_month_end)
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
        if "payer" in report.parameters:
            self.fields["payer"] = forms.ModelChoiceField(
                label=_("Payer"),
                required=False,
                empty_label=_("All payers"),
                queryset=Payer.objects.visible_to(user).order_by("name"),
                error_messages={"invalid_choice": _("This payer is outside your area.")},
            )
        people = users_in_scope(user).filter(is_active=True).order_by("last_name", "first_name", "username")
        if "officer" in report.parameters:
            sells = people.filter(
                groups__permissions__codename="add_policy", groups__permissions__content_type__app_label="policy"
            ).distinct()
            self.fields["officer"] = forms.ModelChoiceField(
                label=_("Enrolment officer"),
                required=False,
                empty_label=_("All officers"),
                queryset=sells,
                error_messages={"invalid_choice": _("This officer does not work in your area.")},
            )
        if "user" in report.parameters:
            self.fields["user"] = forms.ModelChoiceField(
                label=_("User"),
                required=False,
                empty_label=_("All users"),
                queryset=people,
                error_messages={"invalid_choice": _("This user does not work in your area.")},
            )
        if "insurance_number" in report.parameters:
            self.fields["insurance_number"] = forms.CharField(label=_("Insurance number"), max_length=50)
        if "rate" in report.parameters:
            self.fields["rate"] = forms.DecimalField(
                label=_("Commission rate (%)"), min_value=0, max_value=100, max_digits=5, decimal_places=2
            )
        for name, field in self.fields.items():
            if name in ("date_from", "date_to", "insurance_number", "rate"):
                field.required = name in report.required
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
        number = (data.get("insurance_number") or "").strip()
        if number:
            if not Insuree.objects.visible_to(self.user).filter(insurance_number=number).exists():
                self.add_error("insurance_number", _("No insuree with this insurance number in your area."))
            data["insurance_number"] = number
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
            elif name in ("insurance_number", "rate"):
                out[name] = str(value) if value != "" else None
            else:
                out[name] = value.pk
        return out
