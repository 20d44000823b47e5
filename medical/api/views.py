"""REST API of the medical registers and price lists: thin views over the selectors, access helpers and services."""

from typing import Any

import django_filters
from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from location.models import HealthFacility, Location
from location.selectors import facilities_for
from openimis.common.api import acting_user, require_perms
from openimis.common.api_jobs import JobOut
from openimis.common.exceptions import ApplicationError

from .. import selectors, services
from ..models import ITEMS, SERVICES, Diagnosis, Item, PriceListKind, Service
from ..permissions import access_price_list_entry
from . import serializers as s


def _visible_location(request: Request, uuid: Any) -> Location:
    location = Location.objects.visible_to(acting_user(request)).filter(uuid=uuid).first()
    if location is None:
        raise ApplicationError.for_field("location", _("No location with this uuid in your scope."), code="not_found")
    return location


def _search(queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
    return queryset.filter(Q(code__istartswith=value) | Q(name__icontains=value)) if value else queryset


# --- registers ---------------------------------------------------------------------------------------------


class _RegisterFilter(django_filters.FilterSet):
    code = django_filters.CharFilter(field_name="code", lookup_expr="iexact")
    name = django_filters.CharFilter(field_name="name", lookup_expr="icontains")
    q = django_filters.CharFilter(method=_search, label="Code starts with, or name contains")


class ItemFilter(_RegisterFilter):
    class Meta:
        model = Item
        fields = ["code", "name", "type", "care_type", "is_active"]


class ServiceFilter(_RegisterFilter):
    class Meta:
        model = Service
        fields = ["code", "name", "type", "category", "level", "care_type", "package_type", "is_active"]


class DiagnosisFilter(_RegisterFilter):
    class Meta:
        model = Diagnosis
        fields = ["code", "name", "is_active"]


class _RegisterViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """List, read, create, change (PATCH), deactivate and import; the rows are national."""

    lookup_field = "uuid"
    model: Any = None
    input_serializer: Any = None
    import_key = ""
    slug = ""

    def get_queryset(self) -> QuerySet[Any]:
        return self.model.objects.visible_to(acting_user(self.request)).order_by("code", "-is_active", "-id")

    def create(self, request: Request) -> Response:
        data = self.input_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        obj = getattr(services, f"{self.slug}_create")(user=acting_user(request), **data.validated_data)
        return Response(self.get_serializer(obj).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, uuid: str) -> Response:
        obj = get_object_or_404(self.get_queryset(), uuid=uuid)
        data = self.input_serializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        update = getattr(services, f"{self.slug}_update")
        obj = update(user=acting_user(request), **{self.slug: obj}, **data.validated_data)
        return Response(self.get_serializer(obj).data)

    def _deactivate(self, request: Request, uuid: str) -> Response:
        obj = get_object_or_404(self.get_queryset(), uuid=uuid)
        removed = getattr(services, f"{self.slug}_deactivate")(user=acting_user(request), **{self.slug: obj})
        return Response({"removed_from_price_lists": removed})

    def _import(self, request: Request) -> Response:
        data = s.MedicalImportIn(data=request.data)
        data.is_valid(raise_exception=True)
        job = services.medical_import_start(
            user=acting_user(request), what=self.import_key, upload=data.validated_data["file"]
        )
        return Response(JobOut(job).data, status=status.HTTP_202_ACCEPTED)


def _import_perms(key: str) -> type[permissions.BasePermission]:
    return require_perms(*services.IMPORT_KINDS[key].perms)


class ItemViewSet(_RegisterViewSet):
    """Medical items (drugs and consumables)."""

    serializer_class = s.ItemOut
    filterset_class = ItemFilter
    queryset = Item.objects.none()
    model, input_serializer, import_key, slug = Item, s.ItemIn, "items", "item"

    @extend_schema(request=s.ItemIn, responses={201: s.ItemOut})
    def create(self, request: Request) -> Response:
        return super().create(request)

    @extend_schema(request=s.ItemIn, responses=s.ItemOut)
    def partial_update(self, request: Request, uuid: str) -> Response:
        return super().partial_update(request, uuid)

    @extend_schema(request=None, responses=s.RegisterDeactivateOut)
    @action(detail=True, methods=["post"], permission_classes=[require_perms("medical.delete_item")])
    def deactivate(self, request: Request, uuid: str) -> Response:
        """Deactivates the item and removes it from every price list."""
        return self._deactivate(request, uuid)

    @extend_schema(request=s.MedicalImportIn, responses={202: JobOut})
    @action(
        detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser],
        permission_classes=[_import_perms("items")],
    )  # fmt: skip
    def import_file(self, request: Request) -> Response:
        """Queues the import of a CSV or XLSX file of items (upsert by code); poll the returned job."""
        return self._import(request)


