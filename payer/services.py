"""Every write to payers.

Rules enforced here (and, for the hard ones, again by the database; see models.py):
- Creating needs `payer.add_payer`, changing `payer.change_payer`, deactivating `payer.delete_payer`
  (deactivation is this project's delete: the row and its history stay).
- The type is one of C, D, G, L, O, P; the name is required (surrounding spaces are dropped) and unique,
  ignoring case, among active payers; the e-mail, when given, is a valid address; lengths as in models.py.
- The location, when given, is an active region or district inside the user's scope.
- A national payer (no location) is created or changed only by national staff: superusers and users whose
  scope covers every active region (`location.selectors.covers_whole_country`). A regional administrator serves their
  own area; a national payer would be seen by every district of the country.
- A payer is changed or deactivated only by a user who could create it where it is now
  (`selectors.payer_is_manageable`): an administrator of a district sees the payers of the region above
  and the national ones but may not change them (403). Out-of-scope payers are never reached: pages and
  the API load them through `permissions.access_payer_by_uuid` or the scoped queryset and answer 404.
- An inactive payer cannot be changed or deactivated again.
Every function runs in one transaction: on any refusal nothing is written.
"""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from location.models import Location
from location.selectors import covers_whole_country
from openimis.accounts.models import User
from openimis.common.db import ConstraintMessages, constraint_errors, validate_fields

from .exceptions import ApplicationError, PayerError, PermissionDeniedError
from .models import Payer
from .selectors import PAYER_LEVELS, payer_is_manageable

PAYER_EDITABLE = ("type", "name", "address", "location", "phone", "fax", "email")


def _messages() -> ConstraintMessages:
    return {
        "payer_name_live_unique": ("name", _("Another active payer already has this name.")),
        "payer_name_not_blank": ("name", _("This field cannot be blank.")),
        "payer_location_level": ("location", _("A payer belongs to a region or a district.")),
    }


def _require_perm(user: User, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDeniedError(_("You do not have the permission to do this."))


def _check_location(user: User, location: Location | None) -> None:
    if location is None:
        if not covers_whole_country(user):
            raise PayerError.for_field(
                "location",
                _("Only national staff may record a national payer; choose a region or district."),
                code="payer_national_scope",
            )
        return
    if location.type not in PAYER_LEVELS:
        raise PayerError.for_field("location", _("A payer belongs to a region or a district."))
    if not location.is_active:
        raise PayerError.for_field("location", _("This region or district is inactive."))
    if not Location.objects.visible_to(user).filter(pk=location.pk).exists():
        raise PayerError.for_field("location", _("This region or district is outside your scope."))


def _check_manageable(user: User, payer: Payer) -> None:
    if not payer.is_active:
        raise PayerError(_("This payer is inactive and can no longer be changed."), code="payer_inactive")
    if not payer_is_manageable(user, payer):
        raise PermissionDeniedError(_("This payer is managed at a higher level than your scope."))


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.strip() if isinstance(v, str) else v for k, v in values.items()}


def _save(payer: Payer, update_fields: list[str] | None = None) -> None:
    with constraint_errors(_messages()):
        payer.save(update_fields=update_fields)


@transaction.atomic
def payer_create(
    *,
    user: User,
    type: str,
    name: str,
    address: str = "",
    location: Location | None = None,
    phone: str = "",
    fax: str = "",
    email: str = "",
) -> Payer:
    _require_perm(user, "payer.add_payer")
    values = _clean({"type": type, "name": name, "address": address, "phone": phone, "fax": fax, "email": email})
    payer = Payer(location=location, **values)
    validate_fields(payer)
    _check_location(user, location)
    _save(payer)
    return payer


@transaction.atomic
def payer_update(*, user: User, payer: Payer, **changes: Any) -> Payer:
    """Changes the given fields (any of PAYER_EDITABLE); `location=None` makes the payer national."""
    _require_perm(user, "payer.change_payer")
    unknown = set(changes) - set(PAYER_EDITABLE)
    if unknown:
        raise PayerError(_("These fields cannot be changed here: %s") % ", ".join(sorted(unknown)))
    _check_manageable(user, payer)
    for field, value in _clean(changes).items():
        setattr(payer, field, value)
    try:
        validate_fields(payer)
        if "location" in changes:
            _check_location(user, payer.location)
        _save(payer, update_fields=[*changes.keys(), "updated_at"])
    except ApplicationError:
        payer.refresh_from_db()  # the caller's object shows what is stored, not the refused values
        raise
    return payer


@transaction.atomic
def payer_deactivate(*, user: User, payer: Payer) -> Payer:
    """The payer is no longer offered for new contributions; its name becomes free for a new payer."""
    _require_perm(user, "payer.delete_payer")
    _check_manageable(user, payer)
    payer.is_active = False
    payer.save(update_fields=["is_active", "updated_at"])
    return payer
