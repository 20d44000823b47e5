"""Forms of the staff pages: they parse input; the services decide what is allowed."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from location.models import HealthFacility, Location, LocationType
from openimis.accounts.models import User
from openimis.common.pages import BootstrapFormMixin

from . import selectors
from .models import (
    ALL_PATIENTS,
    Diagnosis,
    Item,
    ItemType,
    PatientCategory,
    PriceListKind,
    Service,
    ServiceCategory,
    ServiceLevel,
    ServiceType,
)
from .models import CareType as _CareType


class PatientCategoryField(forms.TypedMultipleChoiceField):
    """Four checkboxes (male, female, adult, child) read as the sum of their bits."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Patients"))
        kwargs.setdefault("help_text", _("Tick at least one of male and female and at least one of adult and child."))
        super().__init__(choices=PatientCategory.choices, coerce=int, required=False, **kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, int):
            return [bit.value for bit in PatientCategory if value & bit.value]
        return value

    def clean(self, value: Any) -> int:  # type: ignore[override]
        bits = super().clean(value)
        return sum(set(bits))


class _ModelForm(BootstrapFormMixin, forms.ModelForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "patient_category" in self.fields:
            self.fields["patient_category"].widget.attrs["class"] = "form-check-input"

    def _post_clean(self) -> None:
        # The service validates the model and its rules; the form only parses input.
        pass


class ItemForm(_ModelForm):
    patient_category = PatientCategoryField(initial=ALL_PATIENTS)

    class Meta:
        model = Item
        fields = [
            "code",
            "name",
            "type",
            "package",
            "quantity",
            "price",
            "care_type",
            "frequency",
            "maximum_amount",
            "patient_category",
        ]


class ServiceForm(_ModelForm):
    patient_category = PatientCategoryField(initial=ALL_PATIENTS)

    class Meta:
        model = Service
        fields = [
            "code",
            "name",
            "type",
            "category",
            "level",
            "package_type",
            "price",
            "care_type",
            "frequency",
            "maximum_amount",
            "manual_price",
            "patient_category",
        ]


class DiagnosisForm(_ModelForm):
    class Meta:
        model = Diagnosis
        fields = ["code", "name"]


def _any(choices: Any) -> list[tuple[str, Any]]:
    return [("", _("Any")), *choices]


class RegisterFilterForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(label=_("Code or name"), required=False)
    include_inactive = forms.BooleanField(label=_("Show inactive"), required=False)


class ItemFilterForm(RegisterFilterForm):
    type = forms.ChoiceField(label=_("Type"), choices=_any(ItemType.choices), required=False)
    care_type = forms.ChoiceField(label=_("Care type"), choices=_any(_CareType.choices), required=False)
    field_order = ["q", "type", "care_type", "include_inactive"]


class ServiceFilterForm(RegisterFilterForm):
    type = forms.ChoiceField(label=_("Type"), choices=_any(ServiceType.choices), required=False)
    category = forms.ChoiceField(label=_("Category"), choices=_any(ServiceCategory.choices), required=False)
    level = forms.ChoiceField(label=_("Level"), choices=_any(ServiceLevel.choices), required=False)
    field_order = ["q", "type", "category", "level", "include_inactive"]


class ImportForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "CSV (UTF-8, comma or semicolon separated) or Excel workbook (.xlsx); the first row names the columns."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )


def _area_field(user: User, *, required: bool = False) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("Region or district"),
        queryset=Location.objects.visible_to(user)
        .active()
        .filter(type__in=[LocationType.REGION, LocationType.DISTRICT])
        .order_by("path"),
        required=required,
        to_field_name="uuid",
        empty_label=_("Whole country"),
        help_text=_("The facilities of this area may use the price list; empty for a national price list."),
    )


class PriceListForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    date_from = forms.DateField(
        label=_("Applies from"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"] = _area_field(user)
        self.fields["location"].widget.attrs["class"] = "form-select"


class PriceListFilterForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(label=_("Name"), required=False)
    include_inactive = forms.BooleanField(label=_("Show inactive"), required=False)


class FacilitySearchForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(label=_("Facility code or name"), required=False)


class EntryAddForm(BootstrapFormMixin, forms.Form):
    """The code of the item or service to add, under the name of the target field so that errors land on it."""

    price_override = forms.DecimalField(label=_("Override price"), required=False, max_digits=18, decimal_places=2)

    def __init__(self, *args: Any, kind: PriceListKind, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        label = _("Item code") if kind.target_field == "item" else _("Service code")
        self.fields = {
            kind.target_field: forms.CharField(
                label=label,
                max_length=6,
                widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
            ),
            "price_override": self.fields["price_override"],
        }


class EntryEditForm(BootstrapFormMixin, forms.Form):
    price_override = forms.DecimalField(
        label=_("Override price"),
        required=False,
        max_digits=18,
        decimal_places=2,
        help_text=_("Empty: the register price applies."),
    )


class FacilityPriceListsForm(BootstrapFormMixin, forms.Form):
    def __init__(self, *args: Any, user: User, facility: HealthFacility, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from .models import ITEMS, SERVICES

        for kind, label in ((ITEMS, _("Items price list")), (SERVICES, _("Services price list"))):
            self.fields[kind.facility_field] = forms.ModelChoiceField(
                label=label,
                queryset=selectors.price_lists_serving(user, kind, facility),
                required=False,
                to_field_name="uuid",
                empty_label=_("None"),
                widget=forms.Select(attrs={"class": "form-select"}),
            )
