from datetime import date
from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from location.models import Location
from openimis.common.api import acting_user, require_perms
from openimis.common.exceptions import ApplicationError

from .. import services
from ..models import LINE_KINDS, LineKind, Product
from . import serializers as s


class ProductFilter(django_filters.FilterSet):
    code = django_filters.CharFilter(field_name="code", lookup_expr="iexact")
    name = django_filters.CharFilter(field_name="name", lookup_expr="icontains")
    location = django_filters.UUIDFilter(
        method="filter_location", label="Sold in this region or district: national products, its own and those above"
    )
    national = django_filters.BooleanFilter(field_name="location", lookup_expr="isnull", label="National products")
    valid_on = django_filters.DateFilter(method="filter_valid_on", label="Valid on this date")

    class Meta:
        model = Product
        fields = ["code", "name", "location", "national", "valid_on"]

    def filter_location(self, queryset: QuerySet[Product], name: str, value: Any) -> QuerySet[Product]:
        location = Location.objects.filter(uuid=value).first()
        if location is None:
            return queryset.none()
        above = [int(part) for part in location.path.split(".") if part]
        return queryset.filter(Q(location__isnull=True) | Q(location_id__in=above))

    def filter_valid_on(self, queryset: QuerySet[Product], name: str, value: date) -> QuerySet[Product]:
        return queryset.valid_on(value)  # type: ignore[attr-defined]


def _visible(request: Request, model: Any, uuid: Any, field: str, message: str) -> Any:
    if uuid is None:
        return None
    found = model.objects.visible_to(acting_user(request)).filter(uuid=uuid).first()
    if found is None:
        raise ApplicationError.for_field(field, message, code="not_found")
    return found


def _product_values(request: Request, partial: bool) -> dict[str, Any]:
    data = s.ProductIn(data=request.data, partial=partial)
    data.is_valid(raise_exception=True)
    values = dict(data.validated_data)
    if "location" in values:
        values["location"] = _visible(
            request, Location, values["location"], "location", _("No region or district with this uuid in your scope.")
        )
    if "conversion_product" in values:
        values["conversion_product"] = _visible(
            request,
            Product,
            values["conversion_product"],
            "conversion_product",
            _("No product with this uuid in your scope."),
        )
    return values


class ProductViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """Products (benefit packages) sold in the caller's area: national ones, those of the caller's regions and
    districts and those of the areas above. Items and services covered: `/products/{uuid}/items/`, `.../services/`.
    """

    serializer_class = s.ProductOut
    lookup_field = "uuid"
    filterset_class = ProductFilter
    queryset = Product.objects.none()

    def get_queryset(self) -> QuerySet[Product]:
        return (
            Product.objects.visible_to(acting_user(self.request))
            .select_related("location", "conversion_product")
            .prefetch_related("distribution")
            .order_by("code")
        )

    def _get(self, uuid: str) -> Product:
        return get_object_or_404(self.get_queryset(), uuid=uuid)

    def _out(self, product: Product, code: int = status.HTTP_200_OK) -> Response:
        return Response(s.ProductOut(self._get(str(product.uuid))).data, status=code)

    @extend_schema(request=s.ProductIn, responses={201: s.ProductOut})
    def create(self, request: Request) -> Response:
        product = services.product_create(user=acting_user(request), **_product_values(request, partial=False))
        return self._out(product, status.HTTP_201_CREATED)

    @extend_schema(request=s.ProductIn, responses=s.ProductOut)
    def partial_update(self, request: Request, uuid: str) -> Response:
        product = self._get(uuid)
        services.product_update(user=acting_user(request), product=product, **_product_values(request, partial=True))
        return self._out(product)

    @extend_schema(responses={204: None, 409: OpenApiTypes.OBJECT})
    def destroy(self, request: Request, uuid: str) -> Response:
        """Deletes a product nothing uses; a product in use answers 409 `product_in_use`: close it instead."""
        services.product_delete(user=acting_user(request), product=self._get(uuid))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=s.ProductCopyIn, responses={201: s.ProductOut})
    @action(detail=True, methods=["post"], permission_classes=[require_perms("policy.add_product")])
    def copy(self, request: Request, uuid: str) -> Response:
        """A new product with this one's settings, items, services and distribution."""
        data = s.ProductCopyIn(data=request.data)
        data.is_valid(raise_exception=True)
        copy = services.product_copy(user=acting_user(request), product=self._get(uuid), **data.validated_data)
        return self._out(copy, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.ProductOut)
    @action(detail=True, methods=["post"], permission_classes=[require_perms("policy.change_product")])
    def close(self, request: Request, uuid: str) -> Response:
        """Ends the product's validity today."""
        product = services.product_close(user=acting_user(request), product=self._get(uuid))
        return self._out(product)


