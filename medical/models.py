"""Medical registers (items, services, diagnoses) and the price lists health facilities use (reference sec. 7).

Invariants held by the database:
- item, service and diagnosis codes are unique among active rows; prices and maxima are not negative;
- the patient category is a bit mask 1 male, 2 female, 4 adult, 8 child with at least one sex bit and at least
  one age bit (so one of 5, 6, 7, 9, 10, 11, 13, 14, 15);
- a price list entry is unique per (price list, item/service), its override price not negative, and it may only
  point at an active item/service (trigger); deactivating an item/service removes it from every price list
  (trigger, so bulk SQL obeys it too);
- a price list's location, when given, is a region or a district (trigger).
"""

import uuid
from typing import TYPE_CHECKING

import pghistory
import pgtrigger
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from location.models import CareType, HealthFacility, Location
from openimis.common.history import tracked

if TYPE_CHECKING:
    from openimis.accounts.models import User


class PatientCategory(models.IntegerChoices):
    """Bits of the patient-category mask; a row's mask is their sum (15 = everyone)."""

    MALE = 1, _("Male")
    FEMALE = 2, _("Female")
    ADULT = 4, _("Adult")
    CHILD = 8, _("Child")


ALL_PATIENTS = 15
SEX_BITS = PatientCategory.MALE | PatientCategory.FEMALE
AGE_BITS = PatientCategory.ADULT | PatientCategory.CHILD
# Masks with at least one sex and one age: 5, 6, 7, 9, 10, 11, 13, 14, 15.
VALID_PATIENT_MASKS = tuple(m for m in range(1, ALL_PATIENTS + 1) if m & SEX_BITS and m & AGE_BITS)


def patient_mask_labels(mask: int) -> list[str]:
    return [str(c.label) for c in PatientCategory if mask & c.value]


def patient_mask_problem(mask: int | None) -> str | None:
    """Why a patient-category mask is not acceptable (None when it is)."""
    if mask == 0:
        return str(_("Choose at least one of male and female and at least one of adult and child."))
    if mask is None or not 1 <= mask <= ALL_PATIENTS:
        return str(_("The patient category must be a sum of 1 male, 2 female, 4 adult, 8 child (1 to 15)."))
    if not mask & SEX_BITS:
        return str(_("Choose at least one of male and female."))
    if not mask & AGE_BITS:
        return str(_("Choose at least one of adult and child."))
    return None


class ItemType(models.TextChoices):
    DRUG = "D", _("Drug")
    CONSUMABLE = "M", _("Medical consumable")


class ServiceType(models.TextChoices):
    PREVENTIVE = "P", _("Preventive")
    CURATIVE = "C", _("Curative")


class ServiceCategory(models.TextChoices):
    SURGERY = "S", _("Surgery")
    CONSULTATION = "C", _("Consultation")
    DELIVERY = "D", _("Delivery")
    ANTENATAL = "A", _("Antenatal")
    HOSPITALISATION = "H", _("Hospitalisation")
    VISIT = "V", _("Visit")
    OTHER = "O", _("Other")


class ServiceLevel(models.TextChoices):
    SIMPLE = "S", _("Simple service")
    VISIT = "V", _("Visit")
    DAY_OF_HOSPITALISATION = "D", _("Day of hospitalisation")
    HOSPITAL_CARE = "H", _("Hospital care")


class PackageType(models.TextChoices):
    SIMPLE = "S", _("Simple")
    PACKAGE = "P", _("Package")
    FIXED_PRICE_PACKAGE = "F", _("Fixed-price package")


class MedicalQuerySet(models.QuerySet):  # type: ignore[type-arg]
    def active(self) -> "MedicalQuerySet":
        return self.filter(is_active=True)

    def visible_to(self, user: "User") -> "MedicalQuerySet":
        """Registers are national: everyone who may read them reads all of them, but a user with no scope nothing."""
        from location.scope import scope_of

        return self if not scope_of(user).is_empty else self.none()


class MedicalEntry(models.Model):
    """Fields items and services share."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(_("code"), max_length=6)
    name = models.CharField(_("name"), max_length=100)
    price = models.DecimalField(_("price"), max_digits=18, decimal_places=2)
    maximum_amount = models.DecimalField(
        _("maximum quantity per claim"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    care_type = models.CharField(_("care type"), max_length=1, choices=CareType.choices, default=CareType.BOTH)
    frequency = models.PositiveIntegerField(
        _("frequency (days)"), null=True, blank=True, help_text=_("Least number of days between two provisions.")
    )
    patient_category = models.PositiveSmallIntegerField(
        _("patient category"),
        default=ALL_PATIENTS,
        validators=[MinValueValidator(1), MaxValueValidator(ALL_PATIENTS)],
        help_text=_("Sum of 1 male, 2 female, 4 adult, 8 child; 15 = everyone."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MedicalQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def patient_labels(self) -> list[str]:
        return patient_mask_labels(self.patient_category)

    @property
    def patient_summary(self) -> str:
        if self.patient_category == ALL_PATIENTS:
            return str(_("Everyone"))
        return ", ".join(self.patient_labels)


def _entry_constraints(prefix: str) -> list[models.BaseConstraint]:
    return [
        models.UniqueConstraint(fields=["code"], condition=Q(is_active=True), name=f"{prefix}_code_live_unique"),
        models.CheckConstraint(condition=~Q(code=""), name=f"{prefix}_code_not_blank"),
        models.CheckConstraint(condition=Q(price__gte=0), name=f"{prefix}_price_not_negative"),
        models.CheckConstraint(
            condition=Q(maximum_amount__isnull=True) | Q(maximum_amount__gte=0), name=f"{prefix}_maximum_not_negative"
        ),
        models.CheckConstraint(
            condition=Q(patient_category__in=VALID_PATIENT_MASKS), name=f"{prefix}_patient_category_mask"
        ),
    ]


_DROP_FROM_PRICE_LISTS_SQL = """
BEGIN
    DELETE FROM {entries} WHERE {column} = NEW.id;
    RETURN NULL;
