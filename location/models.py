"""Administrative locations (Region > District > Municipality > Village), health facilities and user scope.

Invariants held by the database:
- a location's code is unique among active locations; its type is one of R/D/W/V; a region has no parent and
  every other location has one, whose type is the level just above (trigger `location_path`);
- `path` ("<root id>.<child id>.…<own id>.") is maintained by triggers, for inserts, moves and raw SQL alike;
  a move into the moved location's own subtree is refused;
- a facility's code is unique; it belongs to a district; its contract dates are both given or both empty, the
  end after the start; catchment rows point at villages with a percentage in (0, 100].
"""

import uuid
from typing import TYPE_CHECKING

import pghistory
import pgtrigger
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from guardian.models import UserObjectPermissionBase

from openimis.common.history import tracked

if TYPE_CHECKING:
    from openimis.accounts.models import User


class LocationType(models.TextChoices):
    REGION = "R", _("Region")
    DISTRICT = "D", _("District")
    MUNICIPALITY = "W", _("Municipality")
    VILLAGE = "V", _("Village")


# The type a location's parent must have; regions have none.
PARENT_TYPE: dict[str, str | None] = {
    LocationType.REGION: None,
    LocationType.DISTRICT: LocationType.REGION,
    LocationType.MUNICIPALITY: LocationType.DISTRICT,
    LocationType.VILLAGE: LocationType.MUNICIPALITY,
}
CHILD_TYPE: dict[str, str | None] = {
    LocationType.REGION: LocationType.DISTRICT,
    LocationType.DISTRICT: LocationType.MUNICIPALITY,
    LocationType.MUNICIPALITY: LocationType.VILLAGE,
    LocationType.VILLAGE: None,
}

_PATH_TRIGGER_SQL = """
DECLARE
    parent_path varchar;
    parent_type varchar;
    expected varchar;
BEGIN
    expected := CASE NEW.type WHEN 'D' THEN 'R' WHEN 'W' THEN 'D' WHEN 'V' THEN 'W' ELSE NULL END;
    IF NEW.parent_id IS NULL THEN
        IF expected IS NOT NULL THEN
            RAISE EXCEPTION 'a location of type % needs a parent of type %', NEW.type, expected
                USING ERRCODE = 'check_violation', CONSTRAINT = 'location_parent_type';
        END IF;
        NEW.path := NEW.id::text || '.';
        RETURN NEW;
    END IF;
    SELECT path, type INTO parent_path, parent_type FROM location_location WHERE id = NEW.parent_id;
    IF parent_type IS DISTINCT FROM expected THEN
        RAISE EXCEPTION 'a location of type % cannot be placed under a location of type %', NEW.type, parent_type
            USING ERRCODE = 'check_violation', CONSTRAINT = 'location_parent_type';
    END IF;
    IF TG_OP = 'UPDATE' AND parent_path LIKE OLD.path || '%' THEN
        RAISE EXCEPTION 'a location cannot be moved under itself or its own descendants'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'location_no_cycle';
    END IF;
    NEW.path := parent_path || NEW.id::text || '.';
    RETURN NEW;
END;
"""

_SUBTREE_TRIGGER_SQL = """
BEGIN
    UPDATE location_location
       SET path = NEW.path || substr(path, length(OLD.path) + 1)
     WHERE path LIKE OLD.path || '%' AND id <> NEW.id;
    RETURN NULL;
END;
"""


class LocationQuerySet(models.QuerySet["Location"]):
    def active(self) -> "LocationQuerySet":
        return self.filter(is_active=True)

    def visible_to(self, user: "User") -> "LocationQuerySet":
        from .scope import scope_of

        return self.filter(scope_of(user).location_q())

    def subtree_of(self, location: "Location") -> "LocationQuerySet":
        return self.filter(path__startswith=location.path)


