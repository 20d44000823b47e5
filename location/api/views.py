from typing import Any

import django_filters
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from openimis.common.api import acting_user, require_perms
from openimis.common.api_jobs import JobOut
from openimis.common.exceptions import ApplicationError

from .. import services
from ..models import HealthFacility, Location
from . import serializers as s


class LocationFilter(django_filters.FilterSet):
    parent = django_filters.UUIDFilter(field_name="parent__uuid")
    code = django_filters.CharFilter(field_name="code", lookup_expr="iexact")
    name = django_filters.CharFilter(field_name="name", lookup_expr="icontains")
    within = django_filters.UUIDFilter(method="filter_within", label="Locations below this one (by uuid)")

    class Meta:
        model = Location
        fields = ["type", "is_active", "parent", "code", "name"]

    def filter_within(self, queryset: QuerySet[Location], name: str, value: Any) -> QuerySet[Location]:
        root = Location.objects.filter(uuid=value).first()
        if root is None:
            return queryset.none()
        return queryset.filter(path__startswith=root.path).exclude(pk=root.pk)


def _visible_location(request: Request, uuid: Any, field: str) -> Location:
    location = Location.objects.visible_to(acting_user(request)).filter(uuid=uuid).first()
    if location is None:
        raise ApplicationError.for_field(field, "No location with this uuid in your scope.", code="not_found")
    return location


class LocationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Administrative locations within the caller's scope."""

    serializer_class = s.LocationOut
    lookup_field = "uuid"
    filterset_class = LocationFilter
    queryset = Location.objects.none()

    def get_queryset(self) -> QuerySet[Location]:
        return Location.objects.visible_to(acting_user(self.request)).select_related("parent").order_by("path")

    @extend_schema(request=s.LocationCreateIn, responses={201: s.LocationOut})
    def create(self, request: Request) -> Response:
        data = s.LocationCreateIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        parent_uuid = values.pop("parent", None)
        parent = _visible_location(request, parent_uuid, "parent") if parent_uuid else None
        location = services.location_create(user=acting_user(request), parent=parent, **values)
        return Response(s.LocationOut(location).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.LocationUpdateIn, responses=s.LocationOut)
    def partial_update(self, request: Request, uuid: str) -> Response:
        location = get_object_or_404(self.get_queryset(), uuid=uuid)
        data = s.LocationUpdateIn(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        location = services.location_update(user=acting_user(request), location=location, **data.validated_data)
        return Response(s.LocationOut(location).data)

    @extend_schema(request=s.LocationMoveIn, responses=s.LocationOut)
    @action(detail=True, methods=["post"], permission_classes=[require_perms("location.change_location")])
    def move(self, request: Request, uuid: str) -> Response:
        location = get_object_or_404(self.get_queryset(), uuid=uuid)
        data = s.LocationMoveIn(data=request.data)
        data.is_valid(raise_exception=True)
        parent = _visible_location(request, data.validated_data["parent"], "parent")
        location = services.location_move(user=acting_user(request), location=location, new_parent=parent)
        return Response(s.LocationOut(location).data)

    @extend_schema(request=s.ImportIn, responses={202: JobOut})
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[MultiPartParser],
        permission_classes=[require_perms("location.import_locations", "location.add_location")],
    )
    def import_csv(self, request: Request) -> Response:
        """Queues the import of a CSV file of locations; poll the returned job until it has finished."""
        data = s.ImportIn(data=request.data)
        data.is_valid(raise_exception=True)
        job = services.locations_import_start(user=acting_user(request), upload=data.validated_data["file"])
        return Response(JobOut(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses=s.DeactivateOut)
    @action(detail=True, methods=["post"], permission_classes=[require_perms("location.change_location")])
    def deactivate(self, request: Request, uuid: str) -> Response:
        location = get_object_or_404(self.get_queryset(), uuid=uuid)
        count = services.location_deactivate(user=acting_user(request), location=location)
        return Response({"deactivated": count})


class FacilityFilter(django_filters.FilterSet):
    district = django_filters.UUIDFilter(field_name="district__uuid")
    code = django_filters.CharFilter(field_name="code", lookup_expr="iexact")
    name = django_filters.CharFilter(field_name="name", lookup_expr="icontains")

    class Meta:
        model = HealthFacility
        fields = ["level", "status", "care_type", "legal_form", "district", "code", "name"]


class HealthFacilityViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Health facilities within the caller's scope."""

    serializer_class = s.FacilityOut
    lookup_field = "uuid"
    filterset_class = FacilityFilter
    queryset = HealthFacility.objects.none()

    def get_queryset(self) -> QuerySet[HealthFacility]:
        return (
            HealthFacility.objects.visible_to(acting_user(self.request))
            .select_related("district")
            .prefetch_related("catchments__village")
            .order_by("code")
        )

    def _values(self, request: Request, partial: bool) -> tuple[dict[str, Any], list[services.CatchmentRow] | None]:
        data = s.FacilityIn(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "district" in values:
            values["district"] = _visible_location(request, values["district"], "district")
        rows = None
        if "catchments" in values:
            rows = [
                services.CatchmentRow(_visible_location(request, c["village"], "catchments"), c["percentage"])
                for c in values.pop("catchments")
            ]
        return values, rows

    @extend_schema(request=s.FacilityIn, responses={201: s.FacilityOut})
    def create(self, request: Request) -> Response:
        values, rows = self._values(request, partial=False)
        facility = services.facility_create(user=acting_user(request), catchments=rows, **values)
        return Response(s.FacilityOut(facility).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.FacilityIn, responses=s.FacilityOut)
    def partial_update(self, request: Request, uuid: str) -> Response:
        facility = get_object_or_404(self.get_queryset(), uuid=uuid)
        values, rows = self._values(request, partial=True)
        facility = services.facility_update(user=acting_user(request), facility=facility, catchments=rows, **values)
        return Response(s.FacilityOut(facility).data)
