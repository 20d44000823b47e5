from typing import Any

import django_filters
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from location.models import Location
from openimis.common.api import acting_user, require_perms
from openimis.common.exceptions import ApplicationError

from .. import selectors, services
from ..models import Payer
from . import serializers as s


class PayerFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(field_name="name", lookup_expr="icontains")
    location = django_filters.UUIDFilter(
        method="filter_location", label="Payers of this region or district and of the districts in it (by uuid)"
    )
    national = django_filters.BooleanFilter(field_name="location", lookup_expr="isnull", label="National payers")

    class Meta:
        model = Payer
        fields = ["type", "is_active", "name", "location", "national"]

    def filter_location(self, queryset: QuerySet[Payer], name: str, value: Any) -> QuerySet[Payer]:
        area = Location.objects.filter(uuid=value).first()
        if area is None:
            return queryset.none()
        return queryset.filter(location__path__startswith=area.path)


def _location_in_scope(request: Request, uuid: Any) -> Location | None:
    if uuid is None:
        return None
    location = Location.objects.visible_to(acting_user(request)).filter(uuid=uuid).first()
    if location is None:
        raise ApplicationError.for_field("location", _("No location with this uuid in your scope."), code="not_found")
    return location


class PayerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Payers the caller sees: national ones, those of their area and those of a region or district above it."""

    serializer_class = s.PayerOut
    lookup_field = "uuid"
    filterset_class = PayerFilter
    queryset = Payer.objects.none()

    def get_queryset(self) -> QuerySet[Payer]:
        return selectors.payers_for(acting_user(self.request), include_inactive=True)

    def _values(self, request: Request, partial: bool) -> dict[str, Any]:
        data = s.PayerIn(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "location" in values:
            values["location"] = _location_in_scope(request, values["location"])
        return values

    @extend_schema(request=s.PayerIn, responses={201: s.PayerOut})
    def create(self, request: Request) -> Response:
        payer = services.payer_create(user=acting_user(request), **self._values(request, partial=False))
        return Response(s.PayerOut(payer).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.PayerIn, responses=s.PayerOut)
    def partial_update(self, request: Request, uuid: str) -> Response:
        payer = get_object_or_404(self.get_queryset(), uuid=uuid)
        values = self._values(request, partial=True)
        payer = services.payer_update(user=acting_user(request), payer=payer, **values)
        return Response(s.PayerOut(payer).data)

    @extend_schema(request=None, responses=s.PayerOut)
    @action(detail=True, methods=["post"], permission_classes=[require_perms("payer.delete_payer")])
    def deactivate(self, request: Request, uuid: str) -> Response:
        """The payer is no longer offered for new contributions; its name becomes free for a new payer."""
        payer = get_object_or_404(self.get_queryset(), uuid=uuid)
        payer = services.payer_deactivate(user=acting_user(request), payer=payer)
        return Response(s.PayerOut(payer).data)
