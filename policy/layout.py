"""How a product's ~90 settings are grouped on the pages: the edit form and the detail tabs use the same sections.

A section is a card; a group inside it is a row of fields under an optional sub-title. Each field has the
Bootstrap column classes it takes (phones: one or two per row; wide screens: up to six).
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.dates import MONTHS_3
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from .models import CATEGORIES, RELATIVE_PERIOD_FIELDS, Product, RelativePeriod

FULL = "col-12"
HALF = "col-12 col-md-6"
THIRD = "col-12 col-sm-6 col-lg-4"
QUARTER = "col-12 col-sm-6 col-lg-3"
SIXTH = "col-6 col-md-4 col-xl-2"
PAIR = "col-6 col-xl-2"  # pairs (general, in-patient, out-patient): two per row, six on wide screens


@dataclass(frozen=True)
class Group:
    title: StrOrPromise | None
    fields: tuple[tuple[str, str], ...]  # (field name, column classes)
    help: StrOrPromise | None = None
    grid: bool = True  # fields side by side: their labels get the same height so that the inputs line up


@dataclass(frozen=True)
class Section:
    key: str
    title: StrOrPromise
    groups: tuple[Group, ...]

    @property
    def field_names(self) -> list[str]:
        return [name for group in self.groups for name, _cols in group.fields]


def _scope_group(title: StrOrPromise, scope: str) -> Group:
    """Deductible next to its ceiling: general, then in-patient, then out-patient."""
    names = (f"ded_{scope}", f"max_{scope}", f"ded_ip_{scope}", f"max_ip_{scope}", f"ded_op_{scope}", f"max_op_{scope}")
    return Group(title, tuple((n, PAIR) for n in names))


SECTIONS: tuple[Section, ...] = (
    Section(
        "general",
        _("Identification and validity"),
        (
            Group(
                None,
                (
                    ("code", "col-12 col-sm-4 col-lg-3"),
                    ("name", "col-12 col-sm-8 col-lg-9"),
                    ("location", HALF),
                    ("conversion_product", HALF),
                    ("date_from", QUARTER),
                    ("date_to", QUARTER),
                ),
            ),
        ),
    ),
    Section(
        "cover",
        _("Cover and enrolment"),
        (
            Group(
                None,
                (
                    ("insurance_period", QUARTER),
                    ("administration_period", QUARTER),
                    ("max_installments", QUARTER),
                    ("recurrence", QUARTER),
                ),
            ),
            Group(
                _("Start cycles"),
                tuple((f"start_cycle_{n}", QUARTER) for n in range(1, 5)),
                _("Leave them empty to enrol all year round; otherwise fill them in calendar order, from cycle 1."),
            ),
            Group(
                _("Grace periods"),
                (("grace_period_enrolment", THIRD), ("grace_period_renewal", THIRD), ("grace_period_payment", THIRD)),
            ),
        ),
    ),
    Section(
        "contributions",
        _("Members and contributions"),
        (
            Group(None, (("max_members", THIRD), ("threshold", THIRD), ("lump_sum", THIRD))),
            Group(_("Premiums"), (("premium_adult", HALF), ("premium_child", HALF))),
            Group(
                _("Registration and general assembly"),
                (
                    ("registration_lump_sum", QUARTER),
                    ("registration_fee", QUARTER),
                    ("general_assembly_lump_sum", QUARTER),
                    ("general_assembly_fee", QUARTER),
                ),
            ),
            Group(
                _("Discounts"),
                (
                    ("enrolment_discount_perc", QUARTER),
                    ("enrolment_discount_period", QUARTER),
                    ("renewal_discount_perc", QUARTER),
                    ("renewal_discount_period", QUARTER),
                ),
            ),
            Group(_("Accounting"), (("acc_code_premiums", HALF), ("acc_code_remuneration", HALF))),
        ),
    ),
    Section(
        "ceilings",
        _("Deductibles and ceilings"),
        (
            Group(
                None,
                (("ceiling_type", HALF), ("ceiling_interpretation", HALF)),
                _(
                    "Fill the amounts of the chosen kind only. For each, give the general amount or the in-patient "
                    "and out-patient ones, not both."
                ),
            ),
            _scope_group(_("Per treatment"), "treatment"),
            _scope_group(_("Per insuree"), "insuree"),
            _scope_group(_("Per policy"), "policy"),
            Group(
                _("Policy ceiling extensions"),
                (
                    ("max_policy_extra_member", PAIR),
                    ("max_ceiling_policy", PAIR),
                    ("max_policy_extra_member_ip", PAIR),
                    ("max_ceiling_policy_ip", PAIR),
                    ("max_policy_extra_member_op", PAIR),
                    ("max_ceiling_policy_op", PAIR),
                ),
                _("Per member above the threshold, up to the absolute cap."),
            ),
        ),
    ),
    Section(
        "categories",
        _("Limits per claim category"),
        (
            Group(
                _("Maximum number per insuree and policy period"),
                tuple((f"max_no_{c}", SIXTH) for c in CATEGORIES) + (("max_no_visits", SIXTH),),
            ),
            Group(_("Maximum amount per claim"), tuple((f"max_amount_{c}", SIXTH) for c in CATEGORIES)),
        ),
    ),
    Section(
        "pricing",
        _("Relative pricing"),
        (
            Group(
                None,
                (("period_rel_prices", THIRD), ("period_rel_prices_ip", THIRD), ("period_rel_prices_op", THIRD)),
                _("Either one period for all care or separate in-patient and out-patient periods."),
            ),
            Group(
                _("Distribution"),
                (("distribution_B", FULL), ("distribution_I", FULL), ("distribution_O", FULL)),
                grid=False,
            ),
        ),
    ),
    Section(
        "capitation",
        _("Capitation"),
        (
            Group(None, (("share_contribution", THIRD),)),
            Group(
                _("Health facility levels paid by capitation"),
                tuple(
                    (name, QUARTER)
                    for n in range(1, 5)
                    for name in (f"capitation_level_{n}", f"capitation_sublevel_{n}")
                ),
            ),
            Group(
                _("Weights"),
                tuple(
                    (name, SIXTH)
                    for name in (
                        "weight_population",
                        "weight_nb_families",
                        "weight_insured_population",
                        "weight_nb_insured_families",
                        "weight_nb_visits",
                        "weight_adjusted_amount",
                    )
                ),
                _("Percentages of the capitation share; with capitation they add up to exactly 100."),
            ),
        ),
    ),
)
SECTION_BY_KEY = {s.key: s for s in SECTIONS}

# Short labels where a group's sub-title already says what the field is.
SHORT_LABELS: dict[str, StrOrPromise] = {
    "max_policy_extra_member": _("Extra per member"),
    "max_policy_extra_member_ip": _("In-patient extra"),
    "max_policy_extra_member_op": _("Out-patient extra"),
    "max_ceiling_policy": _("Absolute cap"),
    "max_ceiling_policy_ip": _("In-patient cap"),
    "max_ceiling_policy_op": _("Out-patient cap"),
    "max_no_consultation": _("Consultations"),
    "max_no_surgery": _("Surgeries"),
    "max_no_delivery": _("Deliveries"),
    "max_no_antenatal": _("Antenatal care"),
    "max_no_hospitalization": _("Hospitalisations"),
    "max_no_visits": _("Visits"),
    "max_amount_consultation": _("Consultation"),
    "max_amount_surgery": _("Surgery"),
    "max_amount_delivery": _("Delivery"),
    "max_amount_antenatal": _("Antenatal care"),
    "max_amount_hospitalization": _("Hospitalisation"),
    "weight_population": _("Population"),
    "weight_nb_families": _("Families"),
    "weight_insured_population": _("Insured population"),
    "weight_nb_insured_families": _("Insured families"),
    "weight_nb_visits": _("Visits"),
    "weight_adjusted_amount": _("Adjusted amount"),
}
for _scope in ("treatment", "insuree", "policy"):
    SHORT_LABELS.update(
        {
            f"ded_{_scope}": _("Deductible"),
            f"ded_ip_{_scope}": _("In-patient deductible"),
            f"ded_op_{_scope}": _("Out-patient deductible"),
            f"max_{_scope}": _("Ceiling"),
            f"max_ip_{_scope}": _("In-patient ceiling"),
            f"max_op_{_scope}": _("Out-patient ceiling"),
        }
    )


# --- read-only summary for the detail page -------------------------------------------------------------------


@dataclass
class ShownGroup:
    title: StrOrPromise | None
    rows: list[tuple[str, Any]] = field(default_factory=list)  # (label, value)


@dataclass
class ShownSection:
    key: str
    title: StrOrPromise
    groups: list[ShownGroup]

    @property
    def is_empty(self) -> bool:
        return not any(g.rows for g in self.groups)


def display(product: Product, name: str) -> Any:
    f = product._meta.get_field(name)
    value = getattr(product, name)
    if name == "location" and value is None:
        return _("National (sold everywhere)")
    if value is None or value == "":
        return None
    if isinstance(f, models.Field) and f.choices:
        return getattr(product, f"get_{name}_display")()
    if isinstance(value, Decimal):
        places = 0 if value == value.to_integral_value() else 2
        return number_format(value, decimal_pos=places, force_grouping=True)
    if isinstance(value, date):
        return date_format(value, "SHORT_DATE_FORMAT")
    return value


def summary(product: Product, keys: tuple[str, ...]) -> list[ShownSection]:
    """The filled-in values of the given sections, labelled as on the form."""
    shown = []
    for key in keys:
        section = SECTION_BY_KEY[key]
        groups = []
        for group in section.groups:
            rows = []
            for name, _cols in group.fields:
                if name.startswith("distribution_"):
                    continue
                value = display(product, name)
                if value is not None:
                    label = SHORT_LABELS.get(name) or product._meta.get_field(name).verbose_name  # type: ignore[union-attr]
                    rows.append((str(label)[:1].upper() + str(label)[1:], value))
            groups.append(ShownGroup(group.title, rows))
        shown.append(ShownSection(section.key, section.title, groups))
    return shown


CARE_LABELS: dict[str, StrOrPromise] = {"B": _("All care"), "I": _("In-patient care"), "O": _("Out-patient care")}


def distribution_rows(product: Product, distribution: dict[str, list[Decimal]]) -> list[dict[str, Any]]:
    """One row per care type priced relatively: its period and (period label, percentage) cells."""
    rows = []
    for care, field_name in RELATIVE_PERIOD_FIELDS.items():
        period = getattr(product, field_name)
        if not period:
            continue
        if period == RelativePeriod.MONTH:
            labels = [str(MONTHS_3[m]).capitalize() for m in range(1, 13)]
        elif period == RelativePeriod.QUARTER:
            labels = [str(_("Q%(n)d")) % {"n": q} for q in range(1, 5)]
        else:
            labels = [str(_("Year"))]
        cells = list(zip(labels, distribution.get(care, []), strict=False))
        rows.append({"care": CARE_LABELS[care], "period": RelativePeriod(period).label, "cells": cells})
    return rows
