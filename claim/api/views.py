"""REST API for claims: entering one claim or a batch, submitting a set, tracking and deleting (reference sec. 6).

Everything is scoped by `Claim.objects.visible_to(user)`: a claim outside the caller's scope is a 404 in a URL, and
a 400 `not_found` naming its place (`claims.3`) in a body; a facility named in a body and not in the scope is a 400
naming `facility`. Writes go through `claim.services`, `claim.entry` and `claim.submission`, whose refusals (domain
errors naming the field) pass through the API's error handler unchanged.

- `POST /claims/` enters one claim. Retries are safe: the body's `uuid`, or else the `Idempotency-Key` header (a
  UUID), becomes the claim's uuid, and a claim already entered with it is returned as it is (200 instead of 201;
  the body of a retry is not compared). Retries arriving at the same moment give one claim (`claim_create`).
- `PUT /claims/{uuid}/` replaces an Entered claim (the body of `POST /claims/`, the same rules); once submitted a
  claim answers 409 `claim_not_editable`.
- `POST /claims/submit/` submits up to 1,000 Entered claims with one `claims_submit` call (the facts of the set are
  gathered together); the whole set is submitted or, on a refusal, none of it.
- `POST /claims/bulk/` enters up to 1,000 claims and submits them with one `claims_submit` call, in one
  transaction: every body is checked first (types, then the rules of `claim_create`, for the whole batch at once by
  `claims_enter`), and when any is refused the answer is a 400 with the errors of every refused claim keyed by its
  place (`claims.3.items.0.code`) and nothing is written. Idempotent per claim uuid: a claim already entered is
  returned as it is, and submitted only if it is still Entered, so that the same batch sent again answers the same.
"""

import uuid
from collections.abc import Sequence
from typing import Any

import django_filters
from django.db import transaction
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from location.models import HealthFacility
from openimis.accounts.models import User
from openimis.common.api import acting_user, require_perms
from openimis.common.exceptions import ApplicationError

from .. import services, submission
from ..entry import claim_args, claims_enter, facility_refused, referral_refused
from ..exceptions import ClaimStateError
from ..models import Claim, ClaimStatus, ReviewStatus
from ..selectors import facilities_by_ref, referrals_by_ref
from . import serializers as s
from .outcomes import ClaimOutcomeSetOut, outcomes

UUID_REGEX = "[0-9a-fA-F-]{36}"
IDEMPOTENCY_HEADER = "Idempotency-Key"


# --- reads ---------------------------------------------------------------------------------------------------


def claims_for(user: User) -> QuerySet[Claim]:
    return Claim.objects.visible_to(user).select_related("facility", "insuree")


def claim_details_for(user: User) -> QuerySet[Claim]:
    return (
        claims_for(user)
        .select_related(*services.DIAGNOSIS_FIELDS, "feedback", "referral_facility")
        .prefetch_related("items__item", "services__service", "flags")
    )


# --- helpers -------------------------------------------------------------------------------------------------


