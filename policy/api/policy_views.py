"""REST API for policies, contributions, renewal reminders and eligibility (reference sec. 4, 5).

Everything is scoped by `visible_to(user)`: a policy or contribution outside the caller's scope is a 404, a family,
product, policy or payer named in a body and not found in the scope is a 400 naming the field. Writes go through
`policy.enrolment` and `policy.contributions`, whose refusals (domain errors naming the field) pass through the
API's error handler unchanged.

`GET /eligibility/` answers facility systems many times a day: a plain view and a hand-written answer; beyond
authentication, permissions and scope (five queries with a token), the person, their covers with policy and product,
and the product line per policy only when an item or service is asked.
A forged card answers 200 with `authentic: false` and no insuree, so that it can be told apart from an unknown
number (404 `not_found`).
"""

from datetime import date, timedelta
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from insuree import signing
from insuree.models import Family
from openimis.accounts.models import User
from openimis.common.api import acting_user, require_perms
from openimis.common.exceptions import ApplicationError, NotFoundError, PermissionDeniedError
from payer.models import Payer

from .. import contributions, enrolment
from ..eligibility import Eligibility, eligibility
from ..models import Contribution, Policy, PolicyRenewal, PolicyStage, PolicyStatus, Product, ReminderStatus
from . import policy_queries as q
from . import policy_serializers as s

UUID_REGEX = "[0-9a-fA-F-]{36}"


