"""Writes to the medical registers: items, services and diagnoses (rules: see the package docstring)."""

from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _

from openimis.accounts.models import User
from openimis.common.db import ConstraintMessages, constraint_errors, validate_fields

from .. import rules
from ..exceptions import MedicalError
from ..models import Diagnosis, Item, ItemPriceListEntry, Service, ServicePriceListEntry
from ._base import raise_problems, require_perm

ITEM_FIELDS = (
    "code",
    "name",
    "type",
    "package",
    "quantity",
    "price",
    "care_type",
    "frequency",
    "patient_category",
    "maximum_amount",
)
SERVICE_FIELDS = (
    "code",
    "name",
    "type",
    "category",
    "level",
    "price",
    "care_type",
    "frequency",
    "patient_category",
    "maximum_amount",
    "package_type",
    "manual_price",
)
DIAGNOSIS_FIELDS = ("code", "name")


def _amount_messages(prefix: str) -> ConstraintMessages:
    return {
        f"{prefix}_price_not_negative": ("price", _("May not be negative.")),
        f"{prefix}_maximum_not_negative": ("maximum_amount", _("May not be negative.")),
        f"{prefix}_patient_category_mask": (
            "patient_category",
            _("Choose at least one of male and female and at least one of adult and child."),
        ),
        f"{prefix}_code_not_blank": ("code", _("This field is required.")),
    }


def item_messages() -> ConstraintMessages:
    return {
        "item_code_live_unique": ("code", _("Another active item already has this code.")),
        **_amount_messages("item"),
    }


def service_messages() -> ConstraintMessages:
    return {
        "service_code_live_unique": ("code", _("Another active service already has this code.")),
        **_amount_messages("service"),
    }


def diagnosis_messages() -> ConstraintMessages:
    return {
        "diagnosis_code_live_unique": ("code", _("Another active diagnosis already has this code.")),
        "diagnosis_code_not_blank": ("code", _("This field is required.")),
    }


def _stripped(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.strip() if isinstance(v, str) else v for k, v in values.items()}


def _check(obj: models.Model, fields: tuple[str, ...]) -> None:
    values = {name: getattr(obj, name) for name in fields}
    if isinstance(obj, Item | Service):
        raise_problems(rules.register_problems(type(obj), values))
    else:
        raise_problems(rules.diagnosis_problems(values))
    validate_fields(obj)


def _create(
    model: type[models.Model], fields: tuple[str, ...], values: dict[str, Any], messages: ConstraintMessages
) -> Any:
    unknown = set(values) - set(fields)
    if unknown:
        raise MedicalError(_("Unknown fields: %s") % ", ".join(sorted(unknown)))
    obj = model(**_stripped(values))
    _check(obj, fields)
    with constraint_errors(messages):
        obj.save()
    return obj


def _update(obj: Any, fields: tuple[str, ...], changes: dict[str, Any], messages: ConstraintMessages) -> Any:
    unknown = set(changes) - set(fields)
    if unknown:
        raise MedicalError(_("These fields cannot be changed here: %s") % ", ".join(sorted(unknown)))
    if not obj.is_active:
        raise MedicalError(_("An inactive entry cannot be changed; create a new one."), code="inactive")
    for name, value in _stripped(changes).items():
        setattr(obj, name, value)
    _check(obj, fields)
    stamp = ["updated_at"] if hasattr(obj, "updated_at") else []
    with constraint_errors(messages):
        obj.save(update_fields=[*changes.keys(), *stamp])
    return obj


# --- items -------------------------------------------------------------------------------------------------


@transaction.atomic
def item_create(*, user: User, **values: Any) -> Item:
    require_perm(user, "medical.add_item")
    return _create(Item, ITEM_FIELDS, values, item_messages())


@transaction.atomic
def item_update(*, user: User, item: Item, **changes: Any) -> Item:
    require_perm(user, "medical.change_item")
    return _update(item, ITEM_FIELDS, changes, item_messages())


@transaction.atomic
def item_deactivate(*, user: User, item: Item) -> int:
    """Deactivates the item; the database then removes it from every price list. Returns how many entries went."""
    require_perm(user, "medical.delete_item")
    if not item.is_active:
        raise MedicalError(_("This item is already inactive."), code="inactive")
    entries = ItemPriceListEntry.objects.filter(item=item).count()
    item.is_active = False
    item.save(update_fields=["is_active", "updated_at"])
    return entries


# --- services ----------------------------------------------------------------------------------------------


@transaction.atomic
def service_create(*, user: User, **values: Any) -> Service:
    require_perm(user, "medical.add_service")
    return _create(Service, SERVICE_FIELDS, values, service_messages())


@transaction.atomic
def service_update(*, user: User, service: Service, **changes: Any) -> Service:
    require_perm(user, "medical.change_service")
    return _update(service, SERVICE_FIELDS, changes, service_messages())


@transaction.atomic
def service_deactivate(*, user: User, service: Service) -> int:
    """Deactivates the service; the database then removes it from every price list. Returns the entries gone."""
    require_perm(user, "medical.delete_service")
    if not service.is_active:
        raise MedicalError(_("This service is already inactive."), code="inactive")
    entries = ServicePriceListEntry.objects.filter(service=service).count()
    service.is_active = False
    service.save(update_fields=["is_active", "updated_at"])
    return entries


# --- diagnoses ---------------------------------------------------------------------------------------------


@transaction.atomic
def diagnosis_create(*, user: User, code: str, name: str) -> Diagnosis:
    require_perm(user, "medical.add_diagnosis")
    return _create(Diagnosis, DIAGNOSIS_FIELDS, {"code": code, "name": name}, diagnosis_messages())


@transaction.atomic
def diagnosis_update(*, user: User, diagnosis: Diagnosis, **changes: Any) -> Diagnosis:
    require_perm(user, "medical.change_diagnosis")
    return _update(diagnosis, DIAGNOSIS_FIELDS, changes, diagnosis_messages())


@transaction.atomic
def diagnosis_deactivate(*, user: User, diagnosis: Diagnosis) -> int:
    require_perm(user, "medical.delete_diagnosis")
    if not diagnosis.is_active:
        raise MedicalError(_("This diagnosis is already inactive."), code="inactive")
    diagnosis.is_active = False
    diagnosis.save(update_fields=["is_active"])
    return 0
