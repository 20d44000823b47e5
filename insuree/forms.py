from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from location.models import HealthFacility, Location
from openimis.accounts.models import User
from openimis.common.pages import BootstrapFormMixin

from . import selectors
from .models import Family, Insuree, MaritalStatus, Relationship


class VillageChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """Villages as "Municipality › Village" (the queryset is ordered by path, with parents)."""

    def label_from_instance(self, obj: Location) -> str:
        return f"{obj.parent.name} › {obj.name}" if obj.parent is not None else obj.name


class _ParseOnly:
    def _post_clean(self) -> None:
        # The service validates the model and its rules; the form only parses input.
        pass


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


PERSON_FORM_FIELDS = [
    "last_name",
    "other_names",
    "gender",
    "dob",
    "insurance_number",
    "relationship",
    "marital_status",
    "phone",
    "email",
    "identity_type",
    "identity_number",
    "profession",
    "education",
    "current_village",
    "current_address",
    "first_health_facility",
    "vulnerable",
]


class PersonForm(BootstrapFormMixin, _ParseOnly, forms.ModelForm):
    """One person of the registration page or a member added later; prefixes: `head`, `m0`, `m1`..."""

    current_village = VillageChoiceField(
        label=_("Current village"), queryset=Location.objects.none(), required=False, to_field_name="uuid"
    )
    first_health_facility = forms.ModelChoiceField(
        label=_("First-contact health facility"),
        queryset=HealthFacility.objects.none(),
        required=False,
        to_field_name="uuid",
    )

    class Meta:
        model = Insuree
        fields = PERSON_FORM_FIELDS
        widgets = {"dob": DateInput()}
        help_texts = {"insurance_number": _("Leave empty to generate one.")}

    def __init__(self, *args: Any, user: User, is_head: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field("insurance_number").required = False
        self._field("insurance_number").widget.attrs.update(inputmode="numeric", autocomplete="off")
        self._field("current_village").queryset = selectors.villages_for(user)
        self._field("first_health_facility").queryset = selectors.facilities_for(user)
        self._field("phone").widget.input_type = "tel"
        self._field("marital_status").required = False
        if is_head:
            del self.fields["relationship"]
        else:
            self._field("relationship").choices = [("", "—"), *Relationship.choices]
        if self.instance.pk:
            del self.fields["insurance_number"]  # a number is for life
            if self.instance.current_village_id:
                self.initial["current_village"] = self.instance.current_village.uuid
            if self.instance.first_health_facility_id:
                self.initial["first_health_facility"] = self.instance.first_health_facility.uuid

    def values(self) -> dict[str, Any]:
        values = {k: v for k, v in self.cleaned_data.items() if k in self.fields}
        if not values.get("marital_status"):
            values["marital_status"] = MaritalStatus.NOT_SPECIFIED
        return values


class FamilyForm(BootstrapFormMixin, _ParseOnly, forms.ModelForm):
    village = VillageChoiceField(label=_("Village"), queryset=Location.objects.none(), to_field_name="uuid")
    poverty = forms.NullBooleanField(label=_("Poor"), required=False)

    class Meta:
        model = Family
        fields = ["village", "family_type", "poverty", "address", "confirmation_type", "confirmation_number"]

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field("village").queryset = selectors.villages_for(user)
        if self.instance.pk:
            self.initial["village"] = self.instance.village.uuid


class ChangeHeadForm(BootstrapFormMixin, forms.Form):
    new_head = forms.ModelChoiceField(label=_("New head"), queryset=Insuree.objects.none(), to_field_name="uuid")
    old_head_relationship = forms.TypedChoiceField(
        label=_("Relationship of the former head to the new one"),
        choices=[("", "—"), *Relationship.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )

    def __init__(self, *args: Any, family: Family, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field("new_head").queryset = family.members.exclude(pk=family.head_id)


class FamilyDeleteForm(BootstrapFormMixin, forms.Form):
    detach_members = forms.TypedChoiceField(
        label=_("Members"),
        choices=[("1", _("Keep the members, without a family")), ("0", _("Delete the members too"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        initial="1",
    )


class PhotoForm(forms.Form):
    photo = forms.FileField(label=_("Photo"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["photo"].widget.attrs.update(accept="image/*", capture="user", **{"class": "form-control"})


class FamilyFilterForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(label=_("Name, insurance number or phone"), required=False)
    village = VillageChoiceField(
        label=_("Village"), queryset=Location.objects.none(), required=False, to_field_name="uuid", empty_label=_("Any")
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field("village").queryset = selectors.villages_for(user)

    def filters(self) -> dict[str, Any]:
        if not self.is_bound or not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}


class MoveForm(BootstrapFormMixin, forms.Form):
    head_number = forms.CharField(
        label=_("Insurance number of the new family's head"),
        max_length=50,
        help_text=_("The person joins the family this insuree heads."),
    )
    relationship = forms.TypedChoiceField(
        label=_("Relationship to the new head"),
        choices=[("", "---------"), *Relationship.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
