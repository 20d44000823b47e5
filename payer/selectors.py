"""Reads for pages, the API and exports: always scoped to the requesting user (`Payer.objects.visible_to`)."""

from django.db.models import Q, QuerySet

from location.models import Location, LocationType
from location.selectors import covers_whole_country
from openimis.accounts.models import User

from .models import Payer

PAYER_LEVELS = (LocationType.REGION, LocationType.DISTRICT)


def payer_locations_for(user: User) -> QuerySet[Location]:
    """The regions and districts a user may give a payer: active, inside their scope, regions before districts."""
    return (
        Location.objects.visible_to(user)
        .active()
        .filter(type__in=PAYER_LEVELS)
        .select_related("parent")
        .order_by("path")
    )


def payer_is_manageable(user: User, payer: Payer) -> bool:
    """A payer is written by users who could have created it: national payers by national staff, the others by
    users whose scope holds the payer's region or district. Payers seen from below (a regional payer for a
    district officer) are read-only."""
    if payer.location_id is None:
        return covers_whole_country(user)
    return Location.objects.visible_to(user).filter(pk=payer.location_id).exists()


def payers_for(
    user: User,
    *,
    q: str = "",
    type: str = "",
    location: Location | None = None,
    include_inactive: bool = False,
) -> QuerySet[Payer]:
    """Payers the user sees; `location` keeps those of that region or district and of the districts in it."""
    qs = Payer.objects.visible_to(user).select_related("location")
    if not include_inactive:
        qs = qs.filter(is_active=True)
    if q:
        qs = qs.filter(name__icontains=q)
    if type:
        qs = qs.filter(type=type)
    if location is not None:
        qs = qs.filter(location__path__startswith=location.path)
    return qs.order_by("name", "pk")


def payer_filter_locations(user: User) -> QuerySet[Location]:
    """Regions and districts to filter the payer list by: those in the user's scope and those of payers they see
    (a district officer also sees the region above, whose payers serve their district)."""
    payer_locations = Payer.objects.visible_to(user).filter(location__isnull=False).values("location_id")
    in_scope = Location.objects.visible_to(user).filter(type__in=PAYER_LEVELS).values("pk")
    return (
        Location.objects.filter(Q(pk__in=in_scope) | Q(pk__in=payer_locations))
        .select_related("parent")
        .order_by("path")
    )
