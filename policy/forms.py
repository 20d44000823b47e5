"""Forms of the product pages. They parse input only; the services check the rules (see services.py)."""

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.forms.models import model_to_dict
from django.utils.translation import gettext_lazy as _

from location.models import Location, LocationType
from openimis.accounts.models import User
from openimis.common.pages import BootstrapFormMixin

from . import selectors
from .layout import SECTIONS, SHORT_LABELS, Section
from .models import LINE_FIELDS, RELATIVE_PERIOD_FIELDS, Product, ProductItem, ProductService
from .product_rules import distribution_field
from .services import PRODUCT_FIELDS

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_SEPARATORS = re.compile(r"[\s;]+")

DISTRIBUTION_LABELS = {
    "B": _("Distribution for all care"),
    "I": _("In-patient distribution"),
    "O": _("Out-patient distribution"),
}


def parse_percentages(text: str) -> list[Decimal]:
    """ "10 10 5,5 ..." -> [Decimal("10"), ...]: separated by spaces or semicolons; a comma may be the decimal mark."""
    values = []
    for token in _SEPARATORS.split(text.strip()):
        if not token:
            continue
        token = token.rstrip(",").replace(",", ".").rstrip("%")
        try:
            values.append(Decimal(token))
        except InvalidOperation as exc:
            raise forms.ValidationError(_("%(value)s is not a number.") % {"value": token}) from exc
    return values


def format_percentages(values: list[Decimal]) -> str:
    return " ".join(f"{v.normalize():f}" for v in values)


class ProductFilterForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(label=_("Code or name"), required=False)
    location = forms.ChoiceField(label=_("Sold in"), required=False)
    valid_on = forms.DateField(label=_("Valid on"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._locations = {str(loc.uuid): loc for loc in selectors.location_choices(user)}
        choices: list[tuple[str, Any]] = [("", _("Anywhere")), ("national", _("National products only"))]
        choices += [
            (uuid, f"{'— ' if loc.type == LocationType.DISTRICT else ''}{loc}") for uuid, loc in self._locations.items()
        ]
        self._field("location").choices = choices

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_data
        out: dict[str, Any] = {"q": data.get("q", "").strip(), "valid_on": data.get("valid_on")}
        where = data.get("location") or ""
        if where == "national":
            out["national"] = True
        elif where:
            out["location"] = self._locations[where]
        return out


class ProductForm(BootstrapFormMixin, forms.ModelForm):
    location = forms.ModelChoiceField(
        label=_("Region or district"),
        queryset=Location.objects.none(),
        required=False,
        to_field_name="uuid",
        empty_label=_("National (sold everywhere)"),
    )
    conversion_product = forms.ModelChoiceField(
        label=_("Conversion product"),
        queryset=Product.objects.none(),
        required=False,
        to_field_name="uuid",
        help_text=_("The product policies renew into once this one has ended."),
    )
    distribution_B = forms.CharField(label=DISTRIBUTION_LABELS["B"], required=False)
    distribution_I = forms.CharField(label=DISTRIBUTION_LABELS["I"], required=False)
    distribution_O = forms.CharField(label=DISTRIBUTION_LABELS["O"], required=False)

    class Meta:
        model = Product
        fields = list(PRODUCT_FIELDS)
        widgets = {"date_from": DATE_WIDGET, "date_to": DATE_WIDGET}

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field("location").queryset = selectors.location_choices(user)
        self._field("conversion_product").queryset = selectors.conversion_choices(user, self.instance)
        for name, label in SHORT_LABELS.items():
            self.fields[name].label = str(label)[:1].upper() + str(label)[1:]
        for name in ("start_cycle_1", "start_cycle_2", "start_cycle_3", "start_cycle_4"):
            self.fields[name].widget.attrs.update(placeholder=str(_("DD-MM")), inputmode="numeric")
        for care in DISTRIBUTION_LABELS:
            self.fields[distribution_field(care)].help_text = _(
                "Percentages (0-100) of each period, in order, separated by spaces: 12 for monthly, 4 for "
                "quarterly, 1 for yearly. They must add up to 100."
            )
        instance = self.instance
        if instance.pk:
            self.initial["location"] = instance.location.uuid if instance.location else None
            self.initial["conversion_product"] = (
                instance.conversion_product.uuid if instance.conversion_product else None
            )
            for care, percents in selectors.product_distribution(instance).items():
                self.initial[distribution_field(care)] = format_percentages(percents)

    def _clean_distribution(self, care: str) -> list[Decimal]:
        return parse_percentages(self.cleaned_data.get(distribution_field(care)) or "")

    def clean_distribution_B(self) -> list[Decimal]:  # noqa: N802 - the care type is part of the field name
        return self._clean_distribution("B")

    def clean_distribution_I(self) -> list[Decimal]:  # noqa: N802
        return self._clean_distribution("I")

    def clean_distribution_O(self) -> list[Decimal]:  # noqa: N802
        return self._clean_distribution("O")

    def _post_clean(self) -> None:
        # The service validates the model and its rules; the form only parses input.
        pass

    def values(self) -> dict[str, Any]:
        """Keyword arguments for product_create / product_update."""
        data = {name: self.cleaned_data[name] for name in PRODUCT_FIELDS}
        data["distribution"] = {
            care: self.cleaned_data[distribution_field(care)]
            for care in RELATIVE_PERIOD_FIELDS
            if self.cleaned_data[distribution_field(care)]
        }
        return data

    def sections(self) -> list[tuple[Section, list[tuple[Any, list[tuple[forms.BoundField, str]]]], bool]]:
        """Bound fields grouped as the page shows them: [(section, [(group, [(field, columns)])], has errors)]."""
        return [
            (
                section,
                [(group, [(self[name], cols) for name, cols in group.fields]) for group in section.groups],
                any(name in self.errors for name in section.field_names),
            )
            for section in SECTIONS
        ]


class ProductCopyForm(BootstrapFormMixin, forms.Form):
    code = forms.CharField(label=_("Code of the new product"), max_length=8)
    name = forms.CharField(label=_("Name of the new product"), max_length=100)
    date_from = forms.DateField(label=_("Valid from"), widget=DATE_WIDGET)
    date_to = forms.DateField(label=_("Valid to"), widget=DATE_WIDGET)


LINE_GROUPS: tuple[tuple[Any, tuple[tuple[str, str], ...]], ...] = (
    (None, (("price_origin", "col-12 col-md-4"),)),
    (
        _("Normal visit"),
        (("limitation_type", "col-12 col-md-4"), ("limit_adult", "col-6 col-md-4"), ("limit_child", "col-6 col-md-4")),
    ),
    (
        _("Referral"),
        (
            ("limitation_type_r", "col-12 col-md-4"),
            ("limit_adult_r", "col-6 col-md-4"),
            ("limit_child_r", "col-6 col-md-4"),
        ),
    ),
    (
        _("Emergency"),
        (
            ("limitation_type_e", "col-12 col-md-4"),
            ("limit_adult_e", "col-6 col-md-4"),
            ("limit_child_e", "col-6 col-md-4"),
        ),
    ),
    (
        _("Quantities and waiting periods"),
        (
            ("limit_no_adult", "col-6 col-md-3"),
            ("limit_no_child", "col-6 col-md-3"),
            ("waiting_period_adult", "col-6 col-md-3"),
            ("waiting_period_child", "col-6 col-md-3"),
        ),
    ),
    (
        _("Excluded from ceilings"),
        (("ceiling_exclusion_adult", "col-12 col-md-6"), ("ceiling_exclusion_child", "col-12 col-md-6")),
    ),
)
LINE_LABELS = {
    "limitation_type": _("Limitation"),
    "limitation_type_r": _("Limitation"),
    "limitation_type_e": _("Limitation"),
    "limit_adult": _("Adults"),
    "limit_child": _("Children"),
    "limit_adult_r": _("Adults"),
    "limit_child_r": _("Children"),
    "limit_adult_e": _("Adults"),
    "limit_child_e": _("Children"),
    "ceiling_exclusion_adult": _("For adults"),
    "ceiling_exclusion_child": _("For children"),
}


class LineForm(BootstrapFormMixin, forms.ModelForm):
    """The limitation of one covered item or service (the same fields for both)."""

    class Meta:
        model = ProductItem
        fields = list(LINE_FIELDS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label in LINE_LABELS.items():
            self.fields[name].label = label
        for name in ("limitation_type_r", "limitation_type_e"):
            self._field(name).choices = [("", _("As for a normal visit"))] + list(self._field(name).choices)[1:]
        for name in ("ceiling_exclusion_adult", "ceiling_exclusion_child"):
            self._field(name).choices = [("", _("Not excluded"))] + list(self._field(name).choices)[1:]

    def _post_clean(self) -> None:
        pass

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in LINE_FIELDS}

    def groups(self) -> list[tuple[Any, list[tuple[forms.BoundField, str]]]]:
        return [(title, [(self[name], cols) for name, cols in fields]) for title, fields in LINE_GROUPS]

    @staticmethod
    def initial_of(line: ProductItem | ProductService) -> dict[str, Any]:
        return model_to_dict(line, fields=list(LINE_FIELDS))


class LineAddForm(LineForm):
    codes = forms.CharField(
        label=_("Codes"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One or more codes, separated by spaces, commas or new lines; all get the limitation below."),
    )

    field_order = ["codes"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("limit_adult", 100)
        self.initial.setdefault("limit_child", 100)

    def code_list(self) -> list[str]:
        return [c for c in re.split(r"[\s,;]+", self.cleaned_data["codes"]) if c]