def _validated(serializer_class: Any, data: Any, **kwargs: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _not_found(field: str, message: str) -> ApplicationError:
    return ApplicationError.for_field(field, message, code="not_found")


def _family(user: User, key: Any) -> Family:
    family = q.family_by_uuid(user, key)
    if family is None:
        raise _not_found("family", _("No family with this uuid in your scope."))
    return family


def _product(user: User, ref: str) -> Product:
    product = q.product_by_ref(user, ref)
    if product is None:
        raise _not_found("product", _("No product with this uuid or code."))
    return product


def _optional_product(user: User, ref: str | None) -> Product | None:
    return None if ref is None else _product(user, ref)


def _officer(username: str | None) -> User | None:
    if username is None:
        return None
    officer = q.officer_by_username(username)
    if officer is None:
        raise _not_found("officer", _("No active user with this username."))
    return officer


def _quote_product(user: User, ref: str | None, previous: Policy | None, enroll_date: date) -> Product:
    """The product named, or for a renewal the one `policy_renew` would choose."""
    if ref is not None:
        return _product(user, ref)
    if previous is None:
        raise ApplicationError.for_field("product", _("This field is required."))
    product = enrolment.renewal_product(previous, max(enroll_date, previous.expiry_date + timedelta(days=1)))
    if product is None:
        raise ApplicationError.for_field(
            "product", _("Neither this product nor a conversion product is sold on the renewal date.")
        )
    return product


def _policy_ref(user: User, key: Any, field: str = "policy") -> Policy:
    policy = q.policy_by_uuid(user, key)
    if policy is None:
        raise _not_found(field, _("No policy with this uuid in your scope."))
    return policy


class PolicyFilter(django_filters.FilterSet):
    family = django_filters.UUIDFilter(field_name="family__uuid")
    insurance_number = django_filters.CharFilter(
        method="filter_number", label="Policies of the family of this person, or covering them"
    )
    product = django_filters.CharFilter(field_name="product__code", lookup_expr="iexact", label="Product code")
    status = django_filters.TypedChoiceFilter(choices=PolicyStatus.choices, coerce=int)
    stage = django_filters.ChoiceFilter(choices=PolicyStage.choices)
    expiring_within = django_filters.NumberFilter(
        method="filter_expiring", min_value=0, max_value=3660, label="Expiring between today and today + this many days"
    )
    idle_unpaid = django_filters.BooleanFilter(method="filter_idle_unpaid", label="Idle with something still due")

    class Meta:
        model = Policy
        fields = ["family", "insurance_number", "product", "status", "stage", "expiring_within", "idle_unpaid"]

    def filter_number(self, queryset: QuerySet[Policy], name: str, value: str) -> QuerySet[Policy]:
        return q.filter_policies(queryset, insurance_number=value)

    def filter_expiring(self, queryset: QuerySet[Policy], name: str, value: int) -> QuerySet[Policy]:
        return q.filter_policies(queryset, expiring_within=int(value))

    def filter_idle_unpaid(self, queryset: QuerySet[Policy], name: str, value: bool) -> QuerySet[Policy]:
        return q.filter_policies(queryset, idle_unpaid=value)


class PolicyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Policies of the families in the caller's scope, with what is paid and still due.

    Actions: `quote` (the terms of a policy, nothing saved), `renew`, `suspend`, `resume`, `activate`.
    """

    serializer_class = s.PolicyOut
    lookup_field = "uuid"
    lookup_value_regex = UUID_REGEX
    filterset_class = PolicyFilter
    queryset = Policy.objects.none()

    def get_queryset(self) -> QuerySet[Policy]:
        user = acting_user(self.request)
        return q.policies_for(user) if self.action == "list" else q.policy_details_for(user)

    def get_serializer_class(self) -> Any:
        return s.PolicyOut if self.action == "list" else s.PolicyDetailOut

    def _get(self, uuid: str) -> Policy:
        return get_object_or_404(q.policies_for(acting_user(self.request)), uuid=uuid)

    def _out(self, policy: Policy, code: int = status.HTTP_200_OK, warnings: list[str] | None = None) -> Response:
        found = get_object_or_404(q.policy_details_for(acting_user(self.request)), pk=policy.pk)
        body: dict[str, Any] = dict(s.PolicyDetailOut(found).data)
        if warnings is not None:
            body["warnings"] = [str(w) for w in warnings]
        return Response(body, status=code)

    @extend_schema(request=s.PolicyCreateIn, responses={201: s.PolicyResultOut})
    def create(self, request: Request) -> Response:
        """Sells a new policy (stage N, status Idle) to a family; it becomes active once paid."""
        user = acting_user(request)
        data = _validated(s.PolicyCreateIn, request.data)
        result = enrolment.policy_create(
            user=user,
            family=_family(user, data["family"]),
            product=_product(user, data["product"]),
            enroll_date=data["enroll_date"],
            officer=_officer(data.get("officer")),
        )
        return self._out(result.policy, status.HTTP_201_CREATED, result.warnings)

    @extend_schema(request=s.PolicyUpdateIn, responses=s.PolicyResultOut)
    def partial_update(self, request: Request, uuid: str) -> Response:
        """Changes an Idle policy's enrolment date or officer; dates, value and cover are recomputed."""
        policy = self._get(uuid)
        data = _validated(s.PolicyUpdateIn, request.data)
        result = enrolment.policy_update(
            user=acting_user(request),
            policy=policy,
            enroll_date=data.get("enroll_date"),
            officer=_officer(data.get("officer")),
        )
        return self._out(result.policy, warnings=result.warnings)

    @extend_schema(responses={204: None, 409: OpenApiTypes.OBJECT})
    def destroy(self, request: Request, uuid: str) -> Response:
        """Deletes an Idle policy entered by mistake; one with contributions answers 409."""
        enrolment.policy_delete(user=acting_user(request), policy=self._get(uuid))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=s.QuoteIn, responses=s.QuoteOut)
    @action(detail=False, methods=["post"], permission_classes=[require_perms("policy.view_policy")])
    def quote(self, request: Request) -> Response:
        """What a new policy (stage N) or a renewal (stage R) would be, computed as the sale would; nothing saved."""
        user = acting_user(request)
        data = _validated(s.QuoteIn, request.data)
        renewal = data["stage"] == PolicyStage.RENEWAL
        if not user.has_perm("policy.renew_policy" if renewal else "policy.add_policy"):
            raise PermissionDeniedError(_("You do not have the permission to do this."))
        family = _family(user, data["family"])
        previous = _policy_ref(user, data["previous"], "previous") if renewal else None
        if previous is not None and previous.family_id != family.pk:
            raise ApplicationError.for_field("previous", _("This policy is not the family's."))
        product = _quote_product(user, data.get("product"), previous, data["enroll_date"])
        # the rules the sale applies (product sold in the family's area on that date, no future date)
        enrolment.check_terms(user, family=family, product=product, enroll_date=data["enroll_date"])
        terms = enrolment.quote(
            family=family, product=product, stage=data["stage"], enroll_date=data["enroll_date"], previous=previous
        )
        return Response(s.QuoteOut(terms).data)

    @extend_schema(request=s.PolicyRenewIn, responses={201: s.PolicyResultOut})
    @action(detail=True, methods=["post"], permission_classes=[require_perms("policy.renew_policy")])
    def renew(self, request: Request, uuid: str) -> Response:
        """Renews an Active or Expired policy (stage R): the new policy starts after this one ends."""
        user = acting_user(request)
        previous = self._get(uuid)
        data = _validated(s.PolicyRenewIn, request.data)
        result = enrolment.policy_renew(
            user=user,
            previous=previous,
            enroll_date=data["enroll_date"],
            product=_optional_product(user, data.get("product")),
            officer=_officer(data.get("officer")),
        )
        return self._out(result.policy, status.HTTP_201_CREATED, result.warnings)

    @extend_schema(request=s.ReasonIn, responses=s.PolicyDetailOut)
    @action(detail=True, methods=["post"], permission_classes=[require_perms("policy.suspend_policy")])
    def suspend(self, request: Request, uuid: str) -> Response:
        """Suspends an Idle, Active or Ready policy: nobody is covered by it until it is resumed."""
        policy = self._get(uuid)
        data = _validated(s.ReasonIn, request.data)
        return self._out(enrolment.policy_suspend(user=acting_user(request), policy=policy, reason=data["reason"]))

    @extend_schema(request=None, responses=s.PolicyDetailOut)
    @action(detail=True, methods=["post"], permission_classes=[require_perms("policy.suspend_policy")])
    def resume(self, request: Request, uuid: str) -> Response:
        """A suspended policy is Active again when paid, Idle otherwise, Expired once past its expiry date."""
        return self._out(enrolment.policy_resume(user=acting_user(request), policy=self._get(uuid)))

    @extend_schema(request=None, responses=s.PolicyDetailOut)
    @action(detail=True, methods=["post"], permission_classes=[require_perms("policy.activate_policy")])
    def activate(self, request: Request, uuid: str) -> Response:
        """A Ready policy (paid, waiting for activation) becomes Active."""
        return self._out(enrolment.policy_activate(user=acting_user(request), policy=self._get(uuid)))


class PolicyRenewalFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=ReminderStatus.choices, method="filter_status", label="Default: P (to contact)"
    )
    renewal_date_from = django_filters.DateFilter(field_name="renewal_date", lookup_expr="gte")
    renewal_date_to = django_filters.DateFilter(field_name="renewal_date", lookup_expr="lte")

    class Meta:
        model = PolicyRenewal
        fields = ["status", "renewal_date_from", "renewal_date_to"]

    def filter_status(self, queryset: QuerySet[PolicyRenewal], name: str, value: str) -> QuerySet[PolicyRenewal]:
        return queryset.filter(status=value)


class PolicyRenewalViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Renewal reminders of policies that expire soon, those to contact by default (`status=P`)."""

    serializer_class = s.PolicyRenewalOut
    filterset_class = PolicyRenewalFilter
    queryset = PolicyRenewal.objects.none()

    def get_queryset(self) -> QuerySet[PolicyRenewal]:
        user = acting_user(self.request)
        if self.request.query_params.get("status"):
            return q.renewals_for(user)
        return q.pending_renewals_for(user)


class ContributionFilter(django_filters.FilterSet):
    policy = django_filters.UUIDFilter(field_name="policy__uuid")
    receipt = django_filters.CharFilter(field_name="receipt", lookup_expr="iexact")
    pay_date_from = django_filters.DateFilter(field_name="pay_date", lookup_expr="gte")
    pay_date_to = django_filters.DateFilter(field_name="pay_date", lookup_expr="lte")
    cancelled = django_filters.BooleanFilter(field_name="cancelled_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Contribution
        fields = ["policy", "receipt", "pay_date_from", "pay_date_to", "cancelled"]


class ContributionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Contributions (payments) to the policies of the caller's scope, newest first; cancelled ones are kept."""

    serializer_class = s.ContributionOut
    lookup_field = "uuid"
    lookup_value_regex = UUID_REGEX
    filterset_class = ContributionFilter
    queryset = Contribution.objects.none()

    def get_queryset(self) -> QuerySet[Contribution]:
        return q.contributions_for(acting_user(self.request))

    def _result(self, result: contributions.ContributionResult, code: int = status.HTTP_200_OK) -> Response:
        result.contribution = get_object_or_404(self.get_queryset(), pk=result.contribution.pk)
        return Response(s.contribution_result(result), status=code)

    @extend_schema(request=s.ContributionIn, responses={201: s.ContributionResultOut, 409: OpenApiTypes.OBJECT})
    def create(self, request: Request) -> Response:
        """Records a payment; the policy becomes active (or ready) when its value is paid. A policy that is
        expired or suspended answers 409 `policy_not_current`."""
        user = acting_user(request)
        data = _validated(s.ContributionIn, request.data)
        data["policy"] = _policy_ref(user, data["policy"])
        payer = data.pop("payer", None)
        if payer is not None:
            data["payer"] = Payer.objects.visible_to(user).filter(uuid=payer).first()
            if data["payer"] is None:
                raise _not_found("payer", _("No payer with this uuid in your scope."))
        result = contributions.contribution_record(user=user, **data)
        return self._result(result, status.HTTP_201_CREATED)

    @extend_schema(request=s.ReasonIn, responses=s.ContributionResultOut)
    @action(detail=True, methods=["post"], permission_classes=[require_perms("policy.cancel_contribution")])
    def cancel(self, request: Request, uuid: str) -> Response:
        """Cancels a payment (kept, with who, when and why); a policy no longer paid is Idle again."""
        contribution = get_object_or_404(self.get_queryset(), uuid=uuid)
        data = _validated(s.ReasonIn, request.data)
        result = contributions.contribution_cancel(
            user=acting_user(request), contribution=contribution, reason=data["reason"]
        )
        return self._result(result)


class EligibilityView(APIView):
    """Is this person covered on a day, and what is left? By insurance number or by a card's signed QR payload."""

    permission_classes = [require_perms("insuree.enquire_insuree")]

    @extend_schema(
        parameters=[s.EligibilityQuery],
        responses={
            200: s.EligibilityOut,
            404: OpenApiResponse(OpenApiTypes.OBJECT, description="`not_found`: no such person in your scope."),
        },
    )
    def get(self, request: Request) -> Response:
        data = _validated(s.EligibilityQuery, request.query_params)
        card = data["card"]
        if card and not signing.looks_signed(card):  # a card without a signature is not authentic
            unsigned = Eligibility(query=card, on=data.get("on") or timezone.localdate(), authentic=False)
            return Response(s.eligibility_body(unsigned))
        result = eligibility(
            acting_user(request), card or data["number"], on=data.get("on"), item=data["item"], service=data["service"]
        )
        if result.insuree is None and not result.forged:
            field = "card" if card else "number"
            message = _("No insuree with this number in your scope.")
            raise NotFoundError(message, fields={field: [message]})
        return Response(s.eligibility_body(result))
