"""Reads for pages, the API, exports and reports: always scoped to the requesting user."""

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum

from openimis.accounts.models import User

from .models import (
    HealthFacility,
    HealthFacilityUserObjectPermission,
    Location,
    LocationType,
    LocationUserObjectPermission,
)
from .scope import scope_of


def covers_whole_country(user: User) -> bool:
    """Superusers, and users whose scope holds every active region: the scheme's national staff, who alone write
    national rows (national payers, products and price lists)."""
    scope = scope_of(user)
    if scope.national:
        return True
    if scope.is_empty:
        return False
    regions = Location.objects.active().filter(type=LocationType.REGION)
    return not regions.exclude(pk__in=Location.objects.visible_to(user).values("pk")).exists()


def location_roots_for(user: User) -> QuerySet[Location]:
    """The outermost locations a user sees: regions for national users, their granted areas otherwise."""
    visible = Location.objects.visible_to(user)
    return visible.filter(Q(parent__isnull=True) | ~Q(parent__in=visible)).select_related("parent")


def _matching(qs: QuerySet[Location], q: str, include_inactive: bool) -> QuerySet[Location]:
    if not include_inactive:
        qs = qs.filter(is_active=True)
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q))
    return qs


def location_children(
    user: User, location: Location, *, q: str = "", include_inactive: bool = False
) -> QuerySet[Location]:
    qs = Location.objects.visible_to(user).filter(parent=location).annotate(child_count=Count("children"))
    return _matching(qs, q, include_inactive).order_by("code")


def location_villages(
    user: User, location: Location, *, q: str = "", include_inactive: bool = False
) -> QuerySet[Location]:
    qs = (
        Location.objects.visible_to(user)
        .subtree_of(location)
        .filter(type=LocationType.VILLAGE)
        .annotate(municipality_name=F("parent__name"))
        .only("uuid", "code", "name", "male_population", "female_population", "other_population", "is_active")
    )
    return _matching(qs, q, include_inactive).order_by("parent__code", "code")


def location_search(user: User, *, q: str = "", include_inactive: bool = False) -> QuerySet[Location]:
    qs = Location.objects.visible_to(user).select_related("parent")
    return _matching(qs, q, include_inactive).order_by("path")


def facilities_for(
    user: User, *, q: str = "", district: Location | None = None, level: str = "", status: str = ""
) -> QuerySet[HealthFacility]:
    qs = HealthFacility.objects.visible_to(user).select_related("district")
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q))
    if district is not None:
        qs = qs.filter(district=district)
    if level:
        qs = qs.filter(level=level)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("code")


def users_visible_to(user: User) -> QuerySet[User]:
    """Users an administrator may see and manage: every grant of theirs is within the administrator's scope."""
    if not user.is_authenticated or not user.has_perm("accounts.view_user"):
        return User.objects.none()
    if scope_of(user).national:
        return User.objects.all()
    outside_locations = LocationUserObjectPermission.objects.filter(user=OuterRef("pk")).exclude(
        content_object__in=Location.objects.visible_to(user)
    )
    outside_facilities = HealthFacilityUserObjectPermission.objects.filter(user=OuterRef("pk")).exclude(
        content_object__in=HealthFacility.objects.visible_to(user)
    )
    any_grant_inside = Q(
        Exists(
            LocationUserObjectPermission.objects.filter(
                user=OuterRef("pk"), content_object__in=Location.objects.visible_to(user)
            )
        )
    ) | Q(
        Exists(
            HealthFacilityUserObjectPermission.objects.filter(
                user=OuterRef("pk"), content_object__in=HealthFacility.objects.visible_to(user)
            )
        )
    )
    return (
        User.objects.filter(is_superuser=False)
        .filter(any_grant_inside)
        .exclude(Exists(outside_locations))
        .exclude(Exists(outside_facilities))
    )


def scope_labels(user: User) -> list[str]:
    """What a user's scope is, in words, for their pages."""
    scope = scope_of(user)
    if scope.national:
        return ["—"]
    labels = [
        str(loc)
        for loc in Location.objects.filter(
            locationuserobjectpermission__user=user, locationuserobjectpermission__permission__codename="scope_location"
        )
    ]
    labels += [str(hf) for hf in HealthFacility.objects.filter(pk__in=scope.facility_ids)]
    return labels


def population_totals(user: User, location: Location) -> dict[str, int | None]:
    """Population of a location: its own figures for a village, the sum over its active villages otherwise."""
    fields = ("male_population", "female_population", "other_population", "families")
    if location.type == LocationType.VILLAGE:
        return {f: getattr(location, f) for f in fields}
    villages = location_villages(user, location).order_by()
    return villages.aggregate(**{f: Sum(f) for f in fields})
