"""REST API for the insurees' feedback on claims (reference sec. 6.7).

- `POST /claims/feedback/select/` {"claims": [uuid, ...]} selects claims for feedback (`claim.select_claim`), all of
  them or none: a claim not in the caller's scope answers 400 `not_found` naming its place (`claims.3`), one that
  cannot be selected (not submitted, or its feedback already selected, delivered or bypassed) 409
  `claim_not_selectable` naming its place and the reason.
- `POST /claims/{uuid}/feedback/` records the insuree's answers on a claim selected for feedback
  (`claim.feedback_claim`); 201 with the claim, its feedback Delivered and the answers under `feedback`. A claim out
  of scope is a 404; one not selected answers 409 `feedback_not_expected`, a second record 409
  `feedback_already_recorded`; a date in the future or before the visit, or an assessment outside 1-5, 400 naming
  the field.
The claim's detail (`GET /claims/{uuid}/`) shows its feedback status and answers. Writes go through `claim.feedback`.
"""

import uuid
from collections.abc import Sequence
from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from openimis.accounts.models import User
from openimis.common.api import acting_user, require_perms
from openimis.common.exceptions import ApplicationError

from .. import feedback
from ..models import Claim
from . import serializers as s
from .views import _validated, claim_details_for


class FeedbackSelectIn(serializers.Serializer[Any]):
    claims = serializers.ListField(
        child=serializers.UUIDField(),
        min_length=1,
        max_length=s.MAX_CLAIMS,
        help_text=f"Uuids of submitted claims in your scope (Checked, Processed or Valuated), at most {s.MAX_CLAIMS}.",
    )


class FeedbackIn(serializers.Serializer[Any]):
    feedback_date = serializers.DateField(
        help_text="The day the insuree was asked: not in the future, nor before the visit."
    )
    care_rendered = serializers.BooleanField(allow_null=True, default=None, help_text="Null: unknown.")
    payment_asked = serializers.BooleanField(allow_null=True, default=None, help_text="Null: unknown.")
    drug_prescribed = serializers.BooleanField(allow_null=True, default=None, help_text="Null: unknown.")
    drug_received = serializers.BooleanField(allow_null=True, default=None, help_text="Null: unknown.")
    assessment = serializers.IntegerField(
        allow_null=True, default=None, help_text="The insuree's assessment, 1 (very poor) to 5 (very good); null: none."
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="")


def _claims_by_uuid(user: User, keys: Sequence[uuid.UUID]) -> list[Claim]:
    """The claims named, in the order given; those not in the caller's scope are refused by place."""
    found = {c.uuid: c for c in Claim.objects.visible_to(user).filter(uuid__in=keys)}
    missing = {
        f"claims.{i}": [_("No claim with this uuid in your scope.")] for i, k in enumerate(keys) if k not in found
    }
    if missing:
        raise ApplicationError(next(iter(missing.values()))[0], fields=missing, code="not_found")
    return [found[k] for k in keys]


class FeedbackSelectView(GenericAPIView[Claim]):
    permission_classes = [require_perms("claim.select_claim")]
    serializer_class = FeedbackSelectIn
    queryset = Claim.objects.none()

    @extend_schema(
        request=FeedbackSelectIn,
        responses={200: s.ClaimSetOut, 400: OpenApiTypes.OBJECT, 409: OpenApiTypes.OBJECT},
    )
    def post(self, request: Request) -> Response:
        """Selects claims for feedback, all or none; each claim with its feedback status, in the order asked."""
        user = acting_user(request)
        claims = _claims_by_uuid(user, _validated(FeedbackSelectIn, request.data)["claims"])
        feedback.claims_select_for_feedback(user=user, claims=claims)
        found = claim_details_for(user).in_bulk([c.pk for c in claims])
        return Response(s.ClaimSetOut({"claims": [found[c.pk] for c in claims]}).data)


class FeedbackRecordView(GenericAPIView[Claim]):
    permission_classes = [require_perms("claim.feedback_claim")]
    serializer_class = FeedbackIn
    queryset = Claim.objects.none()

    @extend_schema(
        request=FeedbackIn,
        responses={201: s.ClaimDetailOut, 400: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT, 409: OpenApiTypes.OBJECT},
    )
    def post(self, request: Request, uuid: str) -> Response:
        """Records the insuree's answers on a claim selected for feedback; the claim's feedback becomes Delivered."""
        user = acting_user(request)
        claim = get_object_or_404(Claim.objects.visible_to(user), uuid=uuid)
        feedback.feedback_record(user=user, claim=claim, **_validated(FeedbackIn, request.data))
        found = get_object_or_404(claim_details_for(user), pk=claim.pk)
        return Response(s.ClaimDetailOut(found).data, status=status.HTTP_201_CREATED)