def _flat(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """Serializer errors keyed by their place: `items.0.code`, `claims.3.diagnoses.1`."""
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            place = prefix if key == "non_field_errors" else f"{prefix}{key}."
            out.update(_flat(value, place))
        return out
    if isinstance(detail, list):
        if all(not isinstance(v, dict | list) for v in detail):
            return {(prefix.rstrip(".") or "non_field_errors"): [str(v) for v in detail]} if detail else {}
        out = {}
        for i, value in enumerate(detail):
            out.update(_flat(value, f"{prefix}{i}."))
        return out
    return {(prefix.rstrip(".") or "non_field_errors"): [str(detail)]}


def _validated(serializer_class: Any, data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    if not serializer.is_valid():
        raise exceptions.ValidationError(_flat(serializer.errors))
    return dict(serializer.validated_data)


def _claim_uuid(body_uuid: uuid.UUID | None, header: str | None) -> uuid.UUID | None:
    if not header:
        return body_uuid
    try:
        key = uuid.UUID(header.strip())
    except ValueError:
        raise ApplicationError.for_field(IDEMPOTENCY_HEADER, _("Give a UUID.")) from None
    if body_uuid is not None and body_uuid != key:
        raise ApplicationError.for_field("uuid", _("Differs from the Idempotency-Key header."))
    return key


def _claims_by_uuid(user: User, keys: Sequence[uuid.UUID]) -> list[Claim]:
    """The claims named, in the order given (repeats once); those not found or not Entered are refused by place."""
    found = {c.uuid: c for c in Claim.objects.visible_to(user).filter(uuid__in=keys)}
    missing = {
        f"claims.{i}": [_("No claim with this uuid in your scope.")] for i, k in enumerate(keys) if k not in found
    }
    if missing:
        raise ApplicationError(next(iter(missing.values()))[0], fields=missing, code="not_found")
    done = {
        f"claims.{i}": [_("Already submitted: only Entered claims can be submitted.")]
        for i, k in enumerate(keys)
        if found[k].status != ClaimStatus.ENTERED
    }
    if done:
        raise ClaimStateError(next(iter(done.values()))[0], fields=done, code="claim_not_entered")
    return list({k: found[k] for k in keys}.values())


# --- views ---------------------------------------------------------------------------------------------------


def _referral(data: dict[str, Any]) -> HealthFacility | None:
    """The facility the body names as referred from or to (any facility), or None; an unknown one is refused."""
    ref = (data.get("referral_facility") or "").strip()
    if not ref:
        return None
    found = referrals_by_ref([ref]).get(ref)
    if found is None:
        raise ApplicationError.for_field("referral_facility", referral_refused()[0])
    return found


class ClaimFilter(django_filters.FilterSet):
    facility = django_filters.CharFilter(method="filter_facility", label="The facility's uuid or code")
    status = django_filters.TypedChoiceFilter(choices=ClaimStatus.choices, coerce=int)
    date_from_after = django_filters.DateFilter(
        field_name="date_from", lookup_expr="gte", label="Visit from, on or after"
    )
    date_from_before = django_filters.DateFilter(
        field_name="date_from", lookup_expr="lte", label="Visit from, on or before"
    )
    insurance_number = django_filters.CharFilter(field_name="insuree__insurance_number", label="The patient")
    review_status = django_filters.TypedChoiceFilter(choices=ReviewStatus.choices, coerce=int)
    updated_after = django_filters.IsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", label="Changed at or after (ISO date-time): to follow claims"
    )

    class Meta:
        model = Claim
        fields = [
            "facility",
            "status",
            "review_status",
            "date_from_after",
            "date_from_before",
            "insurance_number",
            "updated_after",
        ]

    def filter_facility(self, queryset: QuerySet[Claim], name: str, value: str) -> QuerySet[Claim]:
        text = value.strip()
        try:
            return queryset.filter(facility__uuid=uuid.UUID(text))
        except ValueError:
            return queryset.filter(facility__code__iexact=text)


class ClaimViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Claims of the facilities in the caller's scope, newest first, with their status and, once submitted, the
    decision on every line.

    Actions: `submit` (a set of Entered claims), `bulk` (enter and submit a batch); `PUT` replaces an Entered claim.
    """

    serializer_class = s.ClaimOut
    lookup_field = "uuid"
    lookup_value_regex = UUID_REGEX
    filterset_class = ClaimFilter
    queryset = Claim.objects.none()

    def get_queryset(self) -> QuerySet[Claim]:
        user = acting_user(self.request)
        return claims_for(user) if self.action == "list" else claim_details_for(user)

    def get_serializer_class(self) -> Any:
        return s.ClaimOut if self.action == "list" else s.ClaimDetailOut

    def _set(self, claims: Sequence[Claim]) -> Response:
        return Response(outcomes(claims))

    @extend_schema(
        request=s.ClaimIn,
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                OpenApiTypes.UUID,
                OpenApiParameter.HEADER,
                description="The claim's uuid when the body has none: a retry returns the same claim.",
            )
        ],
        responses={201: s.ClaimDetailOut, 200: OpenApiResponse(s.ClaimDetailOut, description="A retry.")},
    )
    def create(self, request: Request) -> Response:
        """Enters a claim (status Entered); a claim already entered with its uuid is returned as it is (200)."""
        user = acting_user(request)
        data = _validated(s.ClaimIn, request.data)
        data["uuid"] = _claim_uuid(data.get("uuid"), request.headers.get(IDEMPOTENCY_HEADER))
        facility = facilities_by_ref(user, [data["facility"]]).get(data["facility"])
        if facility is None:
            raise ApplicationError(facility_refused()[0], fields={"facility": facility_refused()}, code="not_found")
        retry = data["uuid"] is not None and Claim.objects.filter(uuid=data["uuid"]).exists()
        claim = services.claim_create(user=user, **claim_args(data, facility, _referral(data)))
        found = get_object_or_404(claim_details_for(user), pk=claim.pk)
        return Response(s.ClaimDetailOut(found).data, status=status.HTTP_200_OK if retry else status.HTTP_201_CREATED)

    @extend_schema(
        request=s.ClaimIn,
        responses={200: s.ClaimDetailOut, 400: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT, 409: OpenApiTypes.OBJECT},
    )
    def update(self, request: Request, uuid: str) -> Response:
        """Replaces an Entered claim: the body is the one that enters a claim, checked by the same rules, and its lines
        replace the claim's. The facility stays the claim's (another answers 400 `facility`), a `uuid` in the body is
        the claim's, and a claim date left out keeps the claim's. Once submitted the claim answers 409
        `claim_not_editable`. All of it is saved, or nothing."""
        user = acting_user(request)
        claim = get_object_or_404(Claim.objects.visible_to(user), uuid=uuid)
        if not claim.is_editable:
            raise ClaimStateError(_("A submitted claim cannot be changed."), code="claim_not_editable")
        data = _validated(s.ClaimIn, request.data)
        if data.get("uuid") not in (None, claim.uuid):
            raise ApplicationError.for_field("uuid", _("Differs from the claim's uuid in the URL."))
        if facilities_by_ref(user, [data["facility"]]).get(data["facility"]) != claim.facility:
            raise ApplicationError.for_field("facility", _("A claim stays at its health facility."))
        args = claim_args(data, claim.facility, _referral(data))
        args["date_claimed"] = data.get("date_claimed") or claim.date_claimed
        del args["facility"], args["claim_uuid"]
        services.claim_update(user=user, claim=claim, **args)
        return Response(s.ClaimDetailOut(get_object_or_404(claim_details_for(user), pk=claim.pk)).data)

    @extend_schema(responses={204: None, 409: OpenApiTypes.OBJECT})
    def destroy(self, request: Request, uuid: str) -> Response:
        """Deletes an Entered claim entered by mistake; a submitted claim answers 409."""
        claim = get_object_or_404(Claim.objects.visible_to(acting_user(request)), uuid=uuid)
        services.claim_delete(user=acting_user(request), claim=claim)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=s.ClaimRefsIn, responses={200: ClaimOutcomeSetOut, 409: OpenApiTypes.OBJECT})
    @action(detail=False, methods=["post"], permission_classes=[require_perms("claim.submit_claim")])
    def submit(self, request: Request) -> Response:
        """Submits Entered claims together: each is checked (Checked or Rejected) with the decision on every line.
        A claim not found answers 400 `not_found`, one already submitted 409, naming its place (`claims.3`)."""
        user = acting_user(request)
        claims = _claims_by_uuid(user, _validated(s.ClaimRefsIn, request.data)["claims"])
        submission.claims_submit(user=user, claims=claims)
        return self._set(claims)

    @extend_schema(request=s.ClaimBulkIn, responses={200: ClaimOutcomeSetOut})
    @action(detail=False, methods=["post"], permission_classes=[require_perms("claim.add_claim", "claim.submit_claim")])
    def bulk(self, request: Request) -> Response:
        """Enters a batch of claims and submits them together, all or nothing; each claim's outcome in order."""
        user = acting_user(request)
        bodies = [dict(b) for b in _validated(s.ClaimBulkIn, request.data)["claims"]]
        with transaction.atomic():
            claims = claims_enter(user=user, bodies=bodies)
            entered = [c for c in claims if c.status == ClaimStatus.ENTERED]
            if entered:
                submission.claims_submit(user=user, claims=entered)
        return self._set(claims)
