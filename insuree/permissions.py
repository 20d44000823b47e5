"""The only way a request loads a family or an insuree: by uuid, among those the requesting user sees."""

from django.http import Http404

from openimis.accounts.models import User

from .models import Family, Insuree


def access_family_by_uuid(user: User, uuid: str) -> Family:
    try:
        return Family.objects.visible_to(user).select_related("head", "village", "village__parent").get(uuid=uuid)
    except (Family.DoesNotExist, ValueError) as exc:
        raise Http404("No such family") from exc


def access_insuree_by_uuid(user: User, uuid: str) -> Insuree:
    try:
        return (
            Insuree.objects.visible_to(user)
            .select_related("family", "family__village", "current_village", "first_health_facility")
            .get(uuid=uuid)
        )
    except (Insuree.DoesNotExist, ValueError) as exc:
        raise Http404("No such insuree") from exc
