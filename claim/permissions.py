"""The only way a request loads claims: by uuid, within `Claim.objects.visible_to(user)` (the facilities in the
user's scope). Anything else is a 404, so a page never tells whether a claim exists elsewhere."""

import uuid as uuid_module
from collections.abc import Iterable

from django.http import Http404

from openimis.accounts.models import User

from .models import Claim


def access_claim_by_uuid(user: User, uuid: str | uuid_module.UUID) -> Claim:
    try:
        return (
            Claim.objects.visible_to(user)
            .select_related(
                "facility",
                "insuree",
                "icd",
                "icd_1",
                "icd_2",
                "icd_3",
                "icd_4",
                "referral_facility",
                "created_by",
                "reviewed_by",
            )
            .get(uuid=uuid)
        )
    except (Claim.DoesNotExist, ValueError) as exc:
        raise Http404("No such claim") from exc


def access_claims_by_uuids(user: User, uuids: Iterable[str]) -> list[Claim]:
    """A selection of claims (the list's checkboxes): all of them in the user's scope, else a 404."""
    try:
        wanted = {uuid_module.UUID(str(u)) for u in uuids}
    except ValueError as exc:
        raise Http404("No such claim") from exc
    claims = list(Claim.objects.visible_to(user).filter(uuid__in=wanted).order_by("pk"))
    if len(claims) != len(wanted):
        raise Http404("No such claim")
    return claims
