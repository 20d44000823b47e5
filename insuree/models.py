"""Families and insurees (reference sec. 2), membership-card stock and printing, dismissed duplicates.

Invariants held by the database:
- an insurance number is unique across all insurees, past and present (numbers are never reused);
- a family has a head (NOT NULL), and the head is a member of that family (deferred constraint trigger);
- a family's village and an insuree's current village are villages (trigger);
- a stock number is taken by at most one insuree, and an insuree holds at most one stock number;
- a dismissed duplicate pair is stored once, smaller id first.
A refused photo upload is kept as a `PhotoRejection` (the rejected-photos report), with the number and village the
person had then, so that it outlives the person's later changes.
"""

import uuid
from typing import TYPE_CHECKING

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from location.models import HealthFacility, Location
from openimis.common.history import tracked

if TYPE_CHECKING:
    from openimis.accounts.models import User


class Gender(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")
    OTHER = "O", _("Other")


class MaritalStatus(models.TextChoices):
    NOT_SPECIFIED = "N", _("Not specified")
    SINGLE = "S", _("Single")
    MARRIED = "M", _("Married")
    DIVORCED = "D", _("Divorced")
    WIDOWED = "W", _("Widowed")


class Relationship(models.IntegerChoices):
    SIBLING = 1, _("Brother or sister")
    PARENT = 2, _("Father or mother")
    UNCLE_AUNT = 3, _("Uncle or aunt")
    CHILD = 4, _("Son or daughter")
    GRANDPARENT = 5, _("Grandparent")
    EMPLOYEE = 6, _("Employee")
    OTHER = 7, _("Other")
    SPOUSE = 8, _("Spouse")


class Profession(models.IntegerChoices):
    HOUSEWIFE = 1, _("Housewife")
    EMPLOYEE = 2, _("Employee")
    SELF_EMPLOYED = 3, _("Self-employed")
    OTHER = 4, _("Other")


class Education(models.IntegerChoices):
    NURSERY = 1, _("Nursery")
    PRIMARY = 2, _("Primary school")
    SECONDARY = 3, _("Secondary school")
    UNIVERSITY = 4, _("University")
    POSTGRADUATE = 5, _("Postgraduate studies")
    PHD = 6, _("PhD")
    OTHER = 7, _("Other")


class IdentityType(models.TextChoices):
    DRIVING_LICENCE = "D", _("Driving licence")
    NATIONAL_ID = "N", _("National identity card")
    PASSPORT = "P", _("Passport")
    VOTER_CARD = "V", _("Voter card")


class FamilyType(models.TextChoices):
    HOUSEHOLD = "H", _("Household")
    COUNCIL = "C", _("Council")
    ORGANISATION = "G", _("Organisation")
    PRIESTS = "P", _("Priests")
    STUDENTS = "S", _("Students")
    TEACHERS = "T", _("Teachers")
    OTHER = "O", _("Other")


class ConfirmationType(models.TextChoices):
    LOCAL_COUNCIL = "A", _("Local council")
    MUNICIPALITY = "B", _("Municipality")
    STATE = "C", _("State")
    OTHER = "D", _("Other")


class InsureeStatus(models.TextChoices):
    ACTIVE = "AC", _("Active")
    INACTIVE = "IN", _("Inactive")
    DEAD = "DE", _("Deceased")


_VILLAGE_SQL = """
BEGIN
    IF NEW.{column} IS NOT NULL
       AND (SELECT type FROM location_location WHERE id = NEW.{column}) IS DISTINCT FROM 'V' THEN
        RAISE EXCEPTION '{what} must be a village'
            USING ERRCODE = 'check_violation', CONSTRAINT = '{constraint}';
    END IF;
    RETURN NEW;
END;
"""

_HEAD_IN_FAMILY_SQL = """
BEGIN
    IF NOT EXISTS (SELECT 1 FROM insuree_family WHERE id = NEW.id) THEN
        RETURN NULL;  -- the family was deleted later in the same transaction
    END IF;
    IF NOT EXISTS (SELECT 1 FROM insuree_insuree WHERE id = NEW.head_id AND family_id = NEW.id) THEN
        RAISE EXCEPTION 'the head of a family must be one of its members'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'family_head_is_member';
    END IF;
    RETURN NULL;
END;
"""


class FamilyQuerySet(models.QuerySet["Family"]):
    def visible_to(self, user: "User") -> "FamilyQuerySet":
        """Families whose permanent village is in the user's scope."""
        from location.scope import scope_of

        return self.filter(scope_of(user).location_q("village__"))


@pghistory.track(*tracked(), exclude=["updated_at"])
class Family(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    head = models.OneToOneField(
        "Insuree", verbose_name=_("head of the family"), on_delete=models.PROTECT, related_name="headed_family"
    )
    village = models.ForeignKey(Location, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+")
    poverty = models.BooleanField(_("poor"), null=True, blank=True)
    family_type = models.CharField(_("family type"), max_length=1, choices=FamilyType.choices, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    ethnicity = models.CharField(_("ethnicity"), max_length=1, blank=True)
    confirmation_type = models.CharField(
        _("confirmation type"), max_length=1, choices=ConfirmationType.choices, blank=True
    )
    confirmation_number = models.CharField(_("confirmation number"), max_length=12, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FamilyQuerySet.as_manager()

    class Meta:
        verbose_name = _("family")
        verbose_name_plural = _("families")
        indexes = [models.Index(fields=["village"], name="family_village_idx")]
        triggers = [
            pgtrigger.Trigger(
                name="family_village_is_village",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.UpdateOf("village_id"),
                func=_VILLAGE_SQL.format(column="village_id", what="a family village", constraint="family_village"),
            ),
            pgtrigger.Trigger(
                name="family_head_is_member",
                when=pgtrigger.After,
                operation=pgtrigger.Insert | pgtrigger.UpdateOf("head_id"),
                timing=pgtrigger.Deferred,
                func=_HEAD_IN_FAMILY_SQL,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.head_id}"


class InsureeQuerySet(models.QuerySet["Insuree"]):
    def visible_to(self, user: "User") -> "InsureeQuerySet":
        """Insurees of families whose village is in scope; insurees without a family by their current village."""
        from location.scope import scope_of

        scope = scope_of(user)
        if scope.national:
            return self
        return self.filter(
            scope.location_q("family__village__") | (Q(family__isnull=True) & scope.location_q("current_village__"))
        )


@pghistory.track(*tracked(), exclude=["updated_at"])
class Insuree(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    insurance_number = models.CharField(_("insurance number"), max_length=50)
    family = models.ForeignKey(
        Family, verbose_name=_("family"), on_delete=models.PROTECT, null=True, blank=True, related_name="members"
    )
    last_name = models.CharField(_("last name"), max_length=100)
    other_names = models.CharField(_("other names"), max_length=100)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    dob = models.DateField(_("date of birth"))
    marital_status = models.CharField(
        _("marital status"), max_length=1, choices=MaritalStatus.choices, default=MaritalStatus.NOT_SPECIFIED
    )
    relationship = models.PositiveSmallIntegerField(
        _("relationship to the head"), choices=Relationship.choices, null=True, blank=True
    )
    profession = models.PositiveSmallIntegerField(_("profession"), choices=Profession.choices, null=True, blank=True)
    education = models.PositiveSmallIntegerField(_("education"), choices=Education.choices, null=True, blank=True)
    identity_type = models.CharField(_("identity document"), max_length=1, choices=IdentityType.choices, blank=True)
    identity_number = models.CharField(_("identity document number"), max_length=25, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), max_length=100, blank=True)
    current_address = models.CharField(_("current address"), max_length=200, blank=True)
    current_village = models.ForeignKey(
        Location, verbose_name=_("current village"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    first_health_facility = models.ForeignKey(
        HealthFacility,
        verbose_name=_("first-contact health facility"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    vulnerable = models.BooleanField(_("vulnerable"), default=False)
    card_issued = models.BooleanField(_("card issued"), default=False)
    photo = models.ImageField(_("photo"), upload_to="photos/%Y/%m/", blank=True)
    photo_date = models.DateField(_("photo taken on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=2, choices=InsureeStatus.choices, default=InsureeStatus.ACTIVE)
    status_date = models.DateField(_("status since"), null=True, blank=True)
    status_reason = models.CharField(_("status reason"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = InsureeQuerySet.as_manager()
    # left by the family services after a membership change: warnings for the officer (insuree.hooks)
    membership_warnings: list[str]

    class Meta:
        ordering = ["last_name", "other_names"]
        permissions = [
            ("enquire_insuree", _("Look up a person's coverage by insurance number, name or card")),
            ("print_card", _("Print membership cards")),
            ("manage_card_stock", _("Reserve and print blocks of pre-printed cards")),
            ("import_families", _("Import families and members from a file")),
        ]
        verbose_name = _("insuree")
        verbose_name_plural = _("insurees")
        constraints = [
            models.UniqueConstraint(fields=["insurance_number"], name="insuree_number_unique"),
            models.CheckConstraint(condition=~Q(insurance_number=""), name="insuree_number_not_blank"),
            models.CheckConstraint(condition=~Q(last_name="") & ~Q(other_names=""), name="insuree_names_not_blank"),
            models.CheckConstraint(
                condition=Q(status="AC") | Q(status_date__isnull=False), name="insuree_status_date_when_not_active"
            ),
        ]
        indexes = [
            models.Index(fields=["family"], name="insuree_family_idx"),
            models.Index(fields=["phone"], name="insuree_phone_idx", condition=~Q(phone="")),
            models.Index(fields=["identity_number"], name="insuree_identity_idx", condition=~Q(identity_number="")),
            models.Index(fields=["dob", "current_village"], name="insuree_dob_village_idx"),
            GinIndex(
                OpClass(Upper("last_name"), name="gin_trgm_ops"),
                OpClass(Upper("other_names"), name="gin_trgm_ops"),
                name="insuree_names_trgm",
            ),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="insuree_current_village_is_village",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.UpdateOf("current_village_id"),
                func=_VILLAGE_SQL.format(
                    column="current_village_id", what="a current village", constraint="insuree_current_village"
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.other_names} {self.last_name} ({self.insurance_number})"

    @property
    def full_name(self) -> str:
        return f"{self.other_names} {self.last_name}"


class CardStockBlock(models.Model):
    """A block of insurance numbers reserved to be printed as pre-printed cards (number and QR, no person)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    size = models.PositiveIntegerField(_("number of cards"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=Q(size__gt=0), name="cardstock_size_positive")]

    def __str__(self) -> str:
        return f"{self.size} @ {self.created_at:%Y-%m-%d}"


@pghistory.track(*tracked())
class StockNumber(models.Model):
    """A reserved insurance number from a card-stock block; taken at most once."""

    number = models.CharField(_("insurance number"), max_length=50)
    block = models.ForeignKey(CardStockBlock, on_delete=models.CASCADE, related_name="numbers")
    insuree = models.OneToOneField(
        Insuree, on_delete=models.PROTECT, null=True, blank=True, related_name="stock_number"
    )
    taken_at = models.DateTimeField(null=True, blank=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["number"], name="stocknumber_number_unique"),
            models.CheckConstraint(
                condition=(Q(insuree__isnull=True) & Q(taken_at__isnull=True))
                | (Q(insuree__isnull=False) & Q(taken_at__isnull=False)),
                name="stocknumber_taken_consistently",
            ),
        ]
        indexes = [models.Index(fields=["block"], name="stocknumber_free_idx", condition=Q(insuree__isnull=True))]

    def __str__(self) -> str:
        return self.number


class CardPrint(models.Model):
    """A membership card printed for an insuree (the first print, or a reprint with its reason)."""

    insuree = models.ForeignKey(Insuree, on_delete=models.CASCADE, related_name="card_prints")
    printed_at = models.DateTimeField(auto_now_add=True)
    printed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reprint reason"), max_length=200, blank=True)
    job = models.ForeignKey("common.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-printed_at"]
        indexes = [models.Index(fields=["insuree", "-printed_at"], name="cardprint_insuree_idx")]

    def __str__(self) -> str:
        return f"{self.insuree_id} @ {self.printed_at:%Y-%m-%d}"


class DuplicateDismissal(models.Model):
    """An officer's decision that two similar insurees are not the same person."""

    first = models.ForeignKey(Insuree, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Insuree, on_delete=models.CASCADE, related_name="+")
    dismissed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    dismissed_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="duplicate_dismissal_pair_unique"),
            models.CheckConstraint(condition=Q(first__lt=models.F("second")), name="duplicate_dismissal_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.first_id} != {self.second_id}"


class PhotoSource(models.TextChoices):
    PAGE = "page", _("Page")
    API = "api", _("API")


class PhotoRejection(models.Model):
    """A photo upload refused for its content (too large, not a photo, unreadable): who sent it, when, from where,
    and why."""

    insuree = models.ForeignKey(Insuree, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    insurance_number = models.CharField(_("insurance number"), max_length=50)
    village = models.ForeignKey(
        Location, verbose_name=_("village"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    code = models.CharField(max_length=40)
    reason = models.CharField(_("reason"), max_length=200)
    source = models.CharField(_("sent from"), max_length=4, choices=PhotoSource.choices)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rejected_at = models.DateTimeField(_("refused at"), auto_now_add=True)

    class Meta:
        ordering = ["-rejected_at"]
        verbose_name = _("rejected photo")
        verbose_name_plural = _("rejected photos")
        indexes = [models.Index(fields=["rejected_at"], name="photorejection_at_idx")]

    def __str__(self) -> str:
        return f"{self.insurance_number} @ {self.rejected_at:%Y-%m-%d}"
