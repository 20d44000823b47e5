from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from location.models import Location, LocationType
from openimis.accounts.models import User
from openimis.common.pages import BootstrapFormMixin

from . import selectors
from .models import Payer, PayerType


class LocationChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """Regions by name, districts as "Region › District" (the queryset is ordered by path, with parents)."""

    def label_from_instance(self, obj: Location) -> str:
        if obj.type == LocationType.DISTRICT and obj.parent is not None:
            return f"{obj.parent.name} › {obj.name}"
        return f"{obj.name} ({str(LocationType(obj.type).label).lower()})"


class PayerForm(BootstrapFormMixin, forms.ModelForm):
    location = LocationChoiceField(
        label=_("Region or district"),
        queryset=Location.objects.none(),
        required=False,
        to_field_name="uuid",
        empty_label=_("National (whole country)"),
        help_text=_("Leave national for a payer of the whole country."),
    )

    class Meta:
        model = Payer
        fields = ["type", "name", "location", "address", "phone", "fax", "email"]

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field("location").queryset = selectors.payer_locations_for(user)
        if self.instance.pk and self.instance.location_id:
            self.initial["location"] = self.instance.location.uuid  # the select's values are uuids

    def _post_clean(self) -> None:
        # The service validates the model and its rules; the form only parses input.
        pass


class PayerFilterForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(label=_("Name"), required=False)
    type = forms.ChoiceField(label=_("Type"), choices=[("", _("Any"))] + list(PayerType.choices), required=False)
    location = LocationChoiceField(
        label=_("Region or district"),
        queryset=Location.objects.none(),
        required=False,
        to_field_name="uuid",
        empty_label=_("Any"),
    )
    include_inactive = forms.BooleanField(label=_("Show inactive"), required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field("location").queryset = selectors.payer_filter_locations(user)

    def filters(self) -> dict[str, Any]:
        """The chosen filters as keyword arguments of `selectors.payers_for` (none when the input is invalid)."""
        if not self.is_bound or not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}
