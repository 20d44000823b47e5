"""Forms of the policy and contribution pages. They parse input only; the services check the rules
(`policy.enrolment`, `policy.contributions`) and their errors are put next to the fields (`apply_error`)."""

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from insuree.models import Family
from location.models import Location
from openimis.accounts.models import User
from openimis.common.pages import BootstrapFormMixin
from payer.models import Payer

from . import policy_selectors, selectors
from .models import PayType, PolicyStatus, Product


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class OfficerField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.username


def enroll_date_of(data: Any, default: date | None = None) -> date:
    """The enrolment date typed so far (`default`, or today, when none or not a date): the products listed and the
    terms previewed depend on it."""
    raw = data.get("enroll_date") if data else None
    if isinstance(raw, date):
        return raw
    if raw:
        try:
            parsed = forms.DateField().to_python(raw)
        except ValidationError:
            parsed = None
        if parsed is not None:
            return parsed
    return default or timezone.localdate()


class _TermsForm(BootstrapFormMixin, forms.Form):
    enroll_date = forms.DateField(label=_("Enrolment date"), widget=DateInput())
    officer = OfficerField(
        label=_("Enrolment officer"),
        queryset=User.objects.none(),
        required=False,
        to_field_name="uuid",
        empty_label=_("Myself"),
    )

    def __init__(self, *args: Any, user: User, family: Family, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("enroll_date", timezone.localdate())
        kwargs["initial"].setdefault("officer", user.uuid)
        super().__init__(*args, **kwargs)
        self._field("officer").queryset = policy_selectors.officer_choices(user, family)
        self._field("enroll_date").widget.attrs["max"] = timezone.localdate().isoformat()

    def values(self) -> dict[str, Any]:
        return {"enroll_date": self.cleaned_data["enroll_date"], "officer": self.cleaned_data.get("officer")}


class PolicyForm(_TermsForm):
    """A new policy for a family: the product (those the family may buy on the enrolment date), the date, the
    officer."""

    product = forms.ModelChoiceField(
        label=_("Product"), queryset=Product.objects.none(), to_field_name="uuid", empty_label=_("Choose a product")
    )
    field_order = ["product", "enroll_date", "officer"]

    def __init__(self, *args: Any, user: User, family: Family, **kwargs: Any) -> None:
        super().__init__(*args, user=user, family=family, **kwargs)
        day = enroll_date_of(self.data if self.is_bound else self.initial)
        self._field("product").queryset = selectors.products_for_family(user, family, valid_on=day)

    def values(self) -> dict[str, Any]:
        return {**super().values(), "product": self.cleaned_data["product"]}


class PolicyChangeForm(_TermsForm):
    """An Idle policy's enrolment date and officer (the dates and value are recomputed)."""


class RenewForm(_TermsForm):
    """Renewing a policy: the enrolment date of the renewal and its officer."""


class ContributionForm(BootstrapFormMixin, forms.Form):
    amount = forms.DecimalField(label=_("Amount"), max_digits=18, decimal_places=2)
    receipt = forms.CharField(label=_("Receipt number"), max_length=50)
    pay_date = forms.DateField(label=_("Payment date"), widget=DateInput())
    pay_type = forms.ChoiceField(label=_("Payment type"), choices=PayType.choices)
    payer = forms.ModelChoiceField(
        label=_("Payer"),
        queryset=Payer.objects.none(),
        required=False,
        to_field_name="uuid",
        empty_label=_("The family"),
    )
    is_photo_fee = forms.BooleanField(
        label=_("Photo fee"), required=False, help_text=_("A photo fee does not count towards the policy value.")
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("pay_date", timezone.localdate())
        kwargs["initial"].setdefault("pay_type", PayType.CASH)
        super().__init__(*args, **kwargs)
        self._field("payer").queryset = Payer.objects.visible_to(user).order_by("name")
        self._field("pay_date").widget.attrs["max"] = timezone.localdate().isoformat()
        self._field("amount").widget.attrs.update(inputmode="decimal", step="0.01")
        self._field("receipt").widget.attrs["autocomplete"] = "off"


class ReasonForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, widget=forms.Textarea(attrs={"rows": 2}))


class PolicyFilterForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(label=_("Insurance number or head's name"), required=False)
    status = forms.TypedChoiceField(
        label=_("Status"),
        choices=[("", _("Any")), *PolicyStatus.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    product = forms.ModelChoiceField(
        label=_("Product"), queryset=Product.objects.none(), required=False, to_field_name="uuid", empty_label=_("Any")
    )
    area = forms.ChoiceField(label=_("Village or area"), required=False)
    expiring_days = forms.IntegerField(
        label=_("Expiring within (days)"),
        required=False,
        min_value=1,
        max_value=366,
        widget=forms.NumberInput(attrs={"placeholder": "30"}),
    )
    expiring = forms.BooleanField(label=_("Expiring soon"), required=False)
    idle_unpaid = forms.BooleanField(label=_("Idle and unpaid"), required=False)

    DEFAULT_DAYS = 30

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field("product").queryset = selectors.products_for(user)
        self._areas: dict[str, Location] = {str(loc.uuid): loc for loc in policy_selectors.area_choices(user)}
        choices: list[tuple[str, Any]] = [("", _("Anywhere"))]
        choices += [(key, f"{'— ' * loc.depth}{loc.name}") for key, loc in self._areas.items()]
        self._field("area").choices = choices

    def filters(self) -> dict[str, Any]:
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        days = data.get("expiring_days")
        expiring = data.get("expiring") or days is not None
        return {
            "q": data.get("q", ""),
            "status": data.get("status"),
            "product": data.get("product"),
            "location": self._areas.get(data.get("area") or ""),
            "expiring_within": (days or self.DEFAULT_DAYS) if expiring else None,
            "idle_unpaid": bool(data.get("idle_unpaid")),
        }


class EligibilityForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(label=_("Insurance number or scanned card"), max_length=2000)
    item = forms.CharField(label=_("Item code"), max_length=50, required=False)
    service = forms.CharField(label=_("Service code"), max_length=50, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field("q").widget.attrs.update(autocomplete="off", spellcheck="false", autofocus=True)
