"""Where a user may work: the locations and health facilities granted to them, and everything below those.

- A grant is a django-guardian object permission: `location.scope_location` on a Location (usually a
  district; a region or the whole country for national staff) or `location.scope_healthfacility` on a
  HealthFacility (claim administrators).
- Locations in scope: every granted location and its descendants, plus, for a facility grant, the facility's
  district and its descendants (the people a facility serves live there).
- Facilities in scope: those in the districts of a location grant, and the facilities granted directly.
- A user with no grant sees nothing. Superusers are the one exception: they see the whole country.

The scope is read once per user object (one query) and kept on it for the rest of the request.
"""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import IntegerField, Q, Value

if TYPE_CHECKING:
    from openimis.accounts.models import User

_CACHE_ATTR = "_openimis_scope"


@dataclass(frozen=True)
class Scope:
    national: bool = False
    location_paths: tuple[str, ...] = ()
    facility_ids: tuple[int, ...] = ()
    facility_district_paths: tuple[str, ...] = field(default=())

    @property
    def is_empty(self) -> bool:
        return not (self.national or self.location_paths or self.facility_ids)

    def _paths_q(self, lookup: str, paths: tuple[str, ...]) -> Q:
        query = Q(pk__in=[])
        for path in _outermost(paths):
            query |= Q(**{f"{lookup}__startswith": path})
        return query

    def location_q(self, prefix: str = "") -> Q:
        """Filter for rows whose location (reached through `prefix`, e.g. "village__") is in scope."""
        if self.national:
            return Q()
        return self._paths_q(f"{prefix}path", self.location_paths + self.facility_district_paths)

    def facility_q(self, prefix: str = "") -> Q:
        """Filter for rows whose health facility (reached through `prefix`, e.g. "facility__") is in scope."""
        if self.national:
            return Q()
        return self._paths_q(f"{prefix}district__path", self.location_paths) | Q(
            **{f"{prefix}pk__in": list(self.facility_ids)}
        )

    def serving_q(self, field: str = "location") -> Q:
        """Filter for rows bound to an optional location that serve the user's area: national rows (no location),
        rows inside the scope, and rows of a location above it (a regional product or payer for a district user).
        """
        if self.national:
            return Q()
        if self.is_empty:
            return Q(pk__in=[])
        paths = self.location_paths + self.facility_district_paths
        ancestor_ids = {int(part) for path in paths for part in path.split(".") if part}
        return (
            Q(**{f"{field}__isnull": True})
            | self._paths_q(f"{field}__path", paths)
            | Q(**{f"{field}_id__in": sorted(ancestor_ids)})
        )


def _outermost(paths: tuple[str, ...]) -> list[str]:
    """Drops paths already covered by another path in the list (a district inside a granted region)."""
    kept: list[str] = []
    for path in sorted(set(paths), key=len):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return kept


def scope_of(user: "User") -> Scope:
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    scope = _load_scope(user)
    if user.is_authenticated:
        setattr(user, _CACHE_ATTR, scope)
    return scope


def forget_scope(user: "User") -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def _load_scope(user: "User") -> Scope:
    from .models import HealthFacilityUserObjectPermission, LocationUserObjectPermission

    if not user.is_authenticated or not user.is_active:
        return Scope()
    if user.is_superuser:
        return Scope(national=True)
    # One query for both kinds of grant: (location path, None) rows and (district path, facility id) rows.
    locations = LocationUserObjectPermission.objects.filter(
        user=user, permission__codename="scope_location", content_object__is_active=True
    ).values_list("content_object__path", Value(None, output_field=IntegerField()))
    facilities = HealthFacilityUserObjectPermission.objects.filter(
        user=user, permission__codename="scope_healthfacility"
    ).values_list("content_object__district__path", "content_object_id")
    rows = list(locations.union(facilities, all=True))
    return Scope(
        location_paths=tuple(path for path, facility in rows if facility is None),
        facility_ids=tuple(facility for _path, facility in rows if facility is not None),
        facility_district_paths=tuple(path for path, facility in rows if facility is not None),
    )
