"""The field rules of the medical registers and price lists, as pure functions shared by the services (forms and
API) and by the file imports, so that a rule gives the same message wherever it is broken.

Each function takes plain values and returns {field: message} for what is wrong (empty when all is well).
"""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from .models import Diagnosis, Item, PriceList, Service, patient_mask_problem

MAX_DIGITS = 16  # before the decimal point: numeric(18, 2)


def _field(model: type[models.Model], name: str) -> Any:
    return model._meta.get_field(name)


def text_problem(value: str, *, max_length: int, required: bool = True) -> str | None:
    if not value:
        return _("This field is required.") if required else None
    if len(value) > max_length:
        return _("At most %(n)d characters (this has %(len)d).") % {"n": max_length, "len": len(value)}
    return None


def amount_problem(value: Decimal | None, *, required: bool = False) -> str | None:
    if value is None:
        return _("This field is required.") if required else None
    if value < 0:
        return _("May not be negative.")
    if value.as_tuple().exponent < -2:  # type: ignore[operator]
        return _("At most 2 decimals.")
    if abs(value) >= Decimal(10) ** MAX_DIGITS:
        return _("The amount is too large.")
    return None


def _choice_problem(model: type[models.Model], name: str, value: str) -> str | None:
    field = _field(model, name)
    if value == "" and field.blank:
        return None
    if value not in dict(field.flatchoices):
        return _("Unknown value %(value)r; use one of %(codes)s.") % {
            "value": value,
            "codes": ", ".join(str(code) for code, _label in field.flatchoices if code),
        }
    return None


def register_problems(model: type[Item] | type[Service], values: Mapping[str, Any]) -> dict[str, str]:
    """Rules of an item or service row: code and name, amounts not negative, choices known, patient mask."""
    problems: dict[str, str | None] = {
        "code": text_problem(values.get("code", ""), max_length=_field(model, "code").max_length),
        "name": text_problem(values.get("name", ""), max_length=_field(model, "name").max_length),
        "price": amount_problem(values.get("price"), required=True),
        "maximum_amount": amount_problem(values.get("maximum_amount")),
        "patient_category": patient_mask_problem(values.get("patient_category")),
    }
    if values.get("frequency") is not None and values["frequency"] < 0:
        problems["frequency"] = _("May not be negative.")
    if model is Item:
        problems["package"] = text_problem(
            values.get("package", ""), max_length=_field(model, "package").max_length, required=False
        )
        problems["quantity"] = amount_problem(values.get("quantity"))
        choices: tuple[str, ...] = ("type", "care_type")
    else:
        choices = ("type", "category", "level", "care_type", "package_type")
    for name in choices:
        if name in values:
            problems[name] = _choice_problem(model, name, values[name])
    return {k: v for k, v in problems.items() if v}


def diagnosis_problems(values: Mapping[str, Any]) -> dict[str, str]:
    problems = {
        "code": text_problem(values.get("code", ""), max_length=_field(Diagnosis, "code").max_length),
        "name": text_problem(values.get("name", ""), max_length=_field(Diagnosis, "name").max_length),
    }
    return {k: v for k, v in problems.items() if v}


def price_list_problems(values: Mapping[str, Any]) -> dict[str, str]:
    problems = {"name": text_problem(values.get("name", ""), max_length=_field(PriceList, "name").max_length)}
    if values.get("date_from") is None:
        problems["date_from"] = _("This field is required.")
    return {k: v for k, v in problems.items() if v}