@pghistory.track(*tracked(), exclude=["path", "updated_at"])
class Location(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(_("code"), max_length=8)
    name = models.CharField(_("name"), max_length=50)
    type = models.CharField(_("type"), max_length=1, choices=LocationType.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    path = models.CharField(max_length=255, editable=False, default="")
    male_population = models.PositiveIntegerField(_("male population"), null=True, blank=True)
    female_population = models.PositiveIntegerField(_("female population"), null=True, blank=True)
    other_population = models.PositiveIntegerField(_("other population"), null=True, blank=True)
    families = models.PositiveIntegerField(_("families"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LocationQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        constraints = [
            models.UniqueConstraint(fields=["code"], condition=Q(is_active=True), name="location_code_live_unique"),
            models.CheckConstraint(condition=Q(type__in=["R", "D", "W", "V"]), name="location_type_valid"),
            models.CheckConstraint(
                condition=(Q(type="R") & Q(parent__isnull=True)) | (~Q(type="R") & Q(parent__isnull=False)),
                name="location_region_is_root",
            ),
            models.CheckConstraint(condition=~Q(code=""), name="location_code_not_blank"),
        ]
        indexes = [
            models.Index(fields=["path"], name="location_path_prefix", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["parent", "type"], name="location_parent_type_idx"),
            models.Index(fields=["type", "code"], name="location_type_code_idx"),
        ]
        permissions = [
            ("manage_top_locations", _("Create, change and move regions and districts")),
            ("import_locations", _("Import locations from a file")),
            ("grant_scope", _("Grant districts and health facilities to users")),
            ("scope_location", _("Work within this location and below")),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="location_path",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.UpdateOf("parent_id", "type"),
                func=_PATH_TRIGGER_SQL,
            ),
            pgtrigger.Trigger(
                name="location_subtree_path",
                when=pgtrigger.After,
                operation=pgtrigger.UpdateOf("parent_id"),
                condition=pgtrigger.Q(old__parent__df=pgtrigger.F("new__parent")),
                func=_SUBTREE_TRIGGER_SQL,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def population(self) -> int | None:
        parts = [self.male_population, self.female_population, self.other_population]
        return sum(p for p in parts if p is not None) if any(p is not None for p in parts) else None

    @property
    def depth(self) -> int:
        return "RDWV".index(self.type)

    @property
    def child_type(self) -> str | None:
        return CHILD_TYPE[self.type]

    def ancestors(self) -> list["Location"]:
        """The locations above this one, root first (one query)."""
        ids = [int(part) for part in self.path.split(".") if part][:-1]
        by_id = {loc.pk: loc for loc in Location.objects.filter(pk__in=ids)}
        return [by_id[i] for i in ids if i in by_id]


class LegalForm(models.TextChoices):
    CHARITY = "C", _("Charity")
    DISTRICT_ORGANISATION = "D", _("District organisation")
    GOVERNMENT = "G", _("Government")
    PRIVATE = "P", _("Private organisation")


class FacilityLevel(models.TextChoices):
    DISPENSARY = "D", _("Dispensary")
    HEALTH_CENTRE = "C", _("Health centre")
    HOSPITAL = "H", _("Hospital")


class FacilitySubLevel(models.TextChoices):
    INTEGRATED = "I", _("Integrated")
    NONE = "N", _("No sub-level")
    REFERENCE = "R", _("Reference")


class CareType(models.TextChoices):
    IN_PATIENT = "I", _("In-patient")
    OUT_PATIENT = "O", _("Out-patient")
    BOTH = "B", _("Both")


class FacilityStatus(models.TextChoices):
    ACTIVE = "AC", pgettext_lazy("facility status", "Active")
    INACTIVE = "IN", pgettext_lazy("facility status", "Inactive")
    DELISTED = "DE", pgettext_lazy("facility status", "Delisted")
    IDLE = "ID", pgettext_lazy("facility status", "Idle")


class HealthFacilityQuerySet(models.QuerySet["HealthFacility"]):
    def visible_to(self, user: "User") -> "HealthFacilityQuerySet":
        from .scope import scope_of

        return self.filter(scope_of(user).facility_q())


_FACILITY_DISTRICT_SQL = """
BEGIN
    IF (SELECT type FROM location_location WHERE id = NEW.district_id) IS DISTINCT FROM 'D' THEN
        RAISE EXCEPTION 'a health facility must belong to a district'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'facility_in_district';
    END IF;
    RETURN NEW;
END;
"""

_CATCHMENT_VILLAGE_SQL = """
BEGIN
    IF (SELECT type FROM location_location WHERE id = NEW.village_id) IS DISTINCT FROM 'V' THEN
        RAISE EXCEPTION 'a catchment area is made of villages'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'catchment_is_village';
    END IF;
    RETURN NEW;
END;
"""


@pghistory.track(*tracked(), exclude=["updated_at"])
class HealthFacility(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(_("code"), max_length=8)
    name = models.CharField(_("name"), max_length=100)
    acc_code = models.CharField(_("accounting code"), max_length=25, blank=True)
    legal_form = models.CharField(_("legal form"), max_length=1, choices=LegalForm.choices)
    level = models.CharField(_("level"), max_length=1, choices=FacilityLevel.choices)
    sub_level = models.CharField(_("sub-level"), max_length=1, choices=FacilitySubLevel.choices, blank=True)
    district = models.ForeignKey(
        Location, verbose_name=_("district"), on_delete=models.PROTECT, related_name="health_facilities"
    )
    care_type = models.CharField(_("care type"), max_length=1, choices=CareType.choices, default=CareType.BOTH)
    address = models.CharField(_("address"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    fax = models.CharField(_("fax"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), max_length=100, blank=True)
    contract_start_date = models.DateField(_("contract start"), null=True, blank=True)
    contract_end_date = models.DateField(_("contract end"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=2, choices=FacilityStatus.choices, default=FacilityStatus.ACTIVE)
    offline = models.BooleanField(_("works offline"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = HealthFacilityQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("health facility")
        verbose_name_plural = _("health facilities")
        constraints = [
            models.UniqueConstraint(fields=["code"], name="facility_code_unique"),
            models.CheckConstraint(
                condition=(Q(contract_start_date__isnull=True) & Q(contract_end_date__isnull=True))
                | (
                    Q(contract_start_date__isnull=False)
                    & Q(contract_end_date__isnull=False)
                    & Q(contract_end_date__gt=models.F("contract_start_date"))
                ),
                name="facility_contract_dates",
            ),
            models.CheckConstraint(condition=~Q(code=""), name="facility_code_not_blank"),
        ]
        permissions = [("scope_healthfacility", _("Work for this health facility"))]
        triggers = [
            pgtrigger.Trigger(
                name="facility_in_district",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.UpdateOf("district_id"),
                func=_FACILITY_DISTRICT_SQL,
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


@pghistory.track(*tracked())
class HealthFacilityCatchment(models.Model):
    facility = models.ForeignKey(HealthFacility, on_delete=models.CASCADE, related_name="catchments")
    village = models.ForeignKey(Location, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+")
    percentage = models.DecimalField(_("catchment %"), max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["village__code"]
        constraints = [
            models.UniqueConstraint(fields=["facility", "village"], name="catchment_facility_village_unique"),
            models.CheckConstraint(
                condition=Q(percentage__gt=0) & Q(percentage__lte=100), name="catchment_percentage_range"
            ),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="catchment_is_village",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.UpdateOf("village_id"),
                func=_CATCHMENT_VILLAGE_SQL,
            )
        ]

    def __str__(self) -> str:
        return f"{self.village_id}: {self.percentage} %"


# Scope grants: django-guardian object permissions with direct foreign keys (fast joins, real constraints).
@pghistory.track(pghistory.InsertEvent(), pghistory.DeleteEvent())
class LocationUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Location, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        abstract = False


@pghistory.track(pghistory.InsertEvent(), pghistory.DeleteEvent())
class HealthFacilityUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(HealthFacility, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        abstract = False
