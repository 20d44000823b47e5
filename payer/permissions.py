"""The only way a request loads a payer: by uuid, among the payers the requesting user sees."""

from django.http import Http404

from openimis.accounts.models import User

from .models import Payer


def access_payer_by_uuid(user: User, uuid: str) -> Payer:
    try:
        return Payer.objects.visible_to(user).select_related("location").get(uuid=uuid)
    except (Payer.DoesNotExist, ValueError) as exc:
        raise Http404("No such payer") from exc