class LinePermissions(permissions.BasePermission):
    """Reading lines needs view_product; changing them change_product."""

    def has_permission(self, request: Request, view: Any) -> bool:
        perms = ["policy.view_product"] if request.method in ("GET", "HEAD", "OPTIONS") else ["policy.change_product"]
        return bool(request.user and request.user.is_authenticated and request.user.has_perms(perms))


_PRODUCT_PARAM = OpenApiParameter("product_uuid", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The product")
_TARGET_PARAM = OpenApiParameter("uuid", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The item or service")


class _ProductLineViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    kind: LineKind
    serializer_class = s.LineOut
    permission_classes = [LinePermissions]
    lookup_url_kwarg = "uuid"

    def product(self) -> Product:
        visible = Product.objects.visible_to(acting_user(self.request))
        return get_object_or_404(visible, uuid=self.kwargs["product_uuid"])

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no product in the URL
            return self.kind.model.objects.none()  # type: ignore[attr-defined]
        target = self.kind.target_field
        return self.kind.model.objects.filter(product=self.product()).select_related(target).order_by(f"{target}__code")  # type: ignore[attr-defined]

    def get_object(self) -> Any:
        return get_object_or_404(self.get_queryset(), **{f"{self.kind.target_field}__uuid": self.kwargs["uuid"]})

    @extend_schema(request=s.LineAddIn, responses={201: s.LineOut(many=True)})
    def create(self, request: Request, product_uuid: str) -> Response:
        data = s.LineAddIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        codes = values.pop("codes")
        lines = services.product_lines_add(
            user=acting_user(request), product=self.product(), kind=self.kind.key, codes=codes, **values
        )
        return Response(s.LineOut(lines, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.LineIn, responses=s.LineOut)
    def partial_update(self, request: Request, product_uuid: str, uuid: str) -> Response:
        line = self.get_object()
        data = s.LineIn(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        line = services.product_line_update(user=acting_user(request), line=line, **data.validated_data)
        return Response(s.LineOut(line).data)

    def destroy(self, request: Request, product_uuid: str, uuid: str) -> Response:
        self.get_object()
        services.product_lines_remove(
            user=acting_user(request), product=self.product(), kind=self.kind.key, target_uuids=[uuid]
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(parameters=[_PRODUCT_PARAM]),
    create=extend_schema(parameters=[_PRODUCT_PARAM]),
    retrieve=extend_schema(parameters=[_PRODUCT_PARAM, _TARGET_PARAM]),
    partial_update=extend_schema(parameters=[_PRODUCT_PARAM, _TARGET_PARAM]),
    destroy=extend_schema(parameters=[_PRODUCT_PARAM, _TARGET_PARAM]),
)
class ProductItemViewSet(_ProductLineViewSet):
    """The medical items a product covers, with their limitation; lines are named by the item's uuid."""

    kind = LINE_KINDS["items"]


@extend_schema_view(
    list=extend_schema(parameters=[_PRODUCT_PARAM]),
    create=extend_schema(parameters=[_PRODUCT_PARAM]),
    retrieve=extend_schema(parameters=[_PRODUCT_PARAM, _TARGET_PARAM]),
    partial_update=extend_schema(parameters=[_PRODUCT_PARAM, _TARGET_PARAM]),
    destroy=extend_schema(parameters=[_PRODUCT_PARAM, _TARGET_PARAM]),
)
class ProductServiceViewSet(_ProductLineViewSet):
    """The medical services a product covers, with their limitation; lines are named by the service's uuid."""

    kind = LINE_KINDS["services"]
