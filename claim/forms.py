"""Forms of the claim pages. They parse input only; `claim.services.claim_create` checks the rules and its
errors (`items.0.code`, `icd_1`, `date_to`) are put next to the input they name (`ClaimEntry.apply_error`)."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from insuree import signing
from location.models import HealthFacility
from openimis.accounts.models import User
from openimis.common.exceptions import ApplicationError
from openimis.common.pages import BootstrapFormMixin

from . import selectors
from .models import ClaimStatus, VisitType
from .services import DIAGNOSIS_FIELDS

LINE_ROWS = 5  # blank rows of each kind on a new claim, and added by "Add rows"
MAX_LINE_ROWS = 200
LINE_KINDS = ("items", "services")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class FacilityField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: HealthFacility) -> str:
        return f"{obj.code} · {obj.name}"


def insurance_number_of(text: str) -> str:
    """The insurance number typed, or read from a scanned card's QR payload (its signature checked)."""
    text = (text or "").strip()
    if not signing.looks_signed(text):
        return text
    number, valid = signing.verify(text)
    if not valid:
        raise ValidationError(_("FORGED CARD: the signature does not match."), code="forged_card")
    return number


def _code_input(kind: str) -> forms.TextInput:
    """A code input with a suggestion list (a `<datalist>` of the page, filled by HTMX as the user types)."""
    return forms.TextInput(
        attrs={
            "list": f"{kind}-codes",
            "autocomplete": "off",
            "spellcheck": "false",
            "class": "text-uppercase",
            "hx-get": reverse_lazy("claim:claim_code_options", args=[kind]),
            "hx-trigger": "input changed delay:250ms",
            "hx-target": f"#{kind}-codes",
            "hx-sync": "this:replace",
        }
    )


