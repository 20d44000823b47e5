"""Every write to locations, health facilities and user scope.

Rules enforced here (and, for the hard ones, again by the database; see models.py):
- Creating, changing or moving a region or district needs `location.manage_top_locations`; other levels need
  `location.add_location` / `location.change_location`, and the parent must be in the user's scope.
- A location's parent is of the level just above; codes are unique among active locations.
- A move keeps the types of the subtree (a district moves to another region, a village to another
  municipality); a move under the location itself or its descendants is refused.
- Deactivating a location deactivates its subtree; refused while an active health facility is in it.
- A health facility belongs to a district in the user's scope; contract dates are both given or both empty and
  the end is after the start; catchment villages lie in the user's scope with a percentage in (0, 100].
- Creating a region or district as a user without national scope grants it to that user, so it stays visible.
Every function runs in one transaction: on any refusal nothing is written.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from guardian.shortcuts import assign_perm, remove_perm

from openimis.accounts.models import User
from openimis.common.db import ConstraintMessages, constraint_errors, validate_fields
from openimis.common.exceptions import PermissionDeniedError
from openimis.common.jobs import JobFailed, job_create, job_progress
from openimis.common.models import Job

from . import importing
from .exceptions import LocationError
from .models import (
    PARENT_TYPE,
    HealthFacility,
    HealthFacilityCatchment,
    Location,
    LocationType,
)
from .scope import forget_scope

TOP_TYPES = (LocationType.REGION, LocationType.DISTRICT)


def _location_messages() -> ConstraintMessages:
    return {
        "location_code_live_unique": ("code", _("Another active location already has this code.")),
        "location_parent_type": ("parent", _("The parent must be a location of the level just above.")),
        "location_no_cycle": ("parent", _("A location cannot be moved under itself or one of its descendants.")),
        "location_region_is_root": ("parent", _("A region has no parent; every other location needs one.")),
    }


def _facility_messages() -> ConstraintMessages:
    return {
        "facility_code_unique": ("code", _("Another health facility already has this code.")),
        "facility_contract_dates": (
            "contract_end_date",
            _("Give both contract dates or neither, with the end after the start."),
        ),
        "facility_in_district": ("district", _("A health facility must belong to a district.")),
        "catchment_facility_village_unique": ("catchments", _("A village appears twice in the catchment area.")),
        "catchment_percentage_range": ("catchments", _("A catchment percentage must be above 0 and at most 100.")),
        "catchment_is_village": ("catchments", _("A catchment area is made of villages.")),
    }


def _require_perm(user: User, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDeniedError(_("You do not have the permission to do this."))


def _check_level_perm(user: User, type_: str, action: str) -> None:
    _require_perm(user, f"location.{action}_location")
    if type_ in TOP_TYPES:
        _require_perm(user, "location.manage_top_locations")


def _check_parent(user: User, type_: str, parent: Location | None) -> None:
    expected = PARENT_TYPE.get(type_)
    if expected is None:
        if parent is not None:
            raise LocationError.for_field("parent", _("A region has no parent."))
        return
    if parent is None:
        raise LocationError.for_field(
            "parent",
            _("A %(type)s needs a parent %(parent)s.")
            % {"type": LocationType(type_).label.lower(), "parent": LocationType(expected).label.lower()},
        )
    if parent.type != expected:
        raise LocationError.for_field(
            "parent",
            _("A %(type)s must be placed under a %(parent)s, not under a %(actual)s.")
            % {
                "type": LocationType(type_).label.lower(),
                "parent": LocationType(expected).label.lower(),
                "actual": LocationType(parent.type).label.lower(),
            },
        )
    if not parent.is_active:
        raise LocationError.for_field("parent", _("The parent location is inactive."))
    if not Location.objects.visible_to(user).filter(pk=parent.pk).exists():
        raise LocationError.for_field("parent", _("The parent location is outside your districts."))


def _grant_if_out_of_scope(user: User, location: Location) -> None:
    if location.type in TOP_TYPES and not Location.objects.visible_to(user).filter(pk=location.pk).exists():
        assign_perm("location.scope_location", user, location)
        forget_scope(user)


@transaction.atomic
def location_create(
    *,
    user: User,
    type: str,
    code: str,
    name: str,
    parent: Location | None = None,
    male_population: int | None = None,
    female_population: int | None = None,
    other_population: int | None = None,
    families: int | None = None,
) -> Location:
    if type not in LocationType.values:
        raise LocationError.for_field("type", _("Unknown location type."))
    _check_level_perm(user, type, "add")
    _check_parent(user, type, parent)
    location = Location(
        type=type,
        code=code.strip(),
        name=name.strip(),
        parent=parent,
        male_population=male_population,
        female_population=female_population,
        other_population=other_population,
        families=families,
    )
    validate_fields(location, exclude=["path"])
    with constraint_errors(_location_messages()):
        location.save()
    location.refresh_from_db(fields=["path"])
    _grant_if_out_of_scope(user, location)
    return location


LOCATION_EDITABLE = ("code", "name", "male_population", "female_population", "other_population", "families")


@transaction.atomic
def location_update(*, user: User, location: Location, **changes: Any) -> Location:
    unknown = set(changes) - set(LOCATION_EDITABLE)
    if unknown:
        raise LocationError(_("These fields cannot be changed here: %s") % ", ".join(sorted(unknown)))
    _check_level_perm(user, location.type, "change")
    for field, value in changes.items():
        setattr(location, field, value.strip() if isinstance(value, str) else value)
    validate_fields(location, exclude=["path", "parent"])
    with constraint_errors(_location_messages()):
        location.save(update_fields=[*changes.keys(), "updated_at"])
    return location


@transaction.atomic
def location_move(*, user: User, location: Location, new_parent: Location) -> Location:
    _check_level_perm(user, location.type, "change")
    if new_parent.path.startswith(location.path):
        raise LocationError.for_field("parent", _("A location cannot be moved under itself or one of its descendants."))
    _check_parent(user, location.type, new_parent)
    location.parent = new_parent
    with constraint_errors(_location_messages()):
        location.save(update_fields=["parent", "updated_at"])
    location.refresh_from_db(fields=["path"])
    return location


@transaction.atomic
def location_deactivate(*, user: User, location: Location) -> int:
    """Deactivates the location and everything below it; returns how many locations changed."""
    _check_level_perm(user, location.type, "change")
    active_facilities = HealthFacility.objects.filter(district__path__startswith=location.path, status="AC").count()
    if active_facilities:
        raise LocationError(
            ngettext(
                "%(n)d active health facility is in this area; deactivate or move it first.",
                "%(n)d active health facilities are in this area; deactivate or move them first.",
                active_facilities,
            )
            % {"n": active_facilities},
            code="location_has_facilities",
        )
    return Location.objects.subtree_of(location).filter(is_active=True).update(is_active=False)


# --- health facilities -------------------------------------------------------------------------------------

FACILITY_FIELDS = (
    "code",
    "name",
    "acc_code",
    "legal_form",
    "level",
    "sub_level",
    "district",
    "care_type",
    "address",
    "phone",
    "fax",
    "email",
    "contract_start_date",
    "contract_end_date",
    "status",
    "offline",
)


@dataclass(frozen=True)
class CatchmentRow:
    village: Location
    percentage: Decimal


def _check_facility(user: User, facility: HealthFacility) -> None:
    district = facility.district
    if district.type != LocationType.DISTRICT:
        raise LocationError.for_field("district", _("A health facility must belong to a district."))
    if not Location.objects.visible_to(user).filter(pk=district.pk).exists():
        raise LocationError.for_field("district", _("This district is outside your scope."))
    start: date | None = facility.contract_start_date
    end: date | None = facility.contract_end_date
    if (start is None) != (end is None):
        raise LocationError.for_field("contract_end_date", _("Give both contract dates or neither."))
    if start and end and end <= start:
        raise LocationError.for_field("contract_end_date", _("The contract must end after it starts."))


def _save_catchments(user: User, facility: HealthFacility, rows: list[CatchmentRow]) -> None:
    visible = set(
        Location.objects.visible_to(user).filter(pk__in=[r.village.pk for r in rows]).values_list("pk", flat=True)
    )
    for row in rows:
        if row.village.type != LocationType.VILLAGE:
            raise LocationError.for_field("catchments", _("%s is not a village.") % row.village)
        if row.village.pk not in visible:
            raise LocationError.for_field("catchments", _("%s is outside your scope.") % row.village)
        if not (Decimal(0) < row.percentage <= Decimal(100)):
            raise LocationError.for_field(
                "catchments", _("The catchment percentage of %s must be above 0 and at most 100.") % row.village
            )
    facility.catchments.all().delete()
    with constraint_errors(_facility_messages()):
        HealthFacilityCatchment.objects.bulk_create(
            HealthFacilityCatchment(facility=facility, village=r.village, percentage=r.percentage) for r in rows
        )


@transaction.atomic
def facility_create(*, user: User, catchments: list[CatchmentRow] | None = None, **data: Any) -> HealthFacility:
    _require_perm(user, "location.add_healthfacility")
    unknown = set(data) - set(FACILITY_FIELDS)
    if unknown:
        raise LocationError(_("Unknown fields: %s") % ", ".join(sorted(unknown)))
    facility = HealthFacility(**data)
    validate_fields(facility)
    _check_facility(user, facility)
    with constraint_errors(_facility_messages()):
        facility.save()
    if catchments:
        _save_catchments(user, facility, catchments)
    return facility


@transaction.atomic
def facility_update(
    *, user: User, facility: HealthFacility, catchments: list[CatchmentRow] | None = None, **changes: Any
) -> HealthFacility:
    _require_perm(user, "location.change_healthfacility")
    unknown = set(changes) - set(FACILITY_FIELDS)
    if unknown:
        raise LocationError(_("Unknown fields: %s") % ", ".join(sorted(unknown)))
    for field, value in changes.items():
        setattr(facility, field, value)
    validate_fields(facility)
    _check_facility(user, facility)
    with constraint_errors(_facility_messages()):
        facility.save(update_fields=[*changes.keys(), "updated_at"])
    if catchments is not None:
        _save_catchments(user, facility, catchments)
    return facility


# --- users and their scope ---------------------------------------------------------------------------------


@transaction.atomic
def user_save(
    *,
    user: User,
    target: User | None,
    username: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    phone: str = "",
    language: str = "en",
    is_active: bool = True,
    password: str | None = None,
    roles: list[str],
    locations: list[Location],
    facility: HealthFacility | None = None,
) -> User:
    """Creates or updates a user with their roles and scope; the scope replaces the previous one."""
    _require_perm(user, "accounts.change_user" if target else "accounts.add_user")
    _require_perm(user, "location.grant_scope")
    visible_locations = set(
        Location.objects.visible_to(user).filter(pk__in=[loc.pk for loc in locations]).values_list("pk", flat=True)
    )
    for loc in locations:
        if loc.pk not in visible_locations:
            raise LocationError.for_field("locations", _("%s is outside your own scope.") % loc)
    if facility and not HealthFacility.objects.visible_to(user).filter(pk=facility.pk).exists():
        raise LocationError.for_field("facility", _("This health facility is outside your own scope."))
    groups = list(Group.objects.filter(name__in=roles))
    if len(groups) != len(set(roles)):
        raise LocationError.for_field("roles", _("Unknown role."))
    account = target or User()
    account.username, account.first_name, account.last_name = username.strip(), first_name, last_name
    account.email, account.phone, account.language, account.is_active = email, phone, language, is_active
    if password:
        account.set_password(password)
    elif target is None:
        account.set_unusable_password()
    validate_fields(account, exclude=["password"])
    with constraint_errors(
        {"accounts_user_username_ci_unique": ("username", _("Another user already has this user name."))}
    ):
        account.save()
    account.groups.set(groups)
    _replace_scope(account, locations, facility)
    return account


def _replace_scope(account: User, locations: list[Location], facility: HealthFacility | None) -> None:
    current_locations = set(
        Location.objects.filter(
            locationuserobjectpermission__user=account,
            locationuserobjectpermission__permission__codename="scope_location",
        )
    )
    wanted = set(locations)
    for loc in current_locations - wanted:
        remove_perm("location.scope_location", account, loc)
    for loc in wanted - current_locations:
        assign_perm("location.scope_location", account, loc)
    current_facilities = set(
        HealthFacility.objects.filter(
            healthfacilityuserobjectpermission__user=account,
            healthfacilityuserobjectpermission__permission__codename="scope_healthfacility",
        )
    )
    wanted_facilities = {facility} if facility else set()
    for hf in current_facilities - wanted_facilities:
        remove_perm("location.scope_healthfacility", account, hf)
    for hf in wanted_facilities - current_facilities:
        assign_perm("location.scope_healthfacility", account, hf)
    forget_scope(account)


def scope_grant(
    *, user: User, target: User, location: Location | None = None, facility: HealthFacility | None = None
) -> None:
    """Adds one location or facility to a user's scope (used by set-up scripts and tests)."""
    _require_perm(user, "location.grant_scope")
    if location is not None:
        assign_perm("location.scope_location", target, location)
    if facility is not None:
        assign_perm("location.scope_healthfacility", target, facility)
    forget_scope(target)