class ServiceViewSet(_RegisterViewSet):
    """Medical services (consultations, procedures, days of hospitalisation...)."""

    serializer_class = s.ServiceOut
    filterset_class = ServiceFilter
    queryset = Service.objects.none()
    model, input_serializer, import_key, slug = Service, s.ServiceIn, "services", "service"

    @extend_schema(request=s.ServiceIn, responses={201: s.ServiceOut})
    def create(self, request: Request) -> Response:
        return super().create(request)

    @extend_schema(request=s.ServiceIn, responses=s.ServiceOut)
    def partial_update(self, request: Request, uuid: str) -> Response:
        return super().partial_update(request, uuid)

    @extend_schema(request=None, responses=s.RegisterDeactivateOut)
    @action(detail=True, methods=["post"], permission_classes=[require_perms("medical.delete_service")])
    def deactivate(self, request: Request, uuid: str) -> Response:
        """Deactivates the service and removes it from every price list."""
        return self._deactivate(request, uuid)

    @extend_schema(request=s.MedicalImportIn, responses={202: JobOut})
    @action(
        detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser],
        permission_classes=[_import_perms("services")],
    )  # fmt: skip
    def import_file(self, request: Request) -> Response:
        """Queues the import of a CSV or XLSX file of services (upsert by code); poll the returned job."""
        return self._import(request)


class DiagnosisViewSet(_RegisterViewSet):
    """ICD-10 diagnoses."""

    serializer_class = s.DiagnosisOut
    filterset_class = DiagnosisFilter
    queryset = Diagnosis.objects.none()
    model, input_serializer, import_key, slug = Diagnosis, s.DiagnosisIn, "diagnoses", "diagnosis"

    @extend_schema(request=s.DiagnosisIn, responses={201: s.DiagnosisOut})
    def create(self, request: Request) -> Response:
        return super().create(request)

    @extend_schema(request=s.DiagnosisIn, responses=s.DiagnosisOut)
    def partial_update(self, request: Request, uuid: str) -> Response:
        return super().partial_update(request, uuid)

    @extend_schema(request=None, responses=s.RegisterDeactivateOut)
    @action(detail=True, methods=["post"], permission_classes=[require_perms("medical.delete_diagnosis")])
    def deactivate(self, request: Request, uuid: str) -> Response:
        return self._deactivate(request, uuid)

    @extend_schema(request=s.MedicalImportIn, responses={202: JobOut})
    @action(
        detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser],
        permission_classes=[_import_perms("diagnoses")],
    )  # fmt: skip
    def import_file(self, request: Request) -> Response:
        """Queues the import of a CSV or XLSX file of diagnoses (upsert by code); poll the returned job."""
        return self._import(request)


# --- price lists -------------------------------------------------------------------------------------------


class PriceListFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(field_name="name", lookup_expr="icontains")
    location = django_filters.UUIDFilter(field_name="location__uuid")
    national = django_filters.BooleanFilter(field_name="location", lookup_expr="isnull")
    is_active = django_filters.BooleanFilter()
    date_from_after = django_filters.DateFilter(field_name="date_from", lookup_expr="gte")
    date_from_before = django_filters.DateFilter(field_name="date_from", lookup_expr="lte")
    contains = django_filters.CharFilter(method="filter_contains", label="Holds the item or service of this code")

    def filter_contains(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        kind = ITEMS if queryset.model is ITEMS.list_model else SERVICES
        return queryset.filter(**{f"entries__{kind.target_field}__code": value}).distinct()


class _PerMethod(permissions.BasePermission):
    """The price list's view permission to read, its change permission to write (entries)."""

    kind: PriceListKind = ITEMS

    def has_permission(self, request: Request, view: APIView) -> bool:
        action = "view" if request.method in permissions.SAFE_METHODS else "change"
        return bool(request.user and request.user.is_authenticated and request.user.has_perm(self.kind.perm(action)))


def _per_method(kind: PriceListKind) -> type[permissions.BasePermission]:
    return type(f"PerMethod_{kind.slug}", (_PerMethod,), {"kind": kind})


class _PriceListViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Price lists the caller sees: national, of their area, or of an area above it (read-only for them)."""

    kind: PriceListKind = ITEMS
    serializer_class = s.PriceListOut
    lookup_field = "uuid"
    filterset_class = PriceListFilter
    entry_in: Any = s.ItemEntryIn
    entry_out: Any = s.ItemEntryOut

    def get_queryset(self) -> QuerySet[Any]:
        return (
            self.kind.list_model.objects.visible_to(acting_user(self.request))
            .select_related("location")
            .annotate(entry_count=Count("entries"))
            .order_by("name", "-id")
        )

    def _price_list(self, uuid: str) -> Any:
        return get_object_or_404(self.get_queryset(), uuid=uuid)

    def _location(self, request: Request, values: dict[str, Any]) -> None:
        if values.get("location"):
            values["location"] = _visible_location(request, values["location"])

    def create(self, request: Request) -> Response:
        data = s.PriceListIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        self._location(request, values)
        price_list = services.price_list_create(user=acting_user(request), kind=self.kind, **values)
        return Response(s.PriceListOut(self._price_list(price_list.uuid)).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, uuid: str) -> Response:
        price_list = self._price_list(uuid)
        data = s.PriceListIn(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        self._location(request, values)
        services.price_list_update(user=acting_user(request), price_list=price_list, **values)
        return Response(s.PriceListOut(self._price_list(uuid)).data)

    def _copy(self, request: Request, uuid: str) -> Response:
        source = self._price_list(uuid)
        data = s.PriceListCopyIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        self._location(request, values)
        values = {"date_from": source.date_from, "location": source.location, **values}
        copy = services.price_list_copy(user=acting_user(request), source=source, **values)
        return Response(s.PriceListOut(self._price_list(copy.uuid)).data, status=status.HTTP_201_CREATED)

    def _deactivate(self, request: Request, uuid: str) -> Response:
        price_list = self._price_list(uuid)
        services.price_list_deactivate(user=acting_user(request), price_list=price_list)
        return Response(s.PriceListOut(self._price_list(uuid)).data)

    def _entries(self, request: Request, uuid: str) -> Response:
        price_list = self._price_list(uuid)
        if request.method == "POST":
            data = self.entry_in(data=request.data)
            data.is_valid(raise_exception=True)
            values = dict(data.validated_data)
            target = (
                self.kind.target_model.objects.visible_to(acting_user(request))
                .filter(uuid=values.pop(self.kind.target_field))
                .first()
            )
            if target is None:
                raise ApplicationError.for_field(
                    self.kind.target_field, _("No such item or service."), code="not_found"
                )
            services.price_list_entry_add(user=acting_user(request), price_list=price_list, target=target, **values)
            return Response(self._entry_data(price_list, target.uuid), status=status.HTTP_201_CREATED)
        entries = selectors.price_list_entries(acting_user(request), price_list, q=request.query_params.get("q", ""))
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(self.entry_out(page, many=True).data)

    def _entry_data(self, price_list: Any, target_uuid: Any) -> Any:
        entry = selectors.price_list_entries(acting_user(self.request), price_list).get(
            **{f"{self.kind.target_field}__uuid": target_uuid}
        )
        return self.entry_out(entry).data

    def _entry(self, request: Request, uuid: str, target: str) -> Response:
        price_list = self._price_list(uuid)
        entry = access_price_list_entry(acting_user(request), price_list, target)
        if request.method == "DELETE":
            services.price_list_entry_remove(user=acting_user(request), entry=entry)
            return Response(status=status.HTTP_204_NO_CONTENT)
        if request.method == "PATCH":
            data = s.EntryUpdateIn(data=request.data)
            data.is_valid(raise_exception=True)
            services.price_list_entry_update(user=acting_user(request), entry=entry, **data.validated_data)
        return Response(self._entry_data(price_list, target))

    def _import(self, request: Request) -> Response:
        data = s.MedicalImportIn(data=request.data)
        data.is_valid(raise_exception=True)
        what = "item_price_lists" if self.kind is ITEMS else "service_price_lists"
        job = services.medical_import_start(user=acting_user(request), what=what, upload=data.validated_data["file"])
        return Response(JobOut(job).data, status=status.HTTP_202_ACCEPTED)


class ItemPriceListViewSet(_PriceListViewSet):
    """Items price lists and their entries (the price that applies: the override, or else the register price)."""

    kind = ITEMS
    queryset = ITEMS.list_model.objects.none()
    entry_in, entry_out = s.ItemEntryIn, s.ItemEntryOut

    @extend_schema(request=s.PriceListIn, responses={201: s.PriceListOut})
    def create(self, request: Request) -> Response:
        return super().create(request)

    @extend_schema(request=s.PriceListIn, responses=s.PriceListOut)
    def partial_update(self, request: Request, uuid: str) -> Response:
        return super().partial_update(request, uuid)

    @extend_schema(request=s.PriceListCopyIn, responses={201: s.PriceListOut})
    @action(detail=True, methods=["post"], permission_classes=[require_perms("medical.add_itempricelist")])
    def copy(self, request: Request, uuid: str) -> Response:
        """A new price list with every entry of this one."""
        return self._copy(request, uuid)

    @extend_schema(request=None, responses=s.PriceListOut)
    @action(detail=True, methods=["post"], permission_classes=[require_perms("medical.delete_itempricelist")])
    def deactivate(self, request: Request, uuid: str) -> Response:
        return self._deactivate(request, uuid)

    @extend_schema(methods=["GET"], request=None, responses=s.ItemEntryOut(many=True))
    @extend_schema(methods=["POST"], request=s.ItemEntryIn, responses={201: s.ItemEntryOut})
    @action(detail=True, methods=["get", "post"], permission_classes=[_per_method(ITEMS)])
    def entries(self, request: Request, uuid: str) -> Response:
        """The entries (paginated; `q` filters by code or name), or add one."""
        return self._entries(request, uuid)

    @extend_schema(methods=["GET", "DELETE"], request=None, responses=s.ItemEntryOut)
    @extend_schema(methods=["PATCH"], request=s.EntryUpdateIn, responses=s.ItemEntryOut)
    @action(
        detail=True, methods=["get", "patch", "delete"], url_path=r"entries/(?P<target>[0-9a-f-]{36})",
        permission_classes=[_per_method(ITEMS)],
    )  # fmt: skip
    def entry(self, request: Request, uuid: str, target: str) -> Response:
        """One entry, by the uuid of its item: read, change its override price, or remove it."""
        return self._entry(request, uuid, target)

    @extend_schema(request=s.MedicalImportIn, responses={202: JobOut})
    @action(
        detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser],
        permission_classes=[_import_perms("item_price_lists")],
    )  # fmt: skip
    def import_file(self, request: Request) -> Response:
        """Queues the import of entries (price_list, code, price_override[, date_from, location_code])."""
        return self._import(request)


class ServicePriceListViewSet(_PriceListViewSet):
    """Services price lists and their entries (the price that applies: the override, or else the register price)."""

    kind = SERVICES
    queryset = SERVICES.list_model.objects.none()
    entry_in, entry_out = s.ServiceEntryIn, s.ServiceEntryOut

    @extend_schema(request=s.PriceListIn, responses={201: s.PriceListOut})
    def create(self, request: Request) -> Response:
        return super().create(request)

    @extend_schema(request=s.PriceListIn, responses=s.PriceListOut)
    def partial_update(self, request: Request, uuid: str) -> Response:
        return super().partial_update(request, uuid)

    @extend_schema(request=s.PriceListCopyIn, responses={201: s.PriceListOut})
    @action(detail=True, methods=["post"], permission_classes=[require_perms("medical.add_servicepricelist")])
    def copy(self, request: Request, uuid: str) -> Response:
        """A new price list with every entry of this one."""
        return self._copy(request, uuid)

    @extend_schema(request=None, responses=s.PriceListOut)
    @action(detail=True, methods=["post"], permission_classes=[require_perms("medical.delete_servicepricelist")])
    def deactivate(self, request: Request, uuid: str) -> Response:
        return self._deactivate(request, uuid)

    @extend_schema(methods=["GET"], request=None, responses=s.ServiceEntryOut(many=True))
    @extend_schema(methods=["POST"], request=s.ServiceEntryIn, responses={201: s.ServiceEntryOut})
    @action(detail=True, methods=["get", "post"], permission_classes=[_per_method(SERVICES)])
    def entries(self, request: Request, uuid: str) -> Response:
        """The entries (paginated; `q` filters by code or name), or add one."""
        return self._entries(request, uuid)

    @extend_schema(methods=["GET", "DELETE"], request=None, responses=s.ServiceEntryOut)
    @extend_schema(methods=["PATCH"], request=s.EntryUpdateIn, responses=s.ServiceEntryOut)
    @action(
        detail=True, methods=["get", "patch", "delete"], url_path=r"entries/(?P<target>[0-9a-f-]{36})",
        permission_classes=[_per_method(SERVICES)],
    )  # fmt: skip
    def entry(self, request: Request, uuid: str, target: str) -> Response:
        """One entry, by the uuid of its service: read, change its override price, or remove it."""
        return self._entry(request, uuid, target)

    @extend_schema(request=s.MedicalImportIn, responses={202: JobOut})
    @action(
        detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser],
        permission_classes=[_import_perms("service_price_lists")],
    )  # fmt: skip
    def import_file(self, request: Request) -> Response:
        """Queues the import of entries (price_list, code, price_override[, date_from, location_code])."""
        return self._import(request)


# --- the price lists each facility uses --------------------------------------------------------------------


class FacilityPriceListsViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The items and services price list each health facility in the caller's scope uses (PUT to choose them)."""

    serializer_class = s.FacilityPriceListsOut
    lookup_field = "uuid"
    queryset = HealthFacility.objects.none()

    def get_queryset(self) -> QuerySet[HealthFacility]:
        return facilities_for(acting_user(self.request)).select_related(
            "price_lists__items_price_list", "price_lists__services_price_list"
        )

    @extend_schema(request=s.FacilityPriceListsIn, responses=s.FacilityPriceListsOut)
    def update(self, request: Request, uuid: str) -> Response:
        facility = get_object_or_404(self.get_queryset(), uuid=uuid)
        data = s.FacilityPriceListsIn(data=request.data)
        data.is_valid(raise_exception=True)
        user = acting_user(request)
        chosen: dict[str, Any] = {}
        for kind in (ITEMS, SERVICES):
            wanted = data.validated_data[kind.facility_field]
            chosen[kind.facility_field] = (
                kind.list_model.objects.visible_to(user).filter(uuid=wanted).first() if wanted else None
            )
            if wanted and chosen[kind.facility_field] is None:
                raise ApplicationError.for_field(
                    kind.facility_field, _("No such price list in your scope."), code="not_found"
                )
        services.facility_price_lists_set(user=user, facility=facility, **chosen)
        return Response(self.get_serializer(get_object_or_404(self.get_queryset(), uuid=uuid)).data)
