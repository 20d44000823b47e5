"""Payers: organisations that pay contributions for families (reference sec. 5.5).

Invariants held by the database:
- the name is not blank and is unique, ignoring case, among active payers (a deactivated payer frees its name);
- a payer's location, when given, is a region or a district (trigger `payer_location_level`).
The other rules (scope, who may write national payers) are in services.py.
"""

import uuid
from typing import TYPE_CHECKING

import pghistory
import pgtrigger
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from location.models import Location
from openimis.common.history import tracked

if TYPE_CHECKING:
    from openimis.accounts.models import User


class PayerType(models.TextChoices):
    COOPERATIVE = "C", _("Co-operative")
    DONOR = "D", _("Donor")
    GOVERNMENT = "G", _("Government")
    LOCAL_AUTHORITY = "L", _("Local authority")
    OTHER = "O", _("Other")
    PRIVATE_ORGANISATION = "P", _("Private organisation")


class PayerQuerySet(models.QuerySet["Payer"]):
    def visible_to(self, user: "User") -> "PayerQuerySet":
        """National payers, those of the user's area and those of a region or district above it."""
        from location.scope import scope_of

        return self.filter(scope_of(user).serving_q("location"))


_PAYER_LOCATION_SQL = """
BEGIN
    IF NEW.location_id IS NOT NULL
       AND (SELECT type FROM location_location WHERE id = NEW.location_id) NOT IN ('R', 'D') THEN
        RAISE EXCEPTION 'a payer belongs to a region or a district'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'payer_location_level';
    END IF;
    RETURN NEW;
END;
"""


@pghistory.track(*tracked(), exclude=["updated_at"])
class Payer(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    type = models.CharField(_("type"), max_length=1, choices=PayerType.choices)
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=100, blank=True)
    location = models.ForeignKey(
        Location,
        verbose_name=_("region or district"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty for a national payer."),
    )
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    fax = models.CharField(_("fax"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PayerQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("payer")
        verbose_name_plural = _("payers")
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="payer_name_not_blank"),
            models.UniqueConstraint(Lower("name"), condition=Q(is_active=True), name="payer_name_live_unique"),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="payer_location_level",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.UpdateOf("location_id"),
                func=_PAYER_LOCATION_SQL,
            )
        ]

    def __str__(self) -> str:
        return self.name
