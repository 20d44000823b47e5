"""The only way a request loads a policy, a contribution or a renewal reminder: by uuid, within the requesting
user's scope (the family's village). Anything else is a 404, so a page never tells whether it exists elsewhere."""

from django.http import Http404

from openimis.accounts.models import User

from .models import Contribution, Policy, PolicyRenewal


def access_policy_by_uuid(user: User, uuid: str) -> Policy:
    try:
        return (
            Policy.objects.visible_to(user)
            .select_related("family__head", "family__village__parent", "product", "officer", "previous", "created_by")
            .get(uuid=uuid)
        )
    except (Policy.DoesNotExist, ValueError) as exc:
        raise Http404("No such policy") from exc


def access_contribution_by_uuid(user: User, uuid: str) -> Contribution:
    try:
        return (
            Contribution.objects.visible_to(user)
            .select_related(
                "policy__family__head",
                "policy__family__village",
                "policy__product",
                "payer",
                "created_by",
                "cancelled_by",
            )
            .get(uuid=uuid)
        )
    except (Contribution.DoesNotExist, ValueError) as exc:
        raise Http404("No such contribution") from exc


def access_renewal_by_uuid(user: User, uuid: str) -> PolicyRenewal:
    try:
        return PolicyRenewal.objects.visible_to(user).select_related("policy").get(uuid=uuid)
    except (PolicyRenewal.DoesNotExist, ValueError) as exc:
        raise Http404("No such renewal reminder") from exc
