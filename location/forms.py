from typing import Any

from django import forms
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from openimis.accounts.models import User
from openimis.accounts.roles import ROLES, role_label
from openimis.common.pages import BootstrapFormMixin

from .models import (
    PARENT_TYPE,
    FacilityLevel,
    FacilityStatus,
    HealthFacility,
    Location,
    LocationType,
)


class LocationForm(BootstrapFormMixin, forms.Form):
    code = forms.CharField(label=_("Code"), max_length=8)
    name = forms.CharField(label=_("Name"), max_length=50)
    male_population = forms.IntegerField(label=_("Male population"), min_value=0, required=False)
    female_population = forms.IntegerField(label=_("Female population"), min_value=0, required=False)
    other_population = forms.IntegerField(label=_("Other population"), min_value=0, required=False)
    families = forms.IntegerField(label=_("Families"), min_value=0, required=False)


class MoveForm(BootstrapFormMixin, forms.Form):
    parent = forms.ModelChoiceField(label=_("New parent"), queryset=Location.objects.none(), to_field_name="uuid")

    def __init__(self, *args: Any, user: User, location: Location, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parent_type = PARENT_TYPE[location.type]
        self._field("parent").queryset = (
            Location.objects.visible_to(user).active().filter(type=parent_type).exclude(pk=location.parent_id or 0)
        )


class ImportForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: type, code, name, parent_code, and optionally male_population, female_population, "
            "other_population, families. Type is R, D, W or V."
        ),
    )


class LocationFilterForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(label=_("Code or name"), required=False)
    include_inactive = forms.BooleanField(label=_("Show inactive"), required=False)


class FacilityForm(BootstrapFormMixin, forms.ModelForm):
    district = forms.ModelChoiceField(label=_("District"), queryset=Location.objects.none(), to_field_name="uuid")
    catchments = forms.CharField(
        label=_("Catchment area"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One village per line: village code, then the percentage of its population served (e.g. V0101 80)."
        ),
    )

    class Meta:
        model = HealthFacility
        fields = [
            "code",
            "name",
            "district",
            "level",
            "sub_level",
            "legal_form",
            "care_type",
            "status",
            "acc_code",
            "address",
            "phone",
            "fax",
            "email",
            "contract_start_date",
            "contract_end_date",
            "offline",
        ]
        widgets = {
            "contract_start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "contract_end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field("district").queryset = Location.objects.visible_to(user).active().filter(type=LocationType.DISTRICT)
        if self.instance.pk:
            self.initial["district"] = self.instance.district.uuid  # the select's values are uuids
            self.initial["catchments"] = "\n".join(
                f"{c.village.code} {c.percentage.normalize():f}"
                for c in self.instance.catchments.select_related("village")
            )

    def _post_clean(self) -> None:
        # The service validates the model and its rules; the form only parses input.
        pass


class FacilityFilterForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(label=_("Code or name"), required=False)
    district = forms.ModelChoiceField(
        label=_("District"), queryset=Location.objects.none(), required=False, to_field_name="uuid"
    )
    level = forms.ChoiceField(label=_("Level"), choices=[("", _("Any"))] + list(FacilityLevel.choices), required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any"))] + list(FacilityStatus.choices), required=False
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field("district").queryset = Location.objects.visible_to(user).filter(type=LocationType.DISTRICT)


class UserForm(BootstrapFormMixin, forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=50, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=[("en", "English"), ("fr", "Français")])
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    password = forms.CharField(
        label=_("New password"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to keep the current password."),
    )
    roles = forms.MultipleChoiceField(label=_("Roles"), choices=(), widget=forms.CheckboxSelectMultiple)
    locations = forms.ModelMultipleChoiceField(
        label=_("Districts or regions"),
        queryset=Location.objects.none(),
        required=False,
        to_field_name="uuid",
        widget=forms.CheckboxSelectMultiple(attrs={"class": "scroll-box"}),
        help_text=_("The user works in these areas and everything below them."),
    )
    facility = forms.ModelChoiceField(
        label=_("Health facility"),
        queryset=HealthFacility.objects.none(),
        required=False,
        to_field_name="uuid",
        help_text=_("For claim administrators: the facility they enter claims for."),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field("roles").choices = [(g, role_label(g)) for g in ROLES if Group.objects.filter(name=g).exists()]
        self.fields["roles"].widget.attrs["class"] = ""
        self._field("locations").queryset = (
            Location.objects.visible_to(user).active().filter(type__in=[LocationType.REGION, LocationType.DISTRICT])
        )
        self._field("facility").queryset = HealthFacility.objects.visible_to(user)
