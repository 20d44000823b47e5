"""The form that starts a batch run: a month and a region (empty = national, for the scheme's national staff only).
The refusals of `batch.services.batch_run_launch` are put next to the fields they name (`apply_error`)."""

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from location.models import Location
from openimis.accounts.models import User
from openimis.common.exceptions import ApplicationError
from openimis.common.pages import BootstrapFormMixin, apply_error

from .selectors import may_run_nationally, run_regions_for


def last_month(today: date | None = None) -> tuple[int, int]:
    today = today or timezone.localdate()
    return (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)


class RunStartForm(BootstrapFormMixin, forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=9999)
    month = forms.TypedChoiceField(label=_("Month"), coerce=int, choices=sorted(MONTHS.items()))
    region = forms.ModelChoiceField(label=_("Region"), queryset=Location.objects.none(), required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        year, month = last_month()
        kwargs.setdefault("initial", {"year": year, "month": month})
        super().__init__(*args, **kwargs)
        self.national_allowed = may_run_nationally(user)
        region = self._field("region")
        region.queryset = run_regions_for(user)
        region.to_field_name = "uuid"
        if self.national_allowed:
            region.empty_label = _("National (products without a region)")
            region.help_text = _("Leave it national to value the claims of the national products.")
        else:
            region.required = True
            region.empty_label = _("Choose a region")

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"year": data["year"], "month": data["month"], "location": data["region"]}

    def apply_error(self, error: ApplicationError) -> None:
        """The refusal next to the fields it names; its headline on top when it names a field the form lacks (the
        products without a distribution)."""
        if set(error.fields) - set(self.fields) and error.message not in sum(error.fields.values(), []):
            self.add_error(None, error.message)
        apply_error(self, error)