# --- import ------------------------------------------------------------------------------------------------


def locations_import_start(*, user: User, upload: Any) -> Job:
    """Checks the permission and the file's size, then queues the import as a job."""
    from .tasks import import_locations_task

    _require_perm(user, "location.import_locations")
    _require_perm(user, "location.add_location")
    if upload.size > settings.IMPORT_MAX_BYTES:
        raise LocationError.for_field(
            "file", _("The file is larger than %d MB.") % (settings.IMPORT_MAX_BYTES // 2**20)
        )
    return job_create(user=user, kind="location.import", task=import_locations_task, input_file=upload)


def locations_import(*, job: Job) -> dict[str, Any]:
    """Runs an import job: every row checked first; then all rows written in one transaction, or none."""
    user = job.created_by
    with job.input_file.open("rb") as handle:
        data = handle.read()
    try:
        rows, errors = importing.read_rows(data)
    except importing.FileUnreadable as exc:
        raise JobFailed(str(exc)) from exc
    job_progress(job=job, percent=5, message=_("Checking the rows"))
    codes = {r.code for r in rows} | {r.parent_code for r in rows if r.parent_code}
    existing = {
        code: importing.Existing(pk, type_, path)
        for code, pk, type_, path in Location.objects.active()
        .filter(code__in=codes)
        .values_list("code", "pk", "type", "path")
    }
    visible = set(Location.objects.visible_to(user).filter(code__in=codes, is_active=True).values_list("pk", flat=True))
    errors += importing.check_rows(
        rows,
        existing=existing,
        parent_in_scope=lambda parent: parent.id in visible,
        may_create_top=user.has_perm("location.manage_top_locations"),
        progress=lambda fraction: job_progress(job=job, percent=5 + 45 * fraction, message=_("Checking rows")),
    )
    if errors:
        raise JobFailed(
            ngettext(
                "The file has %(n)d error; nothing was imported.",
                "The file has %(n)d errors; nothing was imported.",
                len(errors),
            )
            % {"n": len(errors)},
            report={"errors": [e.as_dict() for e in sorted(errors, key=lambda e: (e.row, e.field))]},
        )
    created = _write_import(job, rows, existing)
    counts = {level: sum(1 for r in rows if r.type == level) for level in importing.LEVEL_ORDER}
    summary = _(
        "Locations imported: %(n)d (regions: %(r)d, districts: %(d)d, municipalities: %(w)d, villages: %(v)d)."
    ) % {
        "n": created,
        "r": counts["R"],
        "d": counts["D"],
        "w": counts["W"],
        "v": counts["V"],
    }
    return {"created": created, "counts": counts, "summary": summary}


@transaction.atomic
def _write_import(job: Job, rows: list[importing.ImportRow], existing: dict[str, importing.Existing]) -> int:
    ids = {code: e.id for code, e in existing.items()}
    created = 0
    for step, level in enumerate(importing.LEVEL_ORDER):
        batch = [
            Location(
                type=r.type,
                code=r.code,
                name=r.name,
                parent_id=ids[r.parent_code] if r.parent_code else None,
                **r.numbers,
            )
            for r in rows
            if r.type == level
        ]
        if not batch:
            continue
        with constraint_errors(_location_messages()):
            Location.objects.bulk_create(batch, batch_size=2000)
        ids.update({loc.code: loc.pk for loc in batch})
        created += len(batch)
        job_progress(job=job, percent=50 + 12 * (step + 1), message=_("Writing locations"))
    user = job.created_by
    for loc in Location.objects.filter(pk__in=[ids[r.code] for r in rows if r.type in TOP_TYPES]):
        _grant_if_out_of_scope(user, loc)
    return created
