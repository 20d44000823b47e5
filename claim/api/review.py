"""REST API for the review of claims by medical officers (reference sec. 6.7), for review tools outside the pages.

- `GET /claims/review/queue/` the claims waiting for a reviewer (Checked, selected), first submitted first, each
  with its flags explained in the caller's language; filters `facility` (uuid), `visit_from`, `visit_to`,
  `amount_min`, `amount_max`, `flag` (a flag code).
- `POST /claims/{uuid}/review/` {"lines": [{"kind", "code", "passed", "qty_approved", "price_approved",
  "justification"}], "adjustment", "approve"} saves a reviewer's decisions (`claim.review_claim`); with
  `approve` the review is delivered and the claim goes on to processing. Errors name `lines.N.field`.
- `POST /claims/{uuid}/reject/` {"justification"} rejects every line of the claim.
- `POST /claims/review/approve/`, `/claims/review/bypass/` {"claims": [uuid]} approve as checked, or send on
  without review, a set of claims; `POST /claims/review/select/` (`claim.select_claim`) puts claims in the queue.
A claim out of scope is a 404 in a URL and a 400 `not_found` naming its place in a body; a claim not waiting for
a review answers 409 `claim_not_reviewable`. Writes go through `claim.review`.
"""

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from openimis.common.api import acting_user, require_perms

from .. import review, selectors
from ..models import Claim, FlagCode
from . import serializers as s
from .feedback import _claims_by_uuid
from .views import _validated, claim_details_for


class LineDecisionIn(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=[("item", "item"), ("service", "service")])
    code = serializers.CharField(max_length=6, help_text="The item's (service's) code on the claim.")
    passed = serializers.BooleanField(default=True, help_text="False rejects the line (a justification is needed).")
    qty_approved = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True, help_text="0 to the quantity provided."
    )
    price_approved = serializers.DecimalField(
        max_digits=18, decimal_places=2, required=False, allow_null=True, help_text="0 to the price used."
    )
    justification = serializers.CharField(max_length=250, required=False, allow_blank=True, default="")


class ReviewIn(serializers.Serializer[Any]):
    lines = LineDecisionIn(many=True, required=False, default=list)
    adjustment = serializers.CharField(required=False, allow_blank=True, allow_null=True, default=None)
    approve = serializers.BooleanField(default=False, help_text="Deliver the review: the claim goes to processing.")


class RejectIn(serializers.Serializer[Any]):
    justification = serializers.CharField(allow_blank=True, help_text="Why the claim is rejected (required).")


class ClaimSetIn(serializers.Serializer[Any]):
    claims = serializers.ListField(child=serializers.UUIDField(), min_length=1, max_length=s.MAX_CLAIMS)


class QueuedClaimOut(s.ClaimOut):
    flags = s.FlagOut(many=True, source="flags.all")


class ReviewQueueFilter(serializers.Serializer[Any]):
    facility = serializers.UUIDField(required=False)
    visit_from = serializers.DateField(required=False)
    visit_to = serializers.DateField(required=False)
    amount_min = serializers.DecimalField(max_digits=18, decimal_places=2, required=False, min_value=0)
    amount_max = serializers.DecimalField(max_digits=18, decimal_places=2, required=False, min_value=0)
    flag = serializers.ChoiceField(choices=FlagCode.choices, required=False)


class ReviewQueueView(ListAPIView[Claim]):
    """Claims waiting for a reviewer, first submitted first, with their flags explained."""

    permission_classes = [require_perms("claim.review_claim")]
    serializer_class = QueuedClaimOut
    queryset = Claim.objects.none()

    @extend_schema(parameters=[ReviewQueueFilter])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        user = acting_user(self.request)
        given = _validated(ReviewQueueFilter, self.request.query_params)
        if "facility" in given:
            given["facility"] = get_object_or_404(selectors.claim_facilities(user), uuid=given["facility"])
        return selectors.review_queue(user, **given)


def _one(request: Request, uuid: str) -> Claim:
    return get_object_or_404(Claim.objects.visible_to(acting_user(request)), uuid=uuid)


def _detail(request: Request, claim: Claim) -> Response:
    found = get_object_or_404(claim_details_for(acting_user(request)), pk=claim.pk)
    return Response(s.ClaimDetailOut(found).data)


class ClaimReviewView(GenericAPIView[Claim]):
    permission_classes = [require_perms("claim.review_claim")]
    serializer_class = ReviewIn
    queryset = Claim.objects.none()

    @extend_schema(
        request=ReviewIn, responses={200: s.ClaimDetailOut, 400: OpenApiTypes.OBJECT, 409: OpenApiTypes.OBJECT}
    )
    def post(self, request: Request, uuid: str) -> Response:
        """Saves the reviewer's decisions on a claim's lines; `approve` delivers the review."""
        data = _validated(ReviewIn, request.data)
        claim = review.claim_review(
            user=acting_user(request),
            claim=_one(request, uuid),
            lines=[review.LineDecision(**line) for line in data["lines"]],
            adjustment=data["adjustment"],
            approve=data["approve"],
        )
        return _detail(request, claim)


class ClaimRejectView(GenericAPIView[Claim]):
    permission_classes = [require_perms("claim.review_claim")]
    serializer_class = RejectIn
    queryset = Claim.objects.none()

    @extend_schema(
        request=RejectIn, responses={200: s.ClaimDetailOut, 400: OpenApiTypes.OBJECT, 409: OpenApiTypes.OBJECT}
    )
    def post(self, request: Request, uuid: str) -> Response:
        """Rejects every line of a claim waiting for review, with the reason."""
        data = _validated(RejectIn, request.data)
        claim = review.claim_reject(
            user=acting_user(request), claim=_one(request, uuid), justification=data["justification"]
        )
        return _detail(request, claim)


def _set_view(action: Any, perm: str, doc: str) -> type[GenericAPIView[Claim]]:
    class SetView(GenericAPIView[Claim]):
        permission_classes = [require_perms(perm)]
        serializer_class = ClaimSetIn
        queryset = Claim.objects.none()

        @extend_schema(
            request=ClaimSetIn,
            responses={200: s.ClaimSetOut, 400: OpenApiTypes.OBJECT, 409: OpenApiTypes.OBJECT},
            description=doc,
        )
        def post(self, request: Request) -> Response:
            user = acting_user(request)
            claims = _claims_by_uuid(user, _validated(ClaimSetIn, request.data)["claims"])
            action(user=user, claims=claims)
            found = claim_details_for(user).in_bulk([c.pk for c in claims])
            return Response(s.ClaimSetOut({"claims": [found[c.pk] for c in claims]}).data)

    SetView.__name__ = SetView.__qualname__ = f"{action.__name__.title().replace('_', '')}View"
    return SetView


ApproveView = _set_view(review.claims_approve, "claim.review_claim", "Approves claims waiting for review as checked.")
BypassView = _set_view(review.claims_bypass_review, "claim.review_claim", "Sends claims to processing unreviewed.")
SelectView = _set_view(review.claims_select_for_review, "claim.select_claim", "Puts checked claims in the queue.")
