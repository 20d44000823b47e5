"""The only way a request loads a location, facility or user: by uuid, within the requesting user's scope."""

from django.http import Http404

from openimis.accounts.models import User

from .models import HealthFacility, Location


def access_location_by_uuid(user: User, uuid: str) -> Location:
    try:
        return Location.objects.visible_to(user).select_related("parent").get(uuid=uuid)
    except (Location.DoesNotExist, ValueError) as exc:
        raise Http404("No such location") from exc


def access_facility_by_uuid(user: User, uuid: str) -> HealthFacility:
    try:
        return HealthFacility.objects.visible_to(user).select_related("district").get(uuid=uuid)
    except (HealthFacility.DoesNotExist, ValueError) as exc:
        raise Http404("No such health facility") from exc


def access_user_by_uuid(user: User, uuid: str) -> User:
    """Administrators manage the users whose whole scope lies inside their own (superusers: everyone)."""
    from .selectors import users_visible_to

    try:
        return users_visible_to(user).get(uuid=uuid)
    except (User.DoesNotExist, ValueError) as exc:
        raise Http404("No such user") from exc
