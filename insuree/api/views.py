from typing import Any

import django_filters
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from location.models import HealthFacility, Location
from openimis.accounts.models import User
from openimis.common.api import acting_user, require_perms
from openimis.common.exceptions import ApplicationError

from .. import selectors, services
from ..models import Family, Insuree, PhotoSource
from . import serializers as s


def _village(user: User, uuid: Any, field: str) -> Location | None:
    if uuid is None:
        return None
    village = Location.objects.visible_to(user).filter(uuid=uuid).first()
    if village is None:
        raise ApplicationError.for_field(field, _("No village with this uuid in your scope."), code="not_found")
    return village


def _person(user: User, data: dict[str, Any], prefix: str) -> dict[str, Any]:
    values = dict(data)
    if "current_village" in values:
        values["current_village"] = _village(user, values["current_village"], f"{prefix}current_village")
    if "first_health_facility" in values and values["first_health_facility"] is not None:
        facility = HealthFacility.objects.visible_to(user).filter(uuid=values["first_health_facility"]).first()
        if facility is None:
            raise ApplicationError.for_field(f"{prefix}first_health_facility", _("No such health facility."))
        values["first_health_facility"] = facility
    return values


def _validated(serializer: Any) -> dict[str, Any]:
    """Input errors as dotted fields (`members.2.dob`), like the domain errors of the services."""
    if serializer.is_valid():
        return dict(serializer.validated_data)
    fields: dict[str, list[str]] = {}

    def walk(prefix: str, errors: Any) -> None:
        if isinstance(errors, dict):
            for key, value in errors.items():
                walk(f"{prefix}{key}.", value)
        elif isinstance(errors, list) and errors and all(isinstance(e, dict) for e in errors):
            for i, value in enumerate(errors):
                walk(f"{prefix}{i}.", value)
        elif isinstance(errors, list):
            fields[prefix.rstrip(".")] = [str(e) for e in errors]

    walk("", serializer.errors)
    raise ApplicationError(_("The input is not valid; see fields."), fields=fields, code="invalid")


class FamilyFilter(django_filters.FilterSet):
    village = django_filters.UUIDFilter(field_name="village__uuid")
    search = django_filters.CharFilter(method="filter_search", label="Any member's insurance number, name or phone")

    class Meta:
        model = Family
        fields = ["village", "search"]

    def filter_search(self, queryset: QuerySet[Family], name: str, value: str) -> QuerySet[Family]:
        return queryset.filter(pk__in=selectors.families_for(acting_user(self.request), q=value).values("pk"))


class FamilyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Families of villages in the caller's scope; `search` matches any member's number, name or phone."""

    serializer_class = s.FamilyOut
    lookup_field = "uuid"
    filterset_class = FamilyFilter
    queryset = Family.objects.none()

    def get_queryset(self) -> QuerySet[Family]:
        return selectors.families_for(acting_user(self.request))

    def get_serializer_class(self) -> Any:
        return s.FamilyDetailOut if self.action == "retrieve" else s.FamilyOut

    @extend_schema(request=s.FamilyRegisterIn, responses={201: s.FamilyRegisteredOut})
    def create(self, request: Request) -> Response:
        """Registers a family with its head and members in one go; empty insurance numbers are generated."""
        user = acting_user(request)
        data = _validated(s.FamilyRegisterIn(data=request.data))
        head = _person(user, data.pop("head"), "head.")
        members = [_person(user, m, f"members.{i}.") for i, m in enumerate(data.pop("members", []))]
        village = _village(user, data.pop("village"), "village")
        result = services.family_register(user=user, village=village, head=head, members=members, **data)
        body = s.FamilyDetailOut(result.family).data
        return Response({**body, "warnings": result.warnings}, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.FamilyFieldsIn, responses=s.FamilyOut)
    def partial_update(self, request: Request, uuid: str) -> Response:
        user = acting_user(request)
        family = get_object_or_404(self.get_queryset(), uuid=uuid)
        data = _validated(s.FamilyFieldsIn(data=request.data, partial=True))
        if "village" in data:
            data["village"] = _village(user, data["village"], "village")
        family = services.family_update(user=user, family=family, **data)
        return Response(s.FamilyOut(family).data)


class InsureeFilter(django_filters.FilterSet):
    insurance_number = django_filters.CharFilter(field_name="insurance_number")
    family = django_filters.UUIDFilter(field_name="family__uuid")
    search = django_filters.CharFilter(method="filter_search", label="Insurance number (exact), names or phone")

    class Meta:
        model = Insuree
        fields = ["insurance_number", "family", "gender", "status", "search"]

    def filter_search(self, queryset: QuerySet[Insuree], name: str, value: str) -> QuerySet[Insuree]:
        return queryset.filter(pk__in=selectors.insurees_for(acting_user(self.request), q=value).values("pk"))


class InsureeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Insurees in the caller's scope; `search` matches the insurance number (exact), names or phone."""

    serializer_class = s.InsureeOut
    lookup_field = "uuid"
    filterset_class = InsureeFilter
    queryset = Insuree.objects.none()

    def get_queryset(self) -> QuerySet[Insuree]:
        return selectors.insurees_for(acting_user(self.request)).select_related(
            "current_village", "first_health_facility"
        )

    @extend_schema(request=s.PersonIn, responses=s.InsureeOut)
    def partial_update(self, request: Request, uuid: str) -> Response:
        user = acting_user(request)
        insuree = get_object_or_404(self.get_queryset(), uuid=uuid)
        data = _person(user, _validated(s.PersonIn(data=request.data, partial=True)), "")
        insuree = services.insuree_update(user=user, insuree=insuree, **data)
        return Response(s.InsureeOut(insuree).data)

    @extend_schema(request={"multipart/form-data": s.PhotoIn}, responses=s.InsureeOut)
    @action(
        detail=True,
        methods=["post"],
        parser_classes=[MultiPartParser, FormParser],
        permission_classes=[require_perms("insuree.change_insuree")],
    )
    def photo(self, request: Request, uuid: str) -> Response:
        """Sets the photo: JPEG, PNG or WebP, at most 5 MB; stored as a JPEG of at most 600 x 800."""
        insuree = get_object_or_404(self.get_queryset(), uuid=uuid)
        data = _validated(s.PhotoIn(data=request.data))
        insuree = services.insuree_set_photo(
            user=acting_user(request), insuree=insuree, file=data["photo"], source=PhotoSource.API
        )
        return Response(s.InsureeOut(insuree).data)