class ClaimForm(BootstrapFormMixin, forms.Form):
    facility = FacilityField(
        label=_("Health facility"), queryset=HealthFacility.objects.none(), to_field_name="uuid", empty_label=None
    )
    insurance_number = forms.CharField(label=_("Insurance number or scanned card"), max_length=2000)
    code = forms.CharField(label=_("Claim code"), max_length=20)
    date_from = forms.DateField(label=_("Visit from"), widget=DateInput())
    date_to = forms.DateField(
        label=_("Visit to"), widget=DateInput(), required=False, help_text=_("Empty for a one-day visit.")
    )
    visit_type = forms.ChoiceField(label=_("Visit type"), choices=VisitType.choices, initial=VisitType.OTHER)
    icd = forms.CharField(label=_("Main diagnosis (ICD-10)"), max_length=10, widget=_code_input("diagnosis"))
    icd_1 = forms.CharField(label=_("Secondary diagnosis 1"), max_length=10, required=False)
    icd_2 = forms.CharField(label=_("Secondary diagnosis 2"), max_length=10, required=False)
    icd_3 = forms.CharField(label=_("Secondary diagnosis 3"), max_length=10, required=False)
    icd_4 = forms.CharField(label=_("Secondary diagnosis 4"), max_length=10, required=False)
    explanation = forms.CharField(label=_("Explanation"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    guarantee_number = forms.CharField(label=_("Guarantee number"), max_length=50, required=False)
    referral_facility = forms.CharField(
        label=_("Referred from or to"),
        max_length=36,
        required=False,
        help_text=_("The code of the health facility, for a referral."),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        facilities = selectors.claim_facilities(user)
        self._field("facility").queryset = facilities
        first_two = list(facilities[:2])
        if len(first_two) == 1:
            self.initial.setdefault("facility", first_two[0].uuid)
        else:
            self._field("facility").empty_label = _("Choose a facility")
        today = timezone.localdate().isoformat()
        for name in ("date_from", "date_to"):
            self._field(name).widget.attrs["max"] = today
        for name in DIAGNOSIS_FIELDS[1:]:
            self._field(name).widget = _code_input("diagnosis")
            self._field(name).widget.attrs["class"] = "form-control text-uppercase"
        self._field("insurance_number").widget.attrs.update(
            {
                "autocomplete": "off",
                "spellcheck": "false",
                "autofocus": True,
                "hx-get": reverse("claim:claim_insuree_lookup"),
                "hx-trigger": "input changed delay:400ms, load",
                "hx-target": "#insuree-lookup",
                "hx-sync": "this:replace",
            }
        )

    def clean_insurance_number(self) -> str:
        return insurance_number_of(self.cleaned_data["insurance_number"])

    def clean_referral_facility(self) -> HealthFacility | None:
        ref = (self.cleaned_data.get("referral_facility") or "").strip()
        if not ref:
            return None
        found = selectors.referrals_by_ref([ref]).get(ref)
        if found is None:
            raise forms.ValidationError(_("No health facility has this uuid or code."))
        return found

    def diagnosis_fields(self) -> list[str]:
        """The diagnosis inputs filled in, in order: the service numbers them from `icd` without the gaps."""
        return [name for name in DIAGNOSIS_FIELDS if (self.cleaned_data.get(name) or "").strip()]


class LineForm(BootstrapFormMixin, forms.Form):
    """One item or service row. Quantity and price are checked by the service (a bad one is named there)."""

    code = forms.CharField(label=_("Code"), max_length=20, required=False)
    qty = forms.CharField(label=_("Quantity"), max_length=20, required=False)
    price = forms.CharField(label=_("Price asked"), max_length=20, required=False)
    explanation = forms.CharField(label=_("Explanation"), max_length=250, required=False)

    def __init__(self, *args: Any, kind: str = "items", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field("code").widget = _code_input("item" if kind == "items" else "service")
        self._field("code").widget.attrs["class"] = "form-control text-uppercase"
        for name in ("qty", "price"):
            self._field(name).widget.attrs.update(inputmode="decimal", autocomplete="off")

    def is_blank(self) -> bool:
        return not any((self.cleaned_data.get(n) or "").strip() for n in self.fields)

    def values(self) -> dict[str, str]:
        return {n: (self.cleaned_data.get(n) or "").strip() for n in self.fields}


LineFormSet = forms.formset_factory(LineForm, extra=LINE_ROWS, max_num=MAX_LINE_ROWS, absolute_max=MAX_LINE_ROWS)


def line_formset(kind: str, data: Any = None) -> Any:
    return LineFormSet(data, prefix=kind, form_kwargs={"kind": kind})


class ClaimEntry:
    """The new-claim page's input: the claim form and its item and service rows, read and checked together."""

    def __init__(self, data: Any, *, user: User) -> None:
        self.form = ClaimForm(data, user=user)
        self.items = line_formset("items", data)
        self.services = line_formset("services", data)

    def is_valid(self) -> bool:
        return all([self.form.is_valid(), self.items.is_valid(), self.services.is_valid()])

    def _filled(self, kind: str) -> list[LineForm]:
        formset = self.items if kind == "items" else self.services
        return [f for f in formset.forms if not f.is_blank()]

    def values(self) -> dict[str, Any]:
        data = self.form.cleaned_data
        return {
            "facility": data["facility"],
            "insurance_number": data["insurance_number"],
            "code": data["code"],
            "date_from": data["date_from"],
            "date_to": data.get("date_to"),
            "visit_type": data["visit_type"],
            "diagnoses": [data[name] for name in self.form.diagnosis_fields()],
            "items": [f.values() for f in self._filled("items")],
            "services": [f.values() for f in self._filled("services")],
            "explanation": data.get("explanation", ""),
            "guarantee_number": data.get("guarantee_number", ""),
            "referral_facility": data.get("referral_facility"),
        }

    def apply_error(self, error: ApplicationError) -> None:
        """Puts each of the service's messages on the input it names: `items.2.code` is the third row filled in,
        `icd_1` the second diagnosis filled in; anything else goes to the field of that name, or the top."""
        diagnoses = self.form.diagnosis_fields()
        placed = False
        for key, messages in error.fields.items():
            for message in messages:
                placed = True
                kind, _dot, rest = key.partition(".")
                if kind in LINE_KINDS and rest:
                    index, _dot, name = rest.partition(".")
                    rows = self._filled(kind)
                    if index.isdigit() and int(index) < len(rows) and name in LineForm.base_fields:
                        rows[int(index)].add_error(name, message)
                        continue
                if key in DIAGNOSIS_FIELDS and DIAGNOSIS_FIELDS.index(key) < len(diagnoses):
                    self.form.add_error(diagnoses[DIAGNOSIS_FIELDS.index(key)], message)
                elif key in self.form.fields:
                    self.form.add_error(key, message)
                else:
                    self.form.add_error(None, message)
        if not placed:
            self.form.add_error(None, error.message)


class VisitFilterForm(BootstrapFormMixin, forms.Form):
    """Filters of the claim work lists (review queue, feedback): the facility among the user's, the visit's dates."""

    facility = FacilityField(
        label=_("Health facility"),
        queryset=HealthFacility.objects.none(),
        required=False,
        to_field_name="uuid",
        empty_label=_("Any"),
    )
    visit_from = forms.DateField(label=_("Visit from"), required=False, widget=DateInput())
    visit_to = forms.DateField(label=_("Visit to"), required=False, widget=DateInput())

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field("facility").queryset = selectors.claim_facilities(user)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("visit_from"), data.get("visit_to")
        if low and high and high < low:
            self.add_error("visit_to", _("The end is before the start."))
        return data

    def filters(self) -> dict[str, Any]:
        if not self.is_bound or not self.is_valid():
            return {}
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}


class ClaimFilterForm(BootstrapFormMixin, forms.Form):
    code = forms.CharField(label=_("Claim code"), required=False, max_length=20)
    insurance_number = forms.CharField(label=_("Insurance number"), required=False, max_length=2000)
    facility = FacilityField(
        label=_("Health facility"),
        queryset=HealthFacility.objects.none(),
        required=False,
        to_field_name="uuid",
        empty_label=_("Any"),
    )
    status = forms.TypedChoiceField(
        label=_("Status"),
        choices=[("", _("Any")), *ClaimStatus.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    visit_from = forms.DateField(label=_("Visit from"), required=False, widget=DateInput())
    visit_to = forms.DateField(label=_("Visit to"), required=False, widget=DateInput())

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field("facility").queryset = selectors.claim_facilities(user)

    def clean_insurance_number(self) -> str:
        return insurance_number_of(self.cleaned_data["insurance_number"])

    def filters(self) -> dict[str, Any]:
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        return {name: data[name] for name in self.fields if data.get(name) not in (None, "")}