END;
"""


def _drop_from_price_lists(prefix: str, entries: str, column: str) -> pgtrigger.Trigger:
    """Deactivating an item or service takes it out of every price list (one set-based DELETE)."""
    return pgtrigger.Trigger(
        name=f"{prefix}_leaves_price_lists",
        when=pgtrigger.After,
        operation=pgtrigger.UpdateOf("is_active"),
        condition=pgtrigger.Q(old__is_active=True, new__is_active=False),
        func=_DROP_FROM_PRICE_LISTS_SQL.format(entries=entries, column=column),
    )


@pghistory.track(*tracked(), exclude=["updated_at"])
class Item(MedicalEntry):
    """A medicine or medical consumable."""

    type = models.CharField(_("type"), max_length=1, choices=ItemType.choices, default=ItemType.DRUG)
    package = models.CharField(_("package"), max_length=255, blank=True)
    quantity = models.DecimalField(_("quantity in package"), max_digits=18, decimal_places=2, null=True, blank=True)

    class Meta(MedicalEntry.Meta):
        verbose_name = _("medical item")
        verbose_name_plural = _("medical items")
        constraints = _entry_constraints("item")
        triggers = [_drop_from_price_lists("item", "medical_itempricelistentry", "item_id")]
        permissions = [("import_registers", _("Import and export medical registers and price lists"))]


@pghistory.track(*tracked(), exclude=["updated_at"])
class Service(MedicalEntry):
    """A medical service (consultation, procedure, day of hospitalisation...)."""

    type = models.CharField(_("type"), max_length=1, choices=ServiceType.choices, default=ServiceType.CURATIVE)
    category = models.CharField(_("category"), max_length=1, choices=ServiceCategory.choices, blank=True)
    level = models.CharField(_("level"), max_length=1, choices=ServiceLevel.choices, default=ServiceLevel.SIMPLE)
    package_type = models.CharField(
        _("package type"), max_length=1, choices=PackageType.choices, default=PackageType.SIMPLE
    )
    manual_price = models.BooleanField(_("price entered by the facility"), default=False)

    class Meta(MedicalEntry.Meta):
        verbose_name = _("medical service")
        verbose_name_plural = _("medical services")
        constraints = _entry_constraints("service")
        triggers = [_drop_from_price_lists("service", "medical_servicepricelistentry", "service_id")]


@pghistory.track(*tracked())
class Diagnosis(models.Model):
    """An ICD-10 code."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(_("code"), max_length=6)
    name = models.CharField(_("name"), max_length=255)
    is_active = models.BooleanField(_("active"), default=True)

    objects = MedicalQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("diagnosis")
        verbose_name_plural = _("diagnoses")
        constraints = [
            models.UniqueConstraint(fields=["code"], condition=Q(is_active=True), name="diagnosis_code_live_unique"),
            models.CheckConstraint(condition=~Q(code=""), name="diagnosis_code_not_blank"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PriceListQuerySet(models.QuerySet):  # type: ignore[type-arg]
    def visible_to(self, user: "User") -> "PriceListQuerySet":
        """National price lists, those of the user's area and those of a region or district above it."""
        from location.scope import scope_of

        return self.filter(scope_of(user).serving_q("location"))


class PriceList(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=100)
    date_from = models.DateField(_("applies from"))
    location = models.ForeignKey(
        Location,
        verbose_name=_("region or district"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty for a national price list."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PriceListQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


_PRICE_LIST_LOCATION_SQL = """
BEGIN
    IF NEW.location_id IS NOT NULL
       AND (SELECT type FROM location_location WHERE id = NEW.location_id) NOT IN ('R', 'D') THEN
        RAISE EXCEPTION 'a price list belongs to the whole country, a region or a district'
            USING ERRCODE = 'check_violation', CONSTRAINT = '{constraint}';
    END IF;
    RETURN NEW;
END;
"""


def _location_level(prefix: str) -> pgtrigger.Trigger:
    return pgtrigger.Trigger(
        name=f"{prefix}_location_level",
        when=pgtrigger.Before,
        operation=pgtrigger.Insert | pgtrigger.UpdateOf("location_id"),
        func=_PRICE_LIST_LOCATION_SQL.format(constraint=f"{prefix}_location_level"),
    )


_ACTIVE_TARGET_SQL = """
BEGIN
    IF NOT (SELECT is_active FROM {table} WHERE id = NEW.{column}) THEN
        RAISE EXCEPTION 'a price list may not reference an inactive {what}'
            USING ERRCODE = 'check_violation', CONSTRAINT = '{constraint}';
    END IF;
    RETURN NEW;
END;
"""


@pghistory.track(*tracked(), exclude=["updated_at"])
class ItemPriceList(PriceList):
    class Meta(PriceList.Meta):
        verbose_name = _("items price list")
        verbose_name_plural = _("items price lists")
        constraints = [models.UniqueConstraint(fields=["name"], condition=Q(is_active=True), name="itempl_name_unique")]
        triggers = [_location_level("itempl")]


@pghistory.track(*tracked(), exclude=["updated_at"])
class ServicePriceList(PriceList):
    class Meta(PriceList.Meta):
        verbose_name = _("services price list")
        verbose_name_plural = _("services price lists")
        constraints = [
            models.UniqueConstraint(fields=["name"], condition=Q(is_active=True), name="servicepl_name_unique")
        ]
        triggers = [_location_level("servicepl")]


@pghistory.track(*tracked())
class ItemPriceListEntry(models.Model):
    price_list = models.ForeignKey(ItemPriceList, on_delete=models.CASCADE, related_name="entries")
    item = models.ForeignKey(Item, verbose_name=_("item"), on_delete=models.CASCADE, related_name="+")
    price_override = models.DecimalField(
        _("price override"),
        max_digits=18,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Empty: the register price applies."),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["price_list", "item"], name="itempl_entry_unique"),
            models.CheckConstraint(
                condition=Q(price_override__isnull=True) | Q(price_override__gte=0),
                name="itempl_entry_price_not_negative",
            ),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="itempl_entry_item_active",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.UpdateOf("item_id"),
                func=_ACTIVE_TARGET_SQL.format(
                    table="medical_item", column="item_id", what="item", constraint="itempl_entry_item_active"
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.price_list_id}: {self.item_id}"


@pghistory.track(*tracked())
class ServicePriceListEntry(models.Model):
    price_list = models.ForeignKey(ServicePriceList, on_delete=models.CASCADE, related_name="entries")
    service = models.ForeignKey(Service, verbose_name=_("service"), on_delete=models.CASCADE, related_name="+")
    price_override = models.DecimalField(
        _("price override"),
        max_digits=18,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Empty: the register price applies."),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["price_list", "service"], name="servicepl_entry_unique"),
            models.CheckConstraint(
                condition=Q(price_override__isnull=True) | Q(price_override__gte=0),
                name="servicepl_entry_price_not_negative",
            ),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="servicepl_entry_service_active",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.UpdateOf("service_id"),
                func=_ACTIVE_TARGET_SQL.format(
                    table="medical_service",
                    column="service_id",
                    what="service",
                    constraint="servicepl_entry_service_active",
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.price_list_id}: {self.service_id}"


@pghistory.track(*tracked())
class FacilityPriceLists(models.Model):
    """The items and services price lists a health facility uses (one of each)."""

    facility = models.OneToOneField(
        HealthFacility, on_delete=models.CASCADE, primary_key=True, related_name="price_lists"
    )
    items_price_list = models.ForeignKey(
        ItemPriceList, verbose_name=_("items price list"), on_delete=models.PROTECT, null=True, blank=True
    )
    services_price_list = models.ForeignKey(
        ServicePriceList, verbose_name=_("services price list"), on_delete=models.PROTECT, null=True, blank=True
    )

    class Meta:
        verbose_name = _("price lists of a facility")

    def __str__(self) -> str:
        return f"{self.facility_id}"


class PriceListKind:
    """What differs between items and services price lists, so that one piece of code serves both."""

    def __init__(
        self,
        slug: str,
        list_model: type[ItemPriceList] | type[ServicePriceList],
        entry_model: type[ItemPriceListEntry] | type[ServicePriceListEntry],
        target_model: type[Item] | type[Service],
        target_field: str,
        facility_field: str,
        constraint_prefix: str,
    ) -> None:
        self.slug = slug  # "items" / "services", as in URLs
        self.list_model = list_model
        self.entry_model = entry_model
        self.target_model = target_model
        self.target_field = target_field  # "item" / "service"
        self.facility_field = facility_field  # the FacilityPriceLists column pointing at such a list
        self.constraint_prefix = constraint_prefix

    @property
    def model_name(self) -> str:
        return self.list_model._meta.model_name or ""

    def perm(self, action: str) -> str:
        return f"medical.{action}_{self.model_name}"

    def __repr__(self) -> str:
        return f"PriceListKind({self.slug})"


ITEMS = PriceListKind("items", ItemPriceList, ItemPriceListEntry, Item, "item", "items_price_list", "itempl")
SERVICES = PriceListKind(
    "services", ServicePriceList, ServicePriceListEntry, Service, "service", "services_price_list", "servicepl"
)
PRICE_LIST_KINDS = {kind.slug: kind for kind in (ITEMS, SERVICES)}
